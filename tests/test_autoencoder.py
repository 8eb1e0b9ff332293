import copy
import pickle

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import skae._keras._fit_guard
from skae import AutoencoderTransformer


class _OptimizerSpy(keras.callbacks.Callback):
    """Keeps the optimizer that trained the model: the fitted estimator drops it."""

    optimizer = None

    def on_train_end(self, logs=None):
        self.optimizer = self.model.optimizer


def _spy_on_optimizer(monkeypatch):
    spy = _OptimizerSpy()
    monkeypatch.setattr(skae._keras._fit_guard, "_extra_callbacks", lambda: [spy])
    return spy


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return AutoencoderTransformer(8, epochs=3, batch_size=256, random_state=0).fit(X[:600])


def test_defaults_are_the_tutorial_model(digits, monkeypatch):
    """Check that the defaults build Dense(36, relu) -> Dense(n, sigmoid) trained with Adam and BCE."""
    X, _ = digits
    spy = _spy_on_optimizer(monkeypatch)
    ae = AutoencoderTransformer(epochs=1, random_state=0).fit(X)
    encoder_layers = [layer for layer in ae.encoder_.layers if layer.weights]
    decoder_layers = [layer for layer in ae.decoder_.layers if layer.weights]
    assert [(layer.units, layer.activation.__name__) for layer in encoder_layers] == [(36, "relu")]
    assert [(layer.units, layer.activation.__name__) for layer in decoder_layers] == [(64, "sigmoid")]
    assert isinstance(spy.optimizer, keras.optimizers.Adam)
    # On PyTorch skae swaps in its own binary cross-entropy (see skae/_keras/_backend.py).
    assert ae.autoencoder_.loss.__name__ == "binary_crossentropy"
    params = AutoencoderTransformer().get_params()
    assert (params["batch_size"], params["epochs"], params["n_iter_no_change"]) == (2024, 200, 5)
    assert params["early_stopping"] is True


def test_fit_transform_inverse_shapes_and_dtype(fitted, digits):
    """Check that transform gives codes and inverse_transform reconstructions, as float32."""
    X, _ = digits
    codes = fitted.transform(X[:50])
    assert codes.shape == (50, 8) and codes.dtype == np.float32
    reconstruction = fitted.inverse_transform(codes)
    assert reconstruction.shape == (50, 64) and reconstruction.dtype == np.float32
    np.testing.assert_allclose(reconstruction, fitted.autoencoder_.predict(X[:50], verbose=0), rtol=1e-5, atol=1e-6)


def test_deep_architecture_is_symmetric(digits):
    """Check that hidden_layer_sizes builds a mirrored encoder and decoder with a linear code."""
    X, _ = digits
    ae = AutoencoderTransformer(
        4, hidden_layer_sizes=(32, 16), encoding_activation="linear", epochs=1, random_state=0
    ).fit(X)
    units = [layer.units for layer in ae.autoencoder_.layers[1].layers if layer.weights]
    assert units == [32, 16, 4]
    assert [layer.units for layer in ae.decoder_.layers if layer.weights] == [16, 32, 64]
    assert ae.encoder_.layers[-1].activation.__name__ == "linear"


def test_history_and_early_stopping(digits):
    """Check that history_ holds the losses per epoch and early stopping can end training early."""
    X, _ = digits
    ae = AutoencoderTransformer(8, epochs=50, batch_size=64, n_iter_no_change=1, learning_rate=0.5, random_state=0)
    ae.fit(X)
    assert ae.n_iter_ == len(ae.history_["loss"]) == len(ae.history_["val_loss"])
    assert ae.n_iter_ < 50
    no_validation = AutoencoderTransformer(8, epochs=3, early_stopping=False, random_state=0).fit(X)
    assert no_validation.n_iter_ == 3 and "val_loss" not in no_validation.history_


def test_training_reduces_loss(digits):
    """Check that more epochs give a better (higher) score than one epoch."""
    X, _ = digits
    short = AutoencoderTransformer(16, epochs=1, batch_size=64, random_state=0).fit(X)
    long = AutoencoderTransformer(16, epochs=15, batch_size=64, random_state=0).fit(X)
    assert long.score(X) > short.score(X)
    assert long.history_["loss"][-1] < long.history_["loss"][0]


def test_score_is_negative_mean_loss(fitted, digits):
    """Check that score is minus the mean binary cross-entropy of the reconstruction."""
    X, _ = digits
    reconstruction = np.clip(fitted.inverse_transform(fitted.transform(X)), 1e-7, 1 - 1e-7)
    bce = -(X * np.log(reconstruction) + (1 - X) * np.log(1 - reconstruction)).mean()
    assert fitted.score(X) == pytest.approx(-bce, rel=1e-3)


def test_same_random_state_same_codes(digits):
    """Check that an integer random_state gives identical codes and None does not."""
    X, _ = digits
    kwargs = dict(epochs=2, batch_size=128)
    a = AutoencoderTransformer(8, random_state=3, **kwargs).fit(X).transform(X)
    b = AutoencoderTransformer(8, random_state=3, **kwargs).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    c = AutoencoderTransformer(8, random_state=None, **kwargs).fit(X).transform(X)
    d = AutoencoderTransformer(8, random_state=None, **kwargs).fit(X).transform(X)
    assert not np.array_equal(c, d)


@pytest.mark.parametrize(
    "round_trip",
    [
        lambda est: pickle.loads(pickle.dumps(est)),
        copy.deepcopy,
        lambda est: joblib.load(_dump(est)),
    ],
    ids=["pickle", "deepcopy", "joblib"],
)
def test_round_trip_keeps_outputs_and_shared_weights(fitted, digits, round_trip):
    """Check that a copy gives identical outputs and its three models still share weights."""
    X, _ = digits
    copied = round_trip(fitted)
    codes = fitted.transform(X)
    np.testing.assert_array_equal(copied.transform(X), codes)
    np.testing.assert_array_equal(copied.inverse_transform(codes), fitted.inverse_transform(codes))
    assert copied.history_ == fitted.history_ and copied.n_iter_ == fitted.n_iter_

    # Changing the autoencoder's layers must change the encoder and decoder too.
    copied.autoencoder_.set_weights([w * 0.5 for w in copied.autoencoder_.get_weights()])
    assert not np.array_equal(copied.transform(X), codes)
    np.testing.assert_allclose(
        copied.inverse_transform(copied.transform(X)),
        copied.autoencoder_.predict(X, verbose=0),
        rtol=1e-6,
        atol=1e-6,
    )
    # The original is untouched.
    np.testing.assert_array_equal(fitted.transform(X), codes)


def _dump(estimator, _counter=[0]):
    import tempfile

    _counter[0] += 1
    path = f"{tempfile.mkdtemp()}/ae{_counter[0]}.joblib"
    joblib.dump(estimator, path)
    return path


def test_round_trip_before_fit():
    """Check that an unfitted estimator pickles, deep-copies and clones to equal parameters."""
    ae = AutoencoderTransformer(5, hidden_layer_sizes=(20,), random_state=1)
    for copied in (pickle.loads(pickle.dumps(ae)), copy.deepcopy(ae), clone(ae)):
        assert copied.get_params() == ae.get_params()
        assert not hasattr(copied, "encoder_")


def test_refit_of_copy_changes_all_three_models(fitted, digits):
    """Check that fitting an unpickled copy again gives a new encoder, decoder and autoencoder that agree."""
    X, _ = digits
    copied = pickle.loads(pickle.dumps(fitted))
    copied.set_params(epochs=1).fit(X[:200])
    np.testing.assert_allclose(
        copied.inverse_transform(copied.transform(X[:20])),
        copied.autoencoder_.predict(X[:20], verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_feature_names_and_pandas_output(digits):
    """Check that DataFrames in give feature_names_in_ and set_output gives DataFrames out."""
    X, _ = digits
    frame = pd.DataFrame(X[:300], columns=[f"pixel{i}" for i in range(64)])
    ae = AutoencoderTransformer(4, epochs=1, random_state=0).set_output(transform="pandas").fit(frame)
    np.testing.assert_array_equal(ae.feature_names_in_, frame.columns)
    codes = ae.transform(frame)
    assert isinstance(codes, pd.DataFrame)
    assert list(codes.columns) == [f"autoencodertransformer{i}" for i in range(4)]
    np.testing.assert_array_equal(codes.index, frame.index)


def test_optimizer_object_is_not_modified(digits, monkeypatch):
    """Check that a Keras optimizer passed as a parameter is copied, with learning_rate applied to the copy."""
    X, _ = digits
    optimizer = keras.optimizers.SGD(learning_rate=0.01)
    spy = _spy_on_optimizer(monkeypatch)
    ae = AutoencoderTransformer(4, optimizer=optimizer, learning_rate=0.05, epochs=1, random_state=0).fit(X)
    assert ae.optimizer is optimizer and optimizer.iterations.numpy() == 0
    assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(0.01)
    assert isinstance(spy.optimizer, keras.optimizers.SGD) and spy.optimizer is not optimizer
    assert float(keras.ops.convert_to_numpy(spy.optimizer.learning_rate)) == pytest.approx(0.05)


def test_warns_when_data_outside_unit_interval(digits):
    """Check that unscaled data with the sigmoid output warns to scale, and linear output accepts it."""
    X, _ = digits
    with pytest.warns(UserWarning, match="MinMaxScaler"):
        AutoencoderTransformer(2, epochs=1).fit(X * 16)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        AutoencoderTransformer(2, output_activation="linear", loss="mse", epochs=1).fit(X * 16)


@pytest.mark.parametrize(
    "epochs, min_steps, expected",
    [(2, 0, 2), (2, 20, 10), (2, 3, 2), (1, 1000, 10)],  # 2 batches an epoch; at most 10 x epochs
)
def test_min_steps_raises_epochs_on_small_data(epochs, min_steps, expected):
    """Check that min_steps trains ceil(min_steps / batches per epoch) epochs, between epochs and 10 x epochs."""
    X = np.random.RandomState(0).rand(100, 6).astype(np.float32)
    ae = AutoencoderTransformer(
        2, epochs=epochs, min_steps=min_steps, batch_size=50, early_stopping=False, random_state=0
    ).fit(X)
    assert ae.n_iter_ == expected == len(ae.history_["loss"])

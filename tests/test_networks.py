"""Tests of the Keras networks: dense, convolutional, denoising, sparse, variational (skae/_keras/_networks.py)."""

import pickle

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer


def _fit(X, **params):
    params = {"encoding_dim": 4, "epochs": 2, "batch_size": 128, "random_state": 0, **params}
    return AutoencoderTransformer(**params).fit(X)


def _layer_types(model):
    return [type(layer).__name__ for layer in model._flatten_layers(include_self=False)]


def test_dec_layout_recipe(digits):
    """Check that the documented one-liner builds the DEC/IDEC/N2D encoder d-500-500-2000-10, linear code."""
    X, _ = digits
    ae = AutoencoderTransformer(
        10, hidden_layer_sizes=(500, 500, 2000), encoding_activation="linear", epochs=1, random_state=0
    ).fit(X[:256])
    assert [layer.units for layer in ae.encoder_.layers if layer.weights] == [500, 500, 2000, 10]
    assert [layer.units for layer in ae.decoder_.layers if layer.weights] == [2000, 500, 500, 64]
    assert ae.encoder_.layers[-1].activation.__name__ == "linear"


def test_convolutional_on_digits_roundtrips_through_pickle(digits):
    """Check that image_shape=(8, 8, 1) trains a conv autoencoder on 2-D X and pickles with identical output."""
    X, _ = digits
    ae = _fit(X, image_shape=(8, 8, 1), hidden_layer_sizes=(8, 16))
    assert _layer_types(ae.encoder_).count("Conv2D") == 2
    assert _layer_types(ae.decoder_).count("Conv2DTranspose") == 2
    codes = ae.transform(X)
    assert codes.shape == (len(X), 4)
    assert ae.inverse_transform(codes).shape == X.shape
    copy = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(copy.transform(X), codes)
    np.testing.assert_array_equal(copy.inverse_transform(codes), ae.inverse_transform(codes))


def test_convolutional_mnist_shape_crops_back_to_28(digits):
    """Check that 28x28x1 images (odd sizes after striding: 7 -> 4) come back as 784 features."""
    X = np.random.RandomState(0).uniform(size=(64, 784)).astype(np.float32)
    ae = _fit(X, image_shape=(28, -1, 1), hidden_layer_sizes=(4, 8, 8), epochs=1)
    assert ae.encoder_.get_layer(index=1).output.shape[1:] == (28, 28, 1)
    assert ae.inverse_transform(ae.transform(X)).shape == (64, 784)


@pytest.mark.parametrize(
    "image_shape, message",
    [((8, 7, 1), "holds 56 values but X has 64"), ((3, -1), "not a multiple of 3"), ((8, 8, 1, 1), "height, width")],
)
def test_bad_image_shape_is_a_clear_error(digits, image_shape, message):
    """Check that an image_shape that does not fit X raises a ValueError naming the problem."""
    X, _ = digits
    with pytest.raises(ValueError, match=message):
        AutoencoderTransformer(image_shape=image_shape, hidden_layer_sizes=(4,), epochs=1).fit(X[:20])


@pytest.mark.parametrize("noise", ["gaussian", "dropout"])
def test_noise_corrupts_training_only(digits, noise):
    """Check that the noise layer sits in the training model only and transform is deterministic."""
    X, _ = digits
    ae = _fit(X[:500], noise=noise, noise_level=0.3)
    layer = {"gaussian": "GaussianNoise", "dropout": "Dropout"}[noise]
    assert layer in _layer_types(ae.autoencoder_)
    assert layer not in _layer_types(ae.encoder_)
    np.testing.assert_array_equal(ae.transform(X[:500]), ae.transform(X[:500]))
    clean = _fit(X[:500])
    assert ae.history_["loss"] != clean.history_["loss"]
    assert np.array_equal(_fit(X[:500], noise=noise, noise_level=0.3).transform(X), ae.transform(X))


def test_dropout_rate_must_be_below_one(digits):
    """Check that noise='dropout' with noise_level >= 1 raises a ValueError."""
    X, _ = digits
    with pytest.raises(ValueError, match="below 1"):
        AutoencoderTransformer(noise="dropout", noise_level=1.0, epochs=1).fit(X[:20])


def test_activity_regularization_makes_codes_sparser(digits):
    """Check that the L1 penalty on the code shrinks the codes."""
    X, _ = digits
    plain = _fit(X, encoding_dim=16, epochs=5, batch_size=64)
    sparse = _fit(X, encoding_dim=16, epochs=5, batch_size=64, activity_regularization=0.05)
    assert np.abs(sparse.transform(X)).mean() < 0.5 * np.abs(plain.transform(X)).mean()


def test_variational_transform_is_the_posterior_mean(digits):
    """Check that a VAE adds a KL loss, transforms deterministically to the mean, and pickles."""
    X, _ = digits
    ae = _fit(X, variational=True, encoding_activation="linear", hidden_layer_sizes=(32,), epochs=3)
    mean_layer = ae.encoder_.layers[-1]
    np.testing.assert_array_equal(ae.transform(X), ae.transform(X))
    np.testing.assert_allclose(ae.transform(X[:64]), keras.ops.convert_to_numpy(ae.encoder_(X[:64])), atol=1e-5)
    assert mean_layer.units == 4
    copy = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(copy.transform(X), ae.transform(X))


@pytest.mark.slow
def test_kl_weight_pulls_codes_to_the_prior(digits):
    """Check that a large kl_weight gives codes closer to N(0, I)'s mean than kl_weight=0."""
    X, _ = digits
    params = dict(variational=True, encoding_activation="linear", hidden_layer_sizes=(32,), epochs=5, batch_size=64)
    free = _fit(X, kl_weight=0.0, **params)
    tight = _fit(X, kl_weight=50.0, **params)
    assert np.square(tight.transform(X)).mean() < np.square(free.transform(X)).mean()


def test_variational_conv_saves_and_loads(digits, tmp_path):
    """Check that skae.save/load round-trips a convolutional, denoising variational autoencoder."""
    import skae

    X, _ = digits
    ae = _fit(X[:300], variational=True, encoding_activation="linear", image_shape=(8, 8), hidden_layer_sizes=(8,), noise="gaussian")
    ae.save(tmp_path / "vae.skae")
    loaded = skae.load(tmp_path / "vae.skae")
    np.testing.assert_array_equal(loaded.transform(X), ae.transform(X))

"""Failed, diverging and interrupted training, and inputs that fit must not touch."""

import keras
import numpy as np
import pandas as pd
import pytest

import skae._keras._fit_guard
from skae import AutoencoderTransformer, TrainingDivergedError


def _assert_unfitted(ae):
    assert not [name for name in vars(ae) if name.endswith("_") and not name.startswith("__")]


def test_infinite_loss_stops_at_once_and_leaves_the_estimator_unfitted(digits):
    """Check that an inf loss raises TrainingDivergedError in epoch 1, even over an earlier good fit."""
    X, _ = digits
    ae = AutoencoderTransformer(2, output_activation="linear", loss="mse", epochs=3, random_state=0).fit(X[:100])
    with pytest.raises(TrainingDivergedError, match=r"training loss became inf in epoch 1, batch 1.*learning_rate.*MinMaxScaler"):
        ae.fit(np.full((100, 64), 1e20, dtype=np.float32))
    _assert_unfitted(ae)
    assert ae.epochs == 3


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="PyTorch runs one batch per call")
def test_infinite_loss_with_several_batches_per_call_names_the_epoch(digits):
    """Check the error when batches run several per call (the XLA loop of TensorFlow and JAX).

    The loss is seen once per call there, so the message names the epoch only.
    """
    ae = AutoencoderTransformer(
        2, output_activation="linear", loss="mse", batch_size=32, jit_compile=True, random_state=0
    )
    with pytest.raises(TrainingDivergedError, match="training loss became (nan|inf) in epoch 1; "):
        ae.fit(np.full((100, 64), 1e20, dtype=np.float32))
    _assert_unfitted(ae)


def test_nan_loss_from_a_too_large_learning_rate(digits):
    """Check that a diverging SGD raises a ValueError naming the epoch and suggesting a lower learning_rate."""
    X, _ = digits
    ae = AutoencoderTransformer(
        4,
        encoding_activation="linear",
        output_activation="linear",
        loss="mse",
        optimizer="sgd",
        learning_rate=100.0,
        batch_size=32,
        epochs=20,
        random_state=0,
    )
    with pytest.raises(ValueError, match=r"loss became (nan|inf) in epoch \d+.*Lower learning_rate") as info:
        ae.fit(X[:300] * 16)
    assert isinstance(info.value, TrainingDivergedError)
    _assert_unfitted(ae)


class _Interrupt(keras.callbacks.Callback):
    """Presses Ctrl-C at the first batch of epoch `epoch` (0-based)."""

    def __init__(self, epoch):
        super().__init__()
        self.interrupt_epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.interrupt_epoch:
            raise KeyboardInterrupt


def test_ctrl_c_after_some_epochs_keeps_the_best_model(digits, monkeypatch):
    """Check that Ctrl-C in epoch 4 warns and keeps the model of a 3-epoch fit, best weights restored."""
    X, _ = digits
    params = dict(encoding_dim=8, batch_size=64, random_state=0)
    monkeypatch.setattr(skae._keras._fit_guard, "_extra_callbacks", lambda: [_Interrupt(3)])
    with pytest.warns(UserWarning, match=r"interrupted \(KeyboardInterrupt\) after 3 complete epoch.*best epoch"):
        interrupted = AutoencoderTransformer(epochs=50, **params).fit(X[:600])
    monkeypatch.undo()
    complete = AutoencoderTransformer(epochs=3, **params).fit(X[:600])
    assert interrupted.n_iter_ == 3 and interrupted.history_ == complete.history_
    np.testing.assert_array_equal(interrupted.transform(X), complete.transform(X))


def test_ctrl_c_in_the_first_epoch_propagates_and_leaves_the_estimator_unfitted(digits, monkeypatch):
    """Check that Ctrl-C before any complete epoch re-raises and leaves no fitted attribute."""
    X, _ = digits
    ae = AutoencoderTransformer(4, epochs=2, random_state=0).fit(X[:200])
    monkeypatch.setattr(skae._keras._fit_guard, "_extra_callbacks", lambda: [_Interrupt(0)])
    with pytest.raises(KeyboardInterrupt):
        ae.fit(X[:200])
    _assert_unfitted(ae)


@pytest.mark.parametrize("kind", ["read-only", "memmap", "dataframe"])
def test_fit_and_transform_never_write_to_the_input(digits, kind, tmp_path):
    """Check that fit and transform work on read-only float32 input (no copy is made) and leave it unchanged."""
    X = np.ascontiguousarray(digits[0][:300], dtype=np.float32)
    expected = X.copy()
    if kind == "read-only":
        data = X.copy()
        data.setflags(write=False)
    elif kind == "memmap":
        path = tmp_path / "X.dat"
        X.tofile(path)
        data = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    else:
        data = pd.DataFrame(X.copy(), columns=[f"p{i}" for i in range(64)])
    ae = AutoencoderTransformer(4, epochs=2, batch_size=64, random_state=0).fit(data)
    ae.score(data)
    ae.transform(data)
    values = data.to_numpy() if kind == "dataframe" else np.asarray(data)
    np.testing.assert_array_equal(values, expected)
    if kind == "dataframe":
        assert (data.dtypes == np.float32).all() and list(data.columns) == [f"p{i}" for i in range(64)]

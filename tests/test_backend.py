"""What skae evens out between the Keras backends."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from skae._backend import _binary_crossentropy, _portable_loss, _steps_per_execution


def test_binary_crossentropy_matches_keras_for_targets_in_unit_interval():
    """Check that skae's binary cross-entropy equals Keras' own for targets in [0, 1]."""
    rng = np.random.default_rng(0)
    y_true = rng.uniform(size=(20, 5)).astype(np.float32)
    y_pred = rng.uniform(0.01, 0.99, size=(20, 5)).astype(np.float32)
    ours = keras.ops.convert_to_numpy(_binary_crossentropy(y_true, keras.ops.convert_to_tensor(y_pred)))
    theirs = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y_true, y_pred))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_binary_crossentropy_computes_targets_outside_unit_interval():
    """Check that skae's binary cross-entropy is finite for targets outside [0, 1], as on TensorFlow and JAX."""
    y_true = np.array([[-1.0, 16.0]], dtype=np.float32)
    y_pred = keras.ops.convert_to_tensor(np.array([[0.5, 0.5]], dtype=np.float32))
    loss = keras.ops.convert_to_numpy(_binary_crossentropy(y_true, y_pred))
    # Both log terms equal log(0.5), so the targets cancel: the loss is log(2).
    np.testing.assert_allclose(loss, [np.log(2.0)], rtol=1e-6)


def test_portable_loss_swaps_only_binary_crossentropy_on_torch():
    """Check that only Keras' binary cross-entropy is replaced, and only on PyTorch."""
    swapped = _portable_loss(keras.losses.binary_crossentropy)
    if keras.backend.backend() == "torch":
        assert swapped is _binary_crossentropy
    else:
        assert swapped is keras.losses.binary_crossentropy
    assert _portable_loss(keras.losses.mean_squared_error) is keras.losses.mean_squared_error


@pytest.mark.parametrize("backend, expected", [("tensorflow", 5), ("jax", 5), ("torch", 1)])
def test_steps_per_execution_is_capped_by_batches_and_one_on_torch(monkeypatch, backend, expected):
    """Check that no more steps per execution than batches are asked for, and 1 on PyTorch (its only value)."""
    monkeypatch.setattr(keras.backend, "backend", lambda: backend)
    assert _steps_per_execution(32, 5) == expected
    assert _steps_per_execution(1, 5) == 1


_FIT_WITH_DEFAULTS = """
import numpy as np
from skae import AutoencoderTransformer
X = np.random.default_rng(0).uniform(size=(100, 12)).astype(np.float32)
codes = AutoencoderTransformer(3, epochs=2, batch_size=16, random_state=0).fit(X).transform(X)
assert codes.shape == (100, 3) and np.isfinite(codes).all(), codes
"""


def test_defaults_fit_on_torch_backend():
    """Check that the default 32 steps per execution train on the PyTorch backend too, with several batches per epoch."""
    pytest.importorskip("torch")  # pip install ".[torch]"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": root}
    result = subprocess.run(
        [sys.executable, "-c", _FIT_WITH_DEFAULTS], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]

"""What skae evens out between the Keras backends, and the compile settings it picks (skae/_keras/_backend.py)."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae._keras._backend import (
    _JIT_MIN_SAMPLES,
    _binary_crossentropy,
    _portable_loss,
    _resolve_jit_compile,
    _steps_per_execution,
)

from .conftest import FAST, PLAIN


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


@pytest.mark.slow
def test_defaults_fit_on_torch_backend():
    """Check that the default 32 steps per execution train on the PyTorch backend too, with several batches per epoch."""
    pytest.importorskip("torch")  # pip install ".[torch]"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": root}
    result = subprocess.run(
        [sys.executable, "-c", _FIT_WITH_DEFAULTS], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_resolve_jit_compile():
    """Check that "auto" compiles with XLA only where it pays, and booleans pass."""
    assert _resolve_jit_compile(True, 1) is True
    assert _resolve_jit_compile(False, 10**9) is False
    backend = keras.backend.backend()
    big = _resolve_jit_compile("auto", _JIT_MIN_SAMPLES)
    small = _resolve_jit_compile("auto", _JIT_MIN_SAMPLES - 1)
    assert big is (backend in ("tensorflow", "jax"))
    assert small is (backend == "jax")


def test_steps_per_execution_gives_the_same_fit(digits):
    """Check that running many steps per call trains the same model as one."""
    X, _ = digits
    one = AutoencoderTransformer(**FAST, **PLAIN).fit(X)
    many = AutoencoderTransformer(**FAST, jit_compile=False, steps_per_execution=32)
    many.fit(X)
    np.testing.assert_allclose(many.history_["loss"], one.history_["loss"], rtol=1e-6)
    np.testing.assert_allclose(many.transform(X), one.transform(X), atol=1e-5)


def test_xla_gives_the_same_fit(digits):
    """Check that the XLA-compiled defaults train the same model as plain Keras.

    XLA fuses and reorders float operations, so equal means equal up to
    rounding, not bit for bit.
    """
    X, _ = digits
    plain = AutoencoderTransformer(**FAST, **PLAIN).fit(X)
    fast = AutoencoderTransformer(**FAST, jit_compile=True).fit(X)
    np.testing.assert_allclose(fast.history_["loss"], plain.history_["loss"], rtol=1e-4)
    np.testing.assert_allclose(fast.transform(X), plain.transform(X), atol=1e-4)
    again = AutoencoderTransformer(**FAST, jit_compile=True).fit(X)
    np.testing.assert_array_equal(again.transform(X), fast.transform(X))


def test_bfloat16_precision(digits):
    """Check that bfloat16 trains to about the float32 loss and returns float32."""
    X, _ = digits
    full = AutoencoderTransformer(**FAST, **PLAIN).fit(X)
    half = AutoencoderTransformer(**FAST, **PLAIN, precision="bfloat16").fit(X)
    assert half.encoder_.layers[-1].compute_dtype == "bfloat16"
    assert half.decoder_.layers[-1].compute_dtype == "float32"
    assert half.transform(X).dtype == np.float32
    np.testing.assert_allclose(half.history_["loss"], full.history_["loss"], rtol=1e-2)


@pytest.mark.parametrize(
    "params",
    [
        {"jit_compile": "yes"},
        {"steps_per_execution": 0},
        {"precision": "float16"},
    ],
)
def test_invalid_speed_parameters(digits, params):
    """Check that bad speed settings raise a ValueError naming the parameter."""
    X, _ = digits
    name = next(iter(params))
    with pytest.raises(ValueError, match=name):
        AutoencoderTransformer(**FAST, **params).fit(X)

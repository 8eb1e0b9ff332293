"""Tests of chunked, padded prediction (skae/_keras/_predict.py)."""

import pickle

import keras
import numpy as np
import pytest

import skae
from skae import AutoencoderTransformer
from skae._keras import _predict
from skae._keras._predict import _predict_rows

from .conftest import FAST


# These tests count what the caches keep: each starts with none kept.
pytestmark = pytest.mark.usefixtures("no_kept_programs")

# PredictFunctions keeps compiled functions on TensorFlow and JAX; PyTorch, which
# compiles nothing, predicts with each model's own (see its docstring).
SHARED = keras.backend.backend() in ("tensorflow", "jax")


@pytest.mark.parametrize("rows", [1, 64, 65, 1000, 5000, 10**6])
def test_predict_rows_are_padded_powers_of_two(rows):
    """Check that predict chunks are 64 x a power of two, covering small inputs."""
    chunk = _predict_rows(rows)
    assert chunk % 64 == 0
    assert (chunk // 64) & (chunk // 64 - 1) == 0
    assert chunk == _predict._PREDICT_ROWS or chunk >= rows


def test_xla_transform_survives_pickling_and_is_order_invariant(digits, monkeypatch):
    """Check XLA prediction: exact after a pickle round trip, invariant to chunks."""
    X, _ = digits
    ae = AutoencoderTransformer(**FAST, jit_compile=True).fit(X)
    codes = ae.transform(X)
    copy = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(copy.transform(X), codes)
    # Small chunks: many padded calls, the same codes as one big call.
    monkeypatch.setattr(_predict, "_PREDICT_ROWS", 128)
    np.testing.assert_array_equal(ae.transform(X), codes)
    np.testing.assert_array_equal(ae.transform(X[::-1])[::-1], codes)
    np.testing.assert_array_equal(ae.transform(X[100:300]), codes[100:300])


@pytest.mark.parametrize("jit_compile", [False, True], ids=["no XLA", "XLA"])
def test_estimators_of_one_architecture_share_one_prediction_function(digits, jit_compile):
    """Check that transform, inverse_transform and score go through one function per architecture and role.

    Each estimator gets its own model's ``predict_on_batch`` output, bit for
    bit; another architecture gets its own function. PyTorch keeps none.
    """
    X, _ = digits
    params = dict(FAST, jit_compile=jit_compile)
    first = AutoencoderTransformer(**params).fit(X)
    second = AutoencoderTransformer(**dict(params, random_state=1)).fit(X)
    for estimator in (first, second):
        codes = estimator.transform(X[:128])
        np.testing.assert_array_equal(codes, np.asarray(estimator.encoder_.predict_on_batch(X[:128])))
        reconstruction = estimator.inverse_transform(codes)
        np.testing.assert_array_equal(
            reconstruction, np.asarray(estimator.decoder_.predict_on_batch(codes))
        )
        estimator.score(X)
    assert len(_predict.PREDICT_FUNCTIONS) == (3 if SHARED else 0)
    assert not np.array_equal(first.transform(X), second.transform(X))
    AutoencoderTransformer(**dict(params, encoding_dim=3)).fit(X).transform(X)
    assert len(_predict.PREDICT_FUNCTIONS) == (4 if SHARED else 0)


@pytest.mark.skipif(not SHARED, reason="PyTorch keeps no prediction function (PredictFunctions)")
def test_prediction_functions_are_bounded(digits):
    """Check that at most kept_prediction_functions are kept, the least recently used dropped first."""
    X, _ = digits
    with skae.config_context(kept_prediction_functions=2):
        for encoding_dim in (2, 3, 4):
            AutoencoderTransformer(**dict(FAST, encoding_dim=encoding_dim)).fit(X).transform(X)
    assert len(_predict.PREDICT_FUNCTIONS) == 2
    assert [spec.get("encoding_dim") for spec, _, _ in _predict.PREDICT_FUNCTIONS._functions] == [3, 4]


def test_random_networks_keep_their_own_prediction_function(digits):
    """Check that noisy networks predict through their own model, keeping no shared function."""
    X, _ = digits
    noisy = AutoencoderTransformer(**FAST, noise="gaussian").fit(X)
    np.testing.assert_array_equal(noisy.transform(X[:64]), np.asarray(noisy.encoder_.predict_on_batch(X[:64])))
    assert len(_predict.PREDICT_FUNCTIONS) == 0

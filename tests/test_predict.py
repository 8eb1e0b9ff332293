"""Tests of chunked, padded prediction (skae/_keras/_predict.py)."""

import pickle

import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae._keras import _predict
from skae._keras._predict import _predict_rows

from .conftest import FAST


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

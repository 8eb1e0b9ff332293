"""Tests of skae's configuration of the caches of compiled programs (skae/_config.py)."""

import threading

import keras
import numpy as np
import pytest

import skae
from skae import AutoencoderTransformer
from skae._keras import _predict, _trainers
from skae._keras._trainers import TRAINERS

from .conftest import FAST, not_torch

DEFAULTS = {"kept_trainers": 4, "kept_prediction_functions": 8, "clear_jax_caches": True, "trim_memory": True}

# The batch loop, where compiled trainers are kept.
LOOP = dict(FAST, jit_compile=True, steps_per_execution=4)


def test_the_defaults_and_get_config_returns_a_copy():
    """Check the documented defaults, and that changing get_config's dict changes nothing."""
    config = skae.get_config()
    assert config == DEFAULTS
    config["kept_trainers"] = 0
    assert skae.get_config() == DEFAULTS


def test_set_config_sets_and_config_context_restores():
    """Check that set_config changes only what it is given and config_context restores everything, also on error."""
    try:
        skae.set_config(kept_trainers=2)
        assert skae.get_config() == {**DEFAULTS, "kept_trainers": 2}
        with pytest.raises(RuntimeError), skae.config_context(kept_prediction_functions=0, trim_memory=False):
            assert skae.get_config() == {
                **DEFAULTS, "kept_trainers": 2, "kept_prediction_functions": 0, "trim_memory": False
            }
            skae.set_config(clear_jax_caches=False)
            raise RuntimeError
        assert skae.get_config() == {**DEFAULTS, "kept_trainers": 2}
    finally:
        skae.set_config(**DEFAULTS)
    assert skae.get_config() == DEFAULTS


@pytest.mark.parametrize(
    "option, value",
    [
        ("kept_trainers", -1),
        ("kept_trainers", 1.5),
        ("kept_trainers", True),
        ("kept_prediction_functions", "8"),
        ("clear_jax_caches", 1),
        ("trim_memory", "no"),
    ],
)
def test_an_invalid_value_is_a_value_error_that_changes_nothing(option, value):
    """Check that a wrong value raises a ValueError naming the option, leaving every setting as it was."""
    valid = {"kept_trainers": 1} if option != "kept_trainers" else {"trim_memory": False}
    with pytest.raises(ValueError, match=option):
        skae.set_config(**valid, **{option: value})
    with pytest.raises(ValueError, match=option), skae.config_context(**{option: value}):
        pass
    assert skae.get_config() == DEFAULTS


def test_the_configuration_is_thread_local():
    """Check that a thread starts from the defaults and its changes stay in it, as scikit-learn's do."""
    seen = {}

    def work():
        seen["start"] = skae.get_config()["kept_trainers"]
        skae.set_config(kept_trainers=0)
        seen["set"] = skae.get_config()["kept_trainers"]

    with skae.config_context(kept_trainers=2):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        assert skae.get_config()["kept_trainers"] == 2
    assert seen == {"start": 4, "set": 0}


@not_torch
def test_kept_trainers_zero_keeps_none_and_fits_alike(digits, no_kept_programs):
    """Check that with kept_trainers=0 no trainer stays after a fit, with the same fit as when kept."""
    X, _ = digits
    kept = AutoencoderTransformer(**LOOP).fit(X)
    assert len(TRAINERS) == 1
    with skae.config_context(kept_trainers=0):
        own = AutoencoderTransformer(**LOOP).fit(X)
        assert len(TRAINERS) == 0
        AutoencoderTransformer(**dict(LOOP, encoding_dim=3)).fit(X)
        assert len(TRAINERS) == 0
    assert own.history_ == kept.history_
    np.testing.assert_array_equal(own.transform(X), kept.transform(X))


@pytest.mark.skipif(
    keras.backend.backend() == "torch", reason="PyTorch keeps no prediction function (PredictFunctions)"
)
def test_kept_prediction_functions_zero_keeps_none_and_predicts_alike(digits, no_kept_programs):
    """Check that with kept_prediction_functions=0 none is kept (kept ones dropped), the codes unchanged."""
    X, _ = digits
    ae = AutoencoderTransformer(**FAST).fit(X)
    codes = ae.transform(X)
    assert len(_predict.PREDICT_FUNCTIONS) == 1
    with skae.config_context(kept_prediction_functions=0):
        np.testing.assert_array_equal(ae.transform(X), codes)
        assert len(_predict.PREDICT_FUNCTIONS) == 0


@pytest.mark.parametrize("clear", [True, False])
def test_clear_jax_caches_decides_whether_the_users_jax_caches_are_cleared(monkeypatch, clear):
    """Check that dropping a trainer on JAX clears JAX's caches (a user's jitted function's too) only when asked."""
    jax = pytest.importorskip("jax")
    users = jax.jit(lambda x: x + 1)
    users(1.0)
    assert users._cache_size() == 1
    with monkeypatch.context() as patched, skae.config_context(clear_jax_caches=clear):
        patched.setattr(keras.backend, "backend", lambda: "jax")
        _trainers._release_compiled_programs()
    assert users._cache_size() == (0 if clear else 1)


@pytest.mark.parametrize("trim", [True, False])
def test_trim_memory_decides_whether_an_eviction_trims_the_heap(monkeypatch, trim):
    """Check that dropping a trainer calls glibc's malloc_trim only under trim_memory."""
    trims = []
    monkeypatch.setattr(_trainers, "_malloc_trim", lambda: trims.append)
    with skae.config_context(trim_memory=trim):
        _trainers._release_compiled_programs()
    assert trims == ([0] if trim else [])

"""Tests of the compiled trainers kept across fits (skae/_keras/_trainers.py)."""

import copy
import sys

import numpy as np
import pytest

import skae
from skae import AutoencoderTransformer, DeepEmbeddedClustering, TrainingDivergedError
from skae._keras import _trainers
from skae._keras._feeds import _compiled_trainer
from skae._keras._trainers import TRAINERS

from .conftest import FAST, not_torch

# The batch loop, where compiled trainers are kept.
LOOP = dict(FAST, jit_compile=True, steps_per_execution=4)

# These tests count what the caches keep: each starts with none kept.
pytestmark = [not_torch, pytest.mark.usefixtures("no_kept_programs")]


def _kept_trainers():
    return [trainer for trainer, _ in TRAINERS._kept.values()]


@pytest.mark.parametrize(
    "params",
    [
        LOOP,
        pytest.param(dict(LOOP, early_stopping=True), marks=pytest.mark.slow),
        dict(FAST, jit_compile=False),  # Keras' own loop
        dict(FAST, jit_compile=False, max_shift=1),  # moved images, fed by a PyDataset
        dict(LOOP, max_shift=1, max_rotation=10),  # moved in the batch loop
    ],
    ids=["batch loop", "batch loop with validation", "Keras' loop", "moved images", "images moved in the loop"],
)
def test_a_kept_trainer_gives_the_fit_of_a_new_one(digits, params):
    """Check that a fit on a kept trainer equals one that compiles its own, bit for bit.

    Losses, validation losses and codes; the same trainer serves every fit
    of the network, whatever the seed.
    """
    X, _ = digits
    first = AutoencoderTransformer(**params).fit(X)
    (trainer,) = _kept_trainers()
    other_seed = AutoencoderTransformer(**{**params, "random_state": 1}).fit(X)
    again = AutoencoderTransformer(**params).fit(X)
    assert _kept_trainers() == [trainer]
    assert other_seed.history_ != first.history_
    TRAINERS.clear()
    fresh = AutoencoderTransformer(**params).fit(X)
    assert _kept_trainers() != [trainer]
    assert again.history_ == first.history_ == fresh.history_
    np.testing.assert_array_equal(again.transform(X), fresh.transform(X))
    np.testing.assert_array_equal(first.transform(X), fresh.transform(X))


def test_a_fitted_estimator_shares_no_weights_with_later_fits(digits):
    """Check that later fits on the kept trainer leave an earlier estimator's model as it was."""
    X, _ = digits
    first = AutoencoderTransformer(**LOOP).fit(X)
    codes = first.transform(X)
    AutoencoderTransformer(**{**LOOP, "random_state": 1}).fit(X)
    np.testing.assert_array_equal(first.transform(X), codes)
    (trainer,) = _kept_trainers()
    kept = {id(v) for v in trainer.autoencoder.weights}
    assert kept.isdisjoint(id(v) for v in first.autoencoder_.weights)


@pytest.mark.slow
@pytest.mark.parametrize(
    "change", [{"learning_rate": 0.01}, {"encoding_dim": 4}, {"batch_size": 128}, {"activation": "tanh"}]
)
def test_a_change_of_network_or_training_step_gets_its_own_trainer(digits, change):
    """Check that the cache key holds what the compiled step depends on."""
    X, _ = digits
    AutoencoderTransformer(**LOOP).fit(X)
    changed = AutoencoderTransformer(**{**LOOP, **change}).fit(X)
    assert len(TRAINERS) == 2
    TRAINERS.clear()
    fresh = AutoencoderTransformer(**{**LOOP, **change}).fit(X)
    assert changed.history_ == fresh.history_


@pytest.mark.parametrize(
    "params",
    [{"noise": "gaussian", "noise_level": 0.1}, pytest.param({"variational": True}, marks=pytest.mark.slow)],
)
def test_networks_with_random_layers_are_not_kept(digits, params):
    """Check that random layers, whose seeds live in the compiled step, get a new trainer each fit."""
    X, _ = digits
    AutoencoderTransformer(**LOOP, **params).fit(X)
    assert len(TRAINERS) == 0


def test_a_failed_fit_does_not_keep_its_trainer(digits):
    """Check that a trainer whose fit raised is dropped, not lent again or kept."""
    X, _ = digits
    with pytest.raises(TrainingDivergedError):
        AutoencoderTransformer(**LOOP, learning_rate=1e12, loss="mse", output_activation="linear").fit(X)
    assert len(TRAINERS) == 0 and TRAINERS._lent == {}


@pytest.mark.slow
def test_the_cache_keeps_the_most_recent_trainers(digits):
    """Check that at most kept_trainers trainers are kept, the least recently used dropped first."""
    X, _ = digits
    with skae.config_context(kept_trainers=2):
        for encoding_dim in (2, 3, 4):
            AutoencoderTransformer(**{**LOOP, "encoding_dim": encoding_dim}).fit(X)
    assert [spec.get("encoding_dim") for spec in TRAINERS._kept] == [3, 4]


def test_a_trainer_is_lent_to_one_fit_at_a_time(digits):
    """Check that while a kept trainer trains, a fit of the same network gets a new one.

    A fit that raises drops its trainer; a clean one puts its trainer back.
    """
    X, _ = digits
    estimator = AutoencoderTransformer(**LOOP).fit(X)
    (key,) = TRAINERS._kept
    (kept,) = _kept_trainers()
    network = estimator._build(X.shape[1], estimator._validated_hidden_layer_sizes(), None)[0]
    network.compile(optimizer="adam", loss="mse")
    new = _compiled_trainer(network, network, X[:1])
    model = estimator.autoencoder_

    def unexpected():
        raise AssertionError("a kept trainer was not lent")

    first = TRAINERS.borrow(key, model, unexpected)
    assert first is kept and len(TRAINERS) == 0
    second = TRAINERS.borrow(key, model, lambda: new)
    assert second is new
    with pytest.raises(RuntimeError), TRAINERS.lent(second, model):
        raise RuntimeError
    assert len(TRAINERS) == 0
    with TRAINERS.lent(first, model):
        pass
    assert _kept_trainers() == [kept] and TRAINERS._lent == {}


@pytest.mark.slow
def test_dropping_a_trainer_frees_compiled_programs_and_kept_ones_still_fit_alike(digits, monkeypatch):
    """Check that an eviction lets the backend free compiled programs (JAX: its caches cleared).

    The trainer still kept then fits exactly as a new one (on JAX after
    recompiling).
    """
    X, _ = digits
    releases = []
    release = _trainers._release_compiled_programs
    monkeypatch.setattr(_trainers, "_release_compiled_programs", lambda: releases.append(1) or release())
    with skae.config_context(kept_trainers=1):
        AutoencoderTransformer(**LOOP).fit(X)
        assert releases == []
        other = {**LOOP, "encoding_dim": 3}
        AutoencoderTransformer(**other).fit(X)
        assert releases == [1]
        again = AutoencoderTransformer(**other).fit(X)
        assert releases == [1]
        TRAINERS.clear()
        fresh = AutoencoderTransformer(**other).fit(X)
    assert again.history_ == fresh.history_
    np.testing.assert_array_equal(again.transform(X), fresh.transform(X))


@pytest.mark.slow
def test_dropping_a_trainer_hands_freed_heap_memory_back(digits, monkeypatch):
    """Check that an eviction trims the C heap (glibc's ``malloc_trim``), where there is one."""
    X, _ = digits
    trims = []
    monkeypatch.setattr(_trainers, "_malloc_trim", lambda: trims.append)
    with skae.config_context(kept_trainers=1):
        AutoencoderTransformer(**LOOP).fit(X)
        assert trims == []
        AutoencoderTransformer(**{**LOOP, "encoding_dim": 3}).fit(X)
        assert trims == [0]
        monkeypatch.setattr(_trainers, "_malloc_trim", lambda: None)
        AutoencoderTransformer(**LOOP).fit(X)  # no malloc_trim (macOS, Windows, musl): nothing to do


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux-only")
def test_malloc_trim_is_found_on_linux():
    """Check that the trim is glibc's own function, callable, on this Linux machine."""
    trim = _trainers._malloc_trim()
    assert trim is not None
    assert trim(0) in (0, 1)


@pytest.mark.parametrize(
    "reconstruction_weight", [pytest.param(0.0, marks=pytest.mark.slow), 0.1], ids=["DEC", "IDEC"]
)
def test_dec_keeps_its_clustering_trainer_and_fits_as_with_a_new_one(digits, reconstruction_weight):
    """Check that DEC's clustering phase runs on a kept trainer, bit for bit as on a new one.

    The fitted autoencoder given is fine-tuned on the kept trainer's copy of
    its network and left as it was.
    """
    X, _ = digits
    X = X[:600]
    pretrained = AutoencoderTransformer(
        10, hidden_layer_sizes=(32,), encoding_activation="linear", batch_size=64, epochs=2, random_state=0
    ).fit(X)
    codes = pretrained.transform(X)
    params = dict(
        n_clusters=5, max_iter=40, update_interval=10, batch_size=64, tol=0.0,
        reconstruction_weight=reconstruction_weight,
    )
    DeepEmbeddedClustering(pretrained, random_state=0, **params).fit(X)
    dec_keys = [spec for spec in TRAINERS._kept if spec.estimator == "DeepEmbeddedClustering"]
    assert len(dec_keys) == 1
    kept = TRAINERS._kept[dec_keys[0]][0]
    second = DeepEmbeddedClustering(pretrained, random_state=1, **params).fit(X)
    assert TRAINERS._kept[dec_keys[0]][0] is kept
    TRAINERS.clear()
    fresh = DeepEmbeddedClustering(pretrained, random_state=1, **params).fit(X)
    assert second.n_iter_ == fresh.n_iter_ == 40
    np.testing.assert_array_equal(second.cluster_centers_, fresh.cluster_centers_)
    np.testing.assert_array_equal(second.transform(X), fresh.transform(X))
    np.testing.assert_array_equal(second.autoencoder_.transform(X), fresh.autoencoder_.transform(X))
    np.testing.assert_array_equal(pretrained.transform(X), codes)


def test_dec_clustering_phase_takes_xla_as_its_autoencoder_chooses(digits):
    """Check that the clustering phase compiles with XLA where the autoencoder's jit_compile asks, each kept apart.

    The same pretrained network gives the same fit either way, up to XLA's rounding.
    """
    X, _ = digits
    X = X[:600]
    pretrained = AutoencoderTransformer(
        10, hidden_layer_sizes=(32,), encoding_activation="linear", batch_size=64, epochs=2, random_state=0
    ).fit(X)
    params = dict(n_clusters=5, max_iter=40, update_interval=10, batch_size=64, tol=0.0, random_state=0)
    fits = {}
    for jit_compile in (True, False):
        autoencoder = copy.deepcopy(pretrained).set_params(jit_compile=jit_compile)
        fits[jit_compile] = DeepEmbeddedClustering(autoencoder, **params).fit(X)
    kept = {
        spec.trainer: trainer.jit_compile
        for spec, (trainer, _) in TRAINERS._kept.items()
        if spec.estimator == "DeepEmbeddedClustering"
    }
    assert kept == {"keras with XLA": True, "keras": False}
    assert fits[True].n_iter_ == fits[False].n_iter_ == 40
    np.testing.assert_allclose(fits[True].cluster_centers_, fits[False].cluster_centers_, rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(fits[True].labels_, fits[False].labels_)


def test_initial_state_restores_every_optimizer_variable():
    """Check that an optimizer's snapshot puts back uniform (step count, zero moments) and non-uniform values."""
    import keras

    optimizer = keras.optimizers.Adagrad()
    optimizer.build([keras.Variable(np.ones((3, 2), "float32"))])
    accumulator = np.arange(6, dtype="float32").reshape(3, 2)
    optimizer.variables[-1].assign(accumulator)
    state = _trainers._InitialState(optimizer)
    optimizer.variables[-1].assign(np.zeros((3, 2), "float32"))
    optimizer.iterations.assign(5)
    state.restore()
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == 0
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(optimizer.variables[-1]), accumulator)

"""skae without the private or experimental Keras and TensorFlow attributes it uses.

Each use goes through one lookup, :func:`skae._keras._backend.keras_internal`
(or, for the batch loop's ``train_step`` override, one signature check), and
falls back to public behaviour where a Keras or TensorFlow version lacks the
attribute. Each test here hides one of them and checks that a fit still
trains, and trains what the path that uses it trains.
"""

import gc
import inspect
import weakref

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae._keras import _backend, _feeds, _fit_guard
from skae._keras._batch_loop import batch_loop_fits_keras
from skae._keras._objects import make_optimizer
from skae._keras._trainers import TRAINERS

tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="a TensorFlow attribute"
)
xla_backends = pytest.mark.skipif(
    keras.backend.backend() not in ("tensorflow", "jax"), reason="the batch loop is for TensorFlow and JAX"
)

# 64 rows: 57 to train on in 4 batches, 7 to validate on (early stopping).
SMALL = dict(encoding_dim=4, epochs=2, batch_size=16, learning_rate=0.01, random_state=0)
# XLA and several batches per call: the batch loop.
LOOP = dict(jit_compile=True, steps_per_execution=4)


@pytest.fixture
def X():
    return np.random.default_rng(0).uniform(size=(64, 16)).astype(np.float32)


def _hide(monkeypatch, module, hidden):
    """Make ``module``'s ``keras_internal`` find no ``hidden``; return the names looked up."""
    looked_up = []

    def keras_internal(owner, name):
        looked_up.append(name)
        return None if name == hidden else getattr(owner, name, None)

    monkeypatch.setattr(module, "keras_internal", keras_internal)
    return looked_up


def _fit(X, **params):
    """A fitted autoencoder, trained from scratch (no kept trainer of an earlier fit)."""
    TRAINERS.clear()
    return AutoencoderTransformer(**SMALL, **params).fit(X)


def _assert_trained(ae, X, reference=None, rtol=1e-6):
    """Check a finite, falling loss and finite codes; and, given ``reference``, the same fit."""
    loss = ae.history_["loss"]
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0], loss
    codes = ae.transform(X)
    assert codes.shape == (X.shape[0], SMALL["encoding_dim"]) and np.isfinite(codes).all()
    if reference is not None:
        assert ae.history_.keys() == reference.history_.keys()
        for key, values in ae.history_.items():
            np.testing.assert_allclose(values, reference.history_[key], rtol=rtol)
        np.testing.assert_allclose(codes, reference.transform(X), rtol=rtol, atol=1e-6)


@tensorflow_only
@pytest.mark.parametrize("params", [{}, LOOP], ids=["per-batch", "batch-loop"])
def test_fit_without_all_reduce_sum_gradients(X, monkeypatch, params):
    """Check that without Keras' _all_reduce_sum_gradients (Keras 3.0) the optimizer is left alone and fits the same."""
    expected = _fit(X, **params)
    in_keras = hasattr(keras.optimizers.Adam, "_all_reduce_sum_gradients")
    assert ("_all_reduce_sum_gradients" in vars(make_optimizer("adam"))) is in_keras
    looked_up = _hide(monkeypatch, _backend, "_all_reduce_sum_gradients")
    assert "_all_reduce_sum_gradients" not in vars(make_optimizer("adam"))
    assert "_all_reduce_sum_gradients" in looked_up
    _assert_trained(_fit(X, **params), X, expected)


@pytest.mark.parametrize("hidden", [False, True], ids=["with", "without"])
def test_fit_without_compile_config(X, monkeypatch, hidden):
    """Check that a fitted model lets its optimizer go, and that without Keras' _compile_config the fit still works.

    Keras' compile settings hold the optimizer: with them dropped (and the
    optimizer no longer tracked) nothing keeps Adam's moments; without the
    attribute only that memory is kept.
    """
    optimizers = []
    release = _fit_guard.release_training_state

    def recording_release(model):
        optimizers.append(weakref.ref(model.optimizer))
        release(model)

    # Through the estimator's own module, which imported the function.
    monkeypatch.setattr("skae._autoencoder.release_training_state", recording_release)
    looked_up = _hide(monkeypatch, _fit_guard, "_compile_config" if hidden else None)
    # Noise: no kept trainer, the estimator's own model trains.
    ae = _fit(X, noise="gaussian")
    assert "_compile_config" in looked_up
    _assert_trained(ae, X)
    assert ae.autoencoder_.optimizer is None and not ae.autoencoder_.compiled
    gc.collect()
    if not hidden:
        assert optimizers[0]() is None


@tensorflow_only
def test_fit_without_dlpack(X, monkeypatch):
    """Check that without tf.experimental.dlpack X is copied into TensorFlow and fits the same."""
    import tensorflow as tf

    expected = _fit(X)
    assert _backend.keras_internal(tf.experimental, "dlpack") is not None
    monkeypatch.delattr(tf.experimental, "dlpack")
    aligned = np.empty(X.size + 16, dtype=np.float32)
    start = (-aligned.ctypes.data % 64) // 4
    shared = aligned[start : start + X.size].reshape(X.shape)
    shared[...] = X
    tensor = _feeds._shared_tensor(tf, shared)
    shared[0, 0] = 42.0
    assert float(tensor[0, 0]) == X[0, 0]  # a copy
    _assert_trained(_fit(X), X, expected)


@tensorflow_only
@pytest.mark.parametrize("params", [{}, LOOP], ids=["per-batch", "batch-loop"])
def test_fit_without_assert_cardinality(X, monkeypatch, params):
    """Check that the tf.data feeds tell Keras their number of batches without tf.data.experimental.assert_cardinality."""
    import tensorflow as tf

    monkeypatch.delattr(tf.data.experimental, "assert_cardinality")
    batches = _feeds._TensorFlowBatches(X, np.arange(57), np.arange(57, 64), 16, np.random.default_rng(0))
    assert int(batches.training.cardinality()) == 4
    assert int(batches.validation.cardinality()) == 1
    assert sum(len(rows) for rows, _ in batches.training) == 57
    _assert_trained(_fit(X, **params), X)


@tensorflow_only
def test_fit_without_make_test_function(X, monkeypatch):
    """Check that without Keras' make_test_function the batch loop's validation goes to Keras' fit, with the same val_loss."""
    expected = _fit(X, **LOOP)
    looked_up = _hide(monkeypatch, _feeds, "make_test_function")
    batches = _feeds._TensorFlowBatches(
        X, np.arange(57), np.arange(57, 64), 16, np.random.default_rng(0), batches_per_call=4
    )
    arguments = batches.fit_arguments
    assert arguments["validation_data"] is batches.validation
    assert arguments["validation_steps"] == 1
    assert "make_test_function" in looked_up
    ae = _fit(X, **LOOP)
    assert len(ae.history_["val_loss"]) == SMALL["epochs"]
    _assert_trained(ae, X, expected)


@xla_backends
def test_fit_without_the_batch_loop(X, monkeypatch):
    """Check that where Keras' train_step takes other arguments, XLA fits run Keras' own loop and train the same model."""
    loops = []
    compiled_trainer = _feeds._compiled_trainer

    def counting_trainer(*args):
        loops.append(args)
        return compiled_trainer(*args)

    monkeypatch.setattr(_feeds, "_compiled_trainer", counting_trainer)
    expected = _fit(X, **LOOP)
    assert len(loops) == 1
    monkeypatch.setattr(_feeds, "batch_loop_fits_keras", lambda: False)
    ae = _fit(X, **LOOP)
    assert len(loops) == 1
    # XLA compiles the loop and the single steps apart: equal up to rounding.
    _assert_trained(ae, X, expected, rtol=1e-4)


@xla_backends
def test_batch_loop_fits_keras_reads_train_steps_signature(monkeypatch):
    """Check that the batch loop is used with the installed Keras and not once train_step takes other arguments."""
    parameters = list(inspect.signature(keras.Model.train_step).parameters)
    assert batch_loop_fits_keras()
    assert parameters == (["self", "state", "data"] if keras.backend.backend() == "jax" else ["self", "data"])

    def train_step(self, data, state):
        raise AssertionError("not called")

    monkeypatch.setattr(keras.Model, "train_step", train_step)
    assert not batch_loop_fits_keras()

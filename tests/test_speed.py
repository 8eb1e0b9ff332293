"""Tests of the fast training and prediction path (skae/_speed.py)."""

import pickle

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae import _speed
from skae._speed import (
    _JIT_MIN_SAMPLES,
    _EpochBatches,
    _fit_data,
    _predict_rows,
    _resolve_jit_compile,
)

# Two epochs of 7 batches each: enough steps for steps_per_execution to matter.
FAST = dict(encoding_dim=8, epochs=2, batch_size=256, random_state=0)
PLAIN = dict(jit_compile=False, steps_per_execution=1)


def test_epoch_batches_follow_the_seeded_permutation():
    """Check that each epoch's batches are the rows of a fresh seeded permutation."""
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    indices = np.array([0, 2, 3, 5, 6, 7, 9])
    batches = _EpochBatches(X, indices, 3, np.random.RandomState(42))
    expected = np.random.RandomState(42)
    for _ in range(3):
        order = expected.permutation(indices)
        rows = np.concatenate([batches[i][0] for i in range(len(batches))])
        np.testing.assert_array_equal(rows, X[order])
        inputs, targets = batches[0]
        assert inputs is targets
        batches.on_epoch_end()
    assert len(batches) == 3


def test_epoch_batches_gather_once_per_epoch_served(monkeypatch):
    """Check that an epoch's rows are copied once, and only if served.

    Keras calls ``on_epoch_end`` also when it resets its adapter.
    """
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    batches = _EpochBatches(X, np.arange(10), 4, np.random.RandomState(0))
    takes = []
    take = np.take
    monkeypatch.setattr(np, "take", lambda *a, **k: takes.append(1) or take(*a, **k))
    batches.on_epoch_end()
    assert takes == []
    first, _ = batches[0]
    second, _ = batches[1]
    assert len(takes) == 1
    assert first.base is second.base


def test_epoch_batches_without_rng_keep_the_order():
    """Check that without an rng the batches are the rows in order, every epoch."""
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    batches = _EpochBatches(X, np.array([1, 4, 8]), 2)
    for _ in range(2):
        rows = np.concatenate([batches[i][0] for i in range(len(batches))])
        np.testing.assert_array_equal(rows, X[[1, 4, 8]])
        batches.on_epoch_end()


tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.data feeding is for TensorFlow"
)


@tensorflow_only
def test_tensorflow_batches_follow_one_seeded_permutation_per_epoch():
    """Check the tf.data feed: epoch k serves the rng's k-th permutation.

    The order must not depend on how many iterators Keras creates, so it
    is tied to ``on_epoch_begin``; validation rows keep their order.
    """
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    train = np.array([0, 2, 3, 5, 6, 7, 9, 11, 12, 19])
    validation = np.array([1, 4, 8])
    feed = _speed._TensorFlowBatches(X, train, validation, 3, np.random.RandomState(42))
    training, validation_data = feed.training, feed.validation
    expected = np.random.RandomState(42)
    for epoch in range(3):
        feed.on_epoch_begin(epoch)
        iter(training)  # an iterator Keras might create and drop
        batches = list(training)
        assert [len(inputs) for inputs, _ in batches] == [3, 3, 3, 1]
        rows = np.concatenate([inputs.numpy() for inputs, _ in batches])
        np.testing.assert_array_equal(rows, X[expected.permutation(train)])
        targets = np.concatenate([targets.numpy() for _, targets in batches])
        np.testing.assert_array_equal(targets, rows)
        served = np.concatenate([inputs.numpy() for inputs, _ in validation_data])
        np.testing.assert_array_equal(served, X[validation])


# Rows, and the shapes of the elements that feed them to the batch loop at
# 3 rows per batch and 2 batches per call.
ROW_CHUNK_CASES = [(10, [(2, 3), (1, 3), (1, 1)]), (12, [(2, 3), (2, 3)]), (2, [(1, 2)])]


@tensorflow_only
@pytest.mark.parametrize("n_rows, chunk_shapes", ROW_CHUNK_CASES)
def test_tensorflow_row_chunks_hold_the_seeded_batches(n_rows, chunk_shapes):
    """Check the feed of the batch loop: the epoch's batches of indices, two per element."""
    train = np.arange(3, 3 + n_rows)
    feed = _speed._TensorFlowBatches(
        np.zeros((20, 2), np.float32), train, None, 3, np.random.RandomState(42), batches_per_call=2
    )
    expected = np.random.RandomState(42)
    for epoch in range(2):
        feed.on_epoch_begin(epoch)
        chunks = [chunk.numpy() for chunk in feed.training]
        assert [chunk.shape for chunk in chunks] == chunk_shapes
        rows = np.concatenate([chunk.ravel() for chunk in chunks])
        np.testing.assert_array_equal(rows, expected.permutation(train))


@pytest.mark.parametrize("n_rows, chunk_shapes", ROW_CHUNK_CASES)
def test_row_chunks_hold_the_seeded_batches_and_all_of_x(n_rows, chunk_shapes):
    """Check the JAX feed of the batch loop: X whole, and the epoch batches' indices."""
    pytest.importorskip("jax")
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    train = np.arange(3, 3 + n_rows)
    chunks = _speed._RowChunks(X, train, 3, np.random.RandomState(42), batches_per_call=2)
    expected = _EpochBatches(X, train, 3, np.random.RandomState(42))
    for _ in range(2):
        assert len(chunks) == len(chunk_shapes)
        elements = [chunks[i] for i in range(len(chunks))]
        assert [rows.shape for _, rows in elements] == chunk_shapes
        for data, _ in elements:
            np.testing.assert_array_equal(np.asarray(data), X)
        rows = np.concatenate([rows.ravel() for _, rows in elements])
        served = np.concatenate([expected[i][0] for i in range(len(expected))])
        np.testing.assert_array_equal(X[rows], served)
        chunks.on_epoch_end()
        expected.on_epoch_end()


@tensorflow_only
def test_batch_loop_trainer_runs_keras_steps_on_the_seeded_batches():
    """Check that the batch loop trains on the k-th permutation's batches in epoch k.

    Run eagerly, the loop calls the autoencoder once per batch, in order.
    """
    X = np.random.RandomState(0).rand(50, 3).astype(np.float32)
    seen = []

    class Recording(keras.layers.Layer):
        def call(self, inputs):
            seen.append(keras.ops.convert_to_numpy(inputs))
            return inputs

        def compute_output_shape(self, input_shape):
            return input_shape

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(3)(Recording()(inputs)))
    model.compile("adam", "mse", jit_compile=True, steps_per_execution=4)
    trainer, training, _, callbacks = _fit_data(
        model, X, np.arange(50), None, 8, np.random.RandomState(1)
    )
    assert isinstance(trainer, _speed._BatchLoopTrainer)
    assert trainer.optimizer is model.optimizer
    seen.clear()  # the one row that built the trainer
    trainer.run_eagerly = True
    trainer.jit_compile = False
    history = trainer.fit(training, epochs=3, verbose=0, shuffle=False, callbacks=callbacks)
    assert [len(batch) for batch in seen] == [8] * 6 + [2] + [8] * 6 + [2] + [8] * 6 + [2]
    rows = np.concatenate(seen)
    expected = np.random.RandomState(1)
    for epoch in range(3):
        order = expected.permutation(50)
        np.testing.assert_array_equal(rows[epoch * 50 : (epoch + 1) * 50], X[order])
    assert int(model.optimizer.iterations.numpy()) == 21
    assert np.all(np.isfinite(history.history["loss"]))


@tensorflow_only
@pytest.mark.parametrize("offset", [0, 1, 4])
@pytest.mark.parametrize("writeable", [True, False])
def test_shared_tensor_is_aligned_and_equal(offset, writeable):
    """Check that X reaches TensorFlow unchanged, shared only when aligned."""
    import tensorflow as tf

    buffer = np.empty(16 * 20 + 64, dtype=np.float32)
    start = (-buffer.ctypes.data % 64) // 4 + offset
    X = buffer[start : start + 320].reshape(20, 16)
    X[...] = np.random.RandomState(0).rand(20, 16)
    X.flags.writeable = writeable
    before = X.copy()
    tensor = _speed._shared_tensor(tf, X)
    np.testing.assert_array_equal(tensor.numpy(), before)
    np.testing.assert_array_equal(X, before)
    if writeable:
        # Shared memory shows a later change of X; a copy does not.
        X[0, 0] = 42.0
        assert (float(tensor[0, 0]) == 42.0) is (offset == 0)


@tensorflow_only
def test_tensorflow_batches_in_keras_fit():
    """Check that Keras' fit trains on the k-th permutation in epoch k."""
    X = np.random.RandomState(0).rand(50, 3).astype(np.float32)
    seen = []

    class Recording(keras.Model):
        def train_step(self, data):
            seen.append(keras.ops.convert_to_numpy(data[0]))
            return super().train_step(data)

    inputs = keras.Input((3,))
    model = Recording(inputs, keras.layers.Dense(3)(inputs))
    model.compile("adam", "mse", run_eagerly=True)
    model, training, _, callbacks = _fit_data(
        model, X, np.arange(50), None, 8, np.random.RandomState(1)
    )
    model.fit(training, epochs=3, verbose=0, shuffle=False, callbacks=callbacks)
    rows = np.concatenate(seen)
    expected = np.random.RandomState(1)
    for epoch in range(3):
        order = expected.permutation(50)
        np.testing.assert_array_equal(rows[epoch * 50 : (epoch + 1) * 50], X[order])


def test_resolve_jit_compile():
    """Check that "auto" compiles with XLA only where it pays, and booleans pass."""
    assert _resolve_jit_compile(True, 1) is True
    assert _resolve_jit_compile(False, 10**9) is False
    backend = keras.backend.backend()
    big = _resolve_jit_compile("auto", _JIT_MIN_SAMPLES)
    small = _resolve_jit_compile("auto", _JIT_MIN_SAMPLES - 1)
    assert big is (backend in ("tensorflow", "jax"))
    assert small is (backend == "jax")


@pytest.mark.parametrize("rows", [1, 64, 65, 1000, 5000, 10**6])
def test_predict_rows_are_padded_powers_of_two(rows):
    """Check that predict chunks are 64 x a power of two, covering small inputs."""
    chunk = _predict_rows(rows)
    assert chunk % 64 == 0
    assert (chunk // 64) & (chunk // 64 - 1) == 0
    assert chunk == _speed._PREDICT_ROWS or chunk >= rows


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


# Keras' PyTorch trainer runs one batch per call, and torch.compile'd
# functions recompiled for many models in one process fall back to eager,
# which breaks the exact transform checks of later tests.
not_torch = pytest.mark.skipif(
    keras.backend.backend() == "torch", reason="PyTorch runs one batch per call"
)


@not_torch
@pytest.mark.parametrize(
    "params",
    [{}, {"variational": True}, {"noise": "gaussian", "noise_level": 0.1}, {"early_stopping": True}],
)
def test_batches_per_call_give_the_same_fit_with_xla(digits, monkeypatch, params):
    """Check that several batches per compiled call train the same model as one.

    On TensorFlow and JAX the XLA path runs them in skae's batch loop: the
    loss per epoch (validation included), the codes and the optimizer's
    steps match.
    """
    X, _ = digits
    trainers = []
    init = _speed._BatchLoopTrainer.__init__
    monkeypatch.setattr(
        _speed._BatchLoopTrainer,
        "__init__",
        lambda self, *a: trainers.append(self) or init(self, *a),
    )
    one = AutoencoderTransformer(**FAST, **params, jit_compile=True, steps_per_execution=1)
    one.fit(X)
    assert trainers == []
    many = AutoencoderTransformer(**FAST, **params, jit_compile=True, steps_per_execution=3)
    many.fit(X)
    assert len(trainers) == 1
    assert many.history_.keys() == one.history_.keys()
    for key, values in one.history_.items():
        np.testing.assert_allclose(many.history_[key], values, rtol=1e-5)
    np.testing.assert_allclose(many.transform(X), one.transform(X), atol=1e-5)
    assert int(many.autoencoder_.optimizer.iterations) == int(one.autoencoder_.optimizer.iterations)


def test_xla_transform_survives_pickling_and_is_order_invariant(digits, monkeypatch):
    """Check XLA prediction: exact after a pickle round trip, invariant to chunks."""
    X, _ = digits
    ae = AutoencoderTransformer(**FAST, jit_compile=True).fit(X)
    codes = ae.transform(X)
    copy = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(copy.transform(X), codes)
    # Small chunks: many padded calls, the same codes as one big call.
    monkeypatch.setattr(_speed, "_PREDICT_ROWS", 128)
    np.testing.assert_array_equal(ae.transform(X), codes)
    np.testing.assert_array_equal(ae.transform(X[::-1])[::-1], codes)
    np.testing.assert_array_equal(ae.transform(X[100:300]), codes[100:300])


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

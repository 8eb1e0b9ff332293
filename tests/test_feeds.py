"""Tests of the feeds of Model.fit (skae/_keras/_feeds.py)."""

import keras
import numpy as np
import pytest

from skae._augmentation import draw_moves, moved_images
from skae._keras import _feeds
from skae._keras._feeds import _EpochBatches, _fit_data

from .conftest import tensorflow_only


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


@tensorflow_only
def test_tensorflow_batches_follow_one_seeded_permutation_per_epoch():
    """Check the tf.data feed: epoch k serves the rng's k-th permutation.

    The order must not depend on how many iterators Keras creates, so it
    is tied to ``on_epoch_begin``; validation rows keep their order.
    """
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    train = np.array([0, 2, 3, 5, 6, 7, 9, 11, 12, 19])
    validation = np.array([1, 4, 8])
    feed = _feeds._TensorFlowBatches(X, train, validation, 3, np.random.RandomState(42))
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
    """Check the feed of the batch loop: X whole, and the epoch's batches of indices, two per element."""
    train = np.arange(3, 3 + n_rows)
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    feed = _feeds._TensorFlowBatches(X, train, None, 3, np.random.RandomState(42), batches_per_call=2)
    assert feed.fit_arguments == {
        "x": feed.training,
        "validation_data": None,
        "steps_per_epoch": len(chunk_shapes),
    }
    expected = np.random.RandomState(42)
    iterator = iter(feed.training)  # one for the whole fit, as Keras keeps it
    for epoch in range(2):
        feed.on_epoch_begin(epoch)
        elements = [next(iterator) for _ in range(len(chunk_shapes))]
        for data, _ in elements:
            np.testing.assert_array_equal(data.numpy(), X)
        chunks = [chunk.numpy() for _, chunk in elements]
        assert [chunk.shape for chunk in chunks] == chunk_shapes
        rows = np.concatenate([chunk.ravel() for chunk in chunks])
        np.testing.assert_array_equal(rows, expected.permutation(train))


@pytest.mark.parametrize("n_rows, chunk_shapes", ROW_CHUNK_CASES)
def test_row_chunks_hold_the_seeded_batches_and_all_of_x(n_rows, chunk_shapes):
    """Check the JAX feed of the batch loop: X whole, and the epoch batches' indices."""
    pytest.importorskip("jax")
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    train = np.arange(3, 3 + n_rows)
    chunks = _feeds._RowChunks(X, train, 3, np.random.RandomState(42), batches_per_call=2)
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


MOVES = ((3, 3, 1), 1, 30.0)


@tensorflow_only
@pytest.mark.parametrize("n_rows, chunk_shapes", ROW_CHUNK_CASES)
def test_tensorflow_row_chunks_carry_each_epochs_moves(n_rows, chunk_shapes):
    """Check that with moves the batch loop's elements hold the rows' moves, drawn after each epoch's order."""
    train = np.arange(3, 3 + n_rows)
    X = np.random.RandomState(0).rand(20, 9).astype(np.float32)
    feed = _feeds._TensorFlowBatches(X, train, None, 3, np.random.RandomState(42), batches_per_call=2, moves=MOVES)
    expected = np.random.RandomState(42)
    iterator = iter(feed.training)
    for epoch in range(2):
        feed.on_epoch_begin(epoch)
        elements = [next(iterator) for _ in range(len(chunk_shapes))]
        assert [chunk.shape for _, chunk, _ in elements] == chunk_shapes
        assert [moves.shape for _, _, moves in elements] == [(*shape, 3) for shape in chunk_shapes]
        rows = np.concatenate([chunk.numpy().ravel() for _, chunk, _ in elements])
        moves = np.concatenate([moves.numpy().reshape(-1, 3) for _, _, moves in elements])
        np.testing.assert_array_equal(rows, expected.permutation(train))
        np.testing.assert_array_equal(moves, draw_moves(n_rows, 1, 30.0, expected))


@pytest.mark.parametrize("n_rows, chunk_shapes", ROW_CHUNK_CASES)
def test_row_chunks_carry_the_moves_the_pydataset_applies(n_rows, chunk_shapes):
    """Check that the JAX loop's elements move their rows into the batches the PyDataset serves."""
    pytest.importorskip("jax")
    X = np.random.RandomState(0).rand(20, 9).astype(np.float32)
    train = np.arange(3, 3 + n_rows)
    chunks = _feeds._RowChunks(X, train, 3, np.random.RandomState(42), batches_per_call=2, moves=MOVES)
    expected = _EpochBatches(X, train, 3, np.random.RandomState(42), moves=MOVES)
    for _ in range(2):
        elements = [chunks[i] for i in range(len(chunks))]
        assert [moves.shape for _, _, moves in elements] == [(*shape, 3) for shape in chunk_shapes]
        moved = np.concatenate(
            [moved_images(X[rows.ravel()], (3, 3, 1), moves.reshape(-1, 3)) for _, rows, moves in elements]
        )
        served = np.concatenate([expected[i][0] for i in range(len(expected))])
        assert not np.allclose(served, X[np.concatenate([rows.ravel() for _, rows, _ in elements])])
        np.testing.assert_array_equal(moved, served)
        chunks.on_epoch_end()
        expected.on_epoch_end()


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
    tensor = _feeds._shared_tensor(tf, X)
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
    model, feed, callbacks = _fit_data(model, X, np.arange(50), None, 8, np.random.RandomState(1))
    model.fit(**feed, epochs=3, verbose=0, shuffle=False, callbacks=callbacks)
    rows = np.concatenate(seen)
    expected = np.random.RandomState(1)
    for epoch in range(3):
        order = expected.permutation(50)
        np.testing.assert_array_equal(rows[epoch * 50 : (epoch + 1) * 50], X[order])


@tensorflow_only
def test_batch_loop_feed_keeps_one_iterator_per_fit(monkeypatch):
    """Check that the batch loop's fit builds one training and one validation iterator, not one per epoch.

    The feed validates itself at the end of every epoch with the model's
    compiled test function (Keras' evaluate would build an iterator per
    pass) and gives what Keras' own validation gives.
    """
    import tensorflow as tf

    created = []
    dataset_iter = tf.data.Dataset.__iter__

    def counting_iter(dataset):
        created.append(dataset)
        return dataset_iter(dataset)

    X = np.random.RandomState(0).rand(50, 3).astype(np.float32)

    def fit(validate_in_keras):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((3,))
        model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
        model.compile("adam", "mse", jit_compile=True, steps_per_execution=4)
        with monkeypatch.context() as patched:
            if validate_in_keras:
                # As where Keras lacks make_test_function: Keras' fit validates.
                patched.setattr(
                    _feeds,
                    "keras_internal",
                    lambda owner, name: None if name == "make_test_function" else getattr(owner, name),
                )
            trainer, feed, callbacks = _fit_data(
                model, X, np.arange(40), np.arange(40, 50), 8, np.random.RandomState(1)
            )
        history = keras.callbacks.History()
        trainer.fit(**feed, epochs=4, verbose=0, shuffle=False, callbacks=[*callbacks, history])
        return feed, history.history

    keras_validated = fit(validate_in_keras=True)[1]
    monkeypatch.setattr(tf.data.Dataset, "__iter__", counting_iter)
    feed, history = fit(validate_in_keras=False)
    assert feed["steps_per_epoch"] == 2 and feed["validation_data"] is None
    assert len(created) == 2
    assert len(history["val_loss"]) == 4
    assert history.keys() == keras_validated.keys()
    for key, values in history.items():
        assert all(type(value) is float for value in values + keras_validated[key])
        assert values == keras_validated[key]

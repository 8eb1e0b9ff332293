"""Tests of the batch loop (skae/_keras/_batch_loop.py)."""

import keras
import numpy as np
import pytest

import skae._keras._fit_guard
from skae import AutoencoderTransformer
from skae._augmentation import draw_moves, moved_images
from skae._keras._batch_loop import _BatchLoopTrainer
from skae._keras._feeds import _fit_data

from .conftest import FAST, tensorflow_only, not_torch


def _recording_model(n_features):
    """A model compiled for the batch loop (XLA, 4 batches per call), and the list its batches go to when run eagerly."""
    seen = []

    class Recording(keras.layers.Layer):
        def call(self, inputs):
            seen.append(keras.ops.convert_to_numpy(inputs))
            return inputs

        def compute_output_shape(self, input_shape):
            return input_shape

    inputs = keras.Input((n_features,))
    model = keras.Model(inputs, keras.layers.Dense(n_features)(Recording()(inputs)))
    model.compile("adam", "mse", jit_compile=True, steps_per_execution=4)
    return model, seen


@tensorflow_only
def test_batch_loop_trainer_runs_keras_steps_on_the_seeded_batches():
    """Check that the batch loop trains on the k-th permutation's batches in epoch k.

    Run eagerly, the loop calls the autoencoder once per batch, in order.
    """
    X = np.random.RandomState(0).rand(50, 3).astype(np.float32)
    model, seen = _recording_model(3)
    trainer, feed, callbacks = _fit_data(model, X, np.arange(50), None, 8, np.random.RandomState(1))
    assert isinstance(trainer, _BatchLoopTrainer)
    assert trainer.optimizer is model.optimizer
    seen.clear()  # the one row that built the trainer
    trainer.run_eagerly = True
    trainer.jit_compile = False
    history = trainer.fit(**feed, epochs=3, verbose=0, shuffle=False, callbacks=callbacks)
    assert [len(batch) for batch in seen] == [8] * 6 + [2] + [8] * 6 + [2] + [8] * 6 + [2]
    rows = np.concatenate(seen)
    expected = np.random.RandomState(1)
    for epoch in range(3):
        order = expected.permutation(50)
        np.testing.assert_array_equal(rows[epoch * 50 : (epoch + 1) * 50], X[order])
    assert int(model.optimizer.iterations.numpy()) == 21
    assert np.all(np.isfinite(history.history["loss"]))


@tensorflow_only
def test_batch_loop_moves_the_images_of_the_seeded_batches():
    """Check that the loop moves each epoch's batches by moves drawn with its order, as NumPy moves them.

    Run eagerly, the loop calls the autoencoder once per batch, in order;
    the moves come with the indices, drawn after each epoch's permutation.
    """
    X = np.random.RandomState(0).rand(50, 36).astype(np.float32)  # 6 x 6 images
    moves = ((6, 6, 1), 1, 20.0)
    model, seen = _recording_model(36)
    trainer, feed, callbacks = _fit_data(model, X, np.arange(50), None, 8, np.random.RandomState(1), moves)
    assert isinstance(trainer, _BatchLoopTrainer) and trainer.image_shape == (6, 6, 1)
    seen.clear()
    trainer.run_eagerly = True
    trainer.jit_compile = False
    before = X.copy()
    trainer.fit(**feed, epochs=2, verbose=0, shuffle=False, callbacks=callbacks)
    np.testing.assert_array_equal(X, before)
    assert [len(batch) for batch in seen] == ([8] * 6 + [2]) * 2
    rows = np.concatenate(seen)
    expected = np.random.RandomState(1)
    for epoch in range(2):
        order = expected.permutation(50)
        epoch_moves = draw_moves(50, 1, 20.0, expected)
        assert len(np.unique(epoch_moves[:, :2])) == 3 and np.ptp(epoch_moves[:, 2]) > 0
        np.testing.assert_allclose(
            rows[epoch * 50 : (epoch + 1) * 50], moved_images(X[order], (6, 6, 1), epoch_moves), atol=1e-6
        )


@not_torch
@pytest.mark.parametrize(
    "params",
    [
        {},
        pytest.param({"variational": True}, marks=pytest.mark.slow),
        pytest.param({"noise": "gaussian", "noise_level": 0.1}, marks=pytest.mark.slow),
        pytest.param({"early_stopping": True}, marks=pytest.mark.slow),
    ],
)
def test_batches_per_call_give_the_same_fit_with_xla(digits, monkeypatch, params):
    """Check that several batches per compiled call train the same model as one.

    On TensorFlow and JAX the XLA path runs them in skae's batch loop: the
    loss per epoch (validation included), the codes and the optimizer's
    steps match.
    """
    X, _ = digits
    steps, loops = [], []

    class CountSteps(keras.callbacks.Callback):
        # The fitted estimator drops its optimizer: count its steps at the end of training.
        def on_train_end(self, logs=None):
            steps.append(int(keras.ops.convert_to_numpy(self.model.optimizer.iterations)))
            loops.append(isinstance(self.model, _BatchLoopTrainer))

    monkeypatch.setattr(skae._keras._fit_guard, "_extra_callbacks", lambda: [CountSteps()])
    one = AutoencoderTransformer(**FAST, **params, jit_compile=True, steps_per_execution=1)
    one.fit(X)
    many = AutoencoderTransformer(**FAST, **params, jit_compile=True, steps_per_execution=3)
    many.fit(X)
    assert loops == [False, True]
    assert many.history_.keys() == one.history_.keys()
    for key, values in one.history_.items():
        np.testing.assert_allclose(many.history_[key], values, rtol=1e-5)
    np.testing.assert_allclose(many.transform(X), one.transform(X), atol=1e-5)
    assert steps[0] == steps[1] > 0


@tensorflow_only
def test_epoch_of_one_batch_takes_the_loop_on_tensorflow(digits, monkeypatch):
    """Check that small data (one batch per epoch) with XLA trains in the batch loop, as plain Keras would.

    There the loop keeps one iterator per fit and validates without Keras'
    evaluate; losses, validation losses and the best epoch match the plain
    path up to XLA's rounding.
    """
    X, _ = digits
    trainers = []
    init = _BatchLoopTrainer.__init__
    monkeypatch.setattr(
        _BatchLoopTrainer, "__init__", lambda self, *a: trainers.append(self) or init(self, *a)
    )
    params = dict(FAST, epochs=6, batch_size=512, early_stopping=True, n_iter_no_change=2)
    plain = AutoencoderTransformer(**params, jit_compile=False).fit(X[:400])
    assert trainers == []
    loop = AutoencoderTransformer(**params, jit_compile=True).fit(X[:400])
    assert len(trainers) == 1
    assert loop.n_iter_ == plain.n_iter_
    for key in ("loss", "val_loss"):
        assert all(type(value) is float for value in loop.history_[key])
        np.testing.assert_allclose(loop.history_[key], plain.history_[key], rtol=1e-4)
    np.testing.assert_allclose(loop.transform(X), plain.transform(X), atol=1e-4)

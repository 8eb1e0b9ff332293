"""Training on several batches per call, in one compiled (XLA) loop."""

import inspect

import keras

from .._augmentation import moved_images

# What Keras' ``train_step`` takes after ``self`` on each backend: the batch
# loop passes it the same, and on JAX gets back ``(logs, state)``.
_TRAIN_STEP_PARAMETERS = {"tensorflow": ["data"], "jax": ["state", "data"]}


def batch_loop_fits_keras():
    """Whether Keras' ``train_step`` takes what :class:`_BatchLoopTrainer` passes it.

    ``(data)`` on TensorFlow and ``(state, data)`` on JAX, as in every
    Keras 3 so far; the loop overrides it and calls it. Where it does not
    (or on another backend), ``fit`` trains in Keras' own loop instead: the
    same batches, one compiled call each.
    """
    expected = _TRAIN_STEP_PARAMETERS.get(keras.backend.backend())
    return list(inspect.signature(keras.Model.train_step).parameters)[1:] == expected


class _BatchLoopTrainer(keras.Model):
    """Trains ``autoencoder`` on several batches per call, in one compiled loop.

    For the TensorFlow and JAX backends with XLA. Each element ``fit`` feeds
    holds row indices of ``X``, one batch per row (or the last, smaller batch
    alone); ``train_step`` gathers the batches and runs Keras' own
    ``train_step`` on each in a loop (``tf.while_loop``, ``jax.lax.scan``),
    so that XLA compiles the gathers, the steps and the loop into one
    program. Keras' ``steps_per_execution`` instead launches the compiled
    step once per batch, pulling the batch from ``tf.data`` or Python in
    between, which costs the tutorial's model about a third of its epoch on
    a 2-core CPU. The batches, their order and the reported loss (Keras'
    running mean) are those of per-batch training; only a non-finite loss
    is noticed per call instead of per batch.

    The elements are ``(X, indices)``: ``X`` comes whole with every element
    (no copy) rather than captured by the compiled function, so that one
    compiled trainer serves fits on other data of the same shape (see
    :mod:`skae._keras._trainers`). On TensorFlow the validation rows come as
    such elements too, and ``test_step`` evaluates their batches in the
    same kind of loop, one compiled call for up to as many batches as a
    training call.

    With ``image_shape`` the training elements are ``(X, indices, moves)``:
    ``moves`` holds each row's random shift and rotation (see
    :func:`~skae._augmentation.draw_moves`), drawn by NumPy from the fit's
    seed as for per-batch training, and the loop moves each gathered batch's
    images of ``image_shape`` (the same for input and target) inside the
    compiled program, where NumPy would move them batch by batch in Python.
    """

    def __init__(self, autoencoder, image_shape=None):
        # Keras' default name from the class, with its leading underscore,
        # is not a valid TensorFlow name scope.
        super().__init__(name="batch_loop_trainer")
        self.autoencoder = autoencoder
        self.image_shape = image_shape

    def call(self, inputs, training=False):
        return self.autoencoder(inputs, training=training)

    def train_step(self, *args):
        # Keras' TensorFlow trainer passes the data, its JAX trainer the
        # state and the data.
        if keras.backend.backend() == "jax":
            return self._jax_steps(*args)
        return self._tensorflow_steps(*args)

    def test_step(self, *args):
        # On TensorFlow validation is fed as (X, indices) too (see
        # _TensorFlowBatches); on JAX as batches of rows, for Keras' own step.
        if keras.backend.backend() == "jax":
            return super().test_step(*args)
        return self._tensorflow_steps(*args, step=super().test_step)

    def _tensorflow_steps(self, data, step=None):
        """Keras' ``step`` (its ``train_step`` by default) on each batch of ``data = (X, rows)``, in a loop."""
        import tensorflow as tf

        step = step or super().train_step
        X, rows, *moves = data

        def body(i, logs):
            batch = self._moved(tf.gather(X, rows[i]), [each[i] for each in moves])
            return i + 1, step((batch, batch))

        _, logs = tf.while_loop(
            lambda i, logs: i < tf.shape(rows)[0],
            body,
            (tf.constant(0), self.get_metrics_result()),
        )
        return logs

    def _jax_steps(self, state, data):
        import jax

        X, rows, *moves = data

        def step(state, batch):
            batch_rows, *batch_moves = batch
            batch = self._moved(jax.numpy.take(X, batch_rows, axis=0), batch_moves)
            logs, state = super(_BatchLoopTrainer, self).train_step(state, (batch, batch))
            return state, logs

        state, logs = jax.lax.scan(step, state, (rows, *moves))
        return jax.tree_util.tree_map(lambda values: values[-1], logs), state

    def _moved(self, batch, moves):
        """``batch``, its images moved where the element carries ``moves`` (a list of none or one)."""
        if not moves:
            return batch
        return moved_images(batch, self.image_shape, moves[0], xp=keras.ops)

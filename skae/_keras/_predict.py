"""Predicting with a Keras model in padded chunks, so that a row's output never depends on its neighbours.

Models of one architecture share one compiled prediction function (see
:class:`PredictFunctions`).
"""

import math
import threading
from collections import OrderedDict

import keras
import numpy as np

from .._config import get_config

# Largest number of rows passed to one predict call. Chunk sizes are powers of
# two times 64, so that a compiled (XLA) predict function sees few shapes.
_PREDICT_ROWS = 16384
_PAD_ROWS = 64

# JAX donates its state buffers on each predict call, so calls from several
# threads at once fail; one at a time is correct on every backend.
_PREDICT_LOCK = threading.Lock()


def _predict_rows(n_samples):
    """Rows of each predict chunk: a power of two times 64, at most _PREDICT_ROWS."""
    needed = -(-n_samples // _PAD_ROWS)
    return min(_PREDICT_ROWS, _PAD_ROWS * 2 ** math.ceil(math.log2(max(needed, 1))))


class PredictFunctions:
    """Compiled prediction functions by architecture, shared by the models of each.

    Keras compiles a prediction function per model (on TensorFlow a traced
    graph, on JAX a jitted program), so every newly fitted estimator paid
    for tracing (and XLA compiling) on its first ``transform`` or ``score``,
    and left the program behind: TensorFlow about 0.9 MB per estimator of
    the 784-500-500-2000-10 autoencoder, JAX until its caches are cleared.
    A grid search creates an estimator per fit. Here one function per
    architecture key, traced from a template model of that architecture,
    takes the weights as arguments (``stateless_call``), so any model of
    the same architecture predicts through it, with the same operations as
    its own ``predict_on_batch`` and so the same output, bit for bit. At most
    ``kept_prediction_functions`` (see :func:`skae.set_config`) are kept,
    the least recently used dropped first; with 0 every model predicts
    through its own function. PyTorch, which compiles nothing, keeps each
    model's own function.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._functions = OrderedDict()

    def get(self, key, make_template):
        """The function for ``key``: ``function(model, chunk) -> outputs``.

        ``key`` is ``(spec, role, jit_compile)``: the model's
        :class:`~skae._keras._spec.NetworkSpec`, which sub-model it is, and
        whether it predicts with XLA. ``make_template()`` builds a model of
        the architecture when none is kept for ``key``; ``None`` for a key
        of ``None``, on PyTorch, or when none are to be kept.
        """
        if key is None or keras.backend.backend() not in ("tensorflow", "jax"):
            return None
        max_size = get_config()["kept_prediction_functions"]
        if max_size == 0:
            self.clear()
            return None
        with self._lock:
            function = self._functions.pop(key, None)
        if function is None:
            function = _stateless_predict(make_template())
        with self._lock:
            self._functions[key] = function
            while len(self._functions) > max_size:
                self._functions.popitem(last=False)
        return function

    def clear(self):
        with self._lock:
            self._functions.clear()

    def __len__(self):
        return len(self._functions)


PREDICT_FUNCTIONS = PredictFunctions()


def _stateless_predict(template):
    """A compiled ``function(model, chunk)``: ``template``'s inference pass with ``model``'s weights."""

    def outputs(trainable, non_trainable, chunk):
        return template.stateless_call(trainable, non_trainable, chunk, training=False)[0]

    if keras.backend.backend() == "jax":
        import jax

        compiled = jax.jit(outputs)
    else:
        import tensorflow as tf

        compiled = tf.function(outputs, jit_compile=template.jit_compile, reduce_retracing=True)

    def function(model, chunk):
        return compiled(
            [variable.value for variable in model.trainable_variables],
            [variable.value for variable in model.non_trainable_variables],
            chunk,
        )

    return function


def _predict(model, X, function=None):
    """Output of ``model`` for ``X``, in padded chunks, as float32.

    CPU matrix products round a row differently in the last bit depending on
    where it falls in a batch. Padding every chunk to a multiple of 64 rows
    makes a sample's output independent of the other samples passed with
    it, so ``transform`` is exactly invariant to order and subsets.
    ``function`` (from :class:`PredictFunctions`) computes the chunks'
    outputs in place of the model's own ``predict_on_batch``.
    """
    n_samples = X.shape[0]
    rows = _predict_rows(n_samples)
    output = np.empty((n_samples, model.output_shape[-1]), dtype=np.float32)
    padded = None
    for start in range(0, n_samples, rows):
        chunk = X[start : start + rows]
        n_rows = chunk.shape[0]
        if n_rows < rows:
            if padded is None:
                padded = np.zeros((rows, *chunk.shape[1:]), dtype=chunk.dtype)
            padded[:n_rows] = chunk
            chunk = padded
        with _PREDICT_LOCK:
            result = function(model, chunk) if function else model.predict_on_batch(chunk)
            result = keras.ops.convert_to_numpy(result)
        output[start : start + n_rows] = result[:n_rows]
    return output

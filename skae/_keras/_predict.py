"""Predicting with a Keras model in padded chunks, so that a row's output never depends on its neighbours."""

import math
import threading

import keras
import numpy as np

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


def _predict(model, X):
    """Output of ``model`` for ``X``, in padded chunks, as float32.

    CPU matrix products round a row differently in the last bit depending on
    where it falls in a batch. Padding every chunk to a multiple of 64 rows
    makes a sample's output independent of the other samples passed with
    it, so ``transform`` is exactly invariant to order and subsets.
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
            result = keras.ops.convert_to_numpy(model.predict_on_batch(chunk))
        output[start : start + n_rows] = result[:n_rows]
    return output

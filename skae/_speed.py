"""Feeding, compiling and predicting fast, shared by the autoencoders.

Nothing here imports a backend (TensorFlow, JAX) directly, so that skae runs
on any Keras 3 backend installed.
"""

import math
import threading

import keras
import numpy as np

# Largest number of rows passed to one predict call. Chunk sizes are powers of
# two times 64, so that a compiled (XLA) predict function sees few shapes.
_PREDICT_ROWS = 16384
_PAD_ROWS = 64


class _EpochBatches(keras.utils.PyDataset):
    """``(X, X)`` batches of the rows ``indices`` of ``X``, reshuffled every epoch.

    The order comes from ``rng`` (``None``: no shuffling), so that training
    depends on ``random_state`` alone and never on Keras' or NumPy's global
    random state. The rows of an epoch are gathered once, in one vectorised
    copy, and the batches are views of that copy: no Python work and no copy
    per batch.
    """

    def __init__(self, X, indices, batch_size, rng=None):
        super().__init__()
        self.X = X
        self.indices = indices
        self.batch_size = batch_size
        self.rng = rng
        self._epoch = None
        self.on_epoch_end()

    def __len__(self):
        return math.ceil(len(self.indices) / self.batch_size)

    def __getitem__(self, index):
        batch = self._epoch[index * self.batch_size : (index + 1) * self.batch_size]
        return batch, batch

    def on_epoch_end(self):
        if self.rng is None:
            if self._epoch is None:
                self._epoch = np.take(self.X, self.indices, axis=0)
            return
        order = self.rng.permutation(self.indices)
        # Drop the previous epoch first so that two copies never coexist.
        self._epoch = None
        self._epoch = np.take(self.X, order, axis=0)


# Samples seen in training (rows x epochs) from which XLA's compile time,
# around a second on CPU, is paid back: about three epochs of MNIST.
_JIT_MIN_SAMPLES = 200_000


def _resolve_jit_compile(jit_compile, n_samples_seen=None):
    """``jit_compile`` for ``Model.compile``.

    Keras' own ``"auto"`` turns XLA off for TensorFlow on CPU; on the small
    dense autoencoders here XLA trains about 2x faster there, so skae's
    ``"auto"`` turns it on for TensorFlow whenever training sees enough
    samples (``n_samples_seen``, rows x epochs) to pay the compile time back,
    and always for JAX, whose non-compiled mode runs op by op.
    """
    if jit_compile != "auto":
        return bool(jit_compile)
    backend = keras.backend.backend()
    if backend == "jax":
        return True
    if backend == "tensorflow":
        return n_samples_seen is None or n_samples_seen >= _JIT_MIN_SAMPLES
    return False


def _dtype_policy(precision):
    """Keras dtype policy of the layers for ``precision``."""
    return "mixed_bfloat16" if precision == "bfloat16" else "float32"


def _set_inference_jit(models, jit_compile):
    """Compile the predict functions of ``models`` with XLA or not.

    ``jit_compile`` is the resolved value used for training.
    """
    for model in models:
        model.jit_compile = jit_compile


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

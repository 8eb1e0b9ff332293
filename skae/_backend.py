"""Evening out what differs between the Keras backends (TensorFlow, JAX, PyTorch)."""

import keras
from keras import ops


def _binary_crossentropy(y_true, y_pred):
    """Keras' binary cross-entropy, computed for targets outside [0, 1] too.

    The formula and the clipping are those of the JAX backend.
    """
    epsilon = keras.config.epsilon()
    y_true = ops.cast(y_true, y_pred.dtype)
    y_pred = ops.clip(y_pred, epsilon, 1.0 - epsilon)
    log_likelihood = y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred)
    return -ops.mean(log_likelihood, axis=-1)


_binary_crossentropy.__name__ = "binary_crossentropy"


def _portable_loss(loss):
    """``loss``, or a version of it that computes the same on every backend.

    PyTorch's binary cross-entropy stops training with a RuntimeError when a
    target is outside [0, 1], where TensorFlow and JAX compute it (and skae
    warns that the data should be scaled). On PyTorch, Keras' binary
    cross-entropy function is swapped for the TensorFlow/JAX formula, so the
    same data gives the same warning and a trained model on every backend.
    """
    if keras.backend.backend() == "torch" and loss is keras.losses.binary_crossentropy:
        return _binary_crossentropy
    return loss


def _steps_per_execution(requested, n_batches):
    """``steps_per_execution`` for ``Model.compile``.

    Keras reports the last step of an execution as the batch number, even past
    the end of the epoch, so no more steps than batches; and Keras' PyTorch
    trainer accepts only 1.
    """
    if keras.backend.backend() == "torch":
        return 1
    return min(requested, n_batches)

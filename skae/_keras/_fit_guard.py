"""Guards around a Keras ``fit``: diverging losses and Ctrl-C."""

import warnings

import keras
import numpy as np

from ..exceptions import TrainingDivergedError
from ._backend import keras_internal
from ._batch_loop import _BatchLoopTrainer


class _StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Raise :class:`TrainingDivergedError` as soon as a loss is NaN or infinite.

    Unlike ``keras.callbacks.TerminateOnNaN``, which ends training quietly
    and keeps the broken weights, this raises, so that ``fit`` can leave the
    estimator unfitted and say what to change.
    """

    epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        # skae's batch loop reports once per call of several batches.
        where = "" if isinstance(self.model, _BatchLoopTrainer) else f", batch {batch + 1}"
        self._check(logs, "loss", "training", where)

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, "loss", "training", "")
        self._check(logs, "val_loss", "validation", "")

    def _check(self, logs, key, which, where):
        value = (logs or {}).get(key)
        if value is None or np.isfinite(float(value)):
            return
        raise TrainingDivergedError(
            f"The {which} loss became {float(value)} in epoch {self.epoch + 1}"
            f"{where}; training stopped and the estimator is not fitted. Lower "
            "learning_rate (e.g. by a factor of 10), scale X to a small range "
            "(e.g. MinMaxScaler or StandardScaler before the autoencoder in a "
            "Pipeline), or look for extreme values in X."
        )


def _extra_callbacks():
    """Callbacks added to every fit; empty.

    Tests patch it to interrupt training, the benchmarks to time epochs.
    """
    return []


class FitGuard:
    """Callbacks for a Keras ``fit`` and what to do when Ctrl-C interrupts it.

    Use as ``with guard: model.fit(..., callbacks=guard.callbacks)``, then
    read ``guard.history``. A ``KeyboardInterrupt`` after at least one
    complete epoch is swallowed with a warning, keeping the best weights seen
    by ``EarlyStopping`` (else the last ones), as scikit-learn's
    ``MLPRegressor`` does; one before the first epoch ends propagates.
    """

    def __init__(self, callbacks):
        self.history = keras.callbacks.History()
        # After the given callbacks, which may add to the logs (the batch
        # loop's validation), before the check that may end training.
        self.callbacks = [*callbacks, self.history, _StopOnNonFiniteLoss(), *_extra_callbacks()]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None or not issubclass(exc_type, KeyboardInterrupt):
            return False
        n_epochs = len(getattr(self.history, "epoch", ()))
        if n_epochs == 0:
            return False
        kept = "the last weights"
        for callback in self.callbacks:
            best = getattr(callback, "best_weights", None)
            if isinstance(callback, keras.callbacks.EarlyStopping) and best is not None:
                callback.model.set_weights(best)
                kept = f"the weights of the best epoch ({callback.best_epoch + 1})"
        warnings.warn(
            f"Training interrupted (KeyboardInterrupt) after {n_epochs} complete "
            f"epoch(s); the estimator keeps {kept}. Call fit again to train "
            "from scratch; press Ctrl-C again to stop the program.",
            UserWarning,
            stacklevel=3,
        )
        return True


def release_training_state(model):
    """Drop what only training needs from a compiled Keras ``model``, once ``fit`` returns.

    The optimizer (Adam keeps two moments per weight: twice the model's
    size) and the traced train and test functions. ``predict_on_batch``,
    ``get_weights`` and saving still work; a later ``fit`` of the estimator
    builds and compiles a new model anyway.

    Setting ``model.optimizer = None`` alone frees nothing: on TensorFlow
    the model still tracks the optimizer as a checkpoint dependency (``del``
    ends that), and on every backend Keras' compile settings hold it, in
    the private ``model._compile_config`` (dropped where it exists, see
    :func:`~skae._keras._backend.keras_internal`). ``compiled = False``
    makes Keras ignore the rest of the compile state (the compiled loss
    and its tracker, a few scalars).
    """
    del model.optimizer
    model.optimizer = None
    model.train_function = model.test_function = None
    if keras_internal(model, "_compile_config") is not None:
        model._compile_config = None
    model.compiled = False

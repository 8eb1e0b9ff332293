"""Ctrl-C in the command: the first stops training and keeps its weights, the second quits."""

import contextlib
import os
import signal
import sys

from ._callbacks import callbacks_added


class Interrupts:
    """Ctrl-C in the command: the first stops training, the second quits.

    A fit stopped by Ctrl-C keeps its best weights and the command goes on to
    score and report (see ``FitGuard``); a second Ctrl-C exits at once with
    status 130.

    During a Keras fit the first Ctrl-C is not raised by the signal handler,
    which would raise it wherever the main thread is, inside TensorFlow's own
    Python code too (a run crashed once with SIGSEGV after such a Ctrl-C):
    the fit raises it itself at the end of its current step or epoch, from a
    callback (:func:`_stop_callback`), where Keras' loop is between calls.
    """

    def __init__(self):
        self.count = 0
        self.training = False
        self.keras_fits = 0
        self.stop_requested = False

    def __call__(self, signum, frame):
        self.count += 1
        if self.count > 1:
            if sys.stdout.isatty():
                sys.stdout.write("\x1b[?25h\n")  # a progress bar hid the cursor
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        if self.training:
            print(
                "skae: interrupted: training stops, keeps its best weights so far and "
                "the run goes on to score; press Ctrl-C again to quit at once",
                file=sys.stderr,
                flush=True,
            )
        if self.keras_fits:
            self.stop_requested = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self):
        self.count = 0
        try:
            previous = signal.signal(signal.SIGINT, self)
        except ValueError:  # not the main thread: leave Ctrl-C alone
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextlib.contextmanager
    def fitting(self):
        self.training = True
        try:
            with callbacks_added(lambda: [_stop_callback(self)]):
                yield
        finally:
            self.training = False
            # A fit that ended by another exception never left.
            self.keras_fits = 0
            self.stop_requested = False


def _stop_callback(interrupts):
    """A Keras callback that raises ``KeyboardInterrupt`` once ``interrupts`` has a stop requested."""
    import keras

    class StopOnCtrlC(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            interrupts.keras_fits += 1

        def on_train_batch_end(self, batch, logs=None):
            self._stop_if_requested()

        def on_epoch_end(self, epoch, logs=None):
            # FitGuard lists this after History: the epoch counts as complete.
            self._stop_if_requested()

        def on_train_end(self, logs=None):
            self._leave()

        def _stop_if_requested(self):
            if interrupts.stop_requested:
                self._leave()  # an interrupted fit never calls on_train_end
                raise KeyboardInterrupt

        def _leave(self):
            interrupts.keras_fits -= 1
            # A request that came as the fit ended stops only this fit, as a
            # raised KeyboardInterrupt would have.
            interrupts.stop_requested = False

    return StopOnCtrlC()


interrupts = Interrupts()

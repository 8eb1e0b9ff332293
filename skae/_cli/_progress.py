"""One progress bar per Keras fit, for the ``skae`` command's console."""

import contextlib

import keras

from ._callbacks import callbacks_added


@contextlib.contextmanager
def progress_bars(args, label):
    """One progress bar per Keras fit meanwhile, unless --quiet or --verbose."""
    if args.quiet or args.verbose:
        yield
        return
    bars = []

    def new_bar():
        bars.append(ProgressBar(label))
        return [bars[-1]]

    try:
        with callbacks_added(new_bar):
            yield
    finally:
        for bar in bars:
            bar.close()  # an interrupted fit never calls on_train_end


class ProgressBar(keras.callbacks.Callback):
    """A Keras callback drawing one rich progress bar for a whole fit.

    The bar shows the epochs done, the last ``loss`` and ``val_loss``, the time
    spent and the time left. On a terminal it is redrawn in place; elsewhere
    (a pipe, a log file) rich prints it once, when the fit ends: one line per
    fit instead of Keras' line per epoch.

    Parameters
    ----------
    description : str
        Shown left of the bar, e.g. the recipe being fitted.

    console : rich.console.Console, default=None
        Where to draw; rich's default console (stdout) if None.
    """

    def __init__(self, description, console=None):
        super().__init__()
        self.description = description
        self.console = console
        self._progress = None

    def on_train_begin(self, logs=None):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("epochs {task.fields[losses]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console or _console(),
        )
        self._progress.start()
        self._task = self._progress.add_task(
            self.description, total=self.params.get("epochs"), losses=""
        )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        losses = "".join(
            f"  {name} {logs[name]:.4f}" for name in ("loss", "val_loss") if name in logs
        )
        self._progress.update(self._task, completed=epoch + 1, losses=losses)

    def on_train_end(self, logs=None):
        # Early stopping ends before the last epoch: a full bar, no time left.
        task = self._progress.tasks[0]
        self._progress.update(self._task, total=task.completed)
        self.close()

    def close(self):
        """Stop drawing; safe to call twice, or before the fit began."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _console():
    """rich's console; 100 columns wide where it is not a terminal (80 cut the bar)."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal and console.width < 100:
        console = Console(width=100)
    return console

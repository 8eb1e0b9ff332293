"""Training curves of a fitted autoencoder."""

import numpy as np

from ._base import _find_autoencoder, _get_axes


class TrainingCurveDisplay:
    """Training and validation loss per epoch, with the best epoch marked.

    It is recommended to use :meth:`from_estimator` or :meth:`from_history`
    to create a display. All parameters are stored as attributes.

    Parameters
    ----------
    loss : array-like of shape (n_epochs,)
        Training loss at the end of each epoch.

    val_loss : array-like of shape (n_epochs,), default=None
        Validation loss at the end of each epoch, if any.

    best_epoch : int, default=None
        The epoch (counted from 1) to mark, usually the one with the lowest
        validation loss. None marks nothing.

    loss_name : str, default="loss"
        The name of the loss, used as y-axis label.

    name : str, default=None
        The name of the model, used in the title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The training curve, then the validation curve if any.

    best_line_ : matplotlib Line2D or None
        The vertical line at the best epoch.

    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    ReconstructionDisplay : Originals, codes and reconstructions side by side.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae.plot import TrainingCurveDisplay
    >>> history = {"loss": [0.30, 0.20, 0.15, 0.14], "val_loss": [0.31, 0.22, 0.19, 0.20]}
    >>> display = TrainingCurveDisplay.from_history(history)
    >>> display.best_epoch
    3
    >>> [line.get_label() for line in display.lines_]
    ['training', 'validation']
    """

    def __init__(self, loss, *, val_loss=None, best_epoch=None, loss_name="loss", name=None):
        self.loss = loss
        self.val_loss = val_loss
        self.best_epoch = best_epoch
        self.loss_name = loss_name
        self.name = name

    def plot(self, ax=None, *, mark_best=True, log_scale=False):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        mark_best : bool, default=True
            Whether to draw a vertical line at `best_epoch`.

        log_scale : bool, default=False
            Whether to use a logarithmic y-axis.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with `ax_`, `figure_`, `lines_` and `best_line_` set.
        """
        figure, ax = _get_axes(ax, f"{type(self).__name__}.plot")
        from matplotlib.ticker import MaxNLocator

        epochs = np.arange(1, len(self.loss) + 1)
        self.lines_ = ax.plot(epochs, self.loss, marker=".", label="training")
        if self.val_loss is not None:
            self.lines_ += ax.plot(epochs, self.val_loss, marker=".", label="validation")
        self.best_line_ = None
        if mark_best and self.best_epoch is not None:
            self.best_line_ = ax.axvline(
                self.best_epoch,
                color="grey",
                linestyle="--",
                label=f"best epoch ({self.best_epoch})",
            )
        if log_scale:
            ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="Epoch", ylabel=self.loss_name)
        title = "Training curve"
        ax.set_title(f"{title}: {self.name}" if self.name else title)
        ax.legend()
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_history(cls, history, *, loss_name="loss", name=None, ax=None, **kwargs):
        """Plot the curves from a Keras-style history dict.

        Parameters
        ----------
        history : dict
            Lists of per-epoch values, with key ``"loss"`` and optionally
            ``"val_loss"``, as in ``keras.callbacks.History.history``.

        loss_name : str, default="loss"
            The y-axis label.

        name : str, default=None
            The name of the model, used in the title.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        if "loss" not in history or len(history["loss"]) == 0:
            raise ValueError(
                f"history must hold a non-empty 'loss' list; got keys {list(history)}."
            )
        loss = np.asarray(history["loss"], dtype=float)
        val_loss = history.get("val_loss")
        if val_loss is not None and len(val_loss) > 0:
            val_loss = np.asarray(val_loss, dtype=float)
            if len(val_loss) != len(loss):
                raise ValueError(
                    f"history has {len(loss)} 'loss' values but {len(val_loss)} "
                    "'val_loss' values."
                )
            best_epoch = int(np.nanargmin(val_loss)) + 1
        else:
            val_loss = None
            best_epoch = int(np.nanargmin(loss)) + 1
        display = cls(
            loss, val_loss=val_loss, best_epoch=best_epoch, loss_name=loss_name, name=name
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None, **kwargs):
        """Plot the curves of a fitted autoencoder.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~skae.AutoencoderTransformer`, a Pipeline holding
            one, a fitted search over either, or a
            :class:`~skae.DeepEmbeddedClustering` (its ``autoencoder_``).

        name : str, default=None
            The name of the model, used in the title. Defaults to the class name.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TrainingCurveDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If `estimator` is not fitted.
        """
        autoencoder, _ = _find_autoencoder(estimator, caller=f"{cls.__name__}.from_estimator")
        loss = getattr(autoencoder, "loss", "loss")
        return cls.from_history(
            autoencoder.history_,
            loss_name=loss if isinstance(loss, str) else "loss",
            name=type(autoencoder).__name__ if name is None else name,
            ax=ax,
            **kwargs,
        )

"""Originals, their codes and their reconstructions, side by side."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from .._images import drawn_image_shape, square_image_shape
from ._base import _check_n_samples, _find_autoencoder, _get_axes_grid

ROW_NAMES = ("original", "code", "reconstruction")


class ReconstructionDisplay:
    """Rows of originals, their codes and their reconstructions.

    A code is drawn as a square image when its size is a perfect square (36
    numbers as 6x6), else as bars. It is recommended to use
    :meth:`from_estimator` to create a display. All parameters are stored as
    attributes.

    Parameters
    ----------
    originals : ndarray of shape (n_samples, n_features)
        The input samples.

    codes : ndarray of shape (n_samples, encoding_dim)
        Their codes.

    reconstructions : ndarray of shape (n_samples, n_features)
        The decoded codes.

    image_shape : tuple of int, default=None
        (height, width) of an image; inferred when `n_features` is a perfect
        square.

    indices : array-like of shape (n_samples,), default=None
        The rows of the data the samples come from, used as column titles.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (3, n_samples)
        Originals in the first row, codes in the second, reconstructions in
        the third.

    figure_ : matplotlib Figure
        Figure containing the grid.

    errors_ : ndarray of shape (n_samples,)
        Mean squared reconstruction error of each sample.

    See Also
    --------
    TrainingCurveDisplay : Training and validation loss per epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae.plot import ReconstructionDisplay
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((3, 64))
    >>> display = ReconstructionDisplay(X, rng.random((3, 5)), X * 0.9).plot()
    >>> display.axes_.shape
    (3, 3)
    >>> display.axes_[1, 0].get_ylabel()
    'code'
    """

    def __init__(self, originals, codes, reconstructions, *, image_shape=None, indices=None):
        self.originals = originals
        self.codes = codes
        self.reconstructions = reconstructions
        self.image_shape = image_shape
        self.indices = indices

    def plot(self, ax=None, *, cmap="gray", code_cmap="gray", figsize=None):
        """Plot the grid.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            3 x n_samples Axes to draw on. If None, a new figure is created.

        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the originals and reconstructions; both share one
            colour scale, the originals' range.

        code_cmap : str or matplotlib Colormap, default="gray"
            Colormap of codes drawn as images.

        figsize : tuple of float, default=None
            Size of a new figure; by default 1.2 inch per image.

        Returns
        -------
        display : ReconstructionDisplay
            The display, with `axes_`, `figure_` and `errors_` set.
        """
        originals = np.asarray(self.originals)
        codes = np.asarray(self.codes)
        reconstructions = np.asarray(self.reconstructions)
        n_samples, n_features = originals.shape
        if codes.shape[0] != n_samples or reconstructions.shape != originals.shape:
            raise ValueError(
                f"Got {n_samples} originals of {n_features} features, "
                f"{codes.shape[0]} codes and reconstructions of shape "
                f"{reconstructions.shape}; they must match."
            )
        image_shape = drawn_image_shape(self.image_shape, n_features)
        code_shape = square_image_shape(codes.shape[1])
        if figsize is None:
            figsize = (1.2 * n_samples + 0.8, 3.8)
        figure, axes = _get_axes_grid(
            ax, (3, n_samples), f"{type(self).__name__}.plot", figsize
        )
        vmin, vmax = float(originals.min()), float(originals.max())
        code_min, code_max = float(codes.min()), float(codes.max())
        self.errors_ = np.mean((originals - reconstructions) ** 2, axis=1)

        for j in range(n_samples):
            axes[0, j].imshow(originals[j].reshape(image_shape), cmap=cmap, vmin=vmin, vmax=vmax)
            axes[2, j].imshow(
                reconstructions[j].reshape(image_shape), cmap=cmap, vmin=vmin, vmax=vmax
            )
            if code_shape is not None:
                axes[1, j].imshow(
                    codes[j].reshape(code_shape), cmap=code_cmap, vmin=code_min, vmax=code_max
                )
            else:
                axes[1, j].bar(np.arange(codes.shape[1]), codes[j], width=1.0, color="C0")
                axes[1, j].set_ylim(min(code_min, 0), code_max)
            if self.indices is not None:
                axes[0, j].set_title(f"#{self.indices[j]}", fontsize="small")
            axes[2, j].set_title(f"mse {self.errors_[j]:.3g}", fontsize="small")
            for row in range(3):
                axes[row, j].set_xticks([])
                axes[row, j].set_yticks([])
        for row, name in enumerate(ROW_NAMES):
            axes[row, 0].set_ylabel(name)
        self.axes_ = axes
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_samples=10,
        indices=None,
        image_shape=None,
        random_state=None,
        ax=None,
        **kwargs,
    ):
        """Plot chosen or random samples through a fitted autoencoder.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~skae.AutoencoderTransformer`, a Pipeline holding
            one (X goes through the steps before it), a fitted search, or a
            :class:`~skae.DeepEmbeddedClustering` (its ``autoencoder_``).

        X : array-like of shape (n_samples_total, n_features)
            The data to draw samples from.

        n_samples : int, default=10
            How many random samples to show; ignored when `indices` is given.

        indices : array-like of int, default=None
            The rows of X to show.

        image_shape : tuple of int, default=None
            (height, width); inferred when the number of features the
            autoencoder sees is a perfect square.

        random_state : int, RandomState instance or None, default=None
            Seeds the choice of random samples.

        ax : array-like of matplotlib Axes, default=None
            3 x n_samples Axes to draw on. If None, a new figure is created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReconstructionDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If `estimator` is not fitted.
        """
        caller = f"{cls.__name__}.from_estimator"
        autoencoder, X = _find_autoencoder(estimator, X, caller=caller)
        X = check_array(X, dtype=[np.float32, np.float64])
        if indices is None:
            _check_n_samples(n_samples, X.shape[0])
            rng = check_random_state(random_state)
            indices = np.sort(rng.choice(X.shape[0], size=n_samples, replace=False))
        else:
            indices = np.asarray(indices)
            if indices.ndim != 1 or indices.size == 0 or indices.dtype.kind not in "iu":
                raise ValueError("indices must be a non-empty 1-D array of integers.")
            if indices.min() < -X.shape[0] or indices.max() >= X.shape[0]:
                raise ValueError(f"indices must lie in [0, {X.shape[0]}).")
        originals = X[indices]
        codes = autoencoder.transform(originals)
        reconstructions = autoencoder.inverse_transform(codes)
        display = cls(
            originals,
            codes,
            reconstructions,
            image_shape=image_shape,
            indices=indices,
        )
        return display.plot(ax=ax, **kwargs)

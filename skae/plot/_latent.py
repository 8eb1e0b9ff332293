"""The latent space of an autoencoder, projected to 2-D."""

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length

from ._base import _find_autoencoder, _get_axes

METHODS = ("pca", "tsne")
_MAX_LEGEND_ENTRIES = 20


def _project(codes, method, random_state):
    """2-D embedding of the codes and the axis label prefix."""
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=random_state).fit(codes)
        embedding = pca.transform(codes)
        names = [f"PC {i + 1} ({r:.0%} of variance)" for i, r in enumerate(pca.explained_variance_ratio_)]
        return embedding, names
    from sklearn.manifold import TSNE

    perplexity = min(30.0, (codes.shape[0] - 1) / 3)
    embedding = TSNE(
        n_components=2, perplexity=perplexity, init="pca", random_state=random_state
    ).fit_transform(codes)
    return embedding, ["t-SNE 1", "t-SNE 2"]


class LatentSpaceDisplay:
    """Codes projected to 2-D (PCA or t-SNE), coloured by label or cluster.

    It is recommended to use :meth:`from_estimator` or :meth:`from_codes` to
    create a display. All parameters are stored as attributes.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The 2-D positions.

    labels : array-like of shape (n_samples,), default=None
        What colours the points: true labels or clusters. None draws one
        colour.

    label_name : str, default="label"
        The legend title, e.g. "label" or "cluster".

    axis_names : list of str, default=None
        The x and y axis labels.

    method : {"pca", "tsne"}, default="pca"
        The projection used, named in the title.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.

    ax_ : matplotlib Axes
        Axes with the scatter plot.

    figure_ : matplotlib Figure
        Figure containing the scatter plot.

    See Also
    --------
    ClusterGalleryDisplay : Sample images of each cluster.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae.plot import LatentSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> display = LatentSpaceDisplay.from_codes(X, y)
    >>> display.embedding.shape
    (1797, 2)
    >>> display.ax_.get_legend().get_title().get_text()
    'label'
    """

    def __init__(self, embedding, *, labels=None, label_name="label", axis_names=None, method="pca"):
        self.embedding = embedding
        self.labels = labels
        self.label_name = label_name
        self.axis_names = axis_names
        self.method = method

    def plot(self, ax=None, *, cmap="tab10", alpha=0.6, s=8, legend=True):
        """Plot the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        cmap : str or matplotlib Colormap, default="tab10"
            Colormap of the labels ("tab20" suits up to 20 clusters).

        alpha : float, default=0.6
            Opacity of the points.

        s : float, default=8
            Size of the points.

        legend : bool, default=True
            Whether to add a legend (up to 20 distinct labels) or, with more,
            a colorbar.

        Returns
        -------
        display : LatentSpaceDisplay
            The display, with `ax_`, `figure_` and `scatter_` set.
        """
        figure, ax = _get_axes(ax, f"{type(self).__name__}.plot")
        x, y = self.embedding[:, 0], self.embedding[:, 1]
        if self.labels is None:
            self.scatter_ = ax.scatter(x, y, s=s, alpha=alpha)
        else:
            classes, codes = np.unique(self.labels, return_inverse=True)
            self.scatter_ = ax.scatter(x, y, c=codes, cmap=cmap, s=s, alpha=alpha)
            if legend and len(classes) <= _MAX_LEGEND_ENTRIES:
                handles, _ = self.scatter_.legend_elements(num=list(range(len(classes))))
                ax.legend(
                    handles,
                    [str(c) for c in classes],
                    title=self.label_name,
                    loc="center left",
                    bbox_to_anchor=(1.0, 0.5),
                    fontsize="small",
                )
            elif legend:
                figure.colorbar(self.scatter_, ax=ax, label=f"{self.label_name} (index)")
        if self.axis_names is not None:
            ax.set(xlabel=self.axis_names[0], ylabel=self.axis_names[1])
        name = {"pca": "PCA", "tsne": "t-SNE"}.get(self.method, self.method)
        ax.set_title(f"Latent space ({name})")
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_codes(
        cls, codes, labels=None, *, method="pca", label_name="label", random_state=None, ax=None, **kwargs
    ):
        """Plot given codes, projected to 2-D.

        Parameters
        ----------
        codes : array-like of shape (n_samples, encoding_dim)
            The codes, e.g. ``autoencoder.transform(X)``.

        labels : array-like of shape (n_samples,), default=None
            True labels or clusters to colour by.

        method : {"pca", "tsne"}, default="pca"
            PCA is fast and linear; t-SNE shows neighbourhoods better but
            takes seconds to minutes and distances between groups mean little.

        label_name : str, default="label"
            The legend title.

        random_state : int, RandomState instance or None, default=None
            Seeds the projection.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
        codes = check_array(codes, dtype=[np.float64, np.float32], ensure_min_samples=3)
        check_consistent_length(codes, labels)
        if codes.shape[1] == 1:
            codes = np.hstack([codes, np.zeros_like(codes)])
        embedding, axis_names = _project(codes, method, random_state)
        display = cls(
            embedding,
            labels=None if labels is None else np.asarray(labels),
            label_name=label_name,
            axis_names=axis_names,
            method=method,
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, **kwargs):
        """Plot the codes a fitted autoencoder gives X, projected to 2-D.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~skae.AutoencoderTransformer`, a Pipeline holding
            one (X goes through the steps before it), a fitted search, or a
            :class:`~skae.DeepEmbeddedClustering` (its ``autoencoder_``).

        X : array-like of shape (n_samples, n_features)
            The data to encode.

        y : array-like of shape (n_samples,), default=None
            True labels or clusters to colour by; name them with `label_name`.

        **kwargs : dict
            Passed to :meth:`from_codes`.

        Returns
        -------
        display : LatentSpaceDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If `estimator` is not fitted.
        """
        autoencoder, X = _find_autoencoder(estimator, X, caller=f"{cls.__name__}.from_estimator")
        return cls.from_codes(autoencoder.transform(X), y, **kwargs)

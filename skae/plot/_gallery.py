"""Samples from each cluster, to see what a clustering learned."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_consistent_length

from .._images import drawn_image_shape
from ._base import _check_n_samples, _get_axes_grid, _predict_clusters


class ClusterGalleryDisplay:
    """A row of sample images for each cluster.

    Each row is titled with the cluster id and, when true labels are known,
    the cluster's majority label and purity (the share of its members that
    carry that label). Rows are sorted by majority label, so the gallery reads
    like the label set and shows what separates two clusters of one label
    (thick and thin strokes, slanted and upright). It is recommended to use
    :meth:`from_estimator` or :meth:`from_predictions` to create a display.
    All parameters are stored as attributes.

    Parameters
    ----------
    images : list of ndarray of shape (n_shown, height, width)
        The images shown for each cluster, in row order.

    cluster_ids : array-like of shape (n_clusters,)
        The id of each row's cluster.

    sizes : array-like of shape (n_clusters,)
        The number of members of each cluster.

    majority_labels : array-like of shape (n_clusters,), default=None
        The most frequent true label of each cluster.

    purities : array-like of shape (n_clusters,), default=None
        The share of each cluster's members with its majority label.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_clusters, n_samples)
        One row per cluster.

    figure_ : matplotlib Figure
        Figure containing the gallery.

    See Also
    --------
    MajorityVoteConfusionMatrixDisplay : The counts behind majority labels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.cluster import KMeans
    >>> from skae.plot import ClusterGalleryDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clusters = KMeans(n_clusters=10, n_init=1, random_state=0).fit_predict(X)
    >>> display = ClusterGalleryDisplay.from_predictions(
    ...     X, clusters, y_true=y, n_samples=6, random_state=0)
    >>> display.axes_.shape
    (10, 6)
    >>> display.axes_[0, 0].get_title(loc="left")  # doctest: +ELLIPSIS
    'cluster ...: label 0 (...% of ...)'
    """

    def __init__(self, images, cluster_ids, sizes, *, majority_labels=None, purities=None):
        self.images = images
        self.cluster_ids = cluster_ids
        self.sizes = sizes
        self.majority_labels = majority_labels
        self.purities = purities

    def plot(self, ax=None, *, cmap="gray_r", figsize=None):
        """Plot the gallery.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            n_clusters x n_samples Axes to draw on. If None, a new figure is
            created.

        cmap : str or matplotlib Colormap, default="gray_r"
            Colormap of the images.

        figsize : tuple of float, default=None
            Size of a new figure; by default 1 inch per image.

        Returns
        -------
        display : ClusterGalleryDisplay
            The display, with `axes_` and `figure_` set.
        """
        n_clusters = len(self.images)
        n_columns = max(len(images) for images in self.images)
        if figsize is None:
            figsize = (1.0 * n_columns, 1.15 * n_clusters)
        figure, axes = _get_axes_grid(
            ax, (n_clusters, n_columns), f"{type(self).__name__}.plot", figsize
        )
        vmin = min(float(images.min()) for images in self.images)
        vmax = max(float(images.max()) for images in self.images)
        for row, images in enumerate(self.images):
            for col in range(n_columns):
                axes[row, col].set_axis_off()
                if col < len(images):
                    axes[row, col].imshow(images[col], cmap=cmap, vmin=vmin, vmax=vmax)
            axes[row, 0].set_title(self._row_title(row), loc="left", fontsize="small")
        self.axes_ = axes
        self.figure_ = figure
        return self

    def _row_title(self, row):
        title = f"cluster {self.cluster_ids[row]}"
        if self.majority_labels is None:
            return f"{title} ({self.sizes[row]} samples)"
        return (
            f"{title}: label {self.majority_labels[row]} "
            f"({self.purities[row]:.0%} of {self.sizes[row]})"
        )

    @classmethod
    def from_predictions(
        cls,
        X,
        y_pred,
        *,
        y_true=None,
        n_samples=8,
        image_shape=None,
        random_state=None,
        ax=None,
        **kwargs,
    ):
        """Plot a gallery from cluster assignments.

        Parameters
        ----------
        X : array-like of shape (n_samples_total, n_features)
            The images, one per row.

        y_pred : array-like of shape (n_samples_total,)
            The cluster of each image.

        y_true : array-like of shape (n_samples_total,), default=None
            True labels; when given, rows are titled with majority label and
            purity, and sorted by majority label.

        n_samples : int, default=8
            Images shown per cluster (fewer when a cluster is smaller).

        image_shape : tuple of int, default=None
            (height, width); inferred when n_features is a perfect square.

        random_state : int, RandomState instance or None, default=None
            Seeds the choice of images.

        ax : array-like of matplotlib Axes, default=None
            Axes to draw on. If None, a new figure is created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ClusterGalleryDisplay
        """
        X = check_array(X, dtype=None)
        y_pred = np.asarray(y_pred)
        check_consistent_length(X, y_pred, y_true)
        _check_n_samples(n_samples)
        image_shape = drawn_image_shape(image_shape, X.shape[1])
        rng = check_random_state(random_state)

        cluster_ids, sizes = np.unique(y_pred, return_counts=True)
        majority_labels = purities = None
        if y_true is not None:
            from ..metrics import majority_vote_mapping

            y_true = np.asarray(y_true)
            mapping = majority_vote_mapping(y_true, y_pred)
            majority_labels = np.array([mapping[c] for c in cluster_ids])
            purities = np.array(
                [np.mean(y_true[y_pred == c] == label) for c, label in zip(cluster_ids, majority_labels)]
            )
            order = np.lexsort((cluster_ids, majority_labels))
            cluster_ids, sizes = cluster_ids[order], sizes[order]
            majority_labels, purities = majority_labels[order], purities[order]

        images = []
        for cluster, size in zip(cluster_ids, sizes):
            members = np.flatnonzero(y_pred == cluster)
            chosen = np.sort(rng.choice(members, size=min(n_samples, size), replace=False))
            images.append(X[chosen].reshape(-1, *image_shape))
        display = cls(
            images, cluster_ids, sizes, majority_labels=majority_labels, purities=purities
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, **kwargs):
        """Plot a gallery of the clusters a fitted estimator predicts for X.

        Parameters
        ----------
        estimator : estimator instance
            A fitted clusterer with ``predict``, a fitted Pipeline ending in
            one (for instance an autoencoder followed by KMeans), or a fitted
            :class:`~skae.MajorityVoteClassifier` (its clusters are shown).

        X : array-like of shape (n_samples_total, n_features)
            The images, one per row; they are also what the gallery shows.

        y : array-like of shape (n_samples_total,), default=None
            True labels, for majority labels and purities.

        **kwargs : dict
            Passed to :meth:`from_predictions`.

        Returns
        -------
        display : ClusterGalleryDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If `estimator` is not fitted.
        """
        clusters = _predict_clusters(estimator, X, caller=f"{cls.__name__}.from_estimator")
        return cls.from_predictions(X, clusters, y_true=y, **kwargs)

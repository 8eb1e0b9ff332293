"""The majority-vote confusion matrix as an annotated heatmap."""

from itertools import product

import numpy as np

from ._base import _get_axes, _predict_clusters


class MajorityVoteConfusionMatrixDisplay:
    """Counts of true label x cluster, each cluster named by its majority label.

    Columns are clusters sorted by majority label, so a good clustering is
    close to block-diagonal; the cells where the row's label is the column's
    majority label are outlined, and they sum to the majority-vote accuracy.
    It is recommended to use :meth:`from_predictions` or
    :meth:`from_estimator` to create a display. All parameters are stored as
    attributes.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (n_labels, n_clusters)
        Counts, rows true labels, columns clusters.

    true_labels : array-like of shape (n_labels,)
        The label of each row.

    majority_labels : array-like of shape (n_clusters,)
        The majority label of each column's cluster.

    cluster_ids : array-like of shape (n_clusters,), default=None
        The id of each column's cluster, shown under its majority label.

    Attributes
    ----------
    accuracy_ : float
        Majority-vote accuracy: the outlined counts over all counts.

    im_ : matplotlib AxesImage
        The heatmap.

    text_ : ndarray of matplotlib Text of shape (n_labels, n_clusters)
        The counts written on the cells.

    ax_ : matplotlib Axes
        Axes with the heatmap.

    figure_ : matplotlib Figure
        Figure containing the heatmap.

    See Also
    --------
    skae.metrics.majority_vote_confusion_matrix : The same table as a DataFrame.
    ClusterGalleryDisplay : Sample images of each cluster.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae.plot import MajorityVoteConfusionMatrixDisplay
    >>> display = MajorityVoteConfusionMatrixDisplay.from_predictions(
    ...     [0, 0, 1, 1, 2, 2], [5, 5, 7, 3, 3, 3])
    >>> display.confusion_matrix
    array([[2, 0, 0],
           [0, 1, 1],
           [0, 0, 2]])
    >>> [t.get_text() for t in display.ax_.get_xticklabels()]
    ['0\\n(5)', '1\\n(7)', '2\\n(3)']
    >>> round(display.accuracy_, 3)
    0.833
    """

    def __init__(self, confusion_matrix, true_labels, majority_labels, *, cluster_ids=None):
        self.confusion_matrix = confusion_matrix
        self.true_labels = true_labels
        self.majority_labels = majority_labels
        self.cluster_ids = cluster_ids

    def plot(self, ax=None, *, cmap="Blues", include_values=True, colorbar=True, values_format=None):
        """Plot the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        cmap : str or matplotlib Colormap, default="Blues"
            Colormap of the counts.

        include_values : bool, default=True
            Whether to write the counts on the cells.

        colorbar : bool, default=True
            Whether to add a colorbar.

        values_format : str, default=None
            Format of the counts; "d" for integers, ".2g" otherwise.

        Returns
        -------
        display : MajorityVoteConfusionMatrixDisplay
            The display, with `ax_`, `figure_`, `im_`, `text_` and `accuracy_`.
        """
        figure, ax = _get_axes(ax, f"{type(self).__name__}.plot")
        from matplotlib.patches import Rectangle

        cm = np.asarray(self.confusion_matrix)
        true_labels = np.asarray(self.true_labels)
        majority_labels = np.asarray(self.majority_labels)
        n_labels, n_clusters = cm.shape
        if len(true_labels) != n_labels or len(majority_labels) != n_clusters:
            raise ValueError(
                f"A {n_labels}x{n_clusters} matrix needs {n_labels} true labels and "
                f"{n_clusters} majority labels; got {len(true_labels)} and "
                f"{len(majority_labels)}."
            )
        matches = true_labels[:, None] == majority_labels[None, :]
        self.accuracy_ = float(cm[matches].sum() / cm.sum())

        self.im_ = ax.imshow(cm, interpolation="nearest", cmap=cmap, aspect="auto")
        self.text_ = None
        if include_values:
            if values_format is None:
                values_format = "d" if cm.dtype.kind in "iu" else ".2g"
            self.text_ = np.empty(cm.shape, dtype=object)
            threshold = (cm.max() + cm.min()) / 2.0
            for i, j in product(range(n_labels), range(n_clusters)):
                color = self.im_.cmap(1.0) if cm[i, j] < threshold else self.im_.cmap(0.0)
                self.text_[i, j] = ax.text(
                    j, i, format(cm[i, j], values_format), ha="center", va="center", color=color
                )
        for i, j in zip(*np.nonzero(matches)):
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.5)
            )
        if colorbar:
            figure.colorbar(self.im_, ax=ax)

        if self.cluster_ids is None:
            xticklabels = [str(label) for label in majority_labels]
            xlabel = "Majority label of cluster"
        else:
            xticklabels = [f"{label}\n({c})" for label, c in zip(majority_labels, self.cluster_ids)]
            xlabel = "Majority label of cluster\n(cluster id)"
        ax.set(
            xticks=np.arange(n_clusters),
            yticks=np.arange(n_labels),
            xticklabels=xticklabels,
            yticklabels=[str(label) for label in true_labels],
            xlabel=xlabel,
            ylabel="True label",
            title=f"Majority-vote confusion matrix (accuracy {self.accuracy_:.3f})",
        )
        ax.set_ylim((n_labels - 0.5, -0.5))
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, ax=None, **kwargs):
        """Plot the matrix of true labels and cluster assignments.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.

        y_pred : array-like of shape (n_samples,)
            Cluster ids.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : MajorityVoteConfusionMatrixDisplay
        """
        from ..metrics import majority_vote_confusion_matrix, majority_vote_mapping

        table = majority_vote_confusion_matrix(y_true, y_pred)
        mapping = majority_vote_mapping(y_true, y_pred)
        # The table's columns are the clusters in id order, stable-sorted by
        # majority label; order the ids the same way to label the columns.
        cluster_ids = sorted(mapping, key=lambda c: (mapping[c], c))
        display = cls(
            table.to_numpy(),
            table.index.to_numpy(),
            table.columns.to_numpy(),
            cluster_ids=np.asarray(cluster_ids),
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, ax=None, **kwargs):
        """Plot the matrix of the clusters a fitted estimator predicts for X.

        Parameters
        ----------
        estimator : estimator instance
            A fitted clusterer with ``predict``, a fitted Pipeline ending in
            one, or a fitted :class:`~skae.MajorityVoteClassifier` (its
            clusters are shown, not its predicted labels).

        X : array-like of shape (n_samples, n_features)
            Input samples.

        y : array-like of shape (n_samples,)
            True labels.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : MajorityVoteConfusionMatrixDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If `estimator` is not fitted.
        """
        clusters = _predict_clusters(estimator, X, caller=f"{cls.__name__}.from_estimator")
        return cls.from_predictions(y, clusters, ax=ax, **kwargs)

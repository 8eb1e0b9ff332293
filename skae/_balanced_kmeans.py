"""KMeans with a prior of equally sized clusters (Sinkhorn-balanced assignments)."""

from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._failed_fit import unfitted_on_failure
from ._random import draw_seed


def _squared_distances(X, centers):
    return (
        np.sum(X * X, axis=1)[:, None]
        - 2.0 * X @ centers.T
        + np.sum(centers * centers, axis=1)[None, :]
    ).clip(min=0.0)


def _balanced_log_offsets(logits, n_iter):
    """Column offsets ``g`` that make ``softmax(logits + g)`` give every column the same mass.

    Sinkhorn's iterations in the log domain (entropic optimal transport of
    uniform samples onto uniform clusters); the row offsets do not change a
    row's argmax, so only the column ones are returned.
    """
    n_samples, n_clusters = logits.shape
    g = np.zeros(n_clusters)
    target = np.log(n_samples / n_clusters)
    for _ in range(n_iter):
        f = -logsumexp(logits + g, axis=1)
        g = target - logsumexp(logits + f[:, None], axis=0)
    return g - g.max()


class BalancedKMeans(ClusterMixin, BaseEstimator):
    """KMeans that expects clusters of about the same size.

    Starts from :class:`~sklearn.cluster.KMeans`, then alternates between soft
    assignments balanced so that every cluster receives the same total mass
    (Sinkhorn's algorithm: entropic optimal transport of the samples onto
    equally weighted clusters, with ``-squared distance / temperature`` as
    the affinity) and moving each centre to the weighted mean of its samples.
    Each cluster ends with a learned offset added to its affinity, so that
    :meth:`predict` assigns new samples, one at a time, the way the balanced
    fit assigned the training samples.

    The prior helps when the classes are known to be about equally frequent
    (digits, MNIST) and plain KMeans or a Gaussian mixture merges two of
    them and splits a third, as on the UMAP embedding of the digits. It
    hurts when the true clusters have very different sizes.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.

    temperature : float, default=0.05
        Softness of the balanced assignments, as a fraction of the mean
        squared distance between the samples and the initial centres. Lower
        is closer to hard, exactly equal clusters.

    max_iter : int, default=30
        Maximum number of balanced assignment / centre update rounds.

    tol : float, default=1e-4
        Stops when no centre moved by more than ``tol`` times the square root
        of the mean squared distance.

    n_init : int, default=10
        Number of KMeans initialisations of the centres.

    random_state : int, RandomState instance or None, default=None
        Seeds KMeans.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Cluster centres.

    cluster_offsets_ : ndarray of shape (n_clusters,)
        Offset of each cluster's affinity (0 for the largest), learned so that
        the clusters of the training samples are balanced.

    temperature_ : float
        ``temperature`` in units of squared distance.

    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample, as :meth:`predict` gives it.

    n_iter_ : int
        Number of rounds run.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string
        column names.

    See Also
    --------
    sklearn.cluster.KMeans : Without the size prior.
    skae.recipes.make_recipe : The recipes that cluster UMAP embeddings with it.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import BalancedKMeans
    >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1]])
    >>> BalancedKMeans(2, random_state=0).fit(X).labels_.tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, n_clusters=8, *, temperature=0.05, max_iter=30, tol=1e-4, n_init=10, random_state=None
    ):
        self.n_clusters = n_clusters
        self.temperature = temperature
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.random_state = random_state

    @unfitted_on_failure
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find balanced clusters in `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}. "
                f"Pass more samples or ask for fewer clusters."
            )
        X = X.astype(np.float64)
        rng = check_random_state(self.random_state)
        centers = KMeans(
            self.n_clusters, n_init=self.n_init, random_state=draw_seed(rng)
        ).fit(X).cluster_centers_
        distances = _squared_distances(X, centers)
        # Scale-free temperature; a constant tiny floor keeps identical samples finite.
        temperature = self.temperature * max(float(distances.mean()), 1e-12)
        tolerance = self.tol * np.sqrt(max(float(distances.mean()), 1e-12))
        offsets, n_iter = np.zeros(self.n_clusters), 0
        for n_iter in range(1, self.max_iter + 1):
            logits = -distances / temperature
            offsets = _balanced_log_offsets(logits, n_iter=50)
            weights = np.exp(logits + offsets - logsumexp(logits + offsets, axis=1, keepdims=True))
            mass = weights.sum(axis=0)
            new_centers = np.where(
                mass[:, None] > 0, (weights.T @ X) / np.maximum(mass, 1e-300)[:, None], centers
            )
            shift = np.sqrt(np.max(np.sum((new_centers - centers) ** 2, axis=1)))
            centers = new_centers
            distances = _squared_distances(X, centers)
            if shift <= tolerance:
                break
        self.cluster_centers_ = centers
        self.temperature_ = temperature
        self.cluster_offsets_ = _balanced_log_offsets(-distances / temperature, n_iter=50)
        self.n_iter_ = n_iter
        self.labels_ = self._assign(distances)
        return self

    def predict(self, X):
        """Cluster of each sample: the largest offset affinity to a centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to assign.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index of each sample.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._assign(_squared_distances(X.astype(np.float64), self.cluster_centers_))

    def _assign(self, distances):
        return np.argmax(-distances / self.temperature_ + self.cluster_offsets_, axis=1)

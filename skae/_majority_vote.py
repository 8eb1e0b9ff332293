"""A clusterer turned into a classifier by majority vote."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.cluster import KMeans
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._failed_fit import unfitted_on_failure
from ._validation import explained_errors
from .metrics import majority_vote_confusion_matrix, majority_vote_mapping


class MajorityVoteClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Classifier that names the clusters of a clusterer by majority vote.

    ``fit`` clusters ``X`` without looking at ``y``, then names each cluster by
    the label most frequent among its training samples. ``predict`` assigns new
    samples to clusters and returns the clusters' names. The accuracy of the
    training predictions is the majority-vote accuracy of the clustering.

    Parameters
    ----------
    estimator : estimator object, default=None
        A clusterer with ``fit`` and ``predict``, or a Pipeline ending in one.
        ``None`` uses ``KMeans`` with one cluster per class.

    random_state : int, RandomState instance or None, default=None
        Seeds the default ``KMeans``; ignored when `estimator` is given.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of `estimator`.

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    cluster_labels_ : dict
        Cluster id -> majority label on the training data.

    confusion_matrix_ : pandas.DataFrame
        Training counts of true label x cluster, columns named by majority
        label (see :func:`skae.metrics.majority_vote_confusion_matrix`).

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string
        column names.

    See Also
    --------
    skae.metrics.majority_vote_accuracy_score : The same mapping as a score.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import load_digits
    >>> from skae import MajorityVoteClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MajorityVoteClassifier(KMeans(10, n_init=10, random_state=0)).fit(X, y)
    >>> round(clf.score(X, y), 2)
    0.79
    >>> clf.confusion_matrix_.shape
    (10, 10)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, random_state=None):
        self.estimator = estimator
        self.random_state = random_state

    @unfitted_on_failure
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Cluster `X` and name each cluster by its majority label in `y`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Labels, used only to name the clusters.

        Returns
        -------
        self : object
            Fitted classifier.
        """
        with explained_errors():
            X, y = validate_data(self, X, y, dtype=np.float64)
        classes, counts = self._check_params_vs_input(X, y)
        if self.estimator is None:
            estimator = KMeans(n_clusters=len(classes), n_init=10, random_state=self.random_state)
        else:
            estimator = clone(self.estimator)
        clusters = estimator.fit(X).predict(X)

        self.classes_ = classes
        self.estimator_ = estimator
        self.cluster_labels_ = majority_vote_mapping(y, clusters)
        self.confusion_matrix_ = majority_vote_confusion_matrix(y, clusters)
        self._fallback_label = classes[counts.argmax()]
        return self

    def _check_params_vs_input(self, X, y):
        """Check ``y`` against what majority vote needs; return its classes and their counts."""
        check_classification_targets(y)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(
                f"y has only 1 class ({classes[0].item()!r}); majority vote "
                "needs at least 2 classes to tell clusters apart. Pass labels "
                "of at least 2 classes."
            )
        return classes, counts

    def predict(self, X):
        """Majority label of the cluster of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels. A cluster without training samples gets the most
            frequent training label.
        """
        check_is_fitted(self)
        with explained_errors():
            X = validate_data(self, X, dtype=np.float64, reset=False)
        clusters = np.asarray(self.estimator_.predict(X))
        names = np.array(list(self.cluster_labels_), dtype=clusters.dtype)
        labels = np.array(list(self.cluster_labels_.values()), dtype=self.classes_.dtype)
        order = np.argsort(names)
        names, labels = names[order], labels[order]
        position = np.clip(np.searchsorted(names, clusters), 0, len(names) - 1)
        known = names[position] == clusters
        return np.where(known, labels[position], self._fallback_label)

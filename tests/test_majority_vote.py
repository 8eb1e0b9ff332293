import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.metrics import accuracy_score

from skae import MajorityVoteClassifier
from skae.metrics import majority_vote_accuracy_score, majority_vote_mapping


def test_training_accuracy_is_majority_vote_accuracy(digits):
    """Check that predictions on the training data score the clustering's majority-vote accuracy."""
    X, y = digits
    X = X.astype(np.float64)
    clf = MajorityVoteClassifier(KMeans(12, n_init=3, random_state=0)).fit(X, y)
    clusters = clf.estimator_.predict(X)
    assert clf.score(X, y) == pytest.approx(majority_vote_accuracy_score(y, clusters))
    assert clf.confusion_matrix_.to_numpy().sum() == len(y)
    assert clf.confusion_matrix_.shape == (10, 12)
    assert set(clf.cluster_labels_) == set(range(12))


def test_default_estimator_is_kmeans_with_one_cluster_per_class(digits):
    """Check that estimator=None clusters with KMeans(n_classes) and does not touch the parameter."""
    X, y = digits
    clf = MajorityVoteClassifier(random_state=0).fit(X, y)
    assert clf.estimator is None
    assert isinstance(clf.estimator_, KMeans) and clf.estimator_.n_clusters == 10


def test_string_labels_and_unseen_clusters():
    """Check string classes, and that a cluster with no training sample gets the most frequent label."""
    X = np.array([[0.0], [0.1], [0.2], [5.0], [5.1]])
    y = np.array(["low", "low", "low", "high", "high"])
    clf = MajorityVoteClassifier(KMeans(2, n_init=2, random_state=0)).fit(X, y)
    assert list(clf.predict([[0.05], [5.05]])) == ["low", "high"]
    clf.cluster_labels_ = {k: v for k, v in clf.cluster_labels_.items() if v == "high"}
    assert list(clf.predict([[0.05]])) == ["low"]


def test_given_estimator_is_not_modified(digits):
    """Check that fit clones the clusterer."""
    X, y = digits
    kmeans = KMeans(10, n_init=2, random_state=0)
    MajorityVoteClassifier(kmeans).fit(X, y)
    assert not hasattr(kmeans, "cluster_centers_")


def test_predict_matches_accuracy_score(digits):
    """Check that score is accuracy of predict."""
    X, y = digits
    clf = MajorityVoteClassifier(KMeans(10, n_init=2, random_state=0)).fit(X[:1000], y[:1000])
    assert clf.score(X[1000:], y[1000:]) == accuracy_score(y[1000:], clf.predict(X[1000:]))


class _GivenClusters(ClusterMixin, BaseEstimator):
    """A clusterer whose cluster ids are the first column of X, so tests choose them."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.asarray(X)[:, 0].astype(int)


@settings(max_examples=40)
@given(
    st.integers(2, 60).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 4), min_size=n, max_size=n).filter(lambda y: len(set(y)) > 1),
            st.lists(st.integers(0, 7), min_size=n, max_size=n),
        )
    ),
    st.permutations(range(8)),
)
def test_learned_mapping_is_the_majority_vote_mapping(labeling, renaming):
    """Check that fit learns majority_vote_mapping, scores its accuracy, and follows renamed clusters."""
    y, clusters = (np.array(v) for v in labeling)
    clf = MajorityVoteClassifier(_GivenClusters()).fit(clusters[:, None].astype(float), y)
    assert clf.cluster_labels_ == majority_vote_mapping(y, clusters)
    assert clf.score(clusters[:, None].astype(float), y) == pytest.approx(majority_vote_accuracy_score(y, clusters))
    renamed = np.array(renaming)[clusters]
    other = MajorityVoteClassifier(_GivenClusters()).fit(renamed[:, None].astype(float), y)
    np.testing.assert_array_equal(other.predict(renamed[:, None].astype(float)), clf.predict(clusters[:, None].astype(float)))

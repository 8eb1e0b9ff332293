import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skae import BalancedKMeans


def test_balances_clusters_where_kmeans_would_not():
    """Check that a big and a small blob are split into halves of equal size, not blob by blob."""
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.normal(0, 1, (150, 2)), rng.normal(10, 0.1, (50, 2))])
    labels = BalancedKMeans(2, random_state=0).fit_predict(X)
    assert sorted(np.bincount(labels)) == [100, 100]


def test_keeps_well_separated_equal_clusters():
    """Check that equally sized, well separated blobs are found exactly."""
    rng = np.random.RandomState(0)
    centers = np.array([[0, 0], [10, 0], [0, 10]])
    X = np.concatenate([c + rng.normal(0, 0.5, (40, 2)) for c in centers])
    labels = BalancedKMeans(3, random_state=0).fit(X).labels_
    for block in range(3):
        assert len(set(labels[block * 40 : (block + 1) * 40])) == 1
    assert len(set(labels)) == 3


def test_predict_assigns_training_samples_as_fit_did():
    """Check that predict on the training samples gives labels_, and a pickled copy predicts the same."""
    X = np.random.RandomState(1).rand(200, 3)
    model = BalancedKMeans(4, random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    X_new = np.random.RandomState(2).rand(30, 3)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X_new), model.predict(X_new))
    assert clone(model).get_params() == model.get_params()


def test_too_few_samples_name_the_fix():
    """Check that fewer samples than clusters raise a ValueError saying what to pass."""
    with pytest.raises(ValueError, match=r"n_samples=3 should be >= n_clusters=4\. Pass more samples"):
        BalancedKMeans(4).fit(np.zeros((3, 2)))

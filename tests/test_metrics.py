import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV

from skae.metrics import (
    hungarian_accuracy_score,
    hungarian_scorer,
    majority_vote_accuracy_score,
    majority_vote_confusion_matrix,
    majority_vote_mapping,
    majority_vote_scorer,
)


def test_majority_vote_and_hungarian_differ_when_clusters_share_a_label():
    """Check the many-to-one and one-to-one accuracies on a hand-computed case."""
    y_true = [0, 0, 0, 0, 1, 1]
    y_pred = [0, 0, 1, 1, 2, 2]  # label 0 split into two clusters
    assert majority_vote_mapping(y_true, y_pred) == {0: 0, 1: 0, 2: 1}
    assert majority_vote_accuracy_score(y_true, y_pred) == 1.0
    assert hungarian_accuracy_score(y_true, y_pred) == pytest.approx(4 / 6)


def test_string_labels():
    """Check that labels and clusters need not be integers."""
    y_true = ["cat", "cat", "dog", "dog"]
    y_pred = ["a", "a", "b", "a"]
    assert majority_vote_mapping(y_true, y_pred) == {"a": "cat", "b": "dog"}
    assert majority_vote_accuracy_score(y_true, y_pred) == 0.75


def test_confusion_matrix_matches_the_tutorial_recipe():
    """Check the table against the tutorial's crosstab -> idxmax rename -> sort_index.

    Clusters sharing a majority label keep their cluster order (a stable sort).
    """
    rng = np.random.RandomState(0)
    y_true = rng.randint(0, 4, 200)
    y_pred = (y_true * 3 + rng.randint(0, 2, 200)) % 7
    expected = pd.crosstab(y_true, y_pred)
    expected.columns = expected.idxmax(axis=0).to_numpy()
    expected = expected.sort_index(axis=1, kind="stable")
    table = majority_vote_confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(table.to_numpy(), expected.to_numpy())
    np.testing.assert_array_equal(table.columns, expected.columns)
    assert table.index.name == "true label" and table.columns.name == "majority label"
    # The diagonal-ish mass of the table is what majority vote counts.
    assert table.to_numpy().max(axis=0).sum() / 200 == majority_vote_accuracy_score(y_true, y_pred)


@pytest.mark.parametrize(
    "metric",
    [majority_vote_accuracy_score, hungarian_accuracy_score, majority_vote_confusion_matrix, majority_vote_mapping],
)
def test_bad_input(metric):
    """Check that mismatched lengths, empty and 2-D input raise ValueError."""
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        metric([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        metric([], [])
    with pytest.raises(ValueError, match="1d array"):
        metric(np.zeros((3, 2)), np.zeros((3, 2)))


labelings = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
    )
)


@given(labelings, st.permutations(range(9)))
def test_accuracy_properties(labels, renaming):
    """Check majority >= Hungarian, both in [0, 1] and invariant to renaming clusters."""
    y_true, y_pred = (np.array(v) for v in labels)
    renamed = np.array(renaming)[y_pred]
    majority = majority_vote_accuracy_score(y_true, y_pred)
    hungarian = hungarian_accuracy_score(y_true, y_pred)
    assert 0 < hungarian <= majority <= 1
    assert majority_vote_accuracy_score(y_true, renamed) == majority
    assert hungarian_accuracy_score(y_true, renamed) == pytest.approx(hungarian)
    assert hungarian_accuracy_score(y_true, y_true) == 1.0


def test_scorers_in_grid_search(digits):
    """Check that the scorers rank a pipeline ending in a clusterer by predicted clusters."""
    X, y = digits
    search = GridSearchCV(
        KMeans(n_init=2, random_state=0),
        {"n_clusters": [2, 10]},
        scoring={"majority": majority_vote_scorer, "hungarian": hungarian_scorer},
        refit="majority",
        cv=2,
    ).fit(X, y)
    assert search.best_params_ == {"n_clusters": 10}
    kmeans = search.best_estimator_
    assert majority_vote_scorer(kmeans, X, y) == majority_vote_accuracy_score(y, kmeans.predict(X))
    assert hungarian_scorer(kmeans, X, y) == hungarian_accuracy_score(y, kmeans.predict(X))

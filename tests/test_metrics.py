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


# Property-based tests over label/cluster dtypes, sizes and renamings. The
# majority >= Hungarian and renaming checks above cover integer labels only.
_LABEL_DTYPES = [np.int8, np.int64, np.uint16, np.float64, str, object]


@st.composite
def _typed_labelings(draw):
    n = draw(st.integers(1, 80))
    y_true = np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(st.integers(-1, 9), min_size=n, max_size=n)))  # -1: DBSCAN noise
    true_dtype = draw(st.sampled_from(_LABEL_DTYPES))
    pred_dtype = draw(st.sampled_from([np.int32, np.int64, np.float32, str]))
    return y_true, y_pred, true_dtype, pred_dtype


def _as(values, dtype):
    if dtype is str:
        return np.array([f"c{v}" for v in values])
    if dtype is object:
        return np.array([f"c{v}" for v in values], dtype=object)
    return values.astype(dtype)


@given(_typed_labelings())
def test_scores_do_not_depend_on_how_labels_are_typed(labeling):
    """Check that both accuracies are the same whether labels and clusters are ints, floats or strings."""
    y_true, y_pred, true_dtype, pred_dtype = labeling
    typed_true, typed_pred = _as(y_true, true_dtype), _as(y_pred, pred_dtype)
    assert majority_vote_accuracy_score(typed_true, typed_pred) == majority_vote_accuracy_score(y_true, y_pred)
    assert hungarian_accuracy_score(typed_true, typed_pred) == pytest.approx(hungarian_accuracy_score(y_true, y_pred))
    assert len(majority_vote_mapping(typed_true, typed_pred)) == len(np.unique(y_pred))


@given(labelings, st.data())
def test_mapping_names_each_cluster_by_its_most_frequent_label(labels, data):
    """Check the mapping against counting by hand, and that renaming clusters renames its keys only."""
    y_true, y_pred = (np.array(v) for v in labels)
    mapping = majority_vote_mapping(y_true, y_pred)
    assert set(mapping) == set(y_pred.tolist())
    for cluster, label in mapping.items():
        members = y_true[y_pred == cluster]
        counts = {value: int((members == value).sum()) for value in np.unique(members)}
        best = max(counts.values())
        assert counts[label] == best and label == min(v for v, c in counts.items() if c == best)
    named = np.array([mapping[c] for c in y_pred.tolist()])
    assert majority_vote_accuracy_score(y_true, y_pred) == pytest.approx(np.mean(named == y_true))

    renaming = data.draw(st.permutations(range(100, 109)))
    renamed = majority_vote_mapping(y_true, np.array(renaming)[y_pred])
    assert renamed == {renaming[c]: label for c, label in mapping.items()}


@given(labelings, st.permutations(range(6)), st.randoms(use_true_random=False))
def test_scores_invariant_to_renaming_labels_and_reordering_samples(labels, label_renaming, random):
    """Check that renaming true labels or shuffling the samples changes neither accuracy."""
    y_true, y_pred = (np.array(v) for v in labels)
    order = list(range(len(y_true)))
    random.shuffle(order)
    for true, pred in [(np.array(label_renaming)[y_true], y_pred), (y_true[order], y_pred[order])]:
        assert majority_vote_accuracy_score(true, pred) == pytest.approx(majority_vote_accuracy_score(y_true, y_pred))
        assert hungarian_accuracy_score(true, pred) == pytest.approx(hungarian_accuracy_score(y_true, y_pred))


@given(labelings, st.data())
def test_splitting_clusters_never_lowers_majority_vote(labels, data):
    """Check that refining a clustering keeps majority vote >= before, and a perfect clustering scores 1."""
    y_true, y_pred = (np.array(v) for v in labels)
    extra = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(y_true), max_size=len(y_true))))
    refined = y_pred * 3 + extra
    assert majority_vote_accuracy_score(y_true, refined) >= majority_vote_accuracy_score(y_true, y_pred)
    relabelled = np.array(data.draw(st.permutations(range(6))))[y_true] + 50
    assert hungarian_accuracy_score(y_true, relabelled) == 1.0
    assert majority_vote_accuracy_score(y_true, relabelled) == 1.0


@given(labelings)
def test_confusion_matrix_counts_every_sample_once(labels):
    """Check the table's totals, shape, sorted majority-label columns and its link to majority vote."""
    y_true, y_pred = (np.array(v) for v in labels)
    table = majority_vote_confusion_matrix(y_true, y_pred)
    counts = table.to_numpy()
    assert counts.sum() == len(y_true)
    assert table.shape == (len(np.unique(y_true)), len(np.unique(y_pred)))
    assert list(table.columns) == sorted(table.columns)
    np.testing.assert_array_equal(table.index.to_numpy()[counts.argmax(axis=0)], table.columns.to_numpy())
    assert counts.max(axis=0).sum() / len(y_true) == pytest.approx(majority_vote_accuracy_score(y_true, y_pred))

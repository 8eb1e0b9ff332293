"""Scores of a clustering against known labels, after naming each cluster.

Majority vote (many-to-one) names every cluster by the label most frequent in
it, so several clusters may share a label; it never decreases when clusters are
split. The Hungarian accuracy (one-to-one) pairs clusters and labels so that
each label names at most one cluster, which maximises the number of matches;
it is the number reported in the deep clustering literature (DEC, IDEC, N2D).
Both are invariant to renaming the clusters, and majority vote is always at
least the Hungarian accuracy.
"""

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils.validation import check_consistent_length

from .._validation import check_labels, explained_errors


def _contingency(y_true, y_pred):
    """Labels, clusters and the labels x clusters count matrix."""
    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred, "y_pred")
    with explained_errors():
        check_consistent_length(y_true, y_pred)
    if y_true.shape[0] == 0:
        raise ValueError(
            "y_true and y_pred are empty; pass at least one labelled sample."
        )
    labels = np.unique(y_true)
    clusters = np.unique(y_pred)
    return labels, clusters, contingency_matrix(y_true, y_pred)


def _python_scalar(value):
    return value.item() if isinstance(value, np.generic) else value


def majority_vote_mapping(y_true, y_pred):
    """Name each cluster by the true label most frequent in it.

    Ties go to the smallest label, as with pandas' ``idxmax``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Cluster ids.

    Returns
    -------
    mapping : dict
        Cluster id -> majority label.

    Examples
    --------
    >>> from skae.metrics import majority_vote_mapping
    >>> majority_vote_mapping([0, 0, 1, 1, 1], [5, 5, 5, 7, 7])
    {5: 0, 7: 1}
    """
    labels, clusters, counts = _contingency(y_true, y_pred)
    majority = labels[counts.argmax(axis=0)]
    return {_python_scalar(c): _python_scalar(label) for c, label in zip(clusters, majority)}


def majority_vote_accuracy_score(y_true, y_pred):
    """Accuracy after naming each cluster by its majority label (many-to-one).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Cluster ids.

    Returns
    -------
    score : float
        Fraction of samples whose cluster's majority label is their label.

    See Also
    --------
    hungarian_accuracy_score : One-to-one matching of clusters and labels.

    Examples
    --------
    >>> from skae.metrics import majority_vote_accuracy_score
    >>> majority_vote_accuracy_score([0, 0, 1, 1], [2, 2, 2, 3])
    0.75
    """
    _, _, counts = _contingency(y_true, y_pred)
    return float(counts.max(axis=0).sum() / counts.sum())


def hungarian_accuracy_score(y_true, y_pred):
    """Accuracy under the best one-to-one matching of clusters and labels.

    The matching maximises the number of correctly named samples
    (:func:`scipy.optimize.linear_sum_assignment`). With more clusters than
    labels the unmatched clusters count as wrong.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Cluster ids.

    Returns
    -------
    score : float
        Fraction of samples named correctly by the best matching.

    See Also
    --------
    majority_vote_accuracy_score : Many-to-one naming, always >= this score.

    Examples
    --------
    >>> from skae.metrics import hungarian_accuracy_score
    >>> hungarian_accuracy_score([0, 0, 1, 1], [2, 2, 2, 3])
    0.75
    >>> hungarian_accuracy_score([0, 0, 1, 1], [2, 2, 2, 2])
    0.5
    """
    _, _, counts = _contingency(y_true, y_pred)
    rows, columns = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, columns].sum() / counts.sum())


def majority_vote_confusion_matrix(y_true, y_pred):
    """Counts of true label x cluster, clusters named by their majority label.

    This is the table of the Keras MNIST clustering tutorial: a crosstab whose
    columns are renamed with ``idxmax`` and sorted, so that a perfect
    clustering is diagonal. Several columns carry the same name when several
    clusters share a majority label; they keep the order of their cluster ids.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Cluster ids.

    Returns
    -------
    table : pandas.DataFrame
        Rows are true labels, columns majority labels (one per cluster).

    Examples
    --------
    >>> from skae.metrics import majority_vote_confusion_matrix
    >>> majority_vote_confusion_matrix([0, 0, 1, 1], [7, 7, 7, 3])
    majority label  0  1
    true label
    0               2  0
    1               1  1
    """
    _contingency(y_true, y_pred)
    table = pd.crosstab(
        pd.Series(np.asarray(y_true), name="true label"),
        pd.Series(np.asarray(y_pred), name="cluster"),
    )
    table.columns = pd.Index(table.idxmax(axis=0).to_numpy(), name="majority label")
    return table.sort_index(axis=1, kind="stable")

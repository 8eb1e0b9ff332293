"""Tests of what a failed fit leaves behind (skae/_failed_fit.py): an unfitted estimator."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError

from skae import (
    AutoencoderTransformer,
    BalancedKMeans,
    DeepEmbeddedClustering,
    MajorityVoteClassifier,
)


def _autoencoder():
    return AutoencoderTransformer(4, epochs=1, batch_size=32, random_state=0)


# (estimator, a parameter that fit refuses, the method that needs a fit)
ESTIMATORS = {
    "autoencoder": (_autoencoder, {"batch_size": 0}, "transform"),
    "deep-clustering": (
        lambda: DeepEmbeddedClustering(_autoencoder(), n_clusters=3, max_iter=2, n_init=1, random_state=0),
        {"n_clusters": 0},
        "predict",
    ),
    "majority-vote": (
        lambda: MajorityVoteClassifier(KMeans(3, n_init=1, random_state=0)),
        {"estimator": "kmeans"},
        "predict",
    ),
    "balanced-k-means": (
        lambda: BalancedKMeans(3, n_init=1, random_state=0),
        {"n_clusters": 0},
        "predict",
    ),
}
# Refused inside fit, after the parameters passed: bad data, or parameters
# that do not fit the data.
LATE_FAILURES = {
    "autoencoder": {"noise": "dropout", "noise_level": 1.0},
    "deep-clustering": {"n_clusters": 500},
    "majority-vote": {},
    "balanced-k-means": {"n_clusters": 500},
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("failure", ["parameter", "data", "late-check"])
def test_failed_refit_leaves_any_estimator_unfitted(digits, name, failure):
    """Check that after a refused refit every estimator raises NotFittedError, never old results.

    The estimator was fitted before: a refit refused for a bad parameter,
    for bad data (a NaN), or by a check of the parameters against the data
    deletes the old fitted state.
    """
    X, y = digits
    X, y = X[:100], y[:100]
    make, bad_parameter, method = ESTIMATORS[name]
    estimator = make()
    estimator.fit(X, y)
    getattr(estimator, method)(X)
    bad_X = X
    if failure == "parameter":
        estimator.set_params(**bad_parameter)
    elif failure == "data":
        bad_X = X.copy()
        bad_X[0, 0] = np.nan
    else:
        estimator.set_params(**LATE_FAILURES[name])
        if name == "majority-vote":
            y = np.zeros_like(y)  # one class: refused after X and y are read
    with pytest.raises(ValueError):
        estimator.fit(bad_X, y)
    with pytest.raises(NotFittedError):
        getattr(estimator, method)(X)
    assert not [attribute for attribute in vars(estimator) if attribute.endswith("_") and not attribute.startswith("__")]

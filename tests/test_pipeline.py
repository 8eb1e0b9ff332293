"""The tutorial as a scikit-learn pipeline: scale -> autoencoder -> KMeans, searched over the code size."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, normalize

from skae import AutoencoderTransformer, MajorityVoteClassifier
from skae.metrics import majority_vote_scorer


def _pipeline():
    return make_pipeline(
        MinMaxScaler(),
        AutoencoderTransformer(epochs=3, batch_size=128, random_state=0),
        KMeans(10, n_init=2, random_state=0),
    )


def _search(X, y, n_jobs):
    return GridSearchCV(
        _pipeline(),
        {"autoencodertransformer__encoding_dim": [2, 16]},
        scoring=majority_vote_scorer,
        cv=2,
        n_jobs=n_jobs,
    ).fit(X, y)


@pytest.mark.slow
def test_grid_search_over_code_size_same_with_one_and_two_jobs(digits):
    """Check that the search over encoding_dim picks the same best code size and scores with n_jobs=1 and 2."""
    X, y = digits
    X, y = X[:600], y[:600]
    serial = _search(X, y, n_jobs=1)
    parallel = _search(X, y, n_jobs=2)
    assert serial.best_params_ == parallel.best_params_
    np.testing.assert_allclose(
        serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )
    assert serial.best_params_ == {"autoencodertransformer__encoding_dim": 16}
    assert serial.best_estimator_.predict(X).shape == (600,)


@pytest.mark.slow
def test_search_without_scorer_prefers_better_reconstruction(digits):
    """Check that the autoencoder's own score makes a search pick the larger code."""
    X, _ = digits
    search = GridSearchCV(
        AutoencoderTransformer(epochs=10, batch_size=64, random_state=0),
        {"encoding_dim": [1, 24]},
        cv=2,
    ).fit(X)
    assert search.best_params_ == {"encoding_dim": 24}


def test_majority_vote_classifier_over_the_pipeline(digits):
    """Check that a pipeline ending in KMeans can be wrapped as a classifier."""
    X, y = digits
    clf = MajorityVoteClassifier(_pipeline()).fit(X, y)
    assert clf.score(X, y) > 0.3
    assert clf.confusion_matrix_.shape[0] == 10


def test_unit_length_codes_recipe_clusters_directions(digits):
    """Check the documented autoencoder -> Normalizer -> KMeans recipe: KMeans sees unit-length codes, and the
    pipeline's labels are KMeans' on the normalised codes of the fitted autoencoder."""
    X, _ = digits
    pipeline = make_pipeline(
        AutoencoderTransformer(10, hidden_layer_sizes=(32,), encoding_activation="linear", epochs=3, random_state=0),
        Normalizer(),
        KMeans(10, n_init=2, random_state=0),
    )
    labels = pipeline.fit_predict(X)
    codes = pipeline[0].transform(X)
    np.testing.assert_allclose(np.linalg.norm(pipeline[:2].transform(X), axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(labels, KMeans(10, n_init=2, random_state=0).fit_predict(normalize(codes)))

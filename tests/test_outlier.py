"""Anomaly scores: AutoencoderTransformer.score_samples and AutoencoderOutlierDetector."""

import pickle
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae._autoencoder
from skae import AutoencoderOutlierDetector, AutoencoderTransformer, load
from skae._outlier import default_autoencoder


def _autoencoder(**params):
    return AutoencoderTransformer(
        **{
            "encoding_dim": 4,
            "output_activation": "linear",
            "loss": "mse",
            "epochs": 10,
            "batch_size": 32,
            **params,
        }
    )


@pytest.fixture(scope="module")
def zeros_detector(digits):
    """A detector trained on the digit 0 only."""
    X, y = digits
    autoencoder = _autoencoder(epochs=60, batch_size=16)
    return AutoencoderOutlierDetector(autoencoder, random_state=0).fit(X[y == 0])


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return _autoencoder(random_state=0).fit(X[:600])


def test_score_samples_is_minus_each_samples_loss(fitted, digits):
    """Check that score_samples is minus the mean squared error of each row, and averages to score."""
    X, _ = digits
    reconstruction = fitted.inverse_transform(fitted.transform(X[:100]))
    expected = -np.mean((X[:100] - reconstruction) ** 2, axis=1)
    scores = fitted.score_samples(X[:100])
    assert scores.shape == (100,) and scores.dtype == np.float64
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-7)
    assert fitted.score(X[:100]) == pytest.approx(scores.mean(), rel=1e-6)


def test_score_samples_in_chunks_equals_one_chunk(fitted, digits, monkeypatch):
    """Check that scoring in chunks gives each sample the score it gets alone."""
    X, _ = digits
    whole = fitted.score_samples(X[:300])
    monkeypatch.setattr(skae._autoencoder, "_PREDICT_ROWS", 64)
    # The reconstructions are bit-identical (padded chunks); JAX's mean over a
    # row's errors may round the last float32 bit differently for another
    # chunk shape.
    np.testing.assert_allclose(fitted.score_samples(X[:300]), whole, rtol=1e-6, atol=0)
    np.testing.assert_allclose(fitted.score_samples(X[:1]), whole[:1], rtol=1e-6, atol=0)


def test_score_samples_with_a_loss_object_and_bad_input(digits):
    """Check that a Keras Loss object scores per sample, and that bad X gets a clear ValueError."""
    X, _ = digits
    by_name = _autoencoder(epochs=1, random_state=0).fit(X[:200])
    by_object = clone(by_name).set_params(loss=keras.losses.MeanSquaredError()).fit(X[:200])
    np.testing.assert_allclose(by_object.score_samples(X[:50]), by_name.score_samples(X[:50]), rtol=1e-5)
    with pytest.raises(ValueError, match="64 features"):
        by_name.score_samples(X[:5, :10])
    with pytest.raises(ValueError, match="NaN"):
        by_name.score_samples(np.full((2, 64), np.nan))


def test_detector_separates_other_digits(zeros_detector, digits):
    """Check that a detector trained on zeros scores the other digits lower, and flags them as -1."""
    X, y = digits
    assert roc_auc_score(y == 0, zeros_detector.score_samples(X)) > 0.95
    labels = zeros_detector.predict(X)
    assert set(np.unique(labels)) == {-1, 1}
    assert np.mean(labels[y != 0] == -1) > 0.9
    np.testing.assert_allclose(
        zeros_detector.decision_function(X), zeros_detector.score_samples(X) - zeros_detector.offset_
    )
    np.testing.assert_array_equal(
        labels, np.where(zeros_detector.decision_function(X) < 0, -1, 1)
    )


def test_auto_contamination_is_tukeys_fence(zeros_detector, digits):
    """Check that contamination='auto' puts offset_ at Q3 + 1.5 IQR of the training losses."""
    X, y = digits
    losses = -zeros_detector.autoencoder_.score_samples(X[y == 0])
    first, third = np.percentile(losses, [25, 75])
    assert zeros_detector.offset_ == pytest.approx(-(third + 1.5 * (third - first)))
    assert 0 < np.mean(zeros_detector.predict(X[y == 0]) == -1) < 0.2


@pytest.mark.parametrize("contamination", [0.05, 0.3])
def test_contamination_is_the_fraction_of_training_outliers(contamination, digits):
    """Check that a float contamination flags that fraction of the training samples."""
    X, _ = digits
    detector = AutoencoderOutlierDetector(_autoencoder(epochs=1), contamination=contamination)
    labels = detector.fit_predict(X[:400])
    assert np.mean(labels == -1) == pytest.approx(contamination, abs=1 / 400)


def test_parameter_is_cloned_and_seeded_not_modified(digits):
    """Check that fit trains a seeded copy of the autoencoder, the same for the same random_state, and leaves X and the parameter as they were."""
    X, y = digits
    X_train = X[:300].copy()  # float32: validated without a copy
    autoencoder = _autoencoder(epochs=2)
    params = autoencoder.get_params()
    first = AutoencoderOutlierDetector(autoencoder, random_state=0).fit(X_train)
    second = AutoencoderOutlierDetector(autoencoder, random_state=0).fit(X_train)
    np.testing.assert_array_equal(X_train, X[:300])
    assert autoencoder.get_params() == params and not hasattr(autoencoder, "autoencoder_")
    assert first.autoencoder_ is not autoencoder and first.autoencoder_.random_state is not None
    np.testing.assert_array_equal(first.score_samples(X), second.score_samples(X))


def test_default_autoencoder_code_is_narrower_than_the_features():
    """Check that the default code has 16 units, at most a quarter of the features, at least 1."""
    assert [default_autoencoder(n).encoding_dim for n in (2, 8, 30, 64, 784)] == [1, 2, 7, 16, 16]
    ae = default_autoencoder(784)
    assert (ae.loss, ae.output_activation) == ("mse", "linear")


def test_default_autoencoder_is_wider_and_longer_for_images():
    """Check that above 100 features (images) the default has 512 hidden units and 100 epochs, else 256 and 50."""
    small, large = default_autoencoder(100), default_autoencoder(101)
    assert (small.hidden_layer_sizes, small.epochs) == ((256,), 50)
    assert (large.hidden_layer_sizes, large.epochs) == ((512,), 100)


def test_default_detector_on_standardized_tabular_data():
    """Check that the default detector trains on standardized data and flags shifted samples."""
    rng = np.random.RandomState(0)
    normal = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    detector = make_pipeline(StandardScaler(), AutoencoderOutlierDetector(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no range warning with a linear output
        detector.fit(normal)
    shifted = normal[:50] + 6.0
    assert np.mean(detector.predict(shifted) == -1) > 0.9
    assert np.mean(detector.predict(normal) == -1) < 0.2


def test_grid_search_with_roc_auc_on_labelled_anomalies(digits):
    """Check that GridSearchCV tunes the detector in a Pipeline by ROC AUC of labelled anomalies."""
    X, y = digits
    rng = np.random.RandomState(0)
    anomalies = rng.choice(np.flatnonzero(y != 0), 20, replace=False)
    rows = np.concatenate([np.flatnonzero(y == 0), anomalies])
    labels = np.where(y[rows] == 0, 1, -1)  # +1 inlier, -1 outlier, as predict gives
    pipeline = make_pipeline(
        StandardScaler(),
        AutoencoderOutlierDetector(_autoencoder(epochs=5, early_stopping=False), random_state=0),
    )
    search = GridSearchCV(
        pipeline,
        {"autoencoderoutlierdetector__autoencoder__encoding_dim": [2, 8]},
        scoring="roc_auc",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X[rows], labels)
    assert search.best_score_ > 0.8
    assert roc_auc_score(labels, search.decision_function(X[rows])) > 0.8


def test_pandas_feature_names_and_pickle(digits):
    """Check that a DataFrame's columns are kept and that a pickled detector scores identically."""
    X, _ = digits
    frame = pd.DataFrame(X[:300], columns=[f"pixel{i}" for i in range(64)])
    detector = AutoencoderOutlierDetector(_autoencoder(epochs=2), random_state=0).fit(frame)
    np.testing.assert_array_equal(detector.feature_names_in_, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no feature-names warning
        scores = detector.score_samples(frame)
    copy = pickle.loads(pickle.dumps(detector))
    np.testing.assert_array_equal(copy.score_samples(frame), scores)
    assert copy.offset_ == detector.offset_


def test_save_and_load(zeros_detector, digits, tmp_path):
    """Check that save/load keeps the parameters, the offset and the scores, fitted or not."""
    X, _ = digits
    loaded = load(zeros_detector.save(tmp_path / "detector.skae"))
    assert loaded.get_params()["autoencoder__encoding_dim"] == 4
    assert loaded.offset_ == zeros_detector.offset_
    np.testing.assert_array_equal(loaded.predict(X), zeros_detector.predict(X))
    np.testing.assert_array_equal(loaded.score_samples(X), zeros_detector.score_samples(X))
    unfitted = load(clone(zeros_detector).save(tmp_path / "unfitted.skae"))
    assert repr(unfitted) == repr(clone(zeros_detector))


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"contamination": 0.7}, ValueError, "contamination"),
        ({"contamination": "high"}, ValueError, "contamination"),
        ({"autoencoder": "dense"}, ValueError, "autoencoder"),
        ({"autoencoder": AutoencoderTransformer(epochs=0)}, ValueError, "epochs"),
    ],
)
def test_bad_parameters_raise_clear_errors(params, error, match, digits):
    """Check that bad parameters raise a ValueError that names the parameter."""
    X, _ = digits
    with pytest.raises(error, match=match):
        AutoencoderOutlierDetector(**params).fit(X[:50])


def test_bad_input_raises_clear_errors(zeros_detector, digits):
    """Check that wrong or non-finite X raise a ValueError that says what is wrong."""
    X, _ = digits
    with pytest.raises(ValueError, match="64 features"):
        zeros_detector.predict(X[:5, :3])
    with pytest.raises(ValueError, match="NaN"):
        AutoencoderOutlierDetector(_autoencoder(epochs=1)).fit(np.full((20, 4), np.nan))

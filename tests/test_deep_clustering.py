import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer, DeepEmbeddedClustering
from skae.metrics import hungarian_accuracy_score, hungarian_scorer


def _autoencoder(**params):
    params = {"hidden_layer_sizes": (64,), "encoding_activation": "linear", "batch_size": 64, "random_state": 0, **params}
    return AutoencoderTransformer(10, **params)


@pytest.fixture(scope="module")
def pretrained(digits):
    X, _ = digits
    return _autoencoder(epochs=10).fit(X)


@pytest.fixture(scope="module")
def dec(pretrained, digits):
    X, _ = digits
    return DeepEmbeddedClustering(
        pretrained, max_iter=300, update_interval=30, batch_size=64, random_state=0
    ).fit(X)


def test_dec_improves_on_kmeans_over_the_same_codes(pretrained, dec, digits):
    """Check that DEC's refinement beats KMeans on the pretrained codes (Hungarian accuracy, fixed seed)."""
    X, y = digits
    kmeans = KMeans(10, n_init=20, random_state=0).fit(pretrained.transform(X))
    assert hungarian_accuracy_score(y, dec.labels_) > hungarian_accuracy_score(y, kmeans.labels_)


def test_fitted_attributes_and_soft_assignments(dec, digits):
    """Check labels_, cluster_centers_, n_iter_, and that transform gives rows of q that sum to 1."""
    X, _ = digits
    q = dec.transform(X)
    assert q.shape == (len(X), 10) and q.dtype == np.float32
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(dec.predict(X), q.argmax(axis=1))
    np.testing.assert_array_equal(dec.labels_, dec.predict(X))
    assert dec.cluster_centers_.shape == (10, 10)
    assert 0 < dec.n_iter_ <= 300


def test_fitted_autoencoder_parameter_is_not_modified(pretrained, dec, digits):
    """Check that DEC fine-tunes a copy: the fitted autoencoder it was given keeps its codes."""
    X, _ = digits
    assert dec.autoencoder_ is not pretrained
    assert not np.allclose(dec.autoencoder_.transform(X), pretrained.transform(X))
    fresh = clone(pretrained).fit(X)
    np.testing.assert_array_equal(fresh.transform(X), pretrained.transform(X))


def test_unfitted_autoencoder_is_pretrained_on_a_clone(digits):
    """Check that an unfitted autoencoder is cloned, pretrained, and IDEC's reconstruction term runs."""
    X, _ = digits
    autoencoder = _autoencoder(epochs=2, random_state=None)
    idec = DeepEmbeddedClustering(
        autoencoder, reconstruction_weight=0.1, max_iter=20, update_interval=10, n_init=2, random_state=0
    )
    labels = idec.fit_predict(X[:400])
    assert not hasattr(autoencoder, "encoder_") and autoencoder.random_state is None
    assert idec.autoencoder_.n_iter_ == 2
    np.testing.assert_array_equal(labels, idec.labels_)


def test_pickle_round_trip_gives_identical_output(dec, digits):
    """Check that an unpickled DEC transforms and predicts exactly as the original."""
    X, _ = digits
    copy = pickle.loads(pickle.dumps(dec))
    np.testing.assert_array_equal(copy.transform(X), dec.transform(X))
    np.testing.assert_array_equal(copy.predict(X), dec.predict(X))


def test_last_step_of_a_pipeline_in_grid_search(digits):
    """Check that DEC ends a Pipeline searched by GridSearchCV with the Hungarian scorer."""
    X, y = digits
    pipeline = make_pipeline(
        MinMaxScaler(),
        DeepEmbeddedClustering(_autoencoder(epochs=1), max_iter=10, update_interval=5, n_init=1, random_state=0),
    )
    search = GridSearchCV(
        pipeline, {"deepembeddedclustering__reconstruction_weight": [0.0, 0.1]}, scoring=hungarian_scorer, cv=2
    ).fit(X[:400], y[:400])
    # Every fold fitted and scored (a failed fit scores NaN), and the best
    # estimator was refitted with the best of them.
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    best = search.cv_results_["params"][int(np.argmax(scores))]
    assert search.best_params_ == best
    assert search.best_estimator_[-1].reconstruction_weight == best["deepembeddedclustering__reconstruction_weight"]
    assert search.predict(X[:5]).shape == (5,)


def test_bad_input_is_a_clear_error(pretrained, digits):
    """Check too few samples and a fitted autoencoder of the wrong width raise clear ValueErrors."""
    X, _ = digits
    with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=10"):
        DeepEmbeddedClustering(pretrained).fit(X[:5])
    with pytest.raises(ValueError, match="expects 64 features but X has 32"):
        DeepEmbeddedClustering(pretrained, max_iter=1).fit(X[:50, :32])


def test_init_centres_are_used_and_not_modified(pretrained, digits):
    """Check that given centres start the refinement (kept as they are with max_iter=0) and stay unmodified."""
    X, _ = digits
    codes = pretrained.transform(X)
    centers = KMeans(10, n_init=1, random_state=1).fit(codes).cluster_centers_
    given = centers.copy()
    dec = DeepEmbeddedClustering(pretrained, init=centers, max_iter=0, random_state=0).fit(X)
    np.testing.assert_allclose(dec.cluster_centers_, given.astype(np.float32))
    np.testing.assert_array_equal(centers, given)
    distances = ((codes[:, None, :] - given[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(dec.labels_, distances.argmin(axis=1))
    refined = DeepEmbeddedClustering(pretrained, init=centers, max_iter=30, batch_size=64, random_state=0).fit(X)
    assert not np.allclose(refined.cluster_centers_, given)


def test_init_of_the_wrong_shape_is_a_clear_error(pretrained, digits):
    """Check that centres that do not match n_clusters x encoding_dim raise a ValueError saying the shape needed."""
    X, _ = digits
    with pytest.raises(ValueError, match=r"init has shape \(3, 10\).*need shape \(10, 10\)"):
        DeepEmbeddedClustering(pretrained, init=np.zeros((3, 10)), max_iter=1).fit(X)
    with pytest.raises(ValueError, match="init"):
        DeepEmbeddedClustering(pretrained, init="random", max_iter=1).fit(X)


@pytest.mark.slow
def test_max_shift_trains_on_shifted_images_against_unshifted_targets(pretrained, digits, monkeypatch):
    """Check that max_shift (and max_rotation) feed moved images, also as IDEC's reconstruction target, reproducibly."""
    import keras

    import skae._deep_clustering as deep_clustering

    X, _ = digits
    before = X.copy()
    shifted, fed = [], []
    original_moves, original_step = deep_clustering._random_moves, keras.Model.train_on_batch

    def recording_moves(batch, image_shape, max_shift, max_rotation, rng):
        assert (image_shape, max_shift, max_rotation) == ((8, 8, 1), 1, 0)  # dense: 8 x 8 images
        shifted.append(original_moves(batch, image_shape, max_shift, max_rotation, rng))
        return shifted[-1]

    def recording_step(model, x, y, *args, **kwargs):
        fed.append((x, y))
        return original_step(model, x, y, *args, **kwargs)

    monkeypatch.setattr(deep_clustering, "_random_moves", recording_moves)
    monkeypatch.setattr(keras.Model, "train_on_batch", recording_step)
    params = dict(reconstruction_weight=1.0, max_iter=30, update_interval=10, batch_size=64, random_state=0)
    idec = DeepEmbeddedClustering(pretrained, max_shift=1, **params).fit(X)
    assert len(fed) == len(shifted) == 30
    for (x, (q_target, reconstruction_target)), images in zip(fed, shifted):
        assert x is images and reconstruction_target is images
        np.testing.assert_allclose(q_target.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(X, before)
    again = DeepEmbeddedClustering(pretrained, max_shift=1, **params).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, idec.cluster_centers_)
    unshifted = DeepEmbeddedClustering(pretrained, **params).fit(X)
    assert len(shifted) == 60  # no shifts without max_shift
    assert not np.allclose(unshifted.cluster_centers_, idec.cluster_centers_)
    monkeypatch.undo()
    rotated = DeepEmbeddedClustering(pretrained, max_rotation=15, **params).fit(X)
    assert not np.allclose(rotated.cluster_centers_, unshifted.cluster_centers_)
    again = DeepEmbeddedClustering(pretrained, max_rotation=15, **params).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, rotated.cluster_centers_)


@pytest.mark.parametrize(
    "autoencoder, n_features, max_shift, message",
    [
        (None, 63, 1, "not a square number of pixels. Give the autoencoder an image_shape"),
        (_autoencoder(image_shape=(8, 8), hidden_layer_sizes=(4,)), 64, 8, "below their height"),
    ],
)
def test_bad_max_shift_is_a_clear_error_before_pretraining(digits, autoencoder, n_features, max_shift, message):
    """Check that max_shift on non-square rows of a dense network, or as large as the image, raises a clear ValueError."""
    X, _ = digits
    with pytest.raises(ValueError, match=message):
        DeepEmbeddedClustering(autoencoder, max_shift=max_shift).fit(X[:50, :n_features])



def _fitted_attributes(estimator):
    return [name for name in vars(estimator) if name.endswith("_") and not name.startswith("__")]


def test_diverging_clustering_phase_raises_and_leaves_dec_unfitted(pretrained, digits):
    """Check that a NaN loss in DEC's clustering phase raises TrainingDivergedError naming learning_rate, over an earlier fit too."""
    from skae import TrainingDivergedError

    X, _ = digits
    estimator = DeepEmbeddedClustering(pretrained, max_iter=20, batch_size=64, random_state=0).fit(X)
    assert _fitted_attributes(estimator)
    estimator.set_params(optimizer="sgd", learning_rate=1e30, max_iter=300)
    with pytest.raises(TrainingDivergedError, match=r"loss became (nan|inf) .*Lower learning_rate"):
        estimator.fit(X)
    assert _fitted_attributes(estimator) == []
    # The kept clustering model is not reused with the broken weights.
    estimator.set_params(optimizer="adam", learning_rate=None, max_iter=20).fit(X)
    assert np.isfinite(estimator.cluster_centers_).all()


class _PressCtrlC(keras.callbacks.Callback):
    """Calls `press` (Ctrl-C) at the end of DEC's clustering batch `step` (1-based, counted over the fit)."""

    def __init__(self, step, press):
        super().__init__()
        self.step, self.press, self.seen = step, press, 0

    def on_train_batch_end(self, batch, logs=None):
        if self.model.name != "autoencoder":  # not the pretraining
            self.seen += 1
            if self.seen == self.step:
                self.press()


def _raise_keyboard_interrupt():
    raise KeyboardInterrupt


def test_ctrl_c_in_the_clustering_phase_keeps_the_model_of_the_batches_run(pretrained, digits, monkeypatch):
    """Check that Ctrl-C after DEC's first target update stops between batches with a warning, fitted as far as it got."""
    import skae._keras._fit_guard

    X, _ = digits
    params = dict(max_iter=300, update_interval=30, batch_size=64, tol=0.0, random_state=0)
    monkeypatch.setattr(
        skae._keras._fit_guard, "_extra_callbacks", lambda: [_PressCtrlC(45, _raise_keyboard_interrupt)]
    )
    with pytest.warns(UserWarning, match=r"interrupted \(KeyboardInterrupt\) after 1 complete epoch"):
        interrupted = DeepEmbeddedClustering(pretrained, **params).fit(X)
    monkeypatch.undo()
    assert interrupted.n_iter_ == 45  # the batch that saw Ctrl-C completes
    assert interrupted.predict(X).shape == (len(X),)
    complete = DeepEmbeddedClustering(pretrained, **{**params, "max_iter": 45}).fit(X)
    np.testing.assert_allclose(interrupted.cluster_centers_, complete.cluster_centers_, rtol=1e-6)


def test_ctrl_c_in_the_first_target_interval_leaves_dec_unfitted(pretrained, digits, monkeypatch):
    """Check that Ctrl-C before DEC's first target update propagates and leaves no fitted attribute."""
    import skae._keras._fit_guard

    X, _ = digits
    monkeypatch.setattr(
        skae._keras._fit_guard, "_extra_callbacks", lambda: [_PressCtrlC(5, _raise_keyboard_interrupt)]
    )
    estimator = DeepEmbeddedClustering(pretrained, max_iter=300, update_interval=30, batch_size=64)
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X)
    assert _fitted_attributes(estimator) == []


def test_the_commands_ctrl_c_in_the_clustering_phase_is_raised_between_batches(pretrained, digits, monkeypatch):
    """Check that under skae run the first Ctrl-C in DEC's loop is not raised by the signal handler but between batches."""
    import signal

    import skae._keras._fit_guard
    from skae._cli._interrupts import Interrupts

    X, _ = digits
    interrupts = Interrupts()
    raised_by_handler = []

    def press():
        try:
            interrupts(signal.SIGINT, None)
        except KeyboardInterrupt:
            raised_by_handler.append(True)

    monkeypatch.setattr(skae._keras._fit_guard, "_extra_callbacks", lambda: [_PressCtrlC(45, press)])
    estimator = DeepEmbeddedClustering(pretrained, max_iter=300, update_interval=30, batch_size=64, tol=0.0)
    with interrupts.fitting(), pytest.warns(UserWarning, match="Training interrupted"):
        estimator.fit(X)
    assert raised_by_handler == []
    assert estimator.n_iter_ == 45
    assert (interrupts.keras_fits, interrupts.stop_requested) == (0, False)


def test_default_moves_leave_the_digits_still_and_move_mnist_sized_images(pretrained, digits):
    """Check that max_shift/max_rotation="auto" (the defaults) move 28 x 28 images as DEC-DA does, and not the 8 x 8 digits."""
    X, _ = digits
    params = dict(max_iter=20, update_interval=10, batch_size=64, n_init=1, random_state=0)
    auto = DeepEmbeddedClustering(pretrained, **params).fit(X)
    still = DeepEmbeddedClustering(pretrained, max_shift=0, max_rotation=0, **params).fit(X)
    np.testing.assert_array_equal(auto.cluster_centers_, still.cluster_centers_)

    images = np.random.RandomState(0).rand(60, 784).astype(np.float32)
    ae = _autoencoder(epochs=1).fit(images)
    params["n_clusters"] = 3
    auto = DeepEmbeddedClustering(ae, **params).fit(images)
    dec_da = DeepEmbeddedClustering(ae, max_shift=3, max_rotation=10.0, **params).fit(images)
    still = DeepEmbeddedClustering(ae, max_shift=0, max_rotation=0, **params).fit(images)
    np.testing.assert_array_equal(auto.cluster_centers_, dec_da.cluster_centers_)
    assert not np.array_equal(auto.cluster_centers_, still.cluster_centers_)


def test_defaults_are_idec_with_moves_after_a_moved_pretraining():
    """Check the defaults measured on MNIST: IDEC, DEC-DA's moves where images allow, the pretraining's epochs and moves."""
    dec = DeepEmbeddedClustering()
    params = dec.get_params()
    assert params["reconstruction_weight"] == 10.0 and params["max_iter"] == 5000 and params["init"] == "isomap"
    assert params["max_shift"] == params["max_rotation"] == "auto"
    ae = dec._autoencoder().get_params()
    assert ae["hidden_layer_sizes"] == (500, 500, 2000) and ae["encoding_dim"] == 10
    assert ae["max_shift"] == ae["max_rotation"] == "auto" and ae["epochs"] == 30
    assert ae["min_steps"] == 12_000 and ae["early_stopping"] == "auto"


def test_isomap_init_clusters_an_isomap_embedding_of_large_data_only(pretrained, digits, monkeypatch):
    """Check that init="isomap" (the default) starts from BalancedKMeans on Isomap's embedding of the codes, from ISOMAP_MIN_SAMPLES codes on."""
    import skae._deep_clustering as module
    from skae.recipes import SubsampledIsomap

    calls = []

    class Spy(SubsampledIsomap):
        def fit_transform(self, X, y=None):
            calls.append((self.get_params(), X.shape))
            return super().fit_transform(X)

    monkeypatch.setattr(module, "SubsampledIsomap", Spy)
    X, _ = digits
    params = dict(max_iter=0, n_init=1, random_state=0)
    DeepEmbeddedClustering(pretrained, **params).fit(X)
    assert calls == []  # 1,797 codes: BalancedKMeans on the codes

    monkeypatch.setattr(module, "ISOMAP_MIN_SAMPLES", 1000)
    isomap = DeepEmbeddedClustering(pretrained, **params).fit(X)
    assert len(calls) == 1
    spy_params, shape = calls[0]
    assert shape == (len(X), 10)
    assert spy_params["n_neighbors"] == module.ISOMAP_NEIGHBORS and spy_params["n_components"] == 10
    balanced = DeepEmbeddedClustering(pretrained, init="balanced-k-means", **params).fit(X)
    assert not np.array_equal(isomap.cluster_centers_, balanced.cluster_centers_)
    # The centres are mean codes of clusters of the training samples: inside the codes' range.
    codes = pretrained.transform(X)
    assert (isomap.cluster_centers_ >= codes.min(axis=0) - 1e-5).all()
    assert (isomap.cluster_centers_ <= codes.max(axis=0) + 1e-5).all()


def _first_targets(monkeypatch, dec, X):
    """The clustering targets fed to each batch of ``dec.fit(X)``."""
    import keras

    targets, original_step = [], keras.Model.train_on_batch

    def recording_step(model, x, y, *args, **kwargs):
        targets.append(np.array(y[0] if isinstance(y, (list, tuple)) else y))
        return original_step(model, x, y, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(keras.Model, "train_on_batch", recording_step)
        dec.fit(X)
    return targets


def test_isomap_clusters_are_the_first_target_then_dec_sharpens_its_own(pretrained, digits, monkeypatch):
    """Check that init="isomap" trains the first interval towards Isomap's clusters (smoothed one-hot), then towards DEC's p."""
    import skae._deep_clustering as module

    X, _ = digits
    monkeypatch.setattr(module, "ISOMAP_MIN_SAMPLES", 1000)
    params = dict(max_iter=20, update_interval=10, batch_size=64, n_init=1, random_state=0)
    smoothing = module._LABEL_SMOOTHING

    def one_hot(target):
        top = np.isclose(target, 1 - smoothing + smoothing / 10)
        return bool(np.all(top.sum(axis=1) == 1) and np.allclose(target[~top], smoothing / 10))

    isomap = _first_targets(monkeypatch, DeepEmbeddedClustering(pretrained, **params), X)
    assert len(isomap) == 20
    assert all(one_hot(target) for target in isomap[:10])
    assert not any(one_hot(target) for target in isomap[10:])
    balanced = _first_targets(monkeypatch, DeepEmbeddedClustering(pretrained, init="balanced-k-means", **params), X)
    assert not any(one_hot(target) for target in balanced)

"""Tests for the Displays in skae.plot, drawn with the non-interactive Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skae import AutoencoderTransformer, MajorityVoteClassifier  # noqa: E402
from skae.metrics import (  # noqa: E402
    majority_vote_accuracy_score,
    majority_vote_confusion_matrix,
    majority_vote_mapping,
)
from skae.plot import (  # noqa: E402
    ClusterGalleryDisplay,
    LatentSpaceDisplay,
    MajorityVoteConfusionMatrixDisplay,
    ReconstructionDisplay,
    TrainingCurveDisplay,
)

N_TRAIN = 400


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:N_TRAIN], y[:N_TRAIN]


@pytest.fixture(scope="module")
def autoencoder(data):
    """A 16-d autoencoder (codes drawn as 4x4 images), trained briefly."""
    X, _ = data
    return AutoencoderTransformer(16, epochs=3, batch_size=64, random_state=0).fit(X)


@pytest.fixture(scope="module")
def pipeline(autoencoder, data):
    """The fitted autoencoder followed by KMeans fitted on its codes."""
    X, _ = data
    kmeans = KMeans(n_clusters=10, n_init=2, random_state=0).fit(autoencoder.transform(X))
    return Pipeline([("autoencoder", autoencoder), ("kmeans", kmeans)])


def _unfitted():
    return [
        AutoencoderTransformer(4, epochs=1),
        make_pipeline(AutoencoderTransformer(4, epochs=1), KMeans(3)),
    ]


# -- TrainingCurveDisplay ------------------------------------------------------


def test_training_curve_from_estimator(autoencoder):
    """Check the curves have one point per epoch and the best epoch is marked."""
    display = TrainingCurveDisplay.from_estimator(autoencoder)
    history = autoencoder.history_
    assert [line.get_label() for line in display.lines_] == ["training", "validation"]
    np.testing.assert_allclose(display.lines_[0].get_ydata(), history["loss"])
    np.testing.assert_allclose(display.lines_[1].get_ydata(), history["val_loss"])
    assert len(display.lines_[0].get_xdata()) == autoencoder.n_iter_
    assert display.best_epoch == int(np.argmin(history["val_loss"])) + 1
    assert display.best_line_.get_xdata()[0] == display.best_epoch
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == autoencoder.loss
    assert display.ax_.get_title() == "Training curve: AutoencoderTransformer"
    assert display.figure_ is display.ax_.figure


def test_training_curve_from_history_without_validation():
    """Check a history without val_loss gives one curve, best at its minimum."""
    _, ax = plt.subplots()
    display = TrainingCurveDisplay.from_history(
        {"loss": [3.0, 1.0, 2.0]}, ax=ax, name="mine", log_scale=True
    )
    assert display.ax_ is ax
    assert len(display.lines_) == 1
    assert display.best_epoch == 2
    assert ax.get_yscale() == "log"
    assert ax.get_title() == "Training curve: mine"
    display.plot(mark_best=False)
    assert display.best_line_ is None


@pytest.mark.parametrize(
    "history, match",
    [
        ({"val_loss": [1.0]}, "non-empty 'loss'"),
        ({"loss": []}, "non-empty 'loss'"),
        ({"loss": [1.0, 2.0], "val_loss": [1.0]}, "2 'loss' values but 1"),
    ],
)
def test_training_curve_bad_history(history, match):
    """Check malformed histories raise a ValueError."""
    with pytest.raises(ValueError, match=match):
        TrainingCurveDisplay.from_history(history)


def test_training_curve_through_pipeline_and_search(pipeline, data):
    """Check the autoencoder is found inside a Pipeline and a fitted search."""
    display = TrainingCurveDisplay.from_estimator(pipeline)
    assert len(display.lines_[0].get_xdata()) == pipeline[0].n_iter_

    X, _ = data
    search = GridSearchCV(
        AutoencoderTransformer(epochs=1, batch_size=128, random_state=0),
        {"encoding_dim": [4]},
        cv=2,
    ).fit(X[:100])
    display = TrainingCurveDisplay.from_estimator(search)
    assert len(display.lines_[0].get_xdata()) == search.best_estimator_.n_iter_


def test_displays_find_the_autoencoder_of_a_majority_vote_classifier(data):
    """Check a MajorityVoteClassifier around a Pipeline is searched for the autoencoder."""
    X, y = data
    classifier = MajorityVoteClassifier(
        make_pipeline(
            AutoencoderTransformer(4, epochs=2, batch_size=128, random_state=0),
            KMeans(n_clusters=10, n_init=1, random_state=0),
        )
    ).fit(X, y)
    autoencoder = classifier.estimator_[0]
    display = TrainingCurveDisplay.from_estimator(classifier)
    assert len(display.lines_[0].get_xdata()) == autoencoder.n_iter_ == 2
    display = LatentSpaceDisplay.from_estimator(classifier, X, y)
    assert display.embedding.shape == (len(X), 2)
    display = ClusterGalleryDisplay.from_estimator(classifier, X, y, n_samples=2)
    assert len(display.cluster_ids) == 10


def test_training_curve_rejects_non_autoencoder(data):
    """Check an estimator without a training history is a clear ValueError."""
    X, _ = data
    with pytest.raises(ValueError, match="needs a fitted autoencoder"):
        TrainingCurveDisplay.from_estimator(KMeans(2, n_init=1).fit(X))


# -- ReconstructionDisplay ------------------------------------------------------


def test_reconstruction_square_codes(autoencoder, data):
    """Check 3 rows of n images; 16-d codes are drawn as 4x4 images."""
    X, _ = data
    display = ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=6, random_state=0)
    assert display.axes_.shape == (3, 6)
    assert len(display.figure_.axes) == 18
    assert all(len(ax.images) == 1 for ax in display.axes_.flat)
    assert display.axes_[1, 0].images[0].get_array().shape == (4, 4)
    assert display.axes_[0, 0].images[0].get_array().shape == (8, 8)
    assert [display.axes_[r, 0].get_ylabel() for r in range(3)] == [
        "original",
        "code",
        "reconstruction",
    ]
    assert [ax.get_title() for ax in display.axes_[0]] == [f"#{i}" for i in display.indices]
    assert display.axes_[2, 0].get_title().startswith("mse ")
    expected = autoencoder.inverse_transform(autoencoder.transform(X[display.indices]))
    np.testing.assert_allclose(display.reconstructions, expected)
    np.testing.assert_allclose(display.errors_, ((X[display.indices] - expected) ** 2).mean(axis=1), rtol=1e-5)


def test_reconstruction_bar_codes_and_chosen_indices(data):
    """Check codes whose size is not a square are drawn as bars."""
    X, _ = data
    autoencoder = AutoencoderTransformer(7, epochs=1, batch_size=128, random_state=0).fit(X)
    display = ReconstructionDisplay.from_estimator(autoencoder, X, indices=[3, 1])
    assert display.axes_.shape == (3, 2)
    assert [ax.get_title() for ax in display.axes_[0]] == ["#3", "#1"]
    for ax in display.axes_[1]:
        assert len(ax.images) == 0
        assert len(ax.patches) == 7
    np.testing.assert_array_equal(display.originals, X[[3, 1]])


def test_reconstruction_through_pipeline(data):
    """Check X goes through the steps before the autoencoder of a Pipeline."""
    X, _ = data
    X_raw = X * 16
    pipe = make_pipeline(
        MinMaxScaler(), AutoencoderTransformer(4, epochs=1, batch_size=128, random_state=0)
    ).fit(X_raw)
    display = ReconstructionDisplay.from_estimator(pipe, X_raw, indices=[0, 5])
    np.testing.assert_allclose(display.originals, pipe[0].transform(X_raw[[0, 5]]), rtol=1e-6)


def test_reconstruction_image_shape():
    """Check the image shape is inferred from a square, else must be given."""
    rng = np.random.default_rng(0)
    X = rng.random((2, 10))
    with pytest.raises(ValueError, match="not a perfect square"):
        ReconstructionDisplay(X, X[:, :3], X).plot()
    with pytest.raises(ValueError, match=r"image_shape=\(3, 3\) does not hold 10"):
        ReconstructionDisplay(X, X[:, :3], X, image_shape=(3, 3)).plot()
    display = ReconstructionDisplay(X, X[:, :3], X, image_shape=(2, 5)).plot()
    assert display.axes_[0, 1].images[0].get_array().shape == (2, 5)


def test_reconstruction_bad_arguments(autoencoder, data):
    """Check sample counts, indices and axes are validated."""
    X, _ = data
    with pytest.raises(ValueError, match="more than the 400 samples"):
        ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=401)
    with pytest.raises(ValueError, match="positive integer"):
        ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=2.5)
    with pytest.raises(ValueError, match="indices must lie in"):
        ReconstructionDisplay.from_estimator(autoencoder, X, indices=[400])
    with pytest.raises(ValueError, match="integers"):
        ReconstructionDisplay.from_estimator(autoencoder, X, indices=[0.5])
    _, axes = plt.subplots(3, 2)
    with pytest.raises(ValueError, match="must hold 9 Axes"):
        ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=3, ax=axes)


def test_reconstruction_on_given_axes(autoencoder, data):
    """Check a given grid of Axes is drawn on."""
    X, _ = data
    figure, axes = plt.subplots(3, 2)
    display = ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=2, ax=axes)
    assert display.figure_ is figure
    assert display.axes_[2, 1] is axes[2, 1]


# -- MajorityVoteConfusionMatrixDisplay ----------------------------------------


def test_confusion_from_predictions(data, pipeline):
    """Check the heatmap holds the majority-vote table, labelled and annotated."""
    X, y = data
    clusters = pipeline.predict(X)
    display = MajorityVoteConfusionMatrixDisplay.from_predictions(y, clusters)
    table = majority_vote_confusion_matrix(y, clusters)
    np.testing.assert_array_equal(display.confusion_matrix, table.to_numpy())
    np.testing.assert_array_equal(display.majority_labels, table.columns)
    mapping = majority_vote_mapping(y, clusters)
    assert [mapping[c] for c in display.cluster_ids] == list(table.columns)
    assert display.accuracy_ == pytest.approx(majority_vote_accuracy_score(y, clusters))
    assert display.text_.shape == table.shape
    assert display.text_[0, 0].get_text() == str(table.iloc[0, 0])
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert ticks == [f"{label}\n({c})" for label, c in zip(table.columns, display.cluster_ids)]
    assert display.ax_.get_ylabel() == "True label"
    assert display.ax_.get_xlabel().startswith("Majority label of cluster")
    assert f"{display.accuracy_:.3f}" in display.ax_.get_title()
    assert len(display.figure_.axes) == 2  # heatmap and colorbar


def test_confusion_without_values_or_colorbar():
    """Check include_values=False and colorbar=False draw only the heatmap."""
    display = MajorityVoteConfusionMatrixDisplay(
        np.array([[3, 1], [0, 2]]), [0, 1], [0, 1]
    ).plot(include_values=False, colorbar=False)
    assert display.text_ is None
    assert len(display.figure_.axes) == 1
    assert display.accuracy_ == pytest.approx(5 / 6)
    with pytest.raises(ValueError, match="needs 2 true labels and 2 majority"):
        MajorityVoteConfusionMatrixDisplay(np.eye(2), [0, 1, 2], [0, 1]).plot()


def test_confusion_from_estimator(pipeline, data):
    """Check a Pipeline's clusters and a MajorityVoteClassifier's clusters are shown."""
    X, y = data
    display = MajorityVoteConfusionMatrixDisplay.from_estimator(pipeline, X, y)
    assert display.confusion_matrix.shape == (10, 10)

    classifier = MajorityVoteClassifier(KMeans(n_clusters=13, n_init=1, random_state=0)).fit(X, y)
    display = MajorityVoteConfusionMatrixDisplay.from_estimator(classifier, X, y)
    assert display.confusion_matrix.shape == (10, 13)
    assert display.accuracy_ == pytest.approx(classifier.score(X, y))


# -- ClusterGalleryDisplay ------------------------------------------------------


def test_gallery_with_labels(pipeline, data):
    """Check one row per cluster, titled and sorted by majority label."""
    X, y = data
    display = ClusterGalleryDisplay.from_estimator(pipeline, X, y, n_samples=5, random_state=0)
    clusters = pipeline.predict(X)
    mapping = majority_vote_mapping(y, clusters)
    n_clusters = len(mapping)
    assert display.axes_.shape == (n_clusters, 5)
    sizes = np.bincount(clusters)
    assert sum(len(ax.images) for ax in display.axes_.flat) == np.minimum(sizes, 5).sum()
    assert list(display.majority_labels) == sorted(display.majority_labels)
    for row, cluster in enumerate(display.cluster_ids):
        purity = np.mean(y[clusters == cluster] == mapping[cluster])
        title = display.axes_[row, 0].get_title(loc="left")
        assert title == (
            f"cluster {cluster}: label {mapping[cluster]} ({purity:.0%} of {sizes[cluster]})"
        )


def test_gallery_without_labels_and_small_clusters():
    """Check titles without labels and blank cells for clusters smaller than n."""
    rng = np.random.default_rng(0)
    X = rng.random((7, 4))
    clusters = np.array([0, 0, 0, 0, 1, 1, 2])
    display = ClusterGalleryDisplay.from_predictions(X, clusters, n_samples=3)
    assert display.axes_.shape == (3, 3)
    assert [len(images) for images in display.images] == [3, 2, 1]
    assert display.axes_[2, 0].get_title(loc="left") == "cluster 2 (1 samples)"
    assert len(display.axes_[2, 1].images) == 0
    assert display.images[0].shape == (3, 2, 2)


def test_gallery_bad_arguments():
    """Check mismatched lengths and a non-square image without a shape."""
    X = np.zeros((4, 6))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ClusterGalleryDisplay.from_predictions(X, [0, 1, 0])
    with pytest.raises(ValueError, match="not a perfect square"):
        ClusterGalleryDisplay.from_predictions(X, [0, 1, 0, 1])
    display = ClusterGalleryDisplay.from_predictions(X, [0, 1, 0, 1], image_shape=(2, 3))
    assert display.images[0].shape == (2, 2, 3)


# -- LatentSpaceDisplay -----------------------------------------------------------


def test_latent_pca_coloured_by_label(pipeline, data):
    """Check the PCA projection of the codes, with a legend of the labels."""
    X, y = data
    display = LatentSpaceDisplay.from_estimator(pipeline, X, y)
    assert display.embedding.shape == (len(X), 2)
    assert display.scatter_.get_offsets().shape == (len(X), 2)
    legend = display.ax_.get_legend()
    assert legend.get_title().get_text() == "label"
    assert [t.get_text() for t in legend.get_texts()] == [str(c) for c in np.unique(y)]
    assert display.ax_.get_xlabel().startswith("PC 1 (")
    assert display.ax_.get_title() == "Latent space (PCA)"


def test_latent_tsne_coloured_by_cluster(autoencoder, data):
    """Check t-SNE on request, coloured by cluster."""
    X, _ = data
    clusters = np.arange(60) % 3
    display = LatentSpaceDisplay.from_estimator(
        autoencoder, X[:60], clusters, method="tsne", label_name="cluster", random_state=0
    )
    assert display.embedding.shape == (60, 2)
    assert display.ax_.get_legend().get_title().get_text() == "cluster"
    assert display.ax_.get_xlabel() == "t-SNE 1"
    assert display.ax_.get_title() == "Latent space (t-SNE)"


def test_latent_without_labels_and_many_labels():
    """Check no legend without labels, and a colorbar beyond 20 labels."""
    rng = np.random.default_rng(0)
    codes = rng.random((50, 5))
    display = LatentSpaceDisplay.from_codes(codes)
    assert display.ax_.get_legend() is None
    display = LatentSpaceDisplay.from_codes(codes, np.arange(50), label_name="sample")
    assert display.ax_.get_legend() is None
    assert len(display.figure_.axes) == 2


def test_latent_bad_arguments():
    """Check the method and the label length are validated."""
    codes = np.zeros((5, 3))
    with pytest.raises(ValueError, match="method must be one of"):
        LatentSpaceDisplay.from_codes(codes, method="umap")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LatentSpaceDisplay.from_codes(codes, [0, 1])


# -- unfitted estimators ----------------------------------------------------------


@pytest.mark.parametrize("estimator", _unfitted(), ids=["autoencoder", "pipeline"])
@pytest.mark.parametrize(
    "from_estimator",
    [
        lambda est, X, y: TrainingCurveDisplay.from_estimator(est),
        lambda est, X, y: ReconstructionDisplay.from_estimator(est, X, n_samples=2),
        lambda est, X, y: MajorityVoteConfusionMatrixDisplay.from_estimator(est, X, y),
        lambda est, X, y: ClusterGalleryDisplay.from_estimator(est, X, y),
        lambda est, X, y: LatentSpaceDisplay.from_estimator(est, X, y),
    ],
    ids=["training", "reconstruction", "confusion", "gallery", "latent"],
)
def test_from_estimator_unfitted(from_estimator, estimator, data):
    """Check from_estimator raises NotFittedError on an unfitted estimator."""
    X, y = data
    with pytest.raises(NotFittedError):
        from_estimator(estimator, X, y)


# -- Estimators built on an autoencoder ----------------------------------------


def test_displays_find_the_autoencoder_of_deep_clustering(autoencoder, data):
    """Check that the Displays use DeepEmbeddedClustering's fine-tuned autoencoder_, alone or in a Pipeline."""
    from skae import DeepEmbeddedClustering

    X, _ = data
    dec = DeepEmbeddedClustering(autoencoder, n_clusters=3, max_iter=2, n_init=1, random_state=0).fit(X)
    for estimator in (dec, make_pipeline(dec)):
        curve = TrainingCurveDisplay.from_estimator(estimator)
        np.testing.assert_allclose(curve.lines_[0].get_ydata(), dec.autoencoder_.history_["loss"])
        latent = LatentSpaceDisplay.from_estimator(estimator, X[:50], method="pca")
        assert latent.ax_ is not None

"""
======================================================
Clustering MNIST with an autoencoder, figure by figure
======================================================

The Keras tutorial that skae started from, in scikit-learn style: scale the
MNIST images to [0, 1], train a 784-36-784 autoencoder, cluster its 36-number
codes with KMeans, name every cluster by the digit most frequent in it and look
at what the clusters learned.

Every figure of the tutorial is one call to a Display of :mod:`skae.plot`.

It reads MNIST wherever :func:`skae.datasets.load_mnist` finds it (the folder
in ``$SKAE_DATA``, Keras' cache) and downloads it once when missing::

    python docs/examples/plot_mnist_tutorial.py                  # show the figures
    python docs/examples/plot_mnist_tutorial.py --output figs/   # save them as PNG
    python docs/examples/plot_mnist_tutorial.py --epochs 20      # a quicker run

An epoch over the 54000 training images takes about 5 s on 2 CPU cores; the
tutorial's up to 200 epochs with early stopping take several minutes.
"""

import argparse
from pathlib import Path

import matplotlib

parser = argparse.ArgumentParser(description="The MNIST tutorial, figure by figure.")
parser.add_argument("--output", type=Path, help="save the figures as PNG here")
parser.add_argument("--epochs", type=int, default=200, help="maximum epochs (default: 200)")
args = parser.parse_args()
if args.output is not None:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.datasets import load_mnist  # noqa: E402
from skae.metrics import (  # noqa: E402
    hungarian_accuracy_score,
    majority_vote_accuracy_score,
    majority_vote_mapping,
)
from skae.plot import (  # noqa: E402
    ClusterGalleryDisplay,
    LatentSpaceDisplay,
    MajorityVoteConfusionMatrixDisplay,
    ReconstructionDisplay,
    TrainingCurveDisplay,
)

OUTPUT = args.output
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist.npz"


def show(display, name):
    """Save the figure under OUTPUT, or leave it for plt.show()."""
    if OUTPUT is not None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        display.figure_.savefig(OUTPUT / f"{name}.png", dpi=90, bbox_inches="tight")
        print(f"wrote {OUTPUT / name}.png")


# %%
# Load MNIST
# ----------
# 60000 training images as float32 in [0, 1], one flattened 28x28 image per row.
PATH = SHARED if SHARED.is_file() else None
mnist = load_mnist(PATH, subset="train")
X, y = mnist.data, mnist.target
print(f"{X.shape[0]} images of {X.shape[1]} pixels, {X.dtype}")

# %%
# Train the autoencoder
# ---------------------
# The tutorial's model: Dense(36, relu) encoder, Dense(784, sigmoid) decoder,
# binary cross-entropy, Adam, batches of 2024, early stopping on 10% held out.
autoencoder = AutoencoderTransformer(36, epochs=args.epochs, batch_size=2024, random_state=0)
autoencoder.fit(X)
print(f"{autoencoder.n_iter_} epochs")

show(TrainingCurveDisplay.from_estimator(autoencoder), "training")

# %%
# Originals, codes and reconstructions
# ------------------------------------
# The 36 numbers of each code are drawn as a 6x6 image between the original
# and its reconstruction.
show(
    ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=10, random_state=0),
    "reconstructions",
)

# %%
# Cluster the codes
# -----------------
# KMeans with one cluster per digit, on the codes instead of the pixels. The
# clusters are found without the labels; the labels only name them afterwards.
codes = autoencoder.transform(X)
kmeans = KMeans(n_clusters=10, n_init=10, random_state=0).fit(codes)
clusters = kmeans.labels_
print(f"majority-vote accuracy: {majority_vote_accuracy_score(y, clusters):.3f}")
print(f"Hungarian accuracy:     {hungarian_accuracy_score(y, clusters):.3f}")

# %%
# The majority-vote confusion matrix
# ----------------------------------
# Columns are clusters, named by the digit most frequent in them; two clusters
# may get the same name, and a digit may name none.
show(MajorityVoteConfusionMatrixDisplay.from_predictions(y, clusters), "confusion")

# %%
# What the clusters learned
# -------------------------
# Samples of each cluster: the labels do not tell the whole story, clusters
# also split digits by stroke width and slant.
show(
    ClusterGalleryDisplay.from_predictions(X, clusters, y_true=y, n_samples=12, random_state=0),
    "clusters",
)

# %%
# The latent space
# ----------------
# PCA of the codes of 5000 images, coloured by digit. ``method="tsne"`` shows
# neighbourhoods better, at the cost of a minute.
show(LatentSpaceDisplay.from_codes(codes[:5000], y[:5000], random_state=0), "latent")

# %%
# Unseen images
# -------------
# The test images go through the same encoder and KMeans, and each cluster
# keeps the name it got on the training images. This is what
# :class:`~skae.MajorityVoteClassifier` does, as one estimator.
X_test, y_test = load_mnist(PATH, subset="test", return_X_y=True)
test_clusters = kmeans.predict(autoencoder.transform(X_test))
names = majority_vote_mapping(y, clusters)
test_accuracy = (np.array([names[c] for c in test_clusters]) == y_test).mean()
print(f"test accuracy with the training names: {test_accuracy:.3f}")
show(MajorityVoteConfusionMatrixDisplay.from_predictions(y_test, test_clusters), "confusion_test")

if OUTPUT is None:
    plt.show()

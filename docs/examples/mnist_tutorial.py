"""The Keras MNIST clustering tutorial, as a scikit-learn pipeline.
=================================================================

Scale the 60k training images to [0, 1], train the 784 -> 36 -> 784 autoencoder
(batch 2024, up to 200 epochs, early stopping with patience 5), cluster the
36-number codes with KMeans(10), name each cluster by majority vote and print
the majority-vote confusion matrix and the accuracies.

Run from the repository root (takes a few minutes on 2 cores)::

    python docs/examples/mnist_tutorial.py [path/to/mnist.npz] [--seeds 0 1 2]

Without a path MNIST is read wherever ``skae.datasets.load_mnist`` finds it
(``$SKAE_DATA``, Keras' cache) and downloaded once when missing.
"""

import argparse
import time

from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer
from skae.datasets import load_mnist
from skae.metrics import (
    hungarian_accuracy_score,
    majority_vote_accuracy_score,
    majority_vote_confusion_matrix,
)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("path", nargs="?", help="an mnist.npz (default: load_mnist's search)")
parser.add_argument("--seeds", type=int, nargs="+", default=[0])
parser.add_argument("--baseline", action="store_true", help="also KMeans on raw pixels")
args = parser.parse_args()

X, y = load_mnist(args.path, scale=False, return_X_y=True)

for seed in args.seeds:
    pipeline = make_pipeline(
        MinMaxScaler(),
        AutoencoderTransformer(36, random_state=seed),  # the tutorial's defaults
        KMeans(10, n_init=10, random_state=seed),
    )
    start = time.perf_counter()
    clusters = pipeline.fit_predict(X)
    seconds = time.perf_counter() - start
    autoencoder = pipeline.named_steps["autoencodertransformer"]
    print(f"\nseed {seed}: {autoencoder.n_iter_} epochs, {seconds:.0f} s")
    print(majority_vote_confusion_matrix(y, clusters).to_string())
    print(
        f"majority-vote accuracy {majority_vote_accuracy_score(y, clusters):.4f}  "
        f"Hungarian accuracy {hungarian_accuracy_score(y, clusters):.4f}  "
        f"NMI {normalized_mutual_info_score(y, clusters):.4f}  "
        f"ARI {adjusted_rand_score(y, clusters):.4f}"
    )

if args.baseline:
    clusters = KMeans(10, n_init=10, random_state=0).fit_predict(MinMaxScaler().fit_transform(X))
    print(f"\nKMeans on raw pixels: majority-vote accuracy {majority_vote_accuracy_score(y, clusters):.4f}")

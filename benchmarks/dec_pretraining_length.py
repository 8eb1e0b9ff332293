"""The deep and dec recipes' clusters after 6,000 and 12,000 pretraining steps without early stopping.

On the first 10,000 MNIST training images (scaled to [0, 1]), per seed: the
DEC autoencoder as the recipes built it before their pretraining became
12,000 steps (``min_steps=6000``, moved images), but with
``early_stopping=False`` and batch 128; the deep recipe's clusterings of
its codes (BalancedKMeans, and Isomap + BalancedKMeans) after those 6,000
steps and after 6,000 more (``partial_fit``); then
``DeepEmbeddedClustering`` with its defaults from the Isomap clusters. One
JSON line per result, with ``predict`` on the 10,000 test images. See
"Choosing a recipe" in the documentation for what it showed: it led to the
defaults ``min_steps=12000``, ``early_stopping="auto"``::

    python benchmarks/dec_pretraining_length.py --seeds 0 1 2
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.preprocessing import MinMaxScaler

from skae import BalancedKMeans, DeepEmbeddedClustering
from skae._deep_clustering import dec_autoencoder
from skae.metrics import hungarian_accuracy_score
from skae.recipes import SubsampledIsomap


def _rounded(value):
    return round(float(value), 4)


def _deep_clusterings(ae, data, seed):
    X, y, X_test, y_test = data
    start = time.perf_counter()
    codes, test_codes = ae.transform(X), ae.transform(X_test)
    balanced = BalancedKMeans(10, random_state=seed).fit(codes)
    isomap = SubsampledIsomap(10, 10, random_state=seed).fit(codes)
    on_isomap = BalancedKMeans(10, random_state=seed).fit(isomap.transform(codes))
    scores = {
        "bkm": _rounded(hungarian_accuracy_score(y, balanced.labels_)),
        "bkm_test": _rounded(hungarian_accuracy_score(y_test, balanced.predict(test_codes))),
        "isomap": _rounded(hungarian_accuracy_score(y, on_isomap.labels_)),
        "isomap_test": _rounded(hungarian_accuracy_score(y_test, on_isomap.predict(isomap.transform(test_codes)))),
        "cluster_s": round(time.perf_counter() - start, 1),
    }
    return scores, codes, on_isomap.labels_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/mnist.npz", help="MNIST .npz in the Keras layout")
    parser.add_argument("--n-samples", type=int, default=10_000, help="the first training images to fit on")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)

    mnist = np.load(args.data)
    n = args.n_samples
    X, y = mnist["x_train"][:n].reshape(n, -1).astype(np.float32), mnist["y_train"][:n]
    X_test, y_test = mnist["x_test"].reshape(len(mnist["x_test"]), -1).astype(np.float32), mnist["y_test"]
    scaler = MinMaxScaler().fit(X)
    X, X_test = scaler.transform(X).astype(np.float32), scaler.transform(X_test).astype(np.float32)
    data = (X, y, X_test, y_test)

    for seed in args.seeds:
        start = time.perf_counter()
        ae = dec_autoencoder(
            epochs=30, min_steps=6000, early_stopping=False, max_shift="auto", max_rotation="auto", random_state=seed
        ).set_params(batch_size=128)
        ae.fit(X)
        epochs_first = ae.n_iter_
        row = {"seed": seed, "epochs": epochs_first, "pretrain_s": round(time.perf_counter() - start, 1)}
        print(json.dumps({**row, **_deep_clusterings(ae, data, seed)[0]}), flush=True)

        start = time.perf_counter()
        for _ in range(epochs_first):
            ae.partial_fit(X)
        row = {"seed": seed, "epochs": ae.n_iter_, "more_pretrain_s": round(time.perf_counter() - start, 1)}
        scores, codes, labels = _deep_clusterings(ae, data, seed)
        print(json.dumps({**row, **scores}), flush=True)

        centers = np.stack([codes[labels == k].mean(axis=0) for k in range(10)])
        start = time.perf_counter()
        dec = DeepEmbeddedClustering(ae, init=centers, random_state=seed).fit(X)
        row = {
            "seed": seed,
            "dec": _rounded(hungarian_accuracy_score(y, dec.labels_)),
            "dec_test": _rounded(hungarian_accuracy_score(y_test, dec.predict(X_test))),
            "dec_s": round(time.perf_counter() - start, 1),
            "n_iter": dec.n_iter_,
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

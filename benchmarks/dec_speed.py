"""Seconds per pretraining epoch and per clustering batch of DEC's network, by training path.

On the first ``--n-samples`` MNIST training images (scaled to [0, 1]), the
DEC autoencoder (784-500-500-2000-10, batch 256 from 12,800 samples on) is
fitted for ``--epochs`` A and B epochs (no early stopping), per variant,
the variants interleaved in each round:

- ``moved, batch loop``: random shifts and rotations (DEC-DA's, the
  pretraining's defaults on MNIST) drawn with each epoch's order and applied
  inside the compiled batch loop (the path now);
- ``moved, per batch``: the same moves applied by NumPy batch by batch, fed
  by a ``PyDataset`` to Keras' own loop (``steps_per_execution=1``: the only
  path for moved images before);
- ``still``: no moves, the batch loop.

A fit's seconds per epoch is ``(wall(B) - wall(A)) / (B - A)``, which
leaves out the fixed cost of a fit; the wall time of the B-epoch fit (the
whole call) is reported too. Then DEC's clustering phase
(``DeepEmbeddedClustering`` on the last fitted autoencoder, ``--batches``
batches, ``tol=0``, its centres given: the codes of the first ten images,
so that no clustering of the codes is timed) with the autoencoder's
``jit_compile`` True (XLA, now the default from 200,000 samples seen) and
False (Keras' default on TensorFlow, before), seconds per batch from the
whole call. One JSON line per result::

    python benchmarks/dec_speed.py --rounds 2
"""

import argparse
import copy
import json
import time
import warnings

import numpy as np

from skae import DeepEmbeddedClustering
from skae._deep_clustering import dec_autoencoder

VARIANTS = {
    "moved, batch loop": {"max_shift": 3, "max_rotation": 10.0},
    "moved, per batch": {"max_shift": 3, "max_rotation": 10.0, "steps_per_execution": 1},
    "still": {},
}


def _fit_seconds(X, epochs, params):
    autoencoder = dec_autoencoder(epochs=epochs, early_stopping=False, random_state=0, **params)
    start = time.perf_counter()
    autoencoder.fit(X)
    return time.perf_counter() - start, autoencoder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/mnist.npz", help="MNIST .npz in the Keras layout")
    parser.add_argument("--n-samples", type=int, default=60_000)
    parser.add_argument("--epochs", type=int, nargs=2, default=[2, 6], metavar=("A", "B"))
    parser.add_argument("--batches", type=int, default=1000, help="batches of the clustering phase")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    images = np.load(args.data)["x_train"][: args.n_samples]
    X = images.reshape(len(images), -1).astype(np.float32) / 255
    first, last = args.epochs
    for round_ in range(args.rounds):
        for name, params in VARIANTS.items():
            short, _ = _fit_seconds(X, first, params)
            long, autoencoder = _fit_seconds(X, last, params)
            print(json.dumps({
                "round": round_, "phase": "pretraining", "variant": name, "n_samples": len(X),
                "s_per_epoch": round((long - short) / (last - first), 2), f"wall_{last}_epochs_s": round(long, 1),
            }), flush=True)
        for jit_compile in (True, False):
            pretrained = copy.deepcopy(autoencoder).set_params(jit_compile=jit_compile)
            centers = pretrained.transform(X[:10])
            dec = DeepEmbeddedClustering(pretrained, init=centers, max_iter=args.batches, tol=0.0, random_state=0)
            start = time.perf_counter()
            dec.fit(X)
            wall = time.perf_counter() - start
            print(json.dumps({
                "round": round_, "phase": "clustering", "xla": jit_compile, "batches": dec.n_iter_,
                "s_per_batch": round(wall / dec.n_iter_, 4), "wall_s": round(wall, 1),
            }), flush=True)


if __name__ == "__main__":
    main()

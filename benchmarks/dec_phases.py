"""Where the ``dec`` recipe's time and accuracy go on MNIST, phase by phase.

Per seed, ``make_recipe("dec", random_state=seed).fit_predict`` on the first
``--n-samples`` MNIST training images with its defaults, timed as the user
waits for it (wall clock, the whole call), and split into its phases by
wrapping DEC's private steps: the autoencoder's pretraining, the initial
clusters (Isomap + BalancedKMeans on the codes) and the clustering phase.
The Hungarian accuracy of the initial clusters and of the labels at every
target update of the clustering phase (every ``update_interval`` batches)
shows what the clustering phase adds; ``predict`` on the 10,000 test
images ends each seed. ``--budget`` is ``make_recipe``'s. One JSON line per seed::

    python benchmarks/dec_phases.py --seeds 0 1 2

With ``--variants`` the clustering phase alone is compared: per seed the
recipe's autoencoder is pretrained once (kept in ``--cache`` if given) on the
images scaled as the recipe scales them, then each variant fits the recipe's
:class:`~skae.DeepEmbeddedClustering` from it, its parameters but those the
variant names (``name=value`` pairs joined by commas: ``max_iter``,
``reconstruction_weight``, ``update_interval``, ``random_state``, which
defaults to the seed), and ``first_target=centres`` starts from the initial
centres' sharpened soft assignments (DEC's own start) instead of the Isomap
clusters. One JSON line per seed and variant, ``fit_s`` without the
pretraining::

    python benchmarks/dec_phases.py --seeds 0 2 --cache /tmp/dec-autoencoders \
        --variants max_iter=3000 max_iter=3000,first_target=centres
"""

import argparse
import contextlib
import json
import pickle
import time
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
from sklearn.base import clone

from skae import _deep_clustering
from skae.metrics import hungarian_accuracy_score
from skae.recipes import make_recipe


def _timed(owner, name, seconds, phase):
    """A patch of ``owner.name`` that adds its wall time to ``seconds[phase]``."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[phase] = round(seconds.get(phase, 0.0) + time.perf_counter() - start, 1)

    return mock.patch.object(owner, name, timed)


def _scored(owner, name, y, scores, labels_of):
    """A patch of ``owner.name`` that appends the accuracy of ``labels_of(args, result)`` to ``scores``."""
    original = getattr(owner, name)

    def scored(*args):
        result = original(*args)
        scores.append(round(float(hungarian_accuracy_score(y, labels_of(args, result))), 4))
        return result

    return mock.patch.object(owner, name, scored)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/mnist.npz", help="MNIST .npz in the Keras layout")
    parser.add_argument("--n-samples", type=int, default=60_000, help="the first training images to fit on")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=float, default=1.0, help="make_recipe's budget")
    parser.add_argument("--variants", nargs="+", help="clustering-phase variants from one pretraining per seed")
    parser.add_argument("--cache", help="a folder to keep each seed's pretrained autoencoder in")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    mnist = np.load(args.data)
    X = mnist["x_train"][: args.n_samples].reshape(-1, 784)
    y = mnist["y_train"][: args.n_samples]
    X_test, y_test = mnist["x_test"].reshape(-1, 784), mnist["y_test"]
    seconds, init_scores, update_scores = {}, [], []
    dec = _deep_clustering.DeepEmbeddedClustering
    with contextlib.ExitStack() as patches:
        # In this order: the initial clusters are scored outside their time.
        for patch in (
            _timed(dec, "_pretrained_autoencoder", seconds, "pretraining_s"),
            _timed(dec, "_initial_centers", seconds, "initial_clusters_s"),
            _timed(_deep_clustering, "fine_tune", seconds, "clustering_phase_s"),
            _scored(_deep_clustering._Targets, "update", y, update_scores, lambda args, result: args[2].argmax(axis=1)),
        ):
            patches.enter_context(patch)
        patches.enter_context(_scored(dec, "_initial_centers", y, init_scores, lambda args, result: result[1]))
        run = _run if args.variants is None else _run_variants
        run(args, recipe_data=(X, y, X_test, y_test), seconds=seconds, scores=(init_scores, update_scores))


def _pretrained(args, recipe, X):
    """The recipe's autoencoder fitted on ``X``, and its seconds: from ``--cache`` when kept there."""
    autoencoder = recipe[-1].autoencoder
    path = None
    if args.cache is not None:
        key = f"dec_autoencoder_{len(X)}_seed{autoencoder.random_state}_budget{args.budget:g}.pkl"
        path = Path(args.cache) / key
        if path.exists():
            return pickle.loads(path.read_bytes()), None
    start = time.perf_counter()
    autoencoder = clone(autoencoder).fit(X)
    seconds = round(time.perf_counter() - start, 1)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(autoencoder))
    return autoencoder, seconds


def _variant(text, seed):
    """``(DeepEmbeddedClustering parameters, first target)`` of a variant ``name=value,...``."""
    params, first_target = {"random_state": seed}, "isomap"
    for pair in filter(None, text.split(",")):
        name, value = pair.split("=")
        if name == "first_target":
            first_target = value
        else:
            params[name] = float(value) if name == "reconstruction_weight" else int(value)
    return params, first_target


def _run_variants(args, recipe_data, seconds, scores):
    X, y, X_test, y_test = recipe_data
    init_scores, update_scores = scores
    for seed in args.seeds:
        recipe = make_recipe("dec", random_state=seed, budget=args.budget)
        scaler = recipe[0].fit(X)
        images, test_images = (scaler.transform(rows).astype(np.float32) for rows in (X, X_test))
        autoencoder, pretraining_s = _pretrained(args, recipe, images)
        for text in args.variants:
            seconds.clear(), init_scores.clear(), update_scores.clear()
            params, first_target = _variant(text, seed)
            dec = clone(recipe[-1]).set_params(autoencoder=autoencoder, **params)
            with contextlib.ExitStack() as patches:
                if first_target == "centres":
                    patches.enter_context(mock.patch.object(_deep_clustering, "_label_target", lambda labels, k: None))
                start = time.perf_counter()
                dec.fit(images)
                wall = time.perf_counter() - start
            line = {"seed": seed, "variant": text, "fit_s": round(wall, 1), **seconds, "pretraining_s": pretraining_s}
            scored = (y, dec.labels_), (y_test, dec.predict(test_images))
            print(json.dumps({**line, **_accuracies(scores, dec, *scored)}), flush=True)


def _run(args, recipe_data, seconds, scores):
    X, y, X_test, y_test = recipe_data
    init_scores, update_scores = scores
    for seed in args.seeds:
        seconds.clear(), init_scores.clear(), update_scores.clear()
        recipe = make_recipe("dec", random_state=seed, budget=args.budget)
        start = time.perf_counter()
        labels = recipe.fit_predict(X)
        wall = time.perf_counter() - start
        line = {"seed": seed, "n_samples": len(X), "fit_s": round(wall, 1), **seconds}
        scored = (y, labels), (y_test, recipe.predict(X_test))
        print(json.dumps({**line, **_accuracies(scores, recipe[-1], *scored)}), flush=True)


def _accuracies(scores, dec, fit, test):
    """A line's accuracies: the initial clusters, every update, and ``(y, labels)`` of the fit and the test images."""
    init_scores, update_scores = scores
    return {
        "initial_clusters": init_scores[0], "at_updates": update_scores, "clustering_batches": int(dec.n_iter_),
        "fit": round(float(hungarian_accuracy_score(*fit)), 4), "test": round(float(hungarian_accuracy_score(*test)), 4),
    }


if __name__ == "__main__":
    main()

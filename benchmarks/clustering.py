"""Unsupervised MNIST clustering benchmark: KMeans baselines, autoencoders, DEC, IDEC, N2D.

Every method clusters the images into 10 groups without labels; the labels only
score the result: Hungarian (one-to-one) and majority-vote (many-to-one)
accuracy, NMI and ARI, with the fit time in seconds, per seed and as the mean
over seeds. The images are the 70k of MNIST (train and test together, as in the
DEC/IDEC/N2D papers) scaled to [0, 1].

The deep autoencoder (784-500-500-2000-10, linear code) is pretrained once per
seed and shared by deep-ae-kmeans, deep-ae-l2-kmeans (the codes scaled to unit
length before KMeans), dec, idec (and both started from deep-ae-l2-kmeans'
clusters: dec-l2-init, idec-l2-init, or from ae-umap-gmm's: dec-n2d-init,
idec-n2d-init) and ae-umap-gmm; their fit times include that pretraining. Run
from the repository root, on any Keras backend (``KERAS_BACKEND=jax`` needs no
TensorFlow)::

    python benchmarks/clustering.py --out docs/benchmark-mnist.md
    python benchmarks/clustering.py --n-samples 10000 --pretrain-epochs 20 \\
        --methods kmeans deep-ae-kmeans dec --seeds 0 1 2
    python benchmarks/clustering.py --methods deep-ae-kmeans \\
        --pretrain-epochs 60 --curve 5,10,20,40,60

``--recipes`` runs skae.recipes instead, each one call of
``make_recipe(name, random_state=seed, budget=...).fit_predict(X)`` on the raw
samples (the recipes scale them), timed from the call to the labels::

    python benchmarks/clustering.py --dataset digits --recipes all --seeds 0 1 2
    python benchmarks/clustering.py --recipes balanced --test-split

``--test-split`` fits on MNIST's 60k training images and also scores
``predict`` on the 10k test images.

The defaults (one seed) are sized for about 4 minutes on a GPU where the deep
autoencoder trains at 0.31 s/epoch on 70k images; on a 2-core CPU the same
run takes hours (15-21 s/epoch with TensorFlow, about 14 with ``KERAS_BACKEND=jax``),
so use ``--n-samples`` and fewer epochs there,
and ``--curve`` to see the accuracy the autoencoder reaches along the way.
"""

import argparse
import contextlib
import importlib.util
import os
import pickle
import sys
import time
from unittest import mock

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import normalize

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from skae import AutoencoderTransformer, BalancedKMeans, DeepEmbeddedClustering  # noqa: E402
from skae.metrics import (  # noqa: E402
    hungarian_accuracy_score,
    majority_vote_accuracy_score,
)

METHODS = [
    "kmeans",
    "pca-kmeans",
    "tutorial-ae-kmeans",
    "deep-ae-kmeans",
    "deep-ae-l2-kmeans",
    "conv-ae-kmeans",
    "dec",
    "idec",
    "dec-l2-init",
    "idec-l2-init",
    "ae-umap-gmm",
    "ae-umap-balanced",
    "dec-n2d-init",
    "idec-n2d-init",
]
N_CLUSTERS = 10
DEFAULT_DATA = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "mnist.npz"
)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load_mnist(path, n_samples, first=False):
    """All 70k images (or a fixed random subset, or with ``first`` the first training images) as float32 rows in [0, 1], and labels."""
    with np.load(path) as mnist:
        X = np.concatenate([mnist["x_train"], mnist["x_test"]])
        y = np.concatenate([mnist["y_train"], mnist["y_test"]])
    X = X.reshape(len(X), -1).astype(np.float32) / 255.0
    if first and n_samples:
        return X[:n_samples], y[:n_samples]
    if n_samples and n_samples < len(X):
        # The subset is the same for every seed and method.
        rows = np.sort(np.random.RandomState(0).permutation(len(X))[:n_samples])
        X, y = X[rows], y[rows]
    return X, y


class Benchmark:
    """Runs the methods for one seed, sharing the pretrained deep autoencoder."""

    def __init__(self, X, y, args, seed):
        self.X, self.y, self.args, self.seed = X, y, args, seed
        self._deep = None
        self.curve = []

    def clustering_autoencoder(self, epochs, **architecture):
        """The literature's settings: 10-d linear code, batch 256, fixed epochs."""
        return AutoencoderTransformer(
            N_CLUSTERS,
            encoding_activation="linear",
            batch_size=256,
            epochs=epochs,
            early_stopping=False,
            random_state=self.seed,
            verbose=self.args.verbose,
            **architecture,
        )

    def deep_autoencoder(self):
        """The DEC/IDEC/N2D autoencoder, pretrained once per seed; (model, seconds)."""
        if self._deep is not None:
            return self._deep
        cache = self.cache_path()
        if cache and os.path.exists(cache):
            with open(cache, "rb") as file:
                ae, seconds, self.curve = pickle.load(file)
            log(f"  deep autoencoder from {cache} (pretrained in {seconds:.0f} s)")
        else:
            settings = {}
            if self.args.deep_loss == "mse":
                # The DEC/IDEC/N2D code's reconstruction: linear output, squared error.
                settings.update(loss="mse", output_activation="linear")
            if self.args.max_shift or self.args.max_rotation:
                # DEC-DA's augmentation: random moves of the training images.
                settings.update(max_shift=self.args.max_shift, max_rotation=self.args.max_rotation)
            ae = self.clustering_autoencoder(
                self.args.pretrain_epochs, hidden_layer_sizes=(500, 500, 2000), **settings
            )
            curve = AccuracyCurve(self, self.args.curve)
            start = time.perf_counter()
            with curve.attached():
                ae.fit(self.X)
            seconds = time.perf_counter() - start - curve.scoring_seconds
            self.curve = curve.rows
            if cache:
                os.makedirs(os.path.dirname(cache), exist_ok=True)
                with open(cache, "wb") as file:
                    pickle.dump((ae, seconds, self.curve), file)
        self._deep = ae, seconds
        return self._deep

    def cache_path(self):
        """Where ``--autoencoder-cache`` keeps this seed's pretrained autoencoder, or None."""
        if not self.args.autoencoder_cache:
            return None
        name = (
            f"deep-{len(self.X)}-images-{self.args.pretrain_epochs}-epochs-"
            f"{self.args.deep_loss}-shift-{self.args.max_shift}"
            f"{f'-rotation-{self.args.max_rotation:g}' if self.args.max_rotation else ''}"
            f"-seed-{self.seed}.pkl"
        )
        return os.path.join(self.args.autoencoder_cache, name)

    def kmeans(self, Z):
        return KMeans(N_CLUSTERS, n_init=10, random_state=self.seed).fit_predict(Z)

    def embed(self, codes, n_neighbors):
        """UMAP's embedding of the codes in 10 dimensions (``min_dist=0``), N2D's and the balanced recipe's."""
        # Not `import umap`: it imports umap's parametric module, and with it
        # PyTorch where installed (see skae._recipes._import_umap).
        from skae._recipes import _import_umap

        # Unseeded, so that UMAP runs on all cores.
        return _import_umap()(
            n_components=N_CLUSTERS, n_neighbors=n_neighbors, min_dist=0.0, n_jobs=-1
        ).fit_transform(codes)

    def n2d(self, codes):
        """N2D's clusters of the codes: UMAP(10, 20 neighbours, min_dist 0), GaussianMixture."""
        gmm = GaussianMixture(N_CLUSTERS, covariance_type="full", random_state=self.seed)
        return gmm.fit_predict(self.embed(codes, n_neighbors=20))

    def umap_balanced(self, codes):
        """The balanced recipe's clusters of the codes: UMAP(10, 10 neighbours, min_dist 0), BalancedKMeans."""
        return BalancedKMeans(N_CLUSTERS, random_state=self.seed).fit_predict(
            self.embed(codes, n_neighbors=10)
        )

    def run(self, method):
        """Cluster labels of ``method`` and its fit seconds."""
        start = time.perf_counter()
        if method == "kmeans":
            return self.kmeans(self.X), time.perf_counter() - start
        if method == "pca-kmeans":
            Z = PCA(N_CLUSTERS, random_state=self.seed).fit_transform(self.X)
            return self.kmeans(Z), time.perf_counter() - start
        if method == "tutorial-ae-kmeans":
            ae = AutoencoderTransformer(
                epochs=self.args.epochs, random_state=self.seed, verbose=self.args.verbose
            )
            return self.kmeans(ae.fit_transform(self.X)), time.perf_counter() - start
        if method == "conv-ae-kmeans":
            ae = self.clustering_autoencoder(
                self.args.conv_epochs, image_shape=(28, 28, 1), hidden_layer_sizes=(32, 64, 128)
            )
            return self.kmeans(ae.fit_transform(self.X)), time.perf_counter() - start

        ae, pretrain_seconds = self.deep_autoencoder()
        start = time.perf_counter()
        if method == "deep-ae-kmeans":
            labels = self.kmeans(ae.transform(self.X))
        elif method == "deep-ae-l2-kmeans":
            # What sklearn.preprocessing.Normalizer does in a pipeline: KMeans then
            # compares the codes' directions, not their lengths.
            labels = self.kmeans(normalize(ae.transform(self.X)))
        elif method == "ae-umap-gmm":
            labels = self.n2d(ae.transform(self.X))
        elif method == "ae-umap-balanced":
            labels = self.umap_balanced(ae.transform(self.X))
        elif method.startswith(("dec", "idec")):
            init = "k-means"
            if method.endswith("-init"):
                # Start from the clusters of deep-ae-l2-kmeans or ae-umap-gmm: the
                # mean code of each.
                codes = ae.transform(self.X)
                if method.endswith("n2d-init"):
                    labels = self.n2d(codes)
                else:
                    labels = self.kmeans(normalize(codes))
                init = np.stack([codes[labels == k].mean(axis=0) for k in range(N_CLUSTERS)])
            dec = DeepEmbeddedClustering(
                ae,
                n_clusters=N_CLUSTERS,
                # IDEC's loss is L_r + 0.1 L_c; Adam ignores the overall factor.
                reconstruction_weight=10.0 if method.startswith("idec") else 0.0,
                init=init,
                max_iter=self.args.dec_iter,
                max_shift=self.args.dec_shift,
                max_rotation=self.args.dec_rotation,
                random_state=self.seed,
                verbose=self.args.verbose,
            )
            labels = dec.fit_predict(self.X)
            log(f"  {method}: {dec.n_iter_} batches")
        else:
            raise ValueError(f"unknown method {method!r}; choose from {METHODS}")
        return labels, time.perf_counter() - start + pretrain_seconds


class AccuracyCurve:
    """KMeans on the deep autoencoder's codes after given epochs, while it trains.

    The scoring time is kept apart from the training time.
    """

    def __init__(self, bench, epochs):
        self.bench, self.epochs = bench, set(epochs or ())
        self.rows, self.scoring_seconds = [], 0.0

    def attached(self):
        """A context in which skae's fits score along the way (when epochs are asked)."""
        import keras

        import skae._keras._fit_guard

        if not self.epochs:
            return contextlib.nullcontext()
        curve = self

        class Scoring(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                if epoch + 1 in curve.epochs:
                    curve.score(self.model, epoch + 1, self.start, logs)

        # skae takes no callbacks; its fit adds those of this hook.
        return mock.patch.object(skae._keras._fit_guard, "_extra_callbacks", lambda: [Scoring()])

    def score(self, autoencoder, epoch, start, logs):
        began = time.perf_counter()
        # skae's batch loop trains the autoencoder inside a trainer model.
        autoencoder = getattr(autoencoder, "autoencoder", autoencoder)
        codes = autoencoder.get_layer("encoder").predict(self.bench.X, batch_size=4096, verbose=0)
        row = score(self.bench.y, self.bench.kmeans(codes))
        row["l2_hungarian"] = hungarian_accuracy_score(
            self.bench.y, self.bench.kmeans(normalize(codes))
        )
        # What the deep recipe does with the codes.
        row["balanced_hungarian"] = hungarian_accuracy_score(
            self.bench.y, BalancedKMeans(N_CLUSTERS, random_state=self.bench.seed).fit_predict(codes)
        )
        if self.bench.args.curve_umap:
            umap_start = time.perf_counter()
            labels = self.bench.umap_balanced(codes)
            row["umap_seconds"] = time.perf_counter() - umap_start
            row["umap_balanced_hungarian"] = hungarian_accuracy_score(self.bench.y, labels)
        row.update(
            epoch=epoch,
            seconds=began - start - self.scoring_seconds,
            loss=float(logs["loss"]),
        )
        self.rows.append(row)
        self.scoring_seconds += time.perf_counter() - began
        log(
            f"  curve: epoch {epoch}, {row['seconds']:.0f} s training, loss {row['loss']:.4f}: "
            f"Hungarian {row['hungarian']:.3f} (unit-length codes {row['l2_hungarian']:.3f}, "
            f"BalancedKMeans {row['balanced_hungarian']:.3f}), "
            f"majority {row['majority']:.3f}"
            + (
                f"; UMAP + BalancedKMeans {row['umap_balanced_hungarian']:.3f} "
                f"({row['umap_seconds']:.0f} s)"
                if "umap_seconds" in row
                else ""
            )
        )


def curve_markdown(curves):
    lines = [
        "",
        "Deep autoencoder + KMeans while pretraining (accuracy vs training time):",
        "",
        "| seed | epoch | training s | loss | Hungarian acc | majority acc | NMI | ARI "
        "| Hungarian acc, unit-length codes | Hungarian acc, BalancedKMeans |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    with_umap = any("umap_seconds" in r for _, rows in curves for r in rows)
    if with_umap:
        lines[-2] += " UMAP + BalancedKMeans acc | training + UMAP s |"
        lines[-1] += " --- | --- |"
    for seed, rows in curves:
        for r in rows:
            line = (
                f"| {seed} | {r['epoch']} | {r['seconds']:.0f} | {r['loss']:.4f} | "
                f"{r['hungarian']:.3f} | {r['majority']:.3f} | {r['nmi']:.3f} | {r['ari']:.3f} | "
                f"{r['l2_hungarian']:.3f} | {r.get('balanced_hungarian', float('nan')):.3f} |"
            )
            if "umap_seconds" in r:
                line += f" {r['umap_balanced_hungarian']:.3f} | {r['seconds'] + r['umap_seconds']:.0f} |"
            lines.append(line)
    return "\n".join(lines) + "\n"


def score(y, labels):
    return {
        "hungarian": hungarian_accuracy_score(y, labels),
        "majority": majority_vote_accuracy_score(y, labels),
        "nmi": normalized_mutual_info_score(y, labels),
        "ari": adjusted_rand_score(y, labels),
    }


COLUMNS = ["hungarian", "majority", "nmi", "ari", "seconds"]


def markdown(results, header):
    lines = [header, ""]
    lines += ["| method | seed | Hungarian acc | majority acc | NMI | ARI | fit s |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- |"]
    for method, runs in results.items():
        for seed, row in runs:
            values = " | ".join(f"{row[c]:.3f}" if c != "seconds" else f"{row[c]:.0f}" for c in COLUMNS)
            lines.append(f"| {method} | {seed} | {values} |")
    lines += ["", "Mean over seeds (± standard deviation of the Hungarian accuracy):", ""]
    lines += ["| method | seeds | Hungarian acc | majority acc | NMI | ARI | fit s |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- |"]
    for method, runs in results.items():
        rows = [row for _, row in runs]
        mean = {c: np.mean([row[c] for row in rows]) for c in COLUMNS}
        std = np.std([row["hungarian"] for row in rows])
        lines.append(
            f"| {method} | {len(rows)} | {mean['hungarian']:.3f} ± {std:.3f} | "
            f"{mean['majority']:.3f} | {mean['nmi']:.3f} | {mean['ari']:.3f} | "
            f"{mean['seconds']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def load_digits_data():
    from sklearn.datasets import load_digits

    return load_digits(return_X_y=True)


def run_recipes(args, argv):
    """One ``make_recipe(...).fit_predict`` per recipe and seed; the Markdown table."""
    import keras

    from skae.recipes import RECIPE_NAMES, make_recipe

    names = list(RECIPE_NAMES) if args.recipes == ["all"] else args.recipes
    X_test = y_test = None
    if args.dataset == "digits":
        X, y = load_digits_data()
    elif args.test_split:
        # load_mnist puts the 60k training images first; --n-samples takes the
        # first of them.
        X, y = load_mnist(args.data, 0)
        n_train = args.n_samples or 60000
        X, X_test, y, y_test = X[:n_train], X[60000:], y[:n_train], y[60000:]
    else:
        X, y = load_mnist(args.data, args.n_samples)
    budgets = args.budgets or [args.budget]
    log(f"{args.dataset}: {len(X)} samples, Keras backend {keras.backend.backend()}, "
        f"recipes {names}, seeds {args.seeds}, budgets {budgets}")
    variants = [(name, budget) for name in names for budget in budgets]
    results = {_variant(name, budget, budgets): [] for name, budget in variants}
    tests = []
    for seed in args.seeds:
        # Interleaved: every variant once per seed, so that a busy spell of the
        # machine does not fall on one variant only.
        for name, budget in variants:
            variant = _variant(name, budget, budgets)
            start = time.perf_counter()
            recipe = make_recipe(name, n_clusters=N_CLUSTERS, random_state=seed, budget=budget)
            labels = recipe.fit_predict(X)
            seconds = time.perf_counter() - start
            row = {**score(y, labels), "seconds": seconds}
            results[variant].append((seed, row))
            log(
                f"seed {seed}: {variant}: Hungarian {row['hungarian']:.3f}, majority "
                f"{row['majority']:.3f}, NMI {row['nmi']:.3f}, ARI {row['ari']:.3f}, {seconds:.0f} s"
            )
            if X_test is not None:
                test = hungarian_accuracy_score(y_test, recipe.predict(X_test))
                tests.append((variant, seed, row["hungarian"], test))
                log(f"seed {seed}: {variant}: predict on the test images: Hungarian {test:.3f}")
    header = (
        f"{args.dataset}, {len(X)} samples, Keras backend {keras.backend.backend()}, "
        f"budgets {' '.join(f'{b:g}' for b in budgets)}.\n\nCommand: `python benchmarks/clustering.py "
        f"{' '.join(sys.argv[1:] if argv is None else argv)}`"
    )
    table = markdown(results, header)
    if tests:
        table += "\n| recipe | seed | Hungarian acc, train (fit) | Hungarian acc, test (predict) |\n"
        table += "| --- | --- | --- | --- |\n"
        table += "".join(f"| {n} | {s} | {a:.3f} | {b:.3f} |\n" for n, s, a, b in tests)
    return table


def _variant(name, budget, budgets):
    """A recipe's name in the table, with its budget when several are compared."""
    return f"{name}, budget {budget:g}" if len(budgets) > 1 else name


def write_table(table, out):
    print(table, flush=True)
    if out:
        with open(out, "w") as file:
            file.write(table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="MNIST .npz in the Keras layout")
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument("--n-samples", type=int, default=0, help="random subset (0: all 70k)")
    parser.add_argument("--first", action="store_true",
                        help="--n-samples takes the first training images instead of a random subset")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--epochs", type=int, default=200,
        help="max epochs of the tutorial autoencoder (early stopping, patience 5)",
    )
    parser.add_argument(
        "--pretrain-epochs", type=int, default=100,
        help="epochs of the deep autoencoder (kmeans, DEC, IDEC and UMAP use it)",
    )
    parser.add_argument(
        "--deep-loss", choices=["binary_crossentropy", "mse"], default="binary_crossentropy",
        help="reconstruction loss of the deep autoencoder (mse: with a linear output, "
        "as the DEC/IDEC/N2D code; default: %(default)s, skae's default, sigmoid output)",
    )
    parser.add_argument(
        "--max-shift", type=int, default=0,
        help="train the deep autoencoder on images shifted at random by up to this many "
        "pixels (AutoencoderTransformer(max_shift=...), DEC-DA's augmentation; 0: none)",
    )
    parser.add_argument(
        "--max-rotation", type=float, default=0.0,
        help="and rotated at random by up to this many degrees (max_rotation=...; 0: none)",
    )
    parser.add_argument("--conv-epochs", type=int, default=50, help="epochs of the conv autoencoder")
    parser.add_argument("--dec-iter", type=int, default=8000, help="max batches of DEC and IDEC")
    parser.add_argument(
        "--dec-shift", type=int, default=0,
        help="shift the images of DEC's and IDEC's clustering phase at random by up to this "
        "many pixels (DeepEmbeddedClustering(max_shift=...), DEC-DA; 0: none)",
    )
    parser.add_argument(
        "--dec-rotation", type=float, default=0.0,
        help="and rotate them at random by up to this many degrees (max_rotation=...; 0: none)",
    )
    parser.add_argument(
        "--curve", type=lambda text: [int(e) for e in text.split(",")], default=None,
        help="e.g. 5,10,20: also score KMeans on the deep autoencoder's codes after "
        "these pretraining epochs (an accuracy-vs-time curve)",
    )
    parser.add_argument(
        "--curve-umap", action="store_true",
        help="at each --curve epoch also score UMAP + BalancedKMeans on the codes "
        "(the balanced recipe with deep=True), with its seconds",
    )
    parser.add_argument(
        "--autoencoder-cache", metavar="DIR",
        help="keep each seed's pretrained deep autoencoder (and its pretraining seconds "
        "and curve) here, and reuse it in later runs with the same images, epochs and loss",
    )
    parser.add_argument(
        "--recipes", nargs="+", metavar="NAME",
        help="run these skae.recipes (or 'all') instead of --methods",
    )
    parser.add_argument("--dataset", choices=["mnist", "digits"], default="mnist",
                        help="data of --recipes (digits: scikit-learn's 1,797 8x8 digits)")
    parser.add_argument("--budget", type=float, default=1.0, help="the recipes' budget")
    parser.add_argument("--budgets", type=float, nargs="+",
                        help="--recipes at each of these budgets, interleaved (an accuracy "
                        "vs minutes curve); replaces --budget")
    parser.add_argument("--test-split", action="store_true",
                        help="--recipes on MNIST: fit on the 60k training images (the first "
                        "--n-samples of them, if given), also score predict on the 10k test images")
    parser.add_argument("--out", help="write the Markdown table to this file")
    parser.add_argument("--verbose", type=int, default=0, help="Keras progress (0, 1 or 2)")
    args = parser.parse_args(argv)
    if args.recipes:
        write_table(run_recipes(args, argv), args.out)
        return

    methods = list(args.methods)
    needs_umap = [m for m in methods if m.startswith("ae-umap") or m.endswith("n2d-init")]
    if needs_umap:
        if importlib.util.find_spec("umap") is None:
            log(f"umap-learn is not installed (pip install 'skae[umap]'): skipping {needs_umap}")
            methods = [m for m in methods if m not in needs_umap]

    import keras

    X, y = load_mnist(args.data, args.n_samples, first=args.first)
    log(f"{len(X)} images, Keras backend {keras.backend.backend()}, methods {methods}, seeds {args.seeds}")
    results = {method: [] for method in methods}
    curves = []
    for seed in args.seeds:
        bench = Benchmark(X, y, args, seed)
        for method in methods:
            log(f"seed {seed}: {method} ...")
            labels, seconds = bench.run(method)
            row = {**score(y, labels), "seconds": seconds}
            results[method].append((seed, row))
            log(
                f"seed {seed}: {method}: Hungarian {row['hungarian']:.3f}, majority "
                f"{row['majority']:.3f}, NMI {row['nmi']:.3f}, ARI {row['ari']:.3f}, "
                f"{seconds:.0f} s"
            )
        if bench.curve:
            curves.append((seed, bench.curve))
    header = (
        f"MNIST, {len(X)} images, Keras backend {keras.backend.backend()}; epochs: "
        f"tutorial <= {args.epochs}, deep {args.pretrain_epochs} ({args.deep_loss}, max_shift {args.max_shift}, "
        f"max_rotation {args.max_rotation:g}), conv {args.conv_epochs}; DEC/IDEC <= {args.dec_iter} "
        f"batches (max_shift {args.dec_shift}, max_rotation {args.dec_rotation:g}).\n\nCommand: `python benchmarks/clustering.py "
        f"{' '.join(sys.argv[1:] if argv is None else argv)}`"
    )
    write_table(markdown(results, header) + (curve_markdown(curves) if curves else ""), args.out)


if __name__ == "__main__":
    main()

"""One-class anomaly detection benchmark: AutoencoderOutlierDetector against PCA and IsolationForest.

MNIST one-class: for each digit, every method is trained on the training
images of that digit (about 6,000, scaled to [0, 1]) and scores the 10,000
test images; the AUROC of that digit against the nine others measures how
well the scores separate normal from anomalous. Reported per digit and seed,
with the fit seconds, and as the mean over seeds.

Tabular: scikit-learn's breast cancer data (30 features) with the benign
tumours as normal: trained on half of them, scored on the other half and on
every malignant one; and the wine data (13 features), each class in turn
normal, trained on half of it and scored against the other two classes. Every
method is fitted after a StandardScaler in a Pipeline.

Methods, each with its defaults:

- ``skae``: ``AutoencoderOutlierDetector(random_state=seed)``;
- ``pca``: ``PCA(n_components=0.9)``, minus the mean squared reconstruction
  error;
- ``iforest``: ``IsolationForest(random_state=seed)``;
- ``pyod``: PyOD's ``AutoEncoder(random_state=seed)`` (PyTorch), when
  ``pip install pyod`` has installed it; otherwise left out with a note. It
  runs in a new process without TensorFlow: PyTorch's training crashes
  (segmentation fault) in a process where TensorFlow has trained.

Run from the repository root (``nice`` on a shared machine)::

    python benchmarks/anomaly.py --path /work/shared/data/mnist.npz --out anomaly.md
    python benchmarks/anomaly.py --digits 2 8 --seeds 0 --methods skae pca
    python benchmarks/anomaly.py --no-mnist      # the tabular cases only
"""

import argparse
import importlib.util
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

METHODS = ("skae", "pca", "iforest", "pyod")


class PCAReconstruction(BaseEstimator):
    """PCA's reconstruction error as an anomaly score (higher is more normal)."""

    def __init__(self, n_components=0.9, random_state=None):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, y=None):
        self.pca_ = PCA(self.n_components, random_state=self.random_state).fit(X)
        return self

    def score_samples(self, X):
        reconstruction = self.pca_.inverse_transform(self.pca_.transform(X))
        return -np.mean((X - reconstruction) ** 2, axis=1)


class PyODScores(BaseEstimator):
    """PyOD's AutoEncoder with its defaults; its decision_function is higher for outliers."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        from pyod.models.auto_encoder import AutoEncoder

        # Its loader drops the last partial batch: fewer than 32 rows (a wine
        # class) would give it none.
        batch_size = min(32, len(X))
        self.model_ = AutoEncoder(
            batch_size=batch_size, random_state=self.random_state, verbose=0
        ).fit(X)
        return self

    def score_samples(self, X):
        return -self.model_.decision_function(X)


def make_method(name, seed):
    """The unfitted estimator of method ``name``; its ``score_samples`` is higher for normal samples."""
    if name == "skae":
        from skae import AutoencoderOutlierDetector  # Keras and TensorFlow: only where used

        return AutoencoderOutlierDetector(random_state=seed)
    if name == "pca":
        return PCAReconstruction(0.9, random_state=seed)
    if name == "iforest":
        return IsolationForest(random_state=seed)
    return PyODScores(random_state=seed)


def evaluate(method, seed, scaled, X_train, X_test, normal):
    """Fit ``method`` on ``X_train``; return (AUROC of ``normal`` among ``X_test``'s scores, fit seconds)."""
    if method == "pyod" and "tensorflow" in sys.modules:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            return pool.submit(evaluate, method, seed, scaled, X_train, X_test, normal).result()
    estimator = make_method(method, seed)
    if scaled:
        estimator = make_pipeline(StandardScaler(), estimator)
    start = time.perf_counter()
    estimator.fit(X_train)
    seconds = time.perf_counter() - start
    return roc_auc_score(normal, estimator.score_samples(X_test)), seconds


def mnist_cases(path, digits):
    """(name, X_train, X_test, normal) for each digit: MNIST one-class."""
    data = np.load(path)
    x_train = data["x_train"].reshape(len(data["x_train"]), -1).astype(np.float32) / 255
    x_test = data["x_test"].reshape(len(data["x_test"]), -1).astype(np.float32) / 255
    for digit in digits:
        yield f"mnist {digit}", x_train[data["y_train"] == digit], x_test, data["y_test"] == digit


def tabular_cases(seed):
    """(name, X_train, X_test, normal): breast cancer (benign normal), wine (each class normal)."""
    rng = np.random.RandomState(seed)
    X, y = load_breast_cancer(return_X_y=True)
    yield _one_class_split("breast cancer (benign)", X, y == 1, rng)
    X, y = load_wine(return_X_y=True)
    for label in np.unique(y):
        yield _one_class_split(f"wine (class {label})", X, y == label, rng)


def _one_class_split(name, X, normal, rng):
    """Train on a random half of the normal rows; test on the other half and every anomaly."""
    rows = rng.permutation(np.flatnonzero(normal))
    train, held_out = rows[: len(rows) // 2], rows[len(rows) // 2 :]
    test = np.concatenate([held_out, np.flatnonzero(~normal)])
    return name, X[train], X[test], normal[test]


def available(methods):
    """The methods that can run here, and a note for each one left out."""
    if "pyod" in methods and importlib.util.find_spec("pyod") is None:
        print("pyod is not installed (pip install pyod): left out", flush=True)
        return [method for method in methods if method != "pyod"]
    return list(methods)


def run(cases, methods, seed, scaled):
    """{(case, method): (auroc, seconds)} for one seed."""
    results = {}
    for name, X_train, X_test, normal in cases:
        for method in methods:
            auroc, seconds = evaluate(method, seed, scaled, X_train, X_test, normal)
            results[name, method] = auroc, seconds
            print(f"seed {seed} {name:24s} {method:8s} AUROC {auroc:.4f} fit {seconds:6.1f} s", flush=True)
    return results


def table(results, methods, seeds):
    """Markdown table: per case the AUROC of each method (mean over seeds), then the mean and fit seconds."""
    cases = list(dict.fromkeys(case for case, _ in results[seeds[0]]))
    mean = {
        (case, method): np.mean([results[seed][case, method] for seed in seeds], axis=0)
        for case in cases
        for method in methods
    }
    lines = [
        "| case | " + " | ".join(f"{m} AUROC" for m in methods) + " | "
        + " | ".join(f"{m} fit s" for m in methods) + " |",
        "|---" * (1 + 2 * len(methods)) + "|",
    ]
    for case in cases:
        aurocs = " | ".join(f"{mean[case, m][0]:.4f}" for m in methods)
        seconds = " | ".join(f"{mean[case, m][1]:.1f}" for m in methods)
        lines.append(f"| {case} | {aurocs} | {seconds} |")
    # The mean row: mean AUROC and fit seconds; the worst: lowest AUROC, slowest fit.
    for label, lowest, slowest in (("mean", np.mean, np.mean), ("worst", np.min, np.max)):
        aurocs = " | ".join(f"{lowest([mean[c, m][0] for c in cases]):.4f}" for m in methods)
        seconds = " | ".join(f"{slowest([mean[c, m][1] for c in cases]):.1f}" for m in methods)
        lines.append(f"| **{label}** | {aurocs} | {seconds} |")
    per_seed = [
        f"seed {seed}: " + ", ".join(
            f"{m} {np.mean([results[seed][c, m][0] for c in cases]):.4f}" for m in methods
        )
        for seed in seeds
    ]
    return "\n".join(lines) + "\n\nMean AUROC per seed: " + "; ".join(per_seed) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", default="/work/shared/data/mnist.npz", help="mnist.npz (Keras layout)")
    parser.add_argument("--digits", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--no-mnist", action="store_true", help="skip MNIST")
    parser.add_argument("--no-tabular", action="store_true", help="skip the tabular cases")
    parser.add_argument("--out", help="also write the Markdown tables here")
    args = parser.parse_args(argv)
    methods = available(args.methods)
    report = []
    for title, skip, cases, scaled in (
        ("MNIST one-class", args.no_mnist, lambda seed: mnist_cases(args.path, args.digits), False),
        ("Tabular (StandardScaler first)", args.no_tabular, tabular_cases, True),
    ):
        if skip:
            continue
        results = {seed: run(cases(seed), methods, seed, scaled) for seed in args.seeds}
        report.append(f"## {title}, seeds {args.seeds}\n\n{table(results, methods, args.seeds)}")
    text = "\n".join(report)
    print(text)
    if args.out:
        with open(args.out, "w") as file:
            file.write(text)


if __name__ == "__main__":
    main()

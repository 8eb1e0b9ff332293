"""Memory and time across many fits in one process, as a grid search lives.

Each scenario runs in its own Python process, one per Keras backend:

``fits``
    ``--n-fits`` fits of ``AutoencoderTransformer(epochs=--epochs)`` (its
    other defaults, early stopping included), each with its own
    ``random_state``, the estimator deleted and ``gc.collect()`` run after
    each. Reported: RSS after the first, the 5th and the last fit, the growth
    per fit after the 5th ((last - 5th) / (n - 5)), and the mean seconds per
    fit over the first 10 and the last 10 fits.
``transform``
    One fit, then ``--n-transforms`` ``transform`` calls on 1,000 rows:
    RSS after the 10th call and after the last.
``grid``
    ``GridSearchCV(n_jobs=2)`` over ``encoding_dim`` x ``learning_rate``
    (``--grid-fits`` fits in all, cv=3) with the loky backend: each worker
    writes its RSS after every fit it scores; reported per worker, its RSS
    after its 5th and its last fit.
``dec``
    ``--n-fits`` fits of ``DeepEmbeddedClustering`` (pretraining included).
``n2d``
    ``--n-fits`` fits of the N2D pipeline (autoencoder -> UMAP ->
    GaussianMixture), when umap-learn is installed.

``--jit-compile true`` times TensorFlow's XLA path, which skae's ``"auto"``
takes only from 200,000 samples seen (rows x epochs).
``--models`` chooses the autoencoder: ``tutorial`` (784-36-784, the
defaults) and/or ``deep`` (784-500-500-2000-10, linear code, the DEC/N2D
network). The machine may be shared: seconds are indicative, RSS is not.

Run from the repository root::

    python benchmarks/many_fits.py --n-fits 30 --n-samples 10000
    python benchmarks/many_fits.py --backends tensorflow --models deep \
        --scenarios fits --n-fits 100 --out many_fits.md
"""

import argparse
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

SCENARIOS = ("fits", "transform", "grid", "dec", "n2d")
MODELS = {
    "tutorial": {},
    "deep": {
        "encoding_dim": 10,
        "hidden_layer_sizes": (500, 500, 2000),
        "encoding_activation": "linear",
    },
}


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    installed = [
        backend
        for backend, module in (("tensorflow", "tensorflow"), ("jax", "jax"), ("torch", "torch"))
        if importlib.util.find_spec(module) is not None
    ]
    parser.add_argument("--backends", default=",".join(installed))
    parser.add_argument("--models", default="tutorial,deep")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--n-fits", type=int, default=100)
    parser.add_argument("--grid-fits", type=int, default=60)
    parser.add_argument("--n-transforms", type=int, default=1000)
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--jit-compile", choices=["auto", "true", "false"], default="auto",
        help="the autoencoders' jit_compile (auto: XLA on TensorFlow from 200,000 "
        "samples seen, so not for small --n-samples x --epochs; always on JAX)",
    )
    parser.add_argument(
        "--data",
        default=os.path.join("..", "shared", "data", "mnist.npz"),
        help="MNIST .npz in the Keras layout; scikit-learn's digits when absent",
    )
    parser.add_argument("--out", help="also write the Markdown table here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _load(path, n_samples):
    import numpy as np

    if os.path.exists(path):
        with np.load(path) as data:
            X = data["x_train"][:n_samples].reshape(-1, 784)
        return (X / np.float32(255)).astype(np.float32)
    from sklearn.datasets import load_digits

    X = load_digits().data[:n_samples]
    return (X / np.float32(16)).astype(np.float32)


def _rss_mb():
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _autoencoder(args, model, random_state):
    from skae import AutoencoderTransformer

    jit_compile = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    return AutoencoderTransformer(
        epochs=args.epochs, random_state=random_state, jit_compile=jit_compile, **MODELS[model]
    )


def _repeat(fit, n):
    """RSS (MB) and seconds after each of ``n`` calls of ``fit(i)``."""
    rss, seconds = [], []
    for i in range(n):
        start = time.perf_counter()
        fit(i)
        gc.collect()
        seconds.append(time.perf_counter() - start)
        rss.append(_rss_mb())
    return rss, seconds


def _summary(rss, seconds):
    n = len(rss)
    k = min(10, n // 2) or 1
    after = min(5, n) - 1
    return {
        "n": n,
        "rss_first": rss[0],
        "rss_5th": rss[after],
        "rss_last": rss[-1],
        "growth_per_fit": (rss[-1] - rss[after]) / max(n - 1 - after, 1),
        "s_first": sum(seconds[:k]) / k,
        "s_last": sum(seconds[-k:]) / k,
    }


def _fits(args, X, model):
    def fit(i):
        estimator = _autoencoder(args, model, i).fit(X)
        del estimator

    return _summary(*_repeat(fit, args.n_fits))


def _transform(args, X, model):
    estimator = _autoencoder(args, model, 0).fit(X)
    rows = X[:1000]
    rss = []
    for i in range(args.n_transforms):
        estimator.transform(rows)
        if i + 1 in (10, args.n_transforms):
            gc.collect()
            rss.append(_rss_mb())
    return {"n": args.n_transforms, "rss_10th": rss[0], "rss_last": rss[-1],
            "growth": rss[-1] - rss[0]}


def _worker_scorer(log):
    """A scorer that appends the worker's pid and RSS to ``log`` after each fit it scores."""

    def score(estimator, X, y=None):
        gc.collect()
        with open(log, "a") as file:
            file.write(f"{os.getpid()} {_rss_mb():.1f}\n")
        return estimator.score(X)

    return score


def _grid(args, X, model):
    from sklearn.model_selection import GridSearchCV

    cv = 3
    n_dims = max(args.grid_fits // (cv * 2), 1)
    base = _autoencoder(args, model, 0)
    grid = {
        "encoding_dim": [base.encoding_dim + i for i in range(n_dims)],
        "learning_rate": [1e-3, 3e-3],
    }
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "rss.txt")
        search = GridSearchCV(
            base, grid, cv=cv, n_jobs=2, refit=False, scoring=_worker_scorer(log)
        )
        start = time.perf_counter()
        search.fit(X)
        seconds = time.perf_counter() - start
        with open(log) as file:
            lines = [line.split() for line in file]
    workers = {}
    for pid, rss in lines:
        workers.setdefault(pid, []).append(float(rss))
    return {
        "n": len(lines),
        "seconds": seconds,
        "workers": [
            {"fits": len(rss), "rss_5th": rss[min(5, len(rss)) - 1], "rss_last": rss[-1]}
            for rss in workers.values()
        ],
    }


def _dec(args, X, model):
    from skae import DeepEmbeddedClustering

    def fit(i):
        estimator = DeepEmbeddedClustering(
            _autoencoder(args, model, i), n_clusters=10, max_iter=20, random_state=i
        ).fit(X)
        del estimator

    return _summary(*_repeat(fit, args.n_fits))


def _n2d(args, X, model):
    if importlib.util.find_spec("umap") is None:
        return {"skipped": "umap-learn is not installed"}
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import make_pipeline

    # Not `from umap import UMAP`: it imports umap's parametric module, and with it
    # PyTorch where installed (see skae._recipes._import_umap).
    from skae._recipes import _import_umap

    UMAP = _import_umap()

    def fit(i):
        pipeline = make_pipeline(
            _autoencoder(args, model, i),
            UMAP(n_components=10, n_neighbors=20, min_dist=0.0, random_state=i, n_jobs=1),
            GaussianMixture(10, random_state=i),
        ).fit(X)
        del pipeline

    return _summary(*_repeat(fit, args.n_fits))


def _child(args):
    scenario, model = args.child.split(":")
    X = _load(args.data, args.n_samples)
    result = globals()[f"_{scenario}"](args, X, model)
    print("RESULT " + json.dumps(result), flush=True)


def _run(args, backend, scenario, model):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    command = [sys.executable, os.path.abspath(__file__), "--child", f"{scenario}:{model}"]
    for name in ("n_fits", "grid_fits", "n_transforms", "n_samples", "epochs", "jit_compile", "data"):
        command += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}


def _row(backend, scenario, model, result):
    if "error" in result or "skipped" in result:
        return f"| {backend} | {scenario} | {model} | {result.get('error') or result['skipped']} |"
    if scenario == "grid":
        workers = "; ".join(
            f"{w['fits']} fits: {w['rss_5th']:.0f} -> {w['rss_last']:.0f} MB "
            f"({w['rss_last'] - w['rss_5th']:+.0f})"
            for w in result["workers"]
        )
        return f"| {backend} | grid ({result['n']} fits, {result['seconds']:.0f} s) | {model} | {workers} |"
    if scenario == "transform":
        return (
            f"| {backend} | {result['n']} transforms | {model} | {result['rss_10th']:.0f} -> "
            f"{result['rss_last']:.0f} MB ({result['growth']:+.1f} MB) |"
        )
    return (
        f"| {backend} | {scenario} x{result['n']} | {model} | {result['rss_first']:.0f} / "
        f"{result['rss_5th']:.0f} / {result['rss_last']:.0f} MB, {result['growth_per_fit']:+.2f} "
        f"MB/fit after the 5th; {result['s_first']:.2f} -> {result['s_last']:.2f} s/fit |"
    )


def main(argv=None):
    args = _parse_args(argv)
    if args.child:
        return _child(args)
    lines = [
        "| backend | scenario | model | RSS first / 5th / last fit, growth; s/fit first 10 -> last 10 |",
        "|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for backend in args.backends.split(","):
        for scenario in args.scenarios.split(","):
            for model in args.models.split(","):
                result = _run(args, backend, scenario, model)
                lines.append(_row(backend, scenario, model, result))
                print(lines[-1], flush=True)
    if args.out:
        with open(args.out, "w") as file:
            file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Training and transform speed of skae against the raw Keras tutorial code.

Times, in one run with the repetitions interleaved, on MNIST:

``keras``
    The tutorial's raw Keras code, written out below: ``Sequential``
    ``Dense(36, relu)`` -> ``Dense(784, sigmoid)``, Adam, binary cross-entropy,
    batch 2024, ``model.fit(x, x, shuffle=True)``; codes from
    ``encoder.predict``.
``skae-tutorial``
    ``AutoencoderTransformer`` with exactly the tutorial's settings, Keras'
    own compile defaults included (``jit_compile`` as Keras' ``"auto"``
    resolves it: off for TensorFlow on CPU, on for JAX;
    ``steps_per_execution=1``).
``skae-default``
    ``AutoencoderTransformer`` with its defaults, except a fixed number of
    epochs and no early stopping, so that every variant trains the same
    number of epochs on the same samples.
``skae-bf16`` (only when asked for with ``--variants``)
    ``skae-default`` with ``precision="bfloat16"``.

Every variant and repetition runs in a fresh Python process, so that the peak
RSS (``getrusage(RUSAGE_SELF).ru_maxrss`` in that process) belongs to one
variant alone. Reported per variant, as the median over the repetitions:
seconds per epoch without the first epoch, the first epoch (compilation
included), training samples/s, the warm ``transform`` of the 70k MNIST images
(seconds and rows/s) and its first call, peak RSS after fitting and at the end,
and the binary cross-entropy of the reconstructions of the training images
after the last epoch, computed the same way for every variant. Ratios are to
``keras``.

Run from the repository root::

    python benchmarks/speed.py --epochs 10 --repeats 3 --out speed.md
    python benchmarks/speed.py --backend jax --n-samples 6000 --epochs 3

Nothing here imports TensorFlow on the JAX path.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

VARIANTS = ("keras", "skae-tutorial", "skae-default", "skae-bf16")
DEFAULT_VARIANTS = "keras,skae-tutorial,skae-default"
BATCH_SIZE = 2024
ENCODING_DIM = 36


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        default=os.path.join("..", "shared", "data", "mnist.npz"),
        help="MNIST .npz in the Keras layout (default: %(default)s)",
    )
    parser.add_argument("--epochs", type=int, default=10, help="epochs per fit")
    parser.add_argument(
        "--repeats", type=int, default=3, help="fits per variant, interleaved"
    )
    parser.add_argument(
        "--backend",
        default=None,
        help="KERAS_BACKEND for the children (default: inherited)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for the backend (default: the backend's own choice)",
    )
    parser.add_argument(
        "--n-samples",
        type=int,
        default=60000,
        help="training images used, the first ones of x_train (default: 60000)",
    )
    parser.add_argument(
        "--variants",
        default=DEFAULT_VARIANTS,
        help=f"comma-separated subset of {','.join(VARIANTS)} "
        "(default: %(default)s)",
    )
    parser.add_argument("--out", default=None, help="write a Markdown table here")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    if "keras" not in variants:
        parser.error("the variants must include 'keras': ratios are to it")
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch is timed apart")
    args.variants = variants
    return args


def _thread_environment(threads):
    """Environment variables that cap the backend's CPU threads."""
    if threads is None:
        return {}
    return {
        "OMP_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": str(threads),
        "XLA_FLAGS": (
            os.environ.get("XLA_FLAGS", "")
            + f" --xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'}"
            + f" intra_op_parallelism_threads={threads}"
        ).strip(),
    }


# --------------------------------------------------------------------------
# Child: one variant, one fit, in its own process.
# --------------------------------------------------------------------------


def _load(path, n_samples):
    import numpy as np

    with np.load(path) as data:
        x_train, x_test = data["x_train"], data["x_test"]
    # The tutorial's preprocessing: float32, scaled to [0, 1], flattened.
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255.0
    x_all = np.concatenate([x_train, x_test])
    return x_train[:n_samples], x_all


def _cpu_seconds():
    """CPU time of this process, all threads; less hurt by a busy machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []
            self.cpu_seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()
            self._cpu_start = _cpu_seconds()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)
            self.cpu_seconds.append(_cpu_seconds() - self._cpu_start)

    return EpochTimer()


def _fit_keras(x, epochs, seed):
    """The tutorial's code, unchanged but for the timing callback."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((x.shape[1],)),
            keras.layers.Dense(ENCODING_DIM, activation="relu"),
            keras.layers.Dense(x.shape[1], activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    timer = _epoch_timer()
    model.fit(
        x,
        x,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        shuffle=True,
        verbose=0,
        callbacks=[timer],
    )
    encoder = keras.Model(model.inputs, model.layers[0].output)
    return (
        timer,
        lambda X: encoder.predict(X, verbose=0),
        lambda X: model.predict(X, batch_size=BATCH_SIZE, verbose=0),
    )


def _fit_skae(x, epochs, seed, variant):
    from unittest import mock

    import keras

    import skae._keras._fit_guard
    from skae import AutoencoderTransformer

    settings = {
        "epochs": epochs,
        "batch_size": BATCH_SIZE,
        "early_stopping": False,
        "random_state": seed,
    }
    if variant == "skae-tutorial":
        # What Keras' compile(jit_compile="auto") picks for the tutorial's
        # model here: False for TensorFlow on CPU, True for JAX.
        probe = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        settings.update(jit_compile=probe.jit_compile, steps_per_execution=1)
    elif variant == "skae-bf16":
        settings.update(precision="bfloat16")
    ae = AutoencoderTransformer(ENCODING_DIM, **settings)

    # skae takes no callbacks; its fit adds those of this hook.
    timer = _epoch_timer()
    with mock.patch.object(skae._keras._fit_guard, "_extra_callbacks", lambda: [timer]):
        ae.fit(x)
    return (
        timer,
        ae.transform,
        lambda X: ae.inverse_transform(ae.transform(X)),
    )


def _bce(x, reconstruction, eps=1e-7):
    """Mean binary cross-entropy, as Keras computes it, in float64."""
    import numpy as np

    r = np.clip(reconstruction.astype(np.float64), eps, 1 - eps)
    x = x.astype(np.float64)
    return float(-np.mean(x * np.log(r) + (1 - x) * np.log(1 - r)))


def _child(args):
    import resource

    import numpy as np

    x, x_all = _load(args.data, args.n_samples)
    import keras

    start = time.perf_counter()
    if args.child == "keras":
        timer, encode, reconstruct = _fit_keras(x, args.epochs, args.seed)
    else:
        timer, encode, reconstruct = _fit_skae(x, args.epochs, args.seed, args.child)
    fit_seconds = time.perf_counter() - start
    rss_fit = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    start = time.perf_counter()
    encode(x_all)
    transform_first = time.perf_counter() - start
    start = time.perf_counter()
    codes = np.asarray(keras.ops.convert_to_numpy(encode(x_all)))
    transform_warm = time.perf_counter() - start
    rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    reconstruction = np.asarray(keras.ops.convert_to_numpy(reconstruct(x)))
    result = {
        "variant": args.child,
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "seed": args.seed,
        "epoch_seconds": timer.seconds,
        "epoch_cpu_seconds": timer.cpu_seconds,
        "fit_seconds": fit_seconds,
        "transform_first_seconds": transform_first,
        "transform_seconds": transform_warm,
        "transform_rows": int(codes.shape[0]),
        "rss_fit_mb": rss_fit,
        "rss_end_mb": rss_end,
        "loss": _bce(x, reconstruction),
        "n_samples": int(x.shape[0]),
        "tensorflow_imported": "tensorflow" in sys.modules,
    }
    print("RESULT " + json.dumps(result), flush=True)


# --------------------------------------------------------------------------
# Parent: run the children interleaved, summarise.
# --------------------------------------------------------------------------


def _run_child(args, variant, seed):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        variant,
        "--seed",
        str(seed),
        "--data",
        args.data,
        "--epochs",
        str(args.epochs),
        "--n-samples",
        str(args.n_samples),
    ]
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.backend:
        env["KERAS_BACKEND"] = args.backend
    env.update(_thread_environment(args.threads))
    # The skae of this checkout, whatever is installed.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        [root, *filter(None, [env.get("PYTHONPATH")])]
    )
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-5000:])
    raise RuntimeError(f"variant {variant} failed (exit code {completed.returncode})")


def _summarise(variant, runs):
    median = statistics.median
    later = [median(run["epoch_seconds"][1:]) for run in runs]
    epoch = median(later)
    n_samples = runs[0]["n_samples"]
    return {
        "variant": variant,
        "runs": len(runs),
        "epoch_s": epoch,
        "epoch_s_min": min(later),
        "epoch_s_max": max(later),
        "epoch_cpu_s": median(median(run["epoch_cpu_seconds"][1:]) for run in runs),
        "first_epoch_s": median(run["epoch_seconds"][0] for run in runs),
        "samples_per_s": n_samples / epoch,
        "transform_s": median(run["transform_seconds"] for run in runs),
        "transform_first_s": median(run["transform_first_seconds"] for run in runs),
        "transform_rows_per_s": median(
            run["transform_rows"] / run["transform_seconds"] for run in runs
        ),
        "rss_fit_mb": median(run["rss_fit_mb"] for run in runs),
        "rss_end_mb": median(run["rss_end_mb"] for run in runs),
        "loss": median(run["loss"] for run in runs),
        "losses": [run["loss"] for run in runs],
    }


def _table(summaries):
    base = summaries[0]
    header = (
        "| variant | s/epoch (median, min-max) | CPU s/epoch | first epoch s | samples/s | "
        "x keras speed | transform 70k s (first call) | peak RSS fit MB | "
        "x keras RSS | peak RSS end MB | loss after last epoch (per run) |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for s in summaries:
        lines.append(
            f"| {s['variant']} "
            f"| {s['epoch_s']:.3f} ({s['epoch_s_min']:.3f}-{s['epoch_s_max']:.3f}) "
            f"| {s['epoch_cpu_s']:.3f} "
            f"| {s['first_epoch_s']:.2f} "
            f"| {s['samples_per_s']:,.0f} "
            f"| {base['epoch_s'] / s['epoch_s']:.2f} "
            f"| {s['transform_s']:.3f} ({s['transform_first_s']:.2f}) "
            f"| {s['rss_fit_mb']:,.0f} "
            f"| {s['rss_fit_mb'] / base['rss_fit_mb']:.2f} "
            f"| {s['rss_end_mb']:,.0f} "
            f"| {s['loss']:.4f} ({', '.join(f'{v:.4f}' for v in s['losses'])}) |"
        )
    return "\n".join(lines)


def main(argv=None):
    args = _parse_args(argv)
    if args.child:
        _child(args)
        return
    if not os.path.exists(args.data):
        sys.exit(f"{args.data} not found: pass --data PATH to an MNIST .npz")
    runs = {variant: [] for variant in args.variants}
    load_before = os.getloadavg()
    started = time.perf_counter()
    for repeat in range(args.repeats):
        # Rotate the order so that no variant always runs first or last.
        shift = repeat % len(args.variants)
        for variant in args.variants[shift:] + args.variants[:shift]:
            result = _run_child(args, variant, seed=repeat)
            runs[variant].append(result)
            print(
                f"repeat {repeat} {variant:14s} "
                f"s/epoch {statistics.median(result['epoch_seconds'][1:]):.3f}  "
                f"CPU s/epoch {statistics.median(result['epoch_cpu_seconds'][1:]):.3f}  "
                f"first {result['epoch_seconds'][0]:.2f}  "
                f"transform {result['transform_seconds']:.3f}  "
                f"RSS {result['rss_fit_mb']:,.0f} MB  loss {result['loss']:.4f}",
                flush=True,
            )
    load_after = os.getloadavg()
    for variant, results in runs.items():
        if results[0]["backend"] != "tensorflow" and results[0]["tensorflow_imported"]:
            print(f"note: {variant} imported tensorflow on the {results[0]['backend']} "
                  "backend", flush=True)
    summaries = [_summarise(variant, runs[variant]) for variant in args.variants]
    first = runs[args.variants[0]][0]
    context = (
        f"backend {first['backend']}, Keras {first['keras']}, "
        f"{args.n_samples} training images x {args.epochs} epochs, batch "
        f"{BATCH_SIZE}, {args.repeats} interleaved repeats per variant, "
        f"threads {args.threads or 'backend default'}, {os.cpu_count()} CPUs, "
        f"load average {load_before[0]:.1f} before / {load_after[0]:.1f} after, "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    table = _table(summaries)
    print("\n" + context + "\n\n" + table, flush=True)
    base = summaries[0]
    for s in summaries[1:]:
        print(
            f"{s['variant']}: {s['epoch_s'] / base['epoch_s']:.2f}x keras time per "
            f"epoch, {s['samples_per_s'] / base['samples_per_s']:.2f}x its samples/s, "
            f"{s['rss_fit_mb'] / base['rss_fit_mb']:.2f}x its peak RSS, "
            f"loss {s['loss']:.4f} vs {base['loss']:.4f}",
            flush=True,
        )
    if args.out:
        with open(args.out, "w") as file:
            file.write(
                "# skae speed benchmark\n\n"
                + context
                + "\n\nCommand: `python "
                + " ".join(
                    [os.path.relpath(__file__)] + (argv if argv is not None else sys.argv[1:])
                )
                + "`\n\n"
                + table
                + "\n"
            )


if __name__ == "__main__":
    main()

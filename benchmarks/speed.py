"""Whole-fit wall time of skae against the raw Keras tutorial code.

What a user waits for: the wall time of the whole ``fit`` call -- model
building, compilation, every epoch, validation and, with early stopping, the
restore of the best weights. All variants run in one process, interleaved,
after one unmeasured warm-up fit of each (so that TensorFlow's start-up is
paid once, as in a session or a grid search); every variant is fitted for
``--epochs`` epochs and for 4 epochs in each repeat. On MNIST:

``keras``
    The tutorial's raw Keras code, written out below: ``Sequential``
    ``Dense(36, relu)`` -> ``Dense(784, sigmoid)``, Adam, binary cross-entropy,
    batch 2024, ``model.fit(x, x, shuffle=True)``; model building and
    ``compile`` are timed with the fit.
``skae-tutorial``
    ``AutoencoderTransformer`` with exactly the tutorial's settings, Keras'
    own compile defaults included (``jit_compile`` as Keras' ``"auto"``
    resolves it: off for TensorFlow on CPU, on for JAX;
    ``steps_per_execution=1``), no early stopping.
``skae-default``
    ``AutoencoderTransformer`` with its defaults, except ``epochs`` and no
    early stopping, so that it trains the same epochs on the same samples
    as ``keras``.
``keras-val`` (the tutorial's job as written)
    ``keras`` with ``validation_data=(x_test, x_test)``: the loss on the
    10,000 test images after every epoch.
``skae-es`` (skae's defaults as users run them)
    ``AutoencoderTransformer`` with its defaults but ``epochs``: early
    stopping on a 10 % validation split (so it trains on 90 % of the rows),
    best weights restored. It may stop before ``--epochs``; the "epochs run"
    column says how many it ran.
``xla-loop`` (TensorFlow only; a floor, not a way to use skae)
    The tutorial's network, Adam and loss trained by a hand-written
    ``tf.function(jit_compile=True)`` loop over each epoch's batches (the
    same batch size, the last smaller batch in a second call), without
    Keras' ``fit``, callbacks or metrics: what XLA itself takes for the
    work of ``skae-default``.

Reported per variant, as the median over the repeats (min-max in brackets):

``fit N s``
    Wall time of the whole ``fit`` of ``--epochs`` epochs.
``fit 4 s``
    The same for 4 epochs: on MNIST's 60,000 rows the fewest epochs for
    which skae's ``jit_compile="auto"`` (XLA from 200,000 samples seen)
    takes the same path as the long fit.
``marginal s/epoch``
    ``(fit N - fit 4) / (N - 4)``: what one more epoch costs the user.
``fixed s/fit``
    ``fit 4 - 4 * marginal``: what every fit pays besides its epochs
    (building, tracing, compiling, feeds, the first epoch's extra cost).
``callback s/epoch median, mean (breakdown)``
    Median and mean of the intervals between Keras' ``on_epoch_begin`` and
    ``on_epoch_end`` callbacks, first epoch left out, in the ``fit N``
    fits. Breakdown only: it includes the validation (Keras runs it before
    ``on_epoch_end``) but leaves out everything between the epochs and
    before and after them.
``marginal / callback median``
    How much of an epoch the median epoch-callback interval does not see
    (the mean shows how much of that is a few slow epochs).
``x keras``
    The ``keras`` fit N time over this variant's (``keras-val`` for the
    ``skae-es`` row): how many times faster the whole fit is.
``x keras, best fits``
    The same for the fastest fit N of each: the machine's noise (this 2-core
    VM varies XLA's epochs by +-15 % from one epoch to the next) shows in
    how far it is from the median ratio.
``first fit s``
    The warm-up fit of 4 epochs, the first of its variant in the process.
``loss``
    Binary cross-entropy of the reconstructions of the training images
    after the ``fit N`` fits, computed the same way for every variant.

Run from the repository root::

    python benchmarks/speed.py --epochs 30 --repeats 2 --out speed.md
    python benchmarks/speed.py --epochs 6 --repeats 1 --n-samples 10000

    python benchmarks/speed.py --backend jax --epochs 10 --repeats 3
"""

import argparse
import gc
import os
import statistics
import sys
import time

VARIANTS = ("keras", "skae-tutorial", "skae-default", "keras-val", "skae-es", "xla-loop")
# Whose time each variant's "x keras" ratio is taken against.
BASELINE = {"skae-es": "keras-val", "keras-val": "keras-val"}
BATCH_SIZE = 2024
ENCODING_DIM = 36
# See "fit 4 s" above: fewer epochs would time skae's non-XLA path.
SHORT_EPOCHS = 4


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        default=os.path.join("..", "shared", "data", "mnist.npz"),
        help="MNIST .npz in the Keras layout (default: %(default)s)",
    )
    parser.add_argument(
        "--epochs", type=int, default=30, help="epochs of the long fits (default: 30)"
    )
    parser.add_argument(
        "--repeats", type=int, default=2, help="fits per variant and length, interleaved"
    )
    parser.add_argument(
        "--n-samples",
        type=int,
        default=60000,
        help="training images used, the first ones of x_train (default: 60000)",
    )
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated subset of {','.join(VARIANTS)} (default: all)",
    )
    parser.add_argument(
        "--backend", default=None, help="KERAS_BACKEND (default: the environment's)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for the backend (default: the backend's own choice)",
    )
    parser.add_argument("--out", default=None, help="write a Markdown table here")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    if args.epochs <= SHORT_EPOCHS:
        parser.error(f"--epochs must be more than {SHORT_EPOCHS}: the marginal epoch "
                     f"is (fit of --epochs - fit of {SHORT_EPOCHS}) / (--epochs - {SHORT_EPOCHS})")
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


def _load(path, n_samples):
    import numpy as np

    with np.load(path) as data:
        x_train, x_test = data["x_train"], data["x_test"]
    # The tutorial's preprocessing: float32, scaled to [0, 1], flattened.
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255.0
    return x_train[:n_samples], x_test


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def _tutorial_network(n_features):
    """The tutorial's autoencoder: ``Dense(36, relu)`` -> ``Dense(n_features, sigmoid)``."""
    import keras

    return keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(ENCODING_DIM, activation="relu"),
            keras.layers.Dense(n_features, activation="sigmoid"),
        ]
    )


def _fit_keras(x, x_test, epochs, seed, timer, validation):
    """The tutorial's code, unchanged but for the timing callback."""
    import keras

    keras.utils.set_random_seed(seed)
    model = _tutorial_network(x.shape[1])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(
        x,
        x,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        shuffle=True,
        validation_data=(x_test, x_test) if validation else None,
        verbose=0,
        callbacks=[timer],
    )
    return len(history.epoch), lambda X: model.predict(X, batch_size=BATCH_SIZE, verbose=0)


def _fit_xla_loop(x, epochs, seed, timer):
    """The tutorial's network, Adam and loss in a hand-written XLA loop, no ``fit``."""
    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    model = _tutorial_network(x.shape[1])
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    data = tf.constant(x)
    # Each fit traces its own function, as a fresh fit would: not a retracing
    # problem to be warned about.
    tf.get_logger().setLevel("ERROR")

    @tf.function(jit_compile=True)
    def train(rows):
        def body(i, total):
            batch = tf.gather(data, rows[i])
            with tf.GradientTape() as tape:
                loss = keras.ops.mean(
                    keras.losses.binary_crossentropy(batch, model(batch, training=True))
                )
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(gradients, model.trainable_variables)
            return i + 1, total + loss

        return tf.while_loop(lambda i, _: i < tf.shape(rows)[0], body, (0, 0.0))[1]

    rng = np.random.default_rng(seed)
    n_full = len(x) // BATCH_SIZE
    timer.on_train_begin()
    for epoch in range(epochs):
        timer.on_epoch_begin(epoch)
        order = rng.permutation(len(x))
        if n_full:
            train(order[: n_full * BATCH_SIZE].reshape(n_full, BATCH_SIZE))
        if len(x) % BATCH_SIZE:
            train(order[n_full * BATCH_SIZE :][None])
        timer.on_epoch_end(epoch)
    return epochs, lambda X: model.predict(X, batch_size=BATCH_SIZE, verbose=0)


def _fit_skae(x, epochs, seed, timer, variant):
    from unittest import mock

    import keras

    import skae._keras._fit_guard
    from skae import AutoencoderTransformer

    settings = {"epochs": epochs, "random_state": seed}
    if variant != "skae-es":
        settings.update(batch_size=BATCH_SIZE, early_stopping=False)
    if variant == "skae-tutorial":
        # What Keras' compile(jit_compile="auto") picks for the tutorial's
        # model here: False for TensorFlow on CPU, True for JAX.
        probe = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        settings.update(jit_compile=probe.jit_compile, steps_per_execution=1)
    ae = AutoencoderTransformer(ENCODING_DIM, **settings)
    # skae takes no callbacks; its fit adds those of this hook.
    with mock.patch.object(skae._keras._fit_guard, "_extra_callbacks", lambda: [timer]):
        ae.fit(x)
    return ae.n_iter_, lambda X: ae.inverse_transform(ae.transform(X))


def _bce(x, reconstruction, eps=1e-7):
    """Mean binary cross-entropy, as Keras computes it, in float64."""
    import numpy as np

    r = np.clip(reconstruction.astype(np.float64), eps, 1 - eps)
    x = x.astype(np.float64)
    return float(-np.mean(x * np.log(r) + (1 - x) * np.log(1 - r)))


def _fit(variant, x, x_test, epochs, seed, with_loss=False):
    """One timed fit: ``{"seconds", "epochs_run", "callback_seconds", "loss"}``."""
    import keras
    import numpy as np

    gc.collect()  # not in the timed part: the previous fit's garbage
    timer = _epoch_timer()
    start = time.perf_counter()
    if variant.startswith("keras"):
        epochs_run, reconstruct = _fit_keras(
            x, x_test, epochs, seed, timer, validation=variant == "keras-val"
        )
    elif variant == "xla-loop":
        epochs_run, reconstruct = _fit_xla_loop(x, epochs, seed, timer)
    else:
        epochs_run, reconstruct = _fit_skae(x, epochs, seed, timer, variant)
    seconds = time.perf_counter() - start
    loss = None
    if with_loss:
        loss = _bce(x, np.asarray(keras.ops.convert_to_numpy(reconstruct(x))))
    return {
        "seconds": seconds,
        "epochs_run": epochs_run,
        "callback_seconds": timer.seconds,
        "loss": loss,
    }


def _summarise(variant, long_runs, short_runs, warmup, epochs):
    median = statistics.median
    fit_n = median(run["seconds"] for run in long_runs)
    fit_2 = median(run["seconds"] for run in short_runs)
    # Early stopping may end a fit early: divide by the epochs it ran.
    epochs_run = median(run["epochs_run"] for run in long_runs)
    marginal = (fit_n - fit_2) / (epochs_run - SHORT_EPOCHS)
    callback = median(median(run["callback_seconds"][1:]) for run in long_runs)
    callback_mean = median(statistics.mean(run["callback_seconds"][1:]) for run in long_runs)
    return {
        "variant": variant,
        "fit_n": fit_n,
        "fit_n_range": (min(r["seconds"] for r in long_runs), max(r["seconds"] for r in long_runs)),
        "fit_2": fit_2,
        "fit_2_range": (min(r["seconds"] for r in short_runs), max(r["seconds"] for r in short_runs)),
        "epochs_run": epochs_run,
        "marginal": marginal,
        "fixed": fit_2 - SHORT_EPOCHS * marginal,
        "callback": callback,
        "callback_mean": callback_mean,
        "first_fit": warmup["seconds"],
        "losses": [run["loss"] for run in long_runs],
    }


def _table(summaries, epochs):
    by_name = {s["variant"]: s for s in summaries}
    header = (
        f"| variant | fit {epochs} s (min-max) | fit {SHORT_EPOCHS} s (min-max) | epochs run "
        "| marginal s/epoch | fixed s/fit | callback s/epoch median, mean (breakdown) "
        "| marginal / callback median | x keras (whole fit) | x keras, best fits "
        "| first fit s | loss (per run) |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for s in summaries:
        base = by_name.get(BASELINE.get(s["variant"], "keras"))
        ratio = f"{base['fit_n'] / s['fit_n']:.2f}" if base else "-"
        best = f"{base['fit_n_range'][0] / s['fit_n_range'][0]:.2f}" if base else "-"
        if base is not None and base["variant"] != "keras":
            ratio += f" (vs {base['variant']})"
        lines.append(
            f"| {s['variant']} "
            f"| {s['fit_n']:.2f} ({s['fit_n_range'][0]:.2f}-{s['fit_n_range'][1]:.2f}) "
            f"| {s['fit_2']:.2f} ({s['fit_2_range'][0]:.2f}-{s['fit_2_range'][1]:.2f}) "
            f"| {s['epochs_run']:g} "
            f"| {s['marginal']:.3f} "
            f"| {s['fixed']:.2f} "
            f"| {s['callback']:.3f}, {s['callback_mean']:.3f} "
            f"| {s['marginal'] / s['callback']:.2f} "
            f"| {ratio} "
            f"| {best} "
            f"| {s['first_fit']:.2f} "
            f"| {', '.join(f'{v:.4f}' for v in s['losses'])} |"
        )
    return "\n".join(lines)


def main(argv=None):
    args = _parse_args(argv)
    if not os.path.exists(args.data):
        sys.exit(f"{args.data} not found: pass --data PATH to an MNIST .npz")
    # Read by the backend when it is first imported, just below.
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.update(_thread_environment(args.threads))
    x, x_test = _load(args.data, args.n_samples)
    # The skae of this checkout, whatever is installed.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import keras

    if keras.backend.backend() != "tensorflow" and "xla-loop" in args.variants:
        print("xla-loop left out: it is written for TensorFlow", flush=True)
        args.variants.remove("xla-loop")
    load_before = os.getloadavg()
    started = time.perf_counter()
    warmups = {}
    for variant in args.variants:
        warmups[variant] = _fit(variant, x, x_test, SHORT_EPOCHS, seed=0)
        print(f"warm-up {variant:14s} fit {SHORT_EPOCHS} {warmups[variant]['seconds']:.2f} s",
              flush=True)
    long_runs = {variant: [] for variant in args.variants}
    short_runs = {variant: [] for variant in args.variants}
    jobs = [(v, n) for v in args.variants for n in (args.epochs, SHORT_EPOCHS)]
    for repeat in range(args.repeats):
        # Rotate the order so that no variant always runs first or last.
        shift = (repeat * 2) % len(jobs)
        for variant, epochs in jobs[shift:] + jobs[:shift]:
            long = epochs == args.epochs
            result = _fit(variant, x, x_test, epochs, seed=repeat, with_loss=long)
            (long_runs if long else short_runs)[variant].append(result)
            print(
                f"repeat {repeat} {variant:14s} fit {epochs:3d} {result['seconds']:7.2f} s  "
                f"epochs run {result['epochs_run']}  callback s/epoch "
                f"{statistics.median(result['callback_seconds'][1:]):.3f}"
                + (f"  loss {result['loss']:.4f}" if long else ""),
                flush=True,
            )
    load_after = os.getloadavg()
    summaries = [
        _summarise(v, long_runs[v], short_runs[v], warmups[v], args.epochs)
        for v in args.variants
    ]
    context = (
        f"backend {keras.backend.backend()}, Keras {keras.__version__}, "
        f"{args.n_samples} training images, fits of {args.epochs} and {SHORT_EPOCHS} "
        f"epochs, batch {BATCH_SIZE}, {args.repeats} interleaved repeats in one process "
        f"after one warm-up fit per variant, threads {args.threads or 'backend default'}, "
        f"{os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.1f} before / {load_after[0]:.1f} after, "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    table = _table(summaries, args.epochs)
    print("\n" + context + "\n\n" + table, flush=True)
    command = "python " + " ".join(
        [os.path.relpath(__file__)] + (argv if argv is not None else sys.argv[1:])
    )
    if args.out:
        with open(args.out, "w") as file:
            file.write(f"# skae speed benchmark\n\n{context}\n\nCommand: `{command}`\n\n"
                       f"{table}\n")


if __name__ == "__main__":
    main()

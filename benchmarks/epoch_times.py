"""Epoch by epoch: wall time and CPU time of skae's default fit.

Fits ``AutoencoderTransformer`` with its defaults (``--early-stopping`` or
not) ``--fits`` times in one process and prints, per fit, the whole ``fit``
wall and CPU time and, per epoch (between Keras' ``on_epoch_begin`` and
``on_epoch_end``, validation included), the wall time, the process's CPU
time over the wall time (about 1.7 when both cores of a 2-core machine
work, about 1 when one idles) and the main thread's CPU time. A summary
line counts the "one-core" epochs, whose CPU/wall ratio is below 1.4.

On MNIST (``--data``, the tutorial's 784 -> 36 -> 784 network, 30 epochs)
this showed a quarter to a third of the epochs on one core while Keras
built a ``tf.data`` iterator per epoch with autotuning on
(docs/performance.md). ``--data digits`` fits scikit-learn's
``load_digits`` (encoding_dim 10, the default 200 epochs): a fit of small
data, where what each epoch costs besides its one batch is most of the
time.

    python benchmarks/epoch_times.py --fits 3
    python benchmarks/epoch_times.py --data digits --early-stopping
"""

import argparse
import os
import statistics
import time

ONE_CORE_RATIO = 1.4


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        default=os.path.join("..", "shared", "data", "mnist.npz"),
        help="MNIST .npz in the Keras layout, or 'digits' (default: %(default)s)",
    )
    parser.add_argument("--fits", type=int, default=3, help="fits in the process (default: 3)")
    parser.add_argument(
        "--epochs", type=int, default=None, help="epochs (default: 30 on MNIST, 200 on digits)"
    )
    parser.add_argument(
        "--early-stopping", action="store_true", help="skae's early stopping (10 %% validation)"
    )
    return parser.parse_args(argv)


def _data(path):
    """``(X, encoding_dim, default epochs)`` of ``--data``."""
    import numpy as np

    if path == "digits":
        from sklearn.datasets import load_digits

        return (load_digits().data / 16).astype(np.float32), 10, 200
    from skae.datasets import load_mnist

    return load_mnist(path, download_if_missing=False, return_X_y=True)[0], 36, 30


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.epochs = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = (time.perf_counter(), time.process_time(), time.thread_time())

        def on_epoch_end(self, epoch, logs=None):
            wall, cpu, main = (
                now - start
                for now, start in zip(
                    (time.perf_counter(), time.process_time(), time.thread_time()), self._start
                )
            )
            self.epochs.append((wall, cpu / wall, main))

    return EpochTimer()


def main(argv=None):
    from unittest import mock

    args = _parse_args(argv)
    import skae._keras._fit_guard
    from skae import AutoencoderTransformer

    X, encoding_dim, epochs = _data(args.data)
    epochs = args.epochs or epochs
    walls, ratios = [], []
    for seed in range(args.fits):
        timer = _epoch_timer()
        ae = AutoencoderTransformer(
            encoding_dim, epochs=epochs, early_stopping=args.early_stopping, random_state=seed
        )
        start = time.perf_counter(), time.process_time()
        # skae takes no callbacks; its fit adds those of this hook.
        with mock.patch.object(skae._keras._fit_guard, "_extra_callbacks", lambda: [timer]):
            ae.fit(X)
        wall, cpu = time.perf_counter() - start[0], time.process_time() - start[1]
        print(
            f"fit {seed}: {wall:.2f} s wall, {cpu:.2f} s CPU, {ae.n_iter_} epochs, "
            f"loss {ae.history_['loss'][-1]:.5f}"
        )
        print("  epoch s       ", " ".join(f"{w:.3f}" for w, _, _ in timer.epochs))
        print("  CPU/wall      ", " ".join(f"{r:.2f}" for _, r, _ in timer.epochs))
        print("  main thread ms", " ".join(f"{1000 * m:.0f}" for _, _, m in timer.epochs))
        if seed > 0:  # the first fit compiles
            walls += [w for w, _, _ in timer.epochs[1:]]
            ratios += [r for _, r, _ in timer.epochs[1:]]
    if walls:
        one_core = sum(ratio < ONE_CORE_RATIO for ratio in ratios)
        print(
            f"fits after the first, first epoch left out: epoch median {statistics.median(walls):.3f} s, "
            f"mean {statistics.mean(walls):.3f} s, {one_core} of {len(ratios)} epochs "
            f"with CPU/wall below {ONE_CORE_RATIO}"
        )


if __name__ == "__main__":
    main()

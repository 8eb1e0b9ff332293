"""Training on a file larger than memory: wall time and peak RSS of one pass.

Writes ``--gigabytes`` of MNIST-like rows (MNIST's training images, scaled
to [0, 1] as float32, repeated) to a ``.npy`` file once, then runs each
variant in its own Python process, so that each reports its own peak RSS
(``VmHWM``; and its anonymous part, sampled every 50 ms: the cached
pages of a memmapped file count in RSS but are dropped under memory
pressure) and wall time, with and without the imports (TensorFlow
takes seconds), the network's build and compile included:

``partial_fit, file``
    ``np.load(path, mmap_mode="r")`` and ``partial_fit`` on parts of
    ``--part-rows`` rows: one pass over the whole file, never more than a
    part in memory.
``partial_fit, RAM``
    The same on the first ``--ram-rows`` rows loaded into memory.
``fit, RAM``
    ``fit(epochs=1, early_stopping=False)`` on those rows in memory, the
    fastest in-memory pass (skae's batch loop).
``fit, file part``
    The same ``fit`` on those rows of the memmapped file (``X[:ram_rows]``,
    still a memmap): streamed block by block, to compare with ``fit, RAM``.
``fit, file``
    The same ``fit`` on the whole memmapped file, streamed.

``seconds (fit calls)`` times the ``fit`` or ``partial_fit`` calls alone (for
the RAM variants not the reading of the rows into memory). ``--cold`` drops
the page cache before each variant, so that the file is read from disk.

The tutorial's autoencoder (784-36-784), batches of 256. Rows per second
compare the variants; the machine may be shared (say so with the numbers).

Run from the repository root::

    python benchmarks/out_of_core.py --gigabytes 16 --path /tmp/big.npy
    python benchmarks/out_of_core.py --gigabytes 1 --ram-rows 100000
    python benchmarks/out_of_core.py --path /tmp/big.npy --cold --variants "fit, RAM;fit, file part;fit, file"
"""

import argparse
import json
import os
import subprocess
import sys

_VARIANT = """
import json, sys, threading, time
start = time.perf_counter()
peak = {"VmHWM:": 0, "RssAnon:": 0}

def sample_memory():
    # Pages of the memmapped file count in RSS while cached, yet the kernel
    # drops them under pressure: the memory a run needs is its anonymous RSS.
    # (Not getrusage's ru_maxrss: Linux carries it over from the parent
    # process across fork and exec.)
    while True:
        with open("/proc/self/status") as status:
            for line in status:
                name = line.split(maxsplit=1)[0]
                if name in peak:
                    peak[name] = max(peak[name], int(line.split()[1]))
        time.sleep(0.05)

threading.Thread(target=sample_memory, daemon=True).start()
import numpy as np
from skae import AutoencoderTransformer
imported = time.perf_counter()
variant, path, part_rows, ram_rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
estimator = AutoencoderTransformer(36, batch_size=256, random_state=0)
X = np.load(path, mmap_mode="r")
if variant.endswith("RAM"):
    X = np.array(X[:ram_rows])
elif variant == "fit, file part":
    X = X[:ram_rows]
fit_start = time.perf_counter()
if variant.startswith("fit"):
    estimator.set_params(epochs=1, early_stopping=False).fit(X)
else:
    for first in range(0, len(X), part_rows):
        estimator.partial_fit(X[first : first + part_rows])
fit_seconds = time.perf_counter() - fit_start
print(json.dumps({
    "variant": variant,
    "rows": len(X),
    "seconds": time.perf_counter() - start,
    "training_seconds": time.perf_counter() - imported,
    "fit_seconds": fit_seconds,
    "peak_rss_gb": peak["VmHWM:"] / 2**20,
    "peak_anonymous_gb": peak["RssAnon:"] / 2**20,
    "loss": float(estimator.history_["loss"][-1]),
}))
"""


def _write_file(path, gigabytes, mnist):
    """Write MNIST's training images (float32, [0, 1]) repeated to ``gigabytes`` at ``path``."""
    import numpy as np

    with np.load(mnist) as data:
        images = data["x_train"].reshape(len(data["x_train"]), -1).astype(np.float32) / 255
    n_rows = int(gigabytes * 2**30 // (images.shape[1] * 4))
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n_rows, images.shape[1]))
    for first in range(0, n_rows, len(images)):
        out[first : first + len(images)] = images[: n_rows - first]
    out.flush()
    del out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=16.0)
    parser.add_argument("--path", default="/tmp/skae_out_of_core.npy")
    parser.add_argument("--mnist", default=os.path.join("..", "shared", "data", "mnist.npz"))
    parser.add_argument("--part-rows", type=int, default=65536)
    parser.add_argument("--ram-rows", type=int, default=240000)
    parser.add_argument(
        "--variants", default="fit, RAM;fit, file part;partial_fit, RAM;partial_fit, file;fit, file",
        help="which variants to run, separated by ';', in this order",
    )
    parser.add_argument(
        "--cold", action="store_true",
        help="drop the page cache before each variant (needs root), so the file is read from disk",
    )
    args = parser.parse_args(argv)
    if not os.path.exists(args.path):
        _write_file(args.path, args.gigabytes, args.mnist)
    size = os.path.getsize(args.path) / 2**30
    print(f"{args.path}: {size:.1f} GB; parts of {args.part_rows} rows; in RAM: {args.ram_rows} rows")
    print(
        "| variant | rows | seconds (all) | seconds (after imports) | seconds (fit calls) "
        "| rows/s (fit calls) | peak RSS (GB) | peak anonymous RSS (GB) | last loss |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for variant in args.variants.split(";"):
        if args.cold:
            os.sync()
            with open("/proc/sys/vm/drop_caches", "w") as caches:
                caches.write("1\n")
        done = subprocess.run(
            [sys.executable, "-c", _VARIANT, variant, args.path, str(args.part_rows), str(args.ram_rows)],
            capture_output=True, text=True, check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {r['variant']} | {r['rows']} | {r['seconds']:.1f} | {r['training_seconds']:.1f} "
            f"| {r['fit_seconds']:.1f} | {r['rows'] / r['fit_seconds']:.0f} "
            f"| {r['peak_rss_gb']:.2f} | {r['peak_anonymous_gb']:.2f} | {r['loss']:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

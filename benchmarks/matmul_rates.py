"""GFLOP/s of the deep autoencoder's and the tutorial's matrix products, per library.

Times float32 ``(m x k) @ (k x n)`` for the shapes of a 256-row batch through the
DEC/IDEC/N2D autoencoder (784-500-500-2000-10) and of a 2024-row batch through
the tutorial's (784-36-784), with NumPy (its BLAS), PyTorch, JAX (XLA) and
TensorFlow (with and without XLA), where installed. It shows how fast each
backend's kernels can go on this machine, apart from Keras.

Run from the repository root::

    python benchmarks/matmul_rates.py
"""

import importlib.util
import time

import numpy as np

SHAPES = [(256, 784, 500), (256, 500, 2000), (256, 2000, 500), (2024, 784, 36), (2024, 36, 784)]


def rates(make, matmul, wait):
    """GFLOP/s for each of SHAPES: about 20 GFLOP of products each, after a warm-up."""
    out = []
    rng = np.random.default_rng(0)
    for m, k, n in SHAPES:
        a = make(rng.standard_normal((m, k), dtype=np.float32))
        b = make(rng.standard_normal((k, n), dtype=np.float32))
        for _ in range(3):
            wait(matmul(a, b))
        repeats = max(5, int(2e10 / (2 * m * k * n)))
        start = time.perf_counter()
        for _ in range(repeats):
            result = matmul(a, b)
        wait(result)
        out.append(2 * m * k * n * repeats / (time.perf_counter() - start) / 1e9)
    return out


def libraries():
    yield "numpy", lambda a: a, np.matmul, lambda r: r
    if importlib.util.find_spec("torch"):
        import torch

        yield "torch", torch.from_numpy, torch.matmul, lambda r: r
    if importlib.util.find_spec("jax"):
        import jax
        import jax.numpy as jnp

        yield "jax", jnp.asarray, jax.jit(jnp.matmul), lambda r: r.block_until_ready()
    if importlib.util.find_spec("tensorflow"):
        import tensorflow as tf

        yield "tensorflow", tf.constant, tf.matmul, lambda r: r.numpy()
        yield "tensorflow-xla", tf.constant, tf.function(tf.matmul, jit_compile=True), lambda r: r.numpy()


def main():
    print("| library | " + " | ".join(f"{m}x{k} @ {k}x{n}" for m, k, n in SHAPES) + " |")
    print("|---" * (len(SHAPES) + 1) + "|")
    for name, make, matmul, wait in libraries():
        print(f"| {name} | " + " | ".join(f"{g:.0f}" for g in rates(make, matmul, wait)) + " |", flush=True)


if __name__ == "__main__":
    main()

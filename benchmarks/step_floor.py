"""How long one training step of the tutorial's model takes in arithmetic alone.

Times, with JAX's XLA on this machine's CPU, the gradient of one batch (2024 x
784) of the tutorial autoencoder (784 -> 36 relu -> 784 sigmoid) in four forms:
the cross-entropy on the logits, as Keras' TensorFlow backend computes it; on
the clipped probabilities, as Keras' JAX backend computes it; the five matrix
products alone (forward and backward); the two forward products alone. No
input pipeline, no optimizer, no Python between steps: a floor for
``benchmarks/speed.py``'s seconds per epoch (30 such steps on MNIST 60k).

Run from the repository root (needs ``jax``)::

    python benchmarks/step_floor.py --steps 60
"""

import argparse
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=60, help="timed steps per form")
    parser.add_argument("--batch-size", type=int, default=2024)
    args = parser.parse_args(argv)

    import jax
    import jax.numpy as jnp

    rng = np.random.RandomState(0)
    x = jnp.asarray(rng.rand(args.batch_size, 784).astype(np.float32))
    params = (
        jnp.asarray(rng.randn(784, 36).astype(np.float32) * 0.05),
        jnp.asarray(rng.randn(36, 784).astype(np.float32) * 0.05),
    )

    def logits(p, x):
        return jax.nn.relu(x @ p[0]) @ p[1]

    def loss_on_logits(p, x):
        z = logits(p, x)
        return jnp.mean(jnp.maximum(z, 0) - z * x + jnp.log1p(jnp.exp(-jnp.abs(z))))

    def loss_on_probabilities(p, x):
        r = jnp.clip(jax.nn.sigmoid(logits(p, x)), 1e-7, 1 - 1e-7)
        return -jnp.mean(x * jnp.log(r) + (1 - x) * jnp.log(1 - r))

    def products(p, x):
        return ((x @ p[0]) @ p[1]).sum()

    forms = {
        "gradient, loss on logits": jax.jit(jax.grad(loss_on_logits)),
        "gradient, loss on probabilities": jax.jit(jax.grad(loss_on_probabilities)),
        "gradient of the matrix products alone": jax.jit(jax.grad(products)),
        "forward matrix products alone": jax.jit(products),
    }
    flops = 2 * args.batch_size * 784 * 36
    print(f"JAX {jax.__version__} on {jax.devices()[0].device_kind}, batch {args.batch_size}")
    for name, step in forms.items():
        jax.block_until_ready(step(params, x))
        start = time.perf_counter()
        for _ in range(args.steps):
            result = step(params, x)
        jax.block_until_ready(result)
        ms = (time.perf_counter() - start) / args.steps * 1000
        n_products = 5 if name.startswith("gradient") else 2
        print(
            f"{name:40s} {ms:6.2f} ms/step  "
            f"({n_products * flops / ms / 1e6:5.1f} GFLOP/s in its {n_products} products)"
        )


if __name__ == "__main__":
    main()

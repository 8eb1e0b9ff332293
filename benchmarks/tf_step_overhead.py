"""Where TensorFlow's training time goes beyond the arithmetic, epoch by epoch.

Trains the tutorial's model (784 -> 36 relu -> 784 sigmoid, Adam, binary
cross-entropy, batch 2024) on MNIST's 60k training images on the TensorFlow
backend, always XLA-compiled, in four forms, and prints every epoch's wall and
CPU seconds (the first epoch compiles):

``fit``
    ``Model.fit`` with ``jit_compile=True, steps_per_execution=30`` on one
    batch repeated 29 times (no gather, no shuffling): Keras' own step loop
    (a ``tf.while_loop`` calling the compiled step).
``eager-k``
    A ``tf.function(jit_compile=True)`` running ``k`` steps unrolled (gather,
    forward, cross-entropy, gradient, ``optimizer.apply``), called from Python
    ``29 // k`` times per epoch on freshly shuffled rows.
``eager-k-train-step``
    The same, each step being Keras' own ``Model.train_step``.
``eager-k-tracked``
    ``eager-k`` plus one ``assign_add`` of the loss into a variable per step.

Spreads between the epochs of one form, and between forms that do the same
arithmetic, are the runtime's, not the model's: on a 2-core CPU the ``fit``
epochs split into a fast and a slow mode (CPU seconds equal, one core idle in
the slow one). ``benchmarks/step_floor.py`` gives the arithmetic alone.

Run from the repository root (needs TensorFlow)::

    python benchmarks/tf_step_overhead.py --epochs 10 --unroll 4
"""

import argparse
import os
import time

import numpy as np

FORMS = ("fit", "eager-k", "eager-k-train-step", "eager-k-tracked")
BATCH_SIZE = 2024


def model(keras):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((784,))
    code = keras.layers.Dense(36, activation="relu")(inputs)
    autoencoder = keras.Model(inputs, keras.layers.Dense(784, activation="sigmoid")(code))
    autoencoder.compile("adam", "binary_crossentropy", jit_compile=True, steps_per_execution=30)
    return autoencoder


def timed_epochs(epochs, run_epoch):
    times = []
    for epoch in range(epochs):
        wall, cpu = time.perf_counter(), time.process_time()
        run_epoch(epoch)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


def run_form(form, X, epochs, unroll):
    # Every form here is TensorFlow code, whatever the caller's KERAS_BACKEND.
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
    import tensorflow as tf

    autoencoder = model(keras)
    steps = len(X) // BATCH_SIZE
    if form == "fit":
        batch = tf.constant(X[:BATCH_SIZE])
        data = tf.data.Dataset.from_tensors((batch, batch)).repeat(steps)
        times = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter(), time.process_time()

            def on_epoch_end(self, epoch, logs=None):
                wall, cpu = self.start
                times.append((time.perf_counter() - wall, time.process_time() - cpu))

        autoencoder.fit(data, epochs=epochs, verbose=0, callbacks=[Timer()])
        return times

    autoencoder.optimizer.build(autoencoder.trainable_variables)
    loss_fn = keras.losses.BinaryCrossentropy()
    tracked = tf.Variable(0.0)
    images = tf.constant(X)

    @tf.function(jit_compile=True)
    def unrolled_steps(rows):
        for i in range(unroll):
            x = tf.gather(images, rows[i])
            if form == "eager-k-train-step":
                loss = autoencoder.train_step((x, x))["loss"]
                continue
            with tf.GradientTape() as tape:
                loss = loss_fn(x, autoencoder(x, training=True))
            gradients = tape.gradient(loss, autoencoder.trainable_variables)
            autoencoder.optimizer.apply(gradients, autoencoder.trainable_variables)
            if form == "eager-k-tracked":
                tracked.assign_add(loss)
        return loss

    rng = np.random.default_rng(0)

    def run_epoch(epoch):
        order = rng.permutation(len(X))[: steps * BATCH_SIZE].reshape(steps, BATCH_SIZE)
        for start in range(0, steps - unroll + 1, unroll):
            loss = unrolled_steps(tf.constant(order[start : start + unroll]))
        loss.numpy()

    return timed_epochs(epochs, run_epoch)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join("..", "shared", "data", "mnist.npz"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--unroll", type=int, default=4, help="steps per compiled call (k)")
    parser.add_argument("--forms", nargs="+", default=list(FORMS), choices=FORMS)
    args = parser.parse_args(argv)
    with np.load(args.data) as mnist:
        X = mnist["x_train"].reshape(-1, 784).astype(np.float32) / 255.0
    for form in args.forms:
        times = run_form(form, X, args.epochs, args.unroll)
        steps = len(X) // BATCH_SIZE
        if form != "fit":
            steps -= steps % args.unroll
        per_epoch = " ".join(f"{wall:.2f}/{cpu:.2f}" for wall, cpu in times[1:])
        median = np.median([wall for wall, _ in times[1:]])
        print(
            f"{form:20s} {steps} steps/epoch, median {median:.3f} s/epoch "
            f"({1000 * median / steps:.1f} ms/step), first {times[0][0]:.1f} s; "
            f"wall/CPU s per epoch: {per_epoch}",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""What differs between the Keras backends (TensorFlow, JAX, PyTorch), evened out,
and the compile settings chosen for each: XLA, steps per execution, dtype policy."""

import keras
from keras import ops


def _binary_crossentropy(y_true, y_pred):
    """Keras' binary cross-entropy, computed for targets outside [0, 1] too.

    The formula and the clipping are those of the JAX backend.
    """
    epsilon = keras.config.epsilon()
    y_true = ops.cast(y_true, y_pred.dtype)
    y_pred = ops.clip(y_pred, epsilon, 1.0 - epsilon)
    log_likelihood = y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred)
    return -ops.mean(log_likelihood, axis=-1)


_binary_crossentropy.__name__ = "binary_crossentropy"


def _portable_loss(loss):
    """``loss``, or a version of it that computes the same on every backend.

    PyTorch's binary cross-entropy stops training with a RuntimeError when a
    target is outside [0, 1], where TensorFlow and JAX compute it (and skae
    warns that the data should be scaled). On PyTorch, Keras' binary
    cross-entropy function is swapped for the TensorFlow/JAX formula, so the
    same data gives the same warning and a trained model on every backend.
    """
    if keras.backend.backend() == "torch" and loss is keras.losses.binary_crossentropy:
        return _binary_crossentropy
    return loss


def _steps_per_execution(requested, n_batches):
    """``steps_per_execution`` for ``Model.compile``.

    Keras reports the last step of an execution as the batch number, even past
    the end of the epoch, so no more steps than batches; and Keras' PyTorch
    trainer accepts only 1.
    """
    if keras.backend.backend() == "torch":
        return 1
    return min(requested, n_batches)


# Samples seen in training (rows x epochs) from which XLA's compile time,
# around a second on CPU, is paid back: about three epochs of MNIST.
_JIT_MIN_SAMPLES = 200_000


def _resolve_jit_compile(jit_compile, n_samples_seen=None):
    """``jit_compile`` for ``Model.compile``.

    Keras' own ``"auto"`` turns XLA off for TensorFlow on CPU; on the small
    dense autoencoders here XLA trains about 2x faster there, so skae's
    ``"auto"`` turns it on for TensorFlow whenever training sees enough
    samples (``n_samples_seen``, rows x epochs) to pay the compile time back,
    and always for JAX, whose non-compiled mode runs op by op.
    """
    if jit_compile != "auto":
        return bool(jit_compile)
    backend = keras.backend.backend()
    if backend == "jax":
        return True
    if backend == "tensorflow":
        return n_samples_seen is None or n_samples_seen >= _JIT_MIN_SAMPLES
    return False


def _dtype_policy(precision):
    """Keras dtype policy of the layers for ``precision``."""
    return "mixed_bfloat16" if precision == "bfloat16" else "float32"


def _set_inference_jit(models, jit_compile):
    """Compile the predict functions of ``models`` with XLA or not.

    ``jit_compile`` is the resolved value used for training.
    """
    for model in models:
        model.jit_compile = jit_compile


def keras_internal(owner, name):
    """``owner``'s attribute ``name``, one Keras or TensorFlow may drop, or ``None`` where it is missing.

    Every private (``_``-prefixed) or experimental attribute of Keras or
    TensorFlow that skae uses is looked up here, and every caller falls back
    to public behaviour on ``None``: the same training, only slower or using
    more memory. The callers:

    - ``_without_replica_all_reduce`` (here): ``optimizer._all_reduce_sum_gradients``;
      without it the optimizer is left as it is (Keras 3.0 has no such
      all-reduce, so nothing is lost there).
    - ``release_training_state`` (``_fit_guard.py``): ``model._compile_config``,
      which holds the optimizer; without it the optimizer's reference there
      is kept.
    - ``_shared_tensor`` (``_feeds.py``): ``tf.experimental.dlpack``;
      without it ``X`` is copied into the tensor (``tf.convert_to_tensor``).
    - ``_TensorFlowBatches`` (``_feeds.py``): ``Model.make_test_function``,
      public in name but undocumented; without it Keras' ``fit`` validates.

    The batch loop's override of Keras' ``train_step`` is checked by its
    signature instead (``batch_loop_fits_keras`` in ``_batch_loop.py``).
    """
    return getattr(owner, name, None)


def _without_replica_all_reduce(optimizer):
    """``optimizer``, made not to all-reduce its gradients outside a ``tf.distribute`` strategy.

    Keras' TensorFlow optimizer sums the gradients over the replicas in
    every traced train step, even under TensorFlow's default (one-replica)
    strategy, where the sum is the gradient itself. That sum goes through
    ``tf.custom_gradient``, which registers a gradient function in
    TensorFlow's global gradient registry at every trace and never removes
    it; the function holds the traced graph, and the graph the handles of
    the model's and the optimizer's variables. So every fit left its weights
    and Adam's moments in memory for the life of the process (+66 MB per fit
    for the 784-500-500-2000-10 autoencoder, also in raw Keras). Without a
    strategy the gradients are passed on as they are, which is what the sum
    returns; under a strategy's scope Keras' own all-reduce runs. Other
    backends: unchanged.

    The sum is Keras' private ``_all_reduce_sum_gradients`` (see
    :func:`keras_internal`): where a Keras version lacks it (3.0 does not
    all-reduce there at all), the optimizer is returned as it is, which
    trains the same; only this memory fix is lost.
    """
    if keras.backend.backend() != "tensorflow":
        return optimizer
    all_reduce = keras_internal(optimizer, "_all_reduce_sum_gradients")
    if all_reduce is None:
        return optimizer
    import tensorflow as tf

    def all_reduce_if_distributed(grads_and_vars):
        if tf.distribute.has_strategy():
            return all_reduce(grads_and_vars)
        return grads_and_vars

    optimizer._all_reduce_sum_gradients = all_reduce_if_distributed
    return optimizer

"""Keras objects named by the estimators' parameters: activations, losses, optimizers."""

import keras

from ._backend import _portable_loss, _without_replica_all_reduce

_EXAMPLES = {
    "activation": "'relu', 'sigmoid' or 'linear'",
    "loss": "'binary_crossentropy' or 'mse'",
    "optimizer": "'adam' or 'sgd'",
}


def _keras_object(getter, identifier, parameter):
    """Resolve a Keras identifier, turning Keras' error into one that names the parameter."""
    try:
        return getter(identifier)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{parameter}={identifier!r} is not something Keras knows: {exc} "
            f"Pass a Keras name such as {_EXAMPLES.get(parameter, _EXAMPLES['activation'])}, "
            "or a Keras object."
        ) from None


def check_activation(identifier, parameter):
    """Raise a ValueError naming ``parameter`` when Keras does not know the activation."""
    _keras_object(keras.activations.get, identifier, parameter)


def make_optimizer(optimizer, learning_rate=None, parameter="optimizer"):
    """A new optimizer from a Keras name or object (copied, never modified).

    ``learning_rate`` replaces the optimizer's own unless ``None``. On
    TensorFlow the optimizer leaves nothing behind in TensorFlow's global
    state once its model is gone (see ``_without_replica_all_reduce``).
    """
    template = _keras_object(keras.optimizers.get, optimizer, parameter)
    config = template.get_config()
    if learning_rate is not None:
        config["learning_rate"] = learning_rate
    return _without_replica_all_reduce(type(template).from_config(config))


def get_loss(loss, parameter="loss"):
    """The Keras loss function named by ``loss``, computed alike on every backend."""
    return _portable_loss(_keras_object(keras.losses.get, loss, parameter))

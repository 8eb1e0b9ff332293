"""What a compiled network computes besides its weights: :class:`NetworkSpec`, the key of every cache.

skae keeps compiled programs across fits and estimators (the trainers of
:mod:`~skae._keras._trainers`, the prediction functions of
:mod:`~skae._keras._predict`, DEC's clustering trainer) and lends them to
any network with the same spec. A spec that misses a parameter would lend
a program compiled for another network, silently: so every ``__init__``
parameter of every public estimator is declared once, in
:data:`PARAMETERS`, as shaping the network (architecture), its compiled
training step (training) or neither, and :func:`network_spec` builds the
spec from that declaration alone. An estimator with a parameter not
declared there (a subclass's, say) gets no spec, so nothing compiled is
shared with it; ``tests/test_spec.py`` fails for such a parameter of a
skae estimator.
"""

import dataclasses
from numbers import Number

import keras
import numpy as np

ARCHITECTURE, TRAINING, NEITHER = "architecture", "training", "neither"

# Every __init__ parameter of every public estimator, by what it changes in a
# compiled program. Architecture: the network's computation, so every
# program of it (prediction included). Training: the compiled training step
# only. Neither: no compiled program (how long to train, seeds, the data
# fed, what is done with the outputs).
PARAMETERS = {
    "AutoencoderTransformer": {
        ARCHITECTURE: (
            "encoding_dim",
            "hidden_layer_sizes",
            "activation",
            "encoding_activation",
            "output_activation",
            "precision",
            "image_shape",
            "noise",
            "noise_level",
            "activity_regularization",
            "variational",
            "kl_weight",
        ),
        TRAINING: (
            "loss",
            "optimizer",
            "learning_rate",
            "batch_size",
            "jit_compile",
            "steps_per_execution",
        ),
        NEITHER: (
            "epochs",
            "min_steps",
            "early_stopping",
            "validation_fraction",
            "n_iter_no_change",
            "max_shift",
            "max_rotation",
            "random_state",
            "verbose",
        ),
    },
    "DeepEmbeddedClustering": {
        # The autoencoder's own network (its spec) and, with
        # reconstruction_weight > 0, its loss are part of the clustering model.
        ARCHITECTURE: ("autoencoder", "n_clusters", "alpha", "reconstruction_weight"),
        TRAINING: ("optimizer", "learning_rate", "batch_size"),
        NEITHER: (
            "max_iter",
            "update_interval",
            "tol",
            "init",
            "n_init",
            "max_shift",
            "max_rotation",
            "random_state",
            "verbose",
        ),
    },
    # Compiles nothing itself: its autoencoder is a clone, keyed by its own spec.
    "AutoencoderOutlierDetector": {NEITHER: ("autoencoder", "contamination", "random_state")},
    # No network.
    "BalancedKMeans": {
        NEITHER: ("n_clusters", "temperature", "max_iter", "tol", "n_init", "random_state")
    },
    "MajorityVoteClassifier": {NEITHER: ("estimator", "random_state")},
}


@dataclasses.dataclass(frozen=True)
class NetworkSpec:
    """Everything a compiled program of an estimator's network depends on, besides the weights.

    Frozen and hashable: the key of the caches of compiled programs. Built
    by :func:`network_spec` only.

    Attributes
    ----------
    estimator : str
        The class whose declaration in :data:`PARAMETERS` it follows.

    environment : tuple of str
        Keras' backend, ``floatx`` and global dtype policy.

    n_features : int
        Number of input features.

    architecture : tuple of (str, object)
        Each architecture parameter and its value, in declaration order.

    training : tuple of (str, object) or None
        Each training parameter and its value as compiled (a batch size
        ``"auto"`` chose, ``jit_compile`` and ``steps_per_execution`` as Keras
        compiled them); ``None`` for the network alone, as prediction uses it.

    trainer : str or None
        Which compiled program trains it (``"batch loop"``, ``"keras"``; the
        batch loop that moves images names their shape), once the feed has chosen (see :func:`~skae._keras._feeds._fit_data`).
    """

    estimator: str
    environment: tuple
    n_features: int
    architecture: tuple
    training: tuple = None
    trainer: str = None

    def get(self, name):
        """The value of parameter ``name`` in this spec."""
        return dict((*self.architecture, *(self.training or ())))[name]

    def trained_by(self, trainer):
        """This spec, for the compiled program ``trainer`` that trains the network."""
        return dataclasses.replace(self, trainer=trainer)


def _declaring_class(estimator_class):
    """The name of ``estimator_class`` or of its nearest base class in :data:`PARAMETERS`, or None."""
    return next((cls.__name__ for cls in estimator_class.__mro__ if cls.__name__ in PARAMETERS), None)


def declared_parameters(estimator_class):
    """``{role: names}`` declared for ``estimator_class`` (or its nearest declared base class), or None."""
    name = _declaring_class(estimator_class)
    return None if name is None else PARAMETERS[name]


class _NotByValue(Exception):
    """A value that cannot be told apart by value (a callable, an optimizer object)."""


def _by_value(value):
    """``value`` as a hashable equal for equal computations; raises :class:`_NotByValue` otherwise."""
    if value is None or isinstance(value, (str, Number, np.generic, NetworkSpec)):
        return value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        return tuple(_by_value(item) for item in value)
    raise _NotByValue


def network_spec(estimator, n_features, training=None, **resolved):
    """The :class:`NetworkSpec` of ``estimator``'s network on ``n_features`` features, or None.

    Every parameter declared as architecture in :data:`PARAMETERS` goes
    into the spec with its value, and with ``training`` (a dict, possibly
    empty) every training parameter too. A value that depends on the data
    is given resolved: in ``resolved`` for architecture parameters (the
    validated ``hidden_layer_sizes``, DEC's ``autoencoder`` as its own spec),
    in ``training`` for training parameters (the batch size used,
    ``jit_compile`` as compiled).

    None, so that nothing compiled is shared, when a value cannot be told
    apart by value (an activation, loss or optimizer given as an object) or
    when the estimator has a parameter not declared in :data:`PARAMETERS`.
    """
    name = _declaring_class(type(estimator))
    declared = PARAMETERS.get(name)
    params = estimator.get_params(deep=False)
    if declared is None or set(params) != {name for names in declared.values() for name in names}:
        return None
    for values, role in ((resolved, ARCHITECTURE), (training or {}, TRAINING)):
        undeclared = set(values) - set(declared.get(role, ()))
        if undeclared:
            raise ValueError(f"{sorted(undeclared)} are not {role} parameters of {type(estimator).__name__}")
    try:
        architecture = _part(declared, ARCHITECTURE, {**params, **resolved})
        training = None if training is None else _part(declared, TRAINING, {**params, **training})
    except _NotByValue:
        return None
    return NetworkSpec(
        estimator=name,
        environment=(keras.backend.backend(), keras.config.floatx(), keras.config.dtype_policy().name),
        n_features=int(n_features),
        architecture=architecture,
        training=training,
    )


def _part(declared, role, values):
    return tuple((name, _by_value(values[name])) for name in declared.get(role, ()))

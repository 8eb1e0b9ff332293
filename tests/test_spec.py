"""Tests of the network spec, the key of the caches of compiled programs (skae/_keras/_spec.py)."""

import dataclasses
import inspect

import keras
import pytest
from sklearn.base import BaseEstimator

import skae
from skae import AutoencoderTransformer, DeepEmbeddedClustering
from skae._keras._spec import ARCHITECTURE, NEITHER, PARAMETERS, TRAINING, declared_parameters, network_spec

PUBLIC_ESTIMATORS = [
    getattr(skae, name)
    for name in skae.__all__
    if inspect.isclass(getattr(skae, name)) and issubclass(getattr(skae, name), BaseEstimator)
]

# A value other than the default for every parameter that shapes a compiled program.
OTHER_VALUES = {
    AutoencoderTransformer: {
        "encoding_dim": 3,
        "hidden_layer_sizes": (16,),
        "activation": "tanh",
        "encoding_activation": "linear",
        "output_activation": "linear",
        "precision": "bfloat16",
        "image_shape": (8, 8),
        "noise": "gaussian",
        "noise_level": 0.2,
        "activity_regularization": 0.01,
        "variational": True,
        "kl_weight": 0.5,
        "loss": "mse",
        "optimizer": "sgd",
        "learning_rate": 0.01,
        "batch_size": 32,
        "jit_compile": True,
        "steps_per_execution": 4,
    },
    DeepEmbeddedClustering: {
        "n_clusters": 3,
        "alpha": 2.0,
        "reconstruction_weight": 0.0,  # DEC, where the default is IDEC
        "optimizer": "sgd",
        "learning_rate": 0.01,
        "batch_size": 64,
    },
}

# Random layers, whose seeds live in the compiled functions: such networks get no spec.
RANDOM_LAYERS = {"noise", "variational"}


def _spec(estimator, n_features=64):
    """The spec of ``estimator``'s network and training on ``n_features``, its parameters taken as given."""
    params = estimator.get_params(deep=False)
    training = {name: params[name] for name in declared_parameters(type(estimator))[TRAINING]}
    if isinstance(estimator, DeepEmbeddedClustering):
        autoencoder = _spec(AutoencoderTransformer(), n_features)
        return network_spec(estimator, n_features, training, autoencoder=(autoencoder, "mse"))
    return estimator._network_spec(n_features, list(estimator.hidden_layer_sizes), training)


@pytest.mark.parametrize("estimator_class", PUBLIC_ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_parameter_of_every_public_estimator_is_declared_once(estimator_class):
    """Check that each __init__ parameter is declared as architecture, training or neither, exactly once.

    A new parameter fails here until it is declared in ``skae/_keras/_spec.py``'s
    ``PARAMETERS``, so that no cache of compiled programs can leave it out.
    """
    declared = PARAMETERS[estimator_class.__name__]
    assert set(declared) <= {ARCHITECTURE, TRAINING, NEITHER}
    names = [name for role in declared.values() for name in role]
    assert len(names) == len(set(names)), "a parameter is declared twice"
    parameters = set(estimator_class().get_params(deep=False))
    assert set(names) == parameters, (
        f"undeclared: {sorted(parameters - set(names))}, declared but no parameter: "
        f"{sorted(set(names) - parameters)}; declare each in PARAMETERS of skae/_keras/_spec.py"
    )


def test_the_declaration_covers_the_public_estimators_only():
    """Check that PARAMETERS names no estimator that is not public (a stale entry)."""
    assert set(PARAMETERS) == {cls.__name__ for cls in PUBLIC_ESTIMATORS}


@pytest.mark.parametrize("estimator_class", list(OTHER_VALUES), ids=lambda cls: cls.__name__)
def test_every_architecture_and_training_parameter_changes_the_spec(estimator_class):
    """Check that another value of any parameter that shapes a compiled program gives another spec.

    The spec is built from the declaration alone, so none can be left out;
    networks with random layers get no spec.
    """
    declared = declared_parameters(estimator_class)
    shaping = {name for role in (ARCHITECTURE, TRAINING) for name in declared.get(role, ())}
    resolved = {"autoencoder"}  # DEC's: given as the autoencoder's spec
    assert set(OTHER_VALUES[estimator_class]) == shaping - resolved
    default = _spec(estimator_class())
    assert default is not None and hash(default) == hash(_spec(estimator_class()))
    for name, value in OTHER_VALUES[estimator_class].items():
        changed = _spec(estimator_class(**{name: value}))
        if name in RANDOM_LAYERS:
            assert changed is None, name
        else:
            assert changed is not None and changed != default, name
            assert changed.get(name) != default.get(name), name


def test_the_spec_of_dec_holds_its_autoencoders_network_and_loss():
    """Check that DEC's spec changes with the autoencoder's architecture and loss, not its training."""
    dec = DeepEmbeddedClustering()

    def spec(autoencoder, loss="mse"):
        network = autoencoder._network_spec(64, list(autoencoder.hidden_layer_sizes))
        return network_spec(dec, 64, {"batch_size": 32}, autoencoder=(network, loss))

    default = spec(AutoencoderTransformer())
    assert spec(AutoencoderTransformer(learning_rate=0.1, epochs=3)) == default
    assert spec(AutoencoderTransformer(encoding_dim=3)) != default
    assert spec(AutoencoderTransformer(), loss="binary_crossentropy") != default


def test_the_spec_is_frozen_and_holds_the_keras_environment():
    """Check that a spec cannot be changed and holds the backend, floatx and dtype policy."""
    spec = _spec(AutoencoderTransformer())
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.n_features = 3
    assert spec.environment == (keras.backend.backend(), keras.config.floatx(), keras.config.dtype_policy().name)
    assert spec.n_features == 64 and spec.get("encoding_dim") == 36
    assert spec.trained_by("keras") != spec and spec.trained_by("keras").trainer == "keras"
    assert _spec(AutoencoderTransformer(), n_features=65) != spec


@pytest.mark.parametrize(
    "params",
    [{"activation": keras.activations.relu}, {"optimizer": keras.optimizers.Adam()}, {"loss": keras.losses.MeanSquaredError()}],
    ids=["activation", "optimizer", "loss"],
)
def test_objects_as_parameters_give_no_spec(params):
    """Check that a network whose parameters are objects, not told apart by value, shares no compiled program."""
    assert _spec(AutoencoderTransformer(**params)) is None


def test_an_undeclared_parameter_gives_no_spec():
    """Check that a subclass with a parameter of its own gets no spec (nothing shared), and one without does."""

    class Subclass(AutoencoderTransformer):
        pass

    class WithParameter(AutoencoderTransformer):
        def __init__(self, encoding_dim=36, *, scale=1.0):
            super().__init__(encoding_dim)
            self.scale = scale

    assert _spec(Subclass()) == _spec(AutoencoderTransformer())
    assert network_spec(WithParameter(), 64, hidden_layer_sizes=[]) is None
    with pytest.raises(ValueError, match="epochs"):
        network_spec(AutoencoderTransformer(), 64, {"epochs": 3})

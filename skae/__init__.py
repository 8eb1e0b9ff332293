"""scikit-learn compatible autoencoders on Keras 3."""

import importlib

from . import exceptions, metrics
from ._autoencoder import AutoencoderTransformer
from ._deep_clustering import DeepEmbeddedClustering
from ._majority_vote import MajorityVoteClassifier
from ._persistence import load
from ._version import __version__
from .exceptions import TrainingDivergedError

# Imported on first use (skae.plot, skae.datasets), so that `import skae`
# stays as fast as the estimators allow.
_LAZY_SUBMODULES = ("datasets", "plot")

__all__ = [
    "AutoencoderTransformer",
    "DeepEmbeddedClustering",
    "MajorityVoteClassifier",
    "TrainingDivergedError",
    "load",
    "datasets",
    "exceptions",
    "metrics",
    "plot",
    "__version__",
]


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))

"""scikit-learn compatible autoencoders on Keras 3."""

import importlib

from ._version import __version__

# Public name -> private module (None: a public submodule). The estimators
# import Keras (and so TensorFlow, seconds); importing them on first use keeps
# `import skae` and `skae --help` fast and lets the command quieten TensorFlow
# before it loads.
_LAZY = {
    "AutoencoderOutlierDetector": "._outlier",
    "AutoencoderTransformer": "._autoencoder",
    "BalancedKMeans": "._balanced_kmeans",
    "DeepEmbeddedClustering": "._deep_clustering",
    "MajorityVoteClassifier": "._majority_vote",
    "TrainingDivergedError": ".exceptions",
    "config_context": "._config",
    "get_config": "._config",
    "load": "._persistence",
    "set_config": "._config",
    "datasets": None,
    "exceptions": None,
    "metrics": None,
    "plot": None,
    "recipes": None,
}

__all__ = [
    "AutoencoderOutlierDetector",
    "AutoencoderTransformer",
    "BalancedKMeans",
    "DeepEmbeddedClustering",
    "MajorityVoteClassifier",
    "TrainingDivergedError",
    "config_context",
    "get_config",
    "load",
    "set_config",
    "datasets",
    "exceptions",
    "metrics",
    "plot",
    "recipes",
    "__version__",
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _LAZY[name]
    if module is None:
        value = importlib.import_module(f".{name}", __name__)
    else:
        value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *__all__})

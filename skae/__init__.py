"""scikit-learn compatible autoencoders on Keras 3."""

from . import metrics
from ._autoencoder import AutoencoderTransformer
from ._deep_clustering import DeepEmbeddedClustering
from ._majority_vote import MajorityVoteClassifier
from ._persistence import load
from ._version import __version__
from .exceptions import TrainingDivergedError

__all__ = [
    "AutoencoderTransformer",
    "DeepEmbeddedClustering",
    "MajorityVoteClassifier",
    "TrainingDivergedError",
    "load",
    "metrics",
    "__version__",
]

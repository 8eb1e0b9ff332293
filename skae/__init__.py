"""scikit-learn compatible autoencoders on Keras 3."""

from . import metrics, recipes
from ._autoencoder import AutoencoderTransformer
from ._balanced_kmeans import BalancedKMeans
from ._deep_clustering import DeepEmbeddedClustering
from ._majority_vote import MajorityVoteClassifier
from ._persistence import load
from ._training import TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "AutoencoderTransformer",
    "BalancedKMeans",
    "DeepEmbeddedClustering",
    "MajorityVoteClassifier",
    "TrainingDivergedError",
    "load",
    "metrics",
    "recipes",
    "__version__",
]

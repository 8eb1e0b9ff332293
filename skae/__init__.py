"""scikit-learn compatible autoencoders on Keras 3."""

from . import metrics
from ._autoencoder import AutoencoderTransformer
from ._deep_clustering import DeepEmbeddedClustering
from ._majority_vote import MajorityVoteClassifier

__version__ = "0.1.0"

__all__ = [
    "AutoencoderTransformer",
    "DeepEmbeddedClustering",
    "MajorityVoteClassifier",
    "metrics",
    "__version__",
]

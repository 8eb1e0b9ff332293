"""scikit-learn compatible autoencoders on Keras 3."""

from . import metrics
from ._autoencoder import AutoencoderTransformer
from ._majority_vote import MajorityVoteClassifier

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "MajorityVoteClassifier", "metrics", "__version__"]

"""Displays of the tutorial's figures (needs matplotlib: ``pip install skae[plot]``)."""

from ._confusion import MajorityVoteConfusionMatrixDisplay
from ._gallery import ClusterGalleryDisplay
from ._latent import LatentSpaceDisplay
from ._reconstruction import ReconstructionDisplay
from ._training import TrainingCurveDisplay

__all__ = [
    "ClusterGalleryDisplay",
    "LatentSpaceDisplay",
    "MajorityVoteConfusionMatrixDisplay",
    "ReconstructionDisplay",
    "TrainingCurveDisplay",
]

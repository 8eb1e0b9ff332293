"""Clustering scores against known labels, and their scorers."""

from ._clustering import (
    hungarian_accuracy_score,
    majority_vote_accuracy_score,
    majority_vote_confusion_matrix,
    majority_vote_mapping,
)
from ._scorer import hungarian_scorer, majority_vote_scorer

__all__ = [
    "hungarian_accuracy_score",
    "hungarian_scorer",
    "majority_vote_accuracy_score",
    "majority_vote_confusion_matrix",
    "majority_vote_mapping",
    "majority_vote_scorer",
]

"""Clustering recipes: ready-made, unfitted scikit-learn pipelines, by name.

>>> from skae.recipes import RECIPE_NAMES, BEST_RECIPE, make_recipe
>>> RECIPE_NAMES
('kmeans', 'tutorial', 'deep', 'n2d', 'dec', 'balanced')
>>> BEST_RECIPE
'balanced'
"""

from ._recipes import (
    BEST_RECIPE,
    BUDGETS,
    RECIPE_NAMES,
    CodesOfLargeData,
    SubsampledIsomap,
    balanced_pipeline,
    dec_pipeline,
    deep_kmeans_pipeline,
    kmeans_pipeline,
    make_recipe,
    n2d_pipeline,
    tutorial_pipeline,
)

__all__ = [
    "BEST_RECIPE",
    "BUDGETS",
    "RECIPE_NAMES",
    "CodesOfLargeData",
    "SubsampledIsomap",
    "balanced_pipeline",
    "dec_pipeline",
    "deep_kmeans_pipeline",
    "kmeans_pipeline",
    "make_recipe",
    "n2d_pipeline",
    "tutorial_pipeline",
]

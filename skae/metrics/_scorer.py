"""Scorers for searches over pipelines that end in a clusterer.

A scorer calls the pipeline's ``predict`` on the fold it scores and maps the
predicted clusters to labels on that same fold, so the score measures how well
the clusters separate the labels, not a mapping learned elsewhere.
"""

from sklearn.metrics import make_scorer

from ._clustering import hungarian_accuracy_score, majority_vote_accuracy_score

majority_vote_scorer = make_scorer(majority_vote_accuracy_score)
hungarian_scorer = make_scorer(hungarian_accuracy_score)

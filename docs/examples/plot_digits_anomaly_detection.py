"""
Anomaly detection from the reconstruction error
===============================================

Train :class:`~skae.AutoencoderOutlierDetector` on one digit of scikit-learn's
8x8 digits, the normal class (the eights, the hardest digit of the MNIST
benchmark), and score every digit: the autoencoder reconstructs eights well and
the other digits badly, so its scores (minus the reconstruction error) separate
them. The figure shows the score distributions
of normal and anomalous digits with the detector's threshold ``offset_``, and
the ROC curve beside PCA's reconstruction error and an IsolationForest. The
labels are used only to score.
"""

# %%
# Train on eights, score every digit
# ----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderOutlierDetector

X, y = load_digits(return_X_y=True)
X = MinMaxScaler().fit_transform(X)
normal = y == 8
X_train, X_test, normal_train, normal_test = train_test_split(
    X, normal, test_size=0.5, stratify=normal, random_state=0
)
X_train = X_train[normal_train]  # normal samples only: novelty detection

detector = AutoencoderOutlierDetector(random_state=0).fit(X_train)
scores = detector.score_samples(X_test)
print(f"AUROC of the eights against the other digits: {roc_auc_score(normal_test, scores):.3f}")
# offset_ comes from the training eights, which the network reconstructs
# better than new ones: with fewer than 90 training samples many new eights
# fall below it. Rank by score_samples, or choose the threshold on held-out data.
flagged = detector.predict(X_test) == -1
print(f"flagged as outliers: {flagged[normal_test].mean():.1%} of the eights, "
      f"{flagged[~normal_test].mean():.1%} of the other digits")

# %%
# The same task for PCA's reconstruction error and an IsolationForest
# -------------------------------------------------------------------
pca = PCA(0.9, random_state=0).fit(X_train)
pca_scores = -np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2, axis=1)
forest_scores = IsolationForest(random_state=0).fit(X_train).score_samples(X_test)

# %%
# Score distributions and ROC curves
# ----------------------------------
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
bins = np.linspace(scores.min(), scores.max(), 40)
left.hist(scores[normal_test], bins=bins, alpha=0.6, label="eights (normal)")
left.hist(scores[~normal_test], bins=bins, alpha=0.6, label="other digits (anomalies)")
left.axvline(detector.offset_, color="k", linestyle="--", label="offset_ (threshold)")
left.set_xlabel("score_samples: minus the reconstruction error")
left.set_ylabel("test digits")
left.legend()
for name, values in (
    ("AutoencoderOutlierDetector", scores),
    ("PCA(0.9) reconstruction", pca_scores),
    ("IsolationForest", forest_scores),
):
    RocCurveDisplay.from_predictions(normal_test, values, name=name, ax=right)
right.set_title("eights against the other digits")
fig.tight_layout()
plt.show()

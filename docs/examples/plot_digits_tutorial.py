"""
Clustering digits without labels
================================

The Keras MNIST clustering tutorial on scikit-learn's 8x8 digits: scale the
pixels to [0, 1], train an autoencoder, cluster its codes with KMeans, name
each cluster after its most frequent digit and score the result. The labels are
used only to score.
"""

# %%
# Build and fit the pipeline
# --------------------------
import matplotlib.pyplot as plt
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.metrics import normalized_mutual_info_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer
from skae.metrics import (
    hungarian_accuracy_score,
    majority_vote_accuracy_score,
    majority_vote_confusion_matrix,
)

X, y = load_digits(return_X_y=True)
pipeline = make_pipeline(
    MinMaxScaler(),
    AutoencoderTransformer(16, epochs=50, batch_size=64, random_state=0),
    KMeans(10, n_init=10, random_state=0),
)
clusters = pipeline.fit_predict(X)
autoencoder = pipeline.named_steps["autoencodertransformer"]
print(f"trained {autoencoder.n_iter_} epochs")

# %%
# Score the clusters
# ------------------
# Majority vote names each cluster by its most frequent digit; the Hungarian
# accuracy pairs clusters and digits one-to-one.
print(f"majority-vote accuracy {majority_vote_accuracy_score(y, clusters):.3f}")
print(f"Hungarian accuracy     {hungarian_accuracy_score(y, clusters):.3f}")
print(f"NMI                    {normalized_mutual_info_score(y, clusters):.3f}")
majority_vote_confusion_matrix(y, clusters)

# %%
# Look at the reconstructions
# ---------------------------
# The first row shows digits, the second what the autoencoder rebuilds from
# their 16-number codes.
scaled = pipeline.named_steps["minmaxscaler"].transform(X[:8])
reconstructed = autoencoder.inverse_transform(autoencoder.transform(scaled))
fig, axes = plt.subplots(2, 8, figsize=(8, 2.2))
for column in range(8):
    for row, images in enumerate((scaled, reconstructed)):
        axes[row, column].imshow(images[column].reshape(8, 8), cmap="gray_r")
        axes[row, column].set_axis_off()
fig.suptitle("digits (top) and their reconstructions (bottom)")
plt.show()

# %%
# The loss per epoch
# ------------------
fig, ax = plt.subplots()
ax.plot(autoencoder.history_["loss"], label="training")
ax.plot(autoencoder.history_["val_loss"], label="validation")
ax.set_xlabel("epoch")
ax.set_ylabel("binary cross-entropy")
ax.legend()
plt.show()

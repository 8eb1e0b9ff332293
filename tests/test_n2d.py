import importlib.util

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline

from skae import AutoencoderTransformer
from skae.metrics import hungarian_accuracy_score

# Not pytest.importorskip("umap"): `import umap` imports umap's parametric module,
# and with it PyTorch where installed, which can crash beside TensorFlow.
if importlib.util.find_spec("umap") is None:
    pytest.skip("umap-learn is not installed", allow_module_level=True)


@pytest.mark.slow  # UMAP's numba compilation alone takes tens of seconds
def test_n2d_pipeline_clusters_digits(digits):
    """Check the N2D recipe (autoencoder -> UMAP -> GaussianMixture) as one pipeline beats chance by far."""
    from skae._recipes import _import_umap

    UMAP = _import_umap()
    X, y = digits
    n2d = make_pipeline(
        AutoencoderTransformer(
            10, hidden_layer_sizes=(64,), encoding_activation="linear", epochs=10, batch_size=64, random_state=0
        ),
        UMAP(n_components=10, n_neighbors=20, min_dist=0.0, random_state=0),
        GaussianMixture(10, covariance_type="full", random_state=0),
    )
    labels = n2d.fit_predict(X)
    assert len(np.unique(labels)) == 10
    assert hungarian_accuracy_score(y, labels) > 0.6

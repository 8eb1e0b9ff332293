"""Memory across many fits in one process, and what a fitted estimator keeps."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import skae
from skae import AutoencoderTransformer, DeepEmbeddedClustering
from skae._keras._trainers import TRAINERS

pytest.importorskip("psutil")

REPO_ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh process: inside pytest's own process the same fits grow
# its RSS by several MB each even when a plain Python process stays flat
# (something of pytest's keeps them; not skae's memory).
SCRIPT = """
import gc, sys
import numpy as np, psutil
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler
from skae import AutoencoderTransformer

jit_compile = sys.argv[1] == "True"
X = MinMaxScaler().fit_transform(load_digits().data).astype(np.float32)

def rss_mb():
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20

def fit_and_drop(i):
    # Wide enough that a fit leaking its weights and Adam's moments (about
    # 10 MB here, as TensorFlow's gradient registry made every fit do)
    # breaks the bound.
    ae = AutoencoderTransformer(
        16, hidden_layer_sizes=(512, 512), epochs=1, batch_size=256,
        jit_compile=jit_compile, random_state=i,
    ).fit(X)
    ae.transform(X[:100])

for i in range(3):
    fit_and_drop(i)
before = rss_mb()
for i in range(3, 18):
    fit_and_drop(i)
print(rss_mb() - before)
"""


def _growth_over_15_fits(jit_compile):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(jit_compile)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_many_fits_in_one_process_keep_memory_flat():
    """Check that 15 fits in one process, after 3 of warm-up, grow its RSS by less than 150 MB in all."""
    # Measured on 2 shared cores: 286 MB before the gradient-registry fix,
    # 82 MB after (the rest is noise and TensorFlow's own caches).
    growth = _growth_over_15_fits(jit_compile=False)
    assert growth < 150, f"RSS grew by {growth:.0f} MB over 15 fits"


@pytest.mark.slow
def test_many_xla_fits_in_one_process_keep_memory_flat():
    """Check that 15 XLA-compiled fits in one process, after 3 of warm-up, grow its RSS by less than 60 MB.

    Every fit of the network reuses one kept compiled trainer; before, each
    compiled its own and TensorFlow kept them all (10-30 MB a fit here).
    """
    growth = _growth_over_15_fits(jit_compile=True)
    assert growth < 60, f"RSS grew by {growth:.0f} MB over 15 fits"


def test_a_fitted_estimator_keeps_no_training_state(digits):
    """Check that a fitted autoencoder drops its optimizer and compiled training functions, and still scores."""
    X, _ = digits
    ae = AutoencoderTransformer(8, epochs=2, random_state=0).fit(X)
    for model in (ae.autoencoder_, ae.encoder_, ae.decoder_):
        assert getattr(model, "optimizer", None) is None
        assert getattr(model, "train_function", None) is None
    assert np.isfinite(ae.score(X))


@pytest.mark.slow
def test_a_users_keras_model_still_trains_and_predicts_after_skae_fits(digits):
    """Check that fitting skae estimators leaves a Keras model the user built before usable and unchanged.

    Also when skae drops kept trainers (on JAX that clears JAX's compilation caches).
    """
    X, _ = digits
    inputs = keras.Input((X.shape[1],))
    user = keras.Model(inputs, keras.layers.Dense(X.shape[1], activation="sigmoid")(
        keras.layers.Dense(12, activation="relu")(inputs)
    ))
    user.compile(optimizer="adam", loss="binary_crossentropy")
    user.fit(X, X, epochs=1, batch_size=256, verbose=0)
    predicted = user.predict(X, verbose=0)

    with skae.config_context(kept_trainers=1):
        for i in range(4):
            AutoencoderTransformer(2 + i, epochs=2, batch_size=256, jit_compile=i > 0, random_state=i).fit(X)
        if keras.backend.backend() != "torch":
            assert len(TRAINERS) == 1  # three networks kept, two dropped
        DeepEmbeddedClustering(
            AutoencoderTransformer(4, epochs=2), n_clusters=3, max_iter=4, random_state=0
        ).fit(X[:300])

    np.testing.assert_array_equal(user.predict(X, verbose=0), predicted)
    history = user.fit(X, X, epochs=2, batch_size=256, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.array_equal(user.predict(X, verbose=0), predicted)

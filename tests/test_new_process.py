"""What users do after the demo: save or pickle in one process, load in another.

The fitting happens in this (warm) test process; the loading happens in a new
Python that has imported nothing but ``skae``, ``pickle`` and NumPy, as a user's
script or a scheduled job would.
"""

import importlib
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import skae
from skae import (
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    BalancedKMeans,
    DeepEmbeddedClustering,
)
from skae._persistence import _LOADABLE
from skae.recipes import RECIPE_NAMES, make_recipe

from .test_recipes import _TINY

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# What a user reads from a fitted estimator: labels, or codes and reconstructions.
# Source text, so that the new process runs the same code without importing the tests.
_OUTPUT = """
def output(estimator, X):
    if hasattr(estimator, "decision_function"):  # the outlier detector
        return np.column_stack([estimator.score_samples(X), estimator.predict(X)])
    if hasattr(estimator, "predict"):
        return estimator.predict(X)
    codes = estimator.transform(X)
    return np.hstack([codes, estimator.inverse_transform(codes)])
"""
exec(_OUTPUT)

# Loads every file of the folder argv[1] (name.skae with skae.load, name.pkl with
# pickle) and saves output(estimator, X) for X.npy as name.out.npy.
_LOAD_IN_A_NEW_PROCESS = """
import os, pickle, sys
import numpy as np
import skae
""" + _OUTPUT + """

folder = sys.argv[1]
X = np.load(os.path.join(folder, "X.npy"))
for name in sorted(os.listdir(folder)):
    stem, extension = os.path.splitext(name)
    if extension == ".skae":
        estimator = skae.load(os.path.join(folder, name))
    elif extension == ".pkl":
        with open(os.path.join(folder, name), "rb") as file:
            estimator = pickle.load(file)
    else:
        continue
    np.save(os.path.join(folder, stem + ".out.npy"), output(estimator, X))
"""


def _load_in_a_new_process(folder, X):
    """Run the loader on ``folder`` in a new Python; return {stem: its output}."""
    np.save(folder / "X.npy", X)
    environment = {**os.environ, "PYTHONPATH": _ROOT}
    subprocess.run(
        [sys.executable, "-c", _LOAD_IN_A_NEW_PROCESS, str(folder)],
        env=environment,
        check=True,
        timeout=600,
        cwd=folder,
    )
    return {
        name[: -len(".out.npy")]: np.load(folder / name)
        for name in os.listdir(folder)
        if name.endswith(".out.npy")
    }


@pytest.fixture(scope="module")
def data():
    """300 digits: raw (as the recipes take them), and scaled to [0, 1]."""
    X, _ = load_digits(return_X_y=True)
    X = X[:300]
    return X, MinMaxScaler().fit_transform(X).astype(np.float32)


def test_every_saveable_class_is_loadable():
    """Check that load() knows every public estimator that has a save method, by its module."""
    saveable = {
        name
        for name in skae.__all__
        if isinstance(getattr(skae, name), type) and hasattr(getattr(skae, name), "save")
    }
    assert saveable == set(_LOADABLE)
    for name, module in _LOADABLE.items():
        assert getattr(importlib.import_module(module), name) is getattr(skae, name)


def test_saved_and_pickled_estimators_give_identical_results_in_a_new_process(data, tmp_path):
    """Check that estimators saved or pickled here give bit-identical outputs when loaded in a new Python."""
    X, X01 = data
    autoencoder = AutoencoderTransformer(
        5, hidden_layer_sizes=(16,), epochs=3, batch_size=64, random_state=0
    ).fit(X01)
    variational = AutoencoderTransformer(
        3, epochs=2, batch_size=64, variational=True, random_state=0
    ).fit(X01)
    convolutional = AutoencoderTransformer(
        4, hidden_layer_sizes=(8,), epochs=2, batch_size=64, image_shape=(8, 8, 1), random_state=0
    ).fit(X01)
    estimators = {
        "autoencoder": autoencoder,
        "variational": variational,
        "convolutional": convolutional,
        "dec": DeepEmbeddedClustering(
            AutoencoderTransformer(5, epochs=2, batch_size=64),
            n_clusters=4,
            max_iter=30,
            random_state=0,
        ).fit(X01),
        "balanced_kmeans": BalancedKMeans(4, random_state=0).fit(X01),
        "outlier_detector": AutoencoderOutlierDetector(
            AutoencoderTransformer(4, loss="mse", epochs=2, batch_size=64), random_state=0
        ).fit(X01),
        "pipeline": make_pipeline(
            MinMaxScaler(), AutoencoderTransformer(4, epochs=2, random_state=0)
        ).fit(X01),
    }
    for name, estimator in estimators.items():
        with open(tmp_path / f"{name}.pkl", "wb") as file:
            pickle.dump(estimator, file)
    for name in ("autoencoder", "variational", "convolutional", "outlier_detector"):
        estimators[name].save(tmp_path / f"{name}_saved.skae")
        estimators[f"{name}_saved"] = estimators[name]

    loaded = _load_in_a_new_process(tmp_path, X01)
    assert set(loaded) == set(estimators)
    for name, estimator in estimators.items():
        expected = output(estimator, X01)  # noqa: F821 (defined by exec)
        np.testing.assert_array_equal(loaded[name], expected, err_msg=name)


def test_pickled_recipes_predict_identically_in_a_new_process(data, tmp_path):
    """Check that every fitted recipe, pickled here, predicts the same labels in a new Python."""
    X, _ = data
    recipes = {
        name: make_recipe(name, n_clusters=10, random_state=0, budget=_TINY[name]).fit(X)
        for name in RECIPE_NAMES
    }
    for name, recipe in recipes.items():
        with open(tmp_path / f"{name}.pkl", "wb") as file:
            pickle.dump(recipe, file)
    loaded = _load_in_a_new_process(tmp_path, X)
    assert set(loaded) == set(recipes)
    for name, recipe in recipes.items():
        np.testing.assert_array_equal(loaded[name], recipe.predict(X), err_msg=name)


# Fits the estimators of _seeded_fits() in a new process, as a user's script
# does first thing, and saves what each gives on X.npy.
_FIT_IN_A_NEW_PROCESS = (
    """
import os, sys
import numpy as np
import skae
folder = sys.argv[1]
X = np.load(os.path.join(folder, "X.npy"))
"""
    + _OUTPUT
    + """
from tests.test_new_process import _seeded_fits
for name, estimator in _seeded_fits().items():
    np.save(os.path.join(folder, name + ".fresh.npy"), output(estimator.fit(X), X))
"""
)


def _seeded_fits():
    """Unfitted estimators whose results must depend on their random_state only."""
    return {
        "autoencoder": AutoencoderTransformer(
            6, hidden_layer_sizes=(16,), epochs=3, batch_size=64, random_state=0
        ),
        "dec": DeepEmbeddedClustering(
            AutoencoderTransformer(5, epochs=2, batch_size=64),
            n_clusters=4,
            max_iter=40,
            update_interval=20,
            random_state=0,
        ),
    }


@pytest.mark.slow
def test_a_fit_after_other_fits_equals_a_fit_in_a_new_process(data, tmp_path):
    """Check that seeded fits give the same results after other fits and global seeding here as first thing in a new Python."""
    import keras

    _, X01 = data
    first = {name: output(estimator.fit(X01), X01) for name, estimator in _seeded_fits().items()}  # noqa: F821
    # Other fits in between: other networks and training settings, of the same
    # shapes too, so that caches of compiled programs are warm and in use.
    keras.utils.set_random_seed(123)
    np.random.seed(7)
    for params in [
        dict(epochs=2),
        dict(epochs=3, optimizer="sgd", learning_rate=0.5),
        dict(epochs=3, loss="mse", early_stopping=False),
        dict(epochs=3, jit_compile=False, steps_per_execution=1),
        dict(epochs=2, noise="gaussian"),
    ]:
        AutoencoderTransformer(6, hidden_layer_sizes=(16,), batch_size=64, **params).fit(X01)
    DeepEmbeddedClustering(
        AutoencoderTransformer(5, epochs=1, batch_size=64), n_clusters=4, max_iter=30
    ).fit(X01)
    again = {name: output(estimator.fit(X01), X01) for name, estimator in _seeded_fits().items()}  # noqa: F821

    np.save(tmp_path / "X.npy", X01)
    subprocess.run(
        [sys.executable, "-c", _FIT_IN_A_NEW_PROCESS, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": _ROOT},
        check=True,
        timeout=600,
        cwd=_ROOT,
    )
    for name in first:
        np.testing.assert_array_equal(again[name], first[name], err_msg=name)
        np.testing.assert_array_equal(np.load(tmp_path / f"{name}.fresh.npy"), first[name], err_msg=name)

"""skae beside PyTorch: the recipes and `skae run` on TensorFlow where torch may be installed.

`import umap` imports umap's parametric module, and with it TensorFlow and
PyTorch (with triton): beside TensorFlow the default (CUDA) torch wheel crashed
the best recipe with a segmentation fault. Each check runs in a subprocess on
the TensorFlow backend, so that what the test process has imported does not
matter; in an environment without torch they still guard umap's import path.
"""

import importlib.util
import json
import os
import subprocess
import sys

import keras
import pytest

# The subprocesses run TensorFlow whatever the suite's backend: once is enough.
# Slow (2.5 minutes of new processes): CI's slow stage runs them with PyTorch installed.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        keras.backend.backend() != "tensorflow",
        reason="its subprocesses run the TensorFlow backend; the TensorFlow run covers them",
    ),
]

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None

_IMPORTED = """sorted(m for m in ("umap.parametric_umap", "torch", "triton", "torchvision") if m in sys.modules)"""

# Fits the balanced recipe on 500 digits and pickles it with its predictions of
# 100 more to the file sys.argv[1], then prints what it found and which modules
# it imported, then what `umap.ParametricUMAP` is.
_FIT_BALANCED = f"""
import json, pickle, sys
from sklearn.datasets import load_digits
from skae.metrics import hungarian_accuracy_score
from skae.recipes import make_recipe

X, y = load_digits(return_X_y=True)
recipe = make_recipe("balanced", n_clusters=10, random_state=0, budget="fast")
labels = recipe.fit_predict(X[:500])
with open(sys.argv[1], "wb") as file:
    pickle.dump((recipe, X[500:600], recipe.predict(X[500:600])), file)
result = dict(
    backend=sys.modules["keras"].backend.backend(),
    n_labels=len(set(labels.tolist())),
    accuracy=hungarian_accuracy_score(y[:500], labels),
    imported={_IMPORTED},
)
import umap

result["parametric"] = umap.ParametricUMAP.__module__
print(json.dumps(result))
"""

# Unpickles what _FIT_BALANCED pickled, predicts again, and prints whether the
# predictions are the same and which modules it imported.
_LOAD_BALANCED = f"""
import json, pickle, sys
with open(sys.argv[1], "rb") as file:
    recipe, X, predicted = pickle.load(file)
print(json.dumps(dict(same=recipe.predict(X).tolist() == predicted.tolist(), imported={_IMPORTED})))
"""


def _environ():
    """This worktree's skae on the TensorFlow backend, TensorFlow's C++ log quiet."""
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO_ROOT, env.get("PYTHONPATH")]))
    return env


def _python(*argv, timeout=600):
    command = [sys.executable, *map(str, argv)]
    return subprocess.run(command, cwd=REPO_ROOT, env=_environ(), capture_output=True, text=True, timeout=timeout)


def _result(process):
    return json.loads(process.stdout.splitlines()[-1]) if process.returncode == 0 else None


@pytest.fixture(scope="module")
def pickled_recipe(tmp_path_factory):
    """The file where `_FIT_BALANCED` pickles its recipe."""
    return tmp_path_factory.mktemp("balanced") / "recipe.pkl"


@pytest.fixture(scope="module")
def balanced_fit(pickled_recipe):
    """The exit status and printed result of `_FIT_BALANCED` in a fresh Python."""
    process = _python("-c", _FIT_BALANCED, pickled_recipe)
    return process, _result(process)


def test_balanced_recipe_fits_on_tensorflow(balanced_fit):
    """Check that the balanced recipe fits on TensorFlow in a fresh process (torch installed or not) and finds the digits."""
    process, result = balanced_fit
    assert process.returncode == 0, f"exit status {process.returncode}: {process.stderr[-3000:]}"
    assert result["backend"] == "tensorflow"
    assert result["n_labels"] == 10
    # 0.958 on this sample when written; KMeans on the scaled pixels scores 0.872.
    assert result["accuracy"] > 0.9, result


def test_balanced_recipe_imports_neither_parametric_umap_nor_torch(balanced_fit):
    """Check that fitting the balanced recipe on TensorFlow leaves umap.parametric_umap and torch unimported."""
    process, result = balanced_fit
    assert process.returncode == 0, process.stderr[-3000:]
    assert result["imported"] == [], f"torch installed: {TORCH_INSTALLED}"


def test_parametric_umap_is_still_there_on_first_use(balanced_fit):
    """Check that after the recipe's import of umap, `umap.ParametricUMAP` is umap's real class, not its placeholder."""
    process, result = balanced_fit
    assert process.returncode == 0, process.stderr[-3000:]
    # umap's placeholder (TensorFlow "not installed") is defined in umap/__init__.py.
    assert result["parametric"] == "umap.parametric_umap"


def test_unpickled_balanced_recipe_imports_neither_parametric_umap_nor_torch(balanced_fit, pickled_recipe):
    """Check that a balanced recipe unpickled in a fresh TensorFlow process predicts as before without importing umap.parametric_umap or torch."""
    assert balanced_fit[0].returncode == 0, balanced_fit[0].stderr[-3000:]
    process = _python("-c", _LOAD_BALANCED, pickled_recipe)
    assert process.returncode == 0, f"exit status {process.returncode}: {process.stderr[-3000:]}"
    result = _result(process)
    assert result["same"]
    assert result["imported"] == [], f"torch installed: {TORCH_INSTALLED}"


def test_skae_run_exits_0_on_tensorflow():
    """Check that `skae run --quiet` on a small budget exits 0 on TensorFlow (torch installed or not) and scores the balanced recipe."""
    process = _python(
        "-m", "skae", "run", "--quiet", "--n-samples", "300", "--epochs", "2", "--budget", "fast"
    )
    assert process.returncode == 0, f"exit status {process.returncode}: {process.stderr[-3000:]}"
    rows = [line.split() for line in process.stdout.splitlines()]
    assert {"kmeans", "tutorial", "balanced"} <= {row[0] for row in rows if row}, process.stdout

"""Tests of the one training path (skae/_keras/_training.py) and of what the estimators may call."""

import ast
import pathlib

import numpy as np
import pytest

import skae

PACKAGE = pathlib.Path(skae.__file__).parent
# Modules outside skae/_keras/: the estimators and everything around them.
OUTSIDE_KERAS = sorted(path for path in PACKAGE.rglob("*.py") if "_keras" not in path.relative_to(PACKAGE).parts)

# Keras' training methods; re.compile is no Keras call.
TRAINING_METHODS = {"compile", "fit_generator", "train_on_batch", "test_on_batch"}
# Keywords only Keras' Model.fit takes, not a scikit-learn fit.
KERAS_FIT_KEYWORDS = {"epochs", "callbacks", "shuffle", "validation_data", "steps_per_epoch"}
TRAINING_NAMES = {"FitGuard", "TRAINERS", "CallbackList", "EarlyStopping"}


def _dotted(node):
    """``a.b.c`` for an attribute chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _keras_training_calls(tree):
    """Each place in ``tree`` that compiles, fits or makes a training callback, as ``line: source``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = _dotted(node.func) or ""
            if node.func.attr in TRAINING_METHODS and not name.startswith("re."):
                yield node.lineno, name or node.func.attr
            if node.func.attr == "fit" and KERAS_FIT_KEYWORDS & {k.arg for k in node.keywords}:
                yield node.lineno, name or "fit"
            if name.startswith("keras.callbacks."):
                yield node.lineno, name
        if isinstance(node, ast.Name) and node.id in TRAINING_NAMES:
            yield node.lineno, node.id
        if isinstance(node, ast.alias) and node.name.split(".")[-1] in TRAINING_NAMES:
            yield getattr(node, "lineno", 0), node.name


def test_only_skae_keras_compiles_trains_or_makes_training_callbacks():
    """Check that no module outside skae/_keras/ compiles, runs Keras' fit or train_on_batch, or makes training callbacks."""
    assert any(path.name == "_deep_clustering.py" for path in OUTSIDE_KERAS)
    found = [
        f"{path.relative_to(PACKAGE)}:{line} {what}"
        for path in OUTSIDE_KERAS
        for line, what in _keras_training_calls(ast.parse(path.read_text()))
    ]
    assert found == []


def test_the_scan_finds_training_calls():
    """Check that the scan of the test above finds each kind of training call it looks for."""
    source = """
model.compile(optimizer="adam")
re.compile("x")
trainer.train_on_batch(x, y)
model.fit(x, epochs=3)
estimator.fit(X)
keras.callbacks.EarlyStopping(patience=2)
from ._keras._fit_guard import FitGuard
"""
    found = [what for _, what in _keras_training_calls(ast.parse(source))]
    assert found == ["model.compile", "trainer.train_on_batch", "model.fit", "keras.callbacks.EarlyStopping", "FitGuard"]


@pytest.mark.parametrize("module", ["_deep_clustering.py", "_recipes.py", "_outlier.py"])
def test_estimators_reach_an_autoencoders_network_through_its_hook_only(module):
    """Check that the estimators built on an autoencoder use no protected member of it but _network_template."""
    tree = ast.parse((PACKAGE / module).read_text())
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and "autoencoder" in (_dotted(node.value) or "").split(".")[-1]
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    }
    assert used <= {"_network_template"}


def test_soft_assignments_are_one_computation_in_numpy_and_in_the_keras_layer():
    """Check that DEC's q in NumPy is bit for bit DEC's earlier formula, and the Keras layer's to float32 rounding."""
    import keras

    from skae._keras._layers import _SoftAssignment, soft_assignments

    rng = np.random.RandomState(0)
    codes, centers = rng.randn(50, 4).astype(np.float32), rng.randn(3, 4).astype(np.float32)
    for alpha in (1.0, 2.5):
        q = soft_assignments(codes, centers, alpha, xp=np)
        squared = np.sum(np.square(codes[:, None, :] - centers[None, :, :]), axis=2)
        expected = np.power(1.0 + squared / alpha, -(alpha + 1.0) / 2.0)
        np.testing.assert_array_equal(q, expected / np.sum(expected, axis=1, keepdims=True))
        assert q.dtype == np.float32
        layer = _SoftAssignment(3, alpha)
        layer.build(codes.shape)
        layer.set_weights([centers])
        np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(codes)), q, rtol=1e-5)


def test_network_template_builds_a_network_like_the_fitted_one_and_encodes_as_transform(digits):
    """Check that _network_template gives the fitted network's spec, a new network of its architecture, and its codes."""
    from skae._keras._networks import ENCODER

    X, _ = digits
    ae = skae.AutoencoderTransformer(3, hidden_layer_sizes=(8,), epochs=1, batch_size=256, random_state=0).fit(X)
    template = ae._network_template()
    assert template.spec == ae._network_spec(X.shape[1], [8])
    autoencoder, encoder, _ = template.build()
    assert autoencoder is not ae.autoencoder_ and encoder.name == ENCODER
    autoencoder.set_weights(ae.autoencoder_.get_weights())
    np.testing.assert_array_equal(template.encode(X), ae.transform(X))
    np.testing.assert_allclose(encoder.predict_on_batch(X[:64]), ae.transform(X[:64]), rtol=1e-5, atol=1e-6)
    assert skae.AutoencoderTransformer(3, noise="gaussian", epochs=1).fit(X[:20])._network_template().spec is None

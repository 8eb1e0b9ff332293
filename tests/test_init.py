"""Tests of the package's public face (skae/__init__.py)."""

import importlib

import skae


def test_subpackages_are_reachable_from_import_skae():
    """Check that skae.plot, skae.datasets, skae.metrics and skae.exceptions come with `import skae`."""
    for name in ("plot", "datasets", "metrics", "exceptions"):
        assert getattr(skae, name) is importlib.import_module(f"skae.{name}")
        assert name in dir(skae) and name in skae.__all__
    assert skae.TrainingDivergedError is skae.exceptions.TrainingDivergedError


def test_unknown_attribute_is_an_attribute_error():
    """Check that a missing name still raises AttributeError (hasattr and pickle rely on it)."""
    assert not hasattr(skae, "no_such_name")


def test_public_names_exist():
    """Check that every name in __all__ is there."""
    for name in skae.__all__:
        assert getattr(skae, name) is not None

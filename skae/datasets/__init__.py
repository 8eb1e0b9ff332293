"""Dataset loaders."""

from ._mnist import get_data_home, load_mnist

__all__ = ["get_data_home", "load_mnist"]

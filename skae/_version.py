"""The version of skae, in one place."""

__version__ = "0.1.0"

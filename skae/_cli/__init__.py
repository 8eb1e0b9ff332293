"""The ``skae`` command line; ``main`` is its entry point (``skae = skae._cli:main``).

CONTRIBUTING.md's module map lists the modules, one step of a run each.
"""

from ._main import main

__all__ = ["main"]

"""The ``skae`` command line (``skae = skae._cli:main`` in setup.cfg).

Each module holds one step of a run: ``_parser`` (the arguments), ``_checks``
(every argument and output place, before any work), ``_plan`` (the recipes to
fit), ``_run`` (load, fit, score, report), ``_tables`` (what is printed), and
the console: ``_console`` (quiet imports, one-line warnings), ``_callbacks``,
``_interrupts`` (Ctrl-C) and ``_progress`` (one bar per fit).
"""

from ._main import main

__all__ = ["main"]

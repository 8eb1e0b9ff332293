"""Callbacks the command adds to every Keras fit, also to fits deep inside a recipe."""

import contextlib


@contextlib.contextmanager
def callbacks_added(make):
    """Add ``make()``'s callbacks to every Keras fit meanwhile, after those already added.

    FitGuard adds ``_extra_callbacks()`` to every fit, also fits deep inside a
    pipeline or a recipe, which take no callbacks of their own.
    """
    from .._keras import _fit_guard

    original = _fit_guard._extra_callbacks
    _fit_guard._extra_callbacks = lambda: [*original(), *make()]
    try:
        yield
    finally:
        _fit_guard._extra_callbacks = original

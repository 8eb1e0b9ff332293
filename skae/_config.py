"""skae's configuration: how many compiled programs are kept, and what an eviction frees.

Modelled on scikit-learn's ``sklearn/_config.py``: :func:`set_config`,
:func:`config_context` and :func:`get_config`, thread-local. Nothing here
imports Keras.
"""

import threading
from contextlib import contextmanager
from numbers import Integral

_global_config = {
    "kept_trainers": 4,
    "kept_prediction_functions": 8,
    "clear_jax_caches": True,
    "trim_memory": True,
}
_threadlocal = threading.local()


def _get_threadlocal_config():
    """This thread's mutable configuration, a copy of the defaults on its first use."""
    if not hasattr(_threadlocal, "global_config"):
        _threadlocal.global_config = _global_config.copy()
    return _threadlocal.global_config


def get_config():
    """Retrieve the current skae configuration.

    The values set by :func:`set_config` or :func:`config_context` in this
    thread, or the defaults.

    Returns
    -------
    config : dict
        Keys are parameter names that can be passed to :func:`set_config`.

    See Also
    --------
    config_context : Change the configuration inside a ``with`` block.
    set_config : Change the configuration.

    Examples
    --------
    >>> import skae
    >>> skae.get_config()["kept_trainers"]
    4
    """
    return _get_threadlocal_config().copy()


def _checked(name, value):
    """``value`` for option ``name``, or a ValueError that says what it takes."""
    if name.startswith("kept_"):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise ValueError(
                f"{name} must be an int >= 0, got {value!r}. Pass 0 to keep none, "
                f"or the number of compiled programs to keep (default "
                f"{_global_config[name]})."
            )
        return int(value)
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return value


def set_config(
    kept_trainers=None,
    kept_prediction_functions=None,
    clear_jax_caches=None,
    trim_memory=None,
):
    """Set skae's configuration: which compiled programs are kept across fits.

    A fit compiles a training step (a traced and, with XLA, compiled
    program), and ``transform`` a prediction function. skae keeps the most
    recently used of them, process-wide, and lends them to later fits and
    estimators of the same network (every fold and candidate of a grid
    search that differ only in ``random_state``, ``epochs``, ...), which
    saves about a second per fit on a small CPU. These settings bound what
    is kept and say what dropping a trainer frees.

    The settings are thread-local, as scikit-learn's: they apply to the
    thread that sets them (every thread starts from the defaults, also the
    workers of ``GridSearchCV(n_jobs=...)``). The kept programs are shared
    by the whole process; a fit that returns its trainer, or a prediction
    that adds a function, trims them to its own thread's limit. Passing
    ``None`` (the default) leaves a setting unchanged.

    Parameters
    ----------
    kept_trainers : int, default=None
        Number of compiled trainers (one per network and training setup)
        kept after their fit, the least recently used dropped first; 0
        keeps none, so that every fit compiles its own. Default: 4.

    kept_prediction_functions : int, default=None
        Number of compiled prediction functions (one per architecture and
        sub-model) shared by the fitted estimators, the least recently used
        dropped first; 0 keeps none, so that every model predicts through
        its own compiled function. Default: 8.

    clear_jax_caches : bool, default=None
        Whether dropping a trainer calls ``jax.clear_caches()`` on Keras'
        JAX backend. JAX keeps every program it compiled until then, also
        when the function that compiled it is gone (about 24 MB per
        network of the tutorial's size), so a search over many
        architectures grows without bound unless they are cleared. Note
        that this clears *all* of the process's JAX caches, also those of
        the user's own jitted functions, which then compile again on their
        next call; set it to False to keep them (and let memory grow with
        the number of networks). No effect on the other backends.
        Default: True.

    trim_memory : bool, default=None
        Whether dropping a trainer hands the C heap's free memory back to
        the operating system (glibc's ``malloc_trim``, on Linux). It keeps
        a process that fits many networks from growing in resident memory;
        nothing happens where there is no ``malloc_trim``. Default: True.

    Raises
    ------
    ValueError
        For a value outside what the setting takes; nothing is changed then.

    See Also
    --------
    config_context : Change the configuration inside a ``with`` block.
    get_config : The current configuration.

    Examples
    --------
    >>> import skae
    >>> skae.set_config(kept_trainers=2)
    >>> skae.get_config()["kept_trainers"]
    2
    >>> skae.set_config(kept_trainers=4)
    """
    changes = {
        "kept_trainers": kept_trainers,
        "kept_prediction_functions": kept_prediction_functions,
        "clear_jax_caches": clear_jax_caches,
        "trim_memory": trim_memory,
    }
    changes = {name: _checked(name, value) for name, value in changes.items() if value is not None}
    _get_threadlocal_config().update(changes)


@contextmanager
def config_context(
    *,
    kept_trainers=None,
    kept_prediction_functions=None,
    clear_jax_caches=None,
    trim_memory=None,
):
    """Change skae's configuration inside a ``with`` block, then restore it.

    Parameters
    ----------
    kept_trainers : int, default=None
        Number of compiled trainers kept across fits; 0 keeps none. See
        :func:`set_config`. ``None`` leaves it unchanged.

    kept_prediction_functions : int, default=None
        Number of compiled prediction functions shared by fitted
        estimators; 0 keeps none. ``None`` leaves it unchanged.

    clear_jax_caches : bool, default=None
        Whether dropping a trainer clears all of JAX's caches (the user's
        too) on the JAX backend. ``None`` leaves it unchanged.

    trim_memory : bool, default=None
        Whether dropping a trainer hands free heap memory back to the
        operating system. ``None`` leaves it unchanged.

    Yields
    ------
    None.

    See Also
    --------
    set_config : Change the configuration.
    get_config : The current configuration.

    Notes
    -----
    All settings, not just those changed in the block, are restored on
    leaving it, as in scikit-learn. The settings are thread-local: the
    block changes nothing for other threads.

    Examples
    --------
    Fit without keeping a compiled trainer, and with JAX's caches left
    alone:

    >>> import numpy as np
    >>> import skae
    >>> X = np.random.RandomState(0).rand(100, 8)
    >>> with skae.config_context(kept_trainers=0, clear_jax_caches=False):
    ...     ae = skae.AutoencoderTransformer(2, epochs=2, random_state=0).fit(X)
    ...     skae.get_config()["kept_trainers"]
    0
    >>> skae.get_config()["kept_trainers"]
    4
    """
    old_config = get_config()
    set_config(
        kept_trainers=kept_trainers,
        kept_prediction_functions=kept_prediction_functions,
        clear_jax_caches=clear_jax_caches,
        trim_memory=trim_memory,
    )
    try:
        yield
    finally:
        _get_threadlocal_config().update(old_config)

"""Compiled trainers, kept across fits of the same network and training settings.

Tracing a train step and compiling it with XLA cost about a second per
fit on a 2-core CPU, as much as a few epochs of MNIST; and TensorFlow keeps
every XLA program it compiled for the life of the process (10-30 MB a fit
of a 64-512-512-16 autoencoder on the digits). A grid search fits the same
network again and again (every fold of a candidate, every candidate that
differs only in ``random_state`` or ``epochs``), so one compiled trainer per
network and training settings is kept and lent to each fit: the batch
loop's ``_BatchLoopTrainer``, or on the other paths a compiled copy of the
network. Its weights are set to the fit's fresh (seeded) initial weights
and its optimizer to its initial state, it trains, and the trained weights
are copied into the fit's own model. The result is that of a trainer
compiled for the fit.

The estimator's own model is never the one inside the cache, so a fitted
estimator never shares weights with a later fit. A trainer is lent to one
fit at a time (a concurrent fit of the same network compiles its own), and
at most ``kept_trainers`` (see :func:`skae.set_config`) are kept, the least
recently used dropped first. A trainer is kept under its
:class:`~skae._keras._spec.NetworkSpec`.
"""

import contextlib
import ctypes
import sys
import threading
from collections import OrderedDict

import keras
import numpy as np

from .._config import get_config


class _InitialState:
    """The values of an optimizer's variables before its first step, to reset it to."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        # Mostly zeros (Adam's moments, the step count): kept as one number
        # each where every element is equal, so the snapshot costs no memory.
        self.values = []
        for variable in optimizer.variables:
            value = variable.value
            # TensorFlow's variables lack NumPy 2's copy keyword (a
            # DeprecationWarning through np.asarray): read them with .numpy().
            value = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
            if value.size and np.all(value == value.flat[0]):
                value = value.flat[0]
            self.values.append(value)

    def restore(self):
        for variable, value in zip(self.optimizer.variables, self.values):
            if np.ndim(value) == 0:
                value = keras.ops.full(variable.shape, value, dtype=variable.dtype)
            variable.assign(value)


def _release_compiled_programs():
    """Let the backend free the compiled programs of trainers no longer kept, as configured.

    JAX's compilation caches keep every program compiled in the process
    until ``jax.clear_caches()``, also when the functions that compiled them
    are gone: about 24 MB per network for the tutorial's autoencoder, so a
    search over many architectures grew without bound. Clearing them costs
    the programs still in use a recompile on their next call (the trainers
    still kept, and functions jitted outside skae), nothing else; as it
    clears the user's own JAX caches too, it happens only under
    ``clear_jax_caches`` (see :func:`skae.set_config`), and the heap's trim
    only under ``trim_memory``. TensorFlow's XLA cache cannot be cleared:
    there the kept trainers only keep the same network from compiling again.
    """
    config = get_config()
    if config["clear_jax_caches"] and keras.backend.backend() == "jax":
        import jax

        jax.clear_caches()
    if config["trim_memory"]:
        _return_freed_memory()


def _return_freed_memory():
    """Hand the C heap's free pages back to the operating system, on Linux with glibc.

    glibc's ``malloc`` keeps what the compiler and the backends free in its
    arenas, fragmented, so the process's RSS stays at its highest: a
    ``GridSearchCV`` worker over 20 networks on JAX grew 173 MB from its
    5th to its 60th fit, and stayed flat (~0 MB) when trimmed after each fit.
    Elsewhere (macOS, Windows, musl) there is no ``malloc_trim``: nothing
    to do.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def _network(trainer):
    """The network ``trainer`` trains: a batch loop's autoencoder, or the compiled network itself."""
    return getattr(trainer, "autoencoder", trainer)


class TrainerCache:
    """Compiled trainers by :class:`~skae._keras._spec.NetworkSpec`, lent to one fit at a time.

    At most ``kept_trainers`` of :func:`skae.get_config` are kept.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._kept = OrderedDict()
        self._lent = {}

    def borrow(self, spec, model, make_trainer):
        """A compiled trainer for ``spec``, starting from ``model``'s weights.

        ``make_trainer()`` makes a new compiled, built ``_BatchLoopTrainer``
        around a network like ``model``, or such a network compiled itself
        (never ``model``), for when none is kept for ``spec`` or the kept one
        is lent out. Train it inside
        ``with cache.lent(trainer, model)``.
        """
        with self._lock:
            kept = self._kept.pop(spec, None)
        if kept is None:
            trainer = make_trainer()
            trainer.optimizer.build(trainer.trainable_variables)
            kept = trainer, _InitialState(trainer.optimizer)
        else:
            kept[1].restore()
        trainer = kept[0]
        _network(trainer).set_weights(model.get_weights())
        with self._lock:
            self._lent[id(trainer)] = spec, kept
        return trainer

    @contextlib.contextmanager
    def lent(self, trainer, model):
        """Train ``trainer`` inside; then its weights go into ``model`` and it is kept for the next fit.

        When the body raises, the trainer is dropped instead. Nothing
        happens for a trainer that was not borrowed from this cache.
        """
        try:
            yield trainer
        except BaseException:
            with self._lock:
                self._lent.pop(id(trainer), None)
            raise
        with self._lock:
            loan = self._lent.pop(id(trainer), None)
        if loan is None:
            return
        spec, kept = loan
        model.set_weights(_network(trainer).get_weights())
        max_size = get_config()["kept_trainers"]
        with self._lock:
            self._kept[spec] = kept
            self._kept.move_to_end(spec)
            evicted = len(self._kept) > max_size
            while len(self._kept) > max_size:
                self._kept.popitem(last=False)
        if evicted:
            _release_compiled_programs()

    def clear(self):
        """Drop every kept trainer."""
        with self._lock:
            self._kept.clear()

    def __len__(self):
        return len(self._kept)


TRAINERS = TrainerCache()

"""Training a network: compile it, fit it with early stopping or for one pass, and DEC's fine-tuning loop.

The estimators say what to train and with which settings; every Keras
``compile``, ``fit`` and ``train_on_batch`` of skae, and every training
callback it makes, is here (``tests/test_training.py`` checks that no
estimator module has one). All of it runs under a
:class:`~skae._keras._fit_guard.FitGuard`: a non-finite loss raises
:class:`~skae.TrainingDivergedError`, and Ctrl-C after a complete epoch
stops training and keeps the model.
"""

import keras
import numpy as np

from ._backend import _set_inference_jit
from ._feeds import _EpochBatches, _fit_data
from ._fit_guard import FitGuard
from ._layers import soft_assignments
from ._networks import ASSIGNMENT, ENCODER
from ._objects import get_loss, make_optimizer
from ._predict import _predict
from ._trainers import TRAINERS


def compile_for_training(
    model, *, optimizer, learning_rate, loss, jit_compile, steps_per_execution, inference_models=()
):
    """Compile ``model`` to train, and let ``inference_models`` predict with the same XLA setting.

    Parameters
    ----------
    model : keras.Model
        The network to train.

    optimizer : str or keras.optimizers.Optimizer
        Copied into a new optimizer (see :func:`~skae._keras._objects.make_optimizer`).

    learning_rate : float or None
        Replaces the optimizer's own unless ``None``.

    loss : str or callable
        A Keras loss.

    jit_compile : bool
        Whether to compile with XLA, resolved (see
        :func:`~skae._keras._backend._resolve_jit_compile`).

    steps_per_execution : int
        Batches per call, resolved (see
        :func:`~skae._keras._backend._steps_per_execution`).

    inference_models : tuple of keras.Model, default=()
        The encoder and decoder, whose predictions then round as training's.
    """
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss=get_loss(loss),
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )
    _set_inference_jit(inference_models, jit_compile)


def train(
    model,
    X,
    train_rows,
    validation_rows,
    *,
    epochs,
    batch_size,
    rng,
    patience,
    moves=None,
    reuse=None,
    sample_weight=None,
    verbose=0,
):
    """Train the compiled ``model`` on rows of ``X``, with early stopping on the validation rows.

    Parameters
    ----------
    model : keras.Model
        The compiled network; it ends with the trained weights (those of
        the best epoch with validation rows).

    X : ndarray or array on disk of shape (n_samples, n_features)
        The data; ``model`` learns to reconstruct it.

    train_rows, validation_rows : ndarray of int, or None for validation_rows
        The rows to train on, and those whose loss stops training when it
        has not improved for ``patience`` epochs.

    epochs, batch_size : int
        At most ``epochs`` passes over ``train_rows`` in batches of ``batch_size``.

    rng : numpy.random.RandomState
        Shuffles the batches (and draws the moves).

    patience : int
        Epochs without improvement of the validation loss before stopping.

    moves, reuse, sample_weight : default=None
        As in :func:`~skae._keras._feeds._fit_data`: the random image moves,
        ``(spec, make_network)`` to borrow a kept compiled trainer, one
        weight per row of ``X``.

    verbose : int, default=0
        Keras' progress output: 0 silent, 1 a bar, 2 a line per epoch.

    Returns
    -------
    history : dict of list
        ``"loss"`` per epoch run, and ``"val_loss"`` with validation rows.
    """
    trainer, feed, callbacks = _fit_data(
        model, X, train_rows, validation_rows, batch_size, rng, moves, reuse, sample_weight
    )
    if validation_rows is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        )
    guard = FitGuard(callbacks)
    with TRAINERS.lent(trainer, model), guard:
        trainer.fit(
            **feed,
            epochs=epochs,
            shuffle=False,  # the batches are shuffled from rng
            callbacks=guard.callbacks,
            verbose=min(int(verbose), 2),
        )
    return _losses(guard)


def train_one_pass(model, X, *, batch_size, rng, moves=None, sample_weight=None, verbose=0):
    """Train the compiled ``model`` on one pass over the rows of ``X``, in an order drawn from ``rng``.

    For ``partial_fit``: the model trains itself (no kept trainer), so that
    its optimizer keeps its state from one call to the next, and Keras keeps
    its traced train function on the model, so that only the first call
    compiles. The arguments are those of :func:`train`.

    Returns
    -------
    history : dict of list
        ``"loss"`` of the pass.
    """
    guard = FitGuard([])
    with guard:
        model.fit(
            _EpochBatches(X, np.arange(X.shape[0]), batch_size, rng, moves, sample_weight),
            epochs=1,
            shuffle=False,
            callbacks=guard.callbacks,
            verbose=min(int(verbose), 2),
        )
    return _losses(guard)


def _losses(guard):
    return {key: list(values) for key, values in guard.history.history.items()}


def compile_clustering(
    model, *, optimizer, learning_rate, reconstruction_loss, reconstruction_weight, jit_compile=False
):
    """Compile DEC's clustering ``model`` with DEC's losses; return it.

    The KL divergence of ``q`` from the target, plus ``reconstruction_weight``
    times ``reconstruction_loss`` (a Keras loss) on the reconstruction when
    it is positive (IDEC). ``optimizer``, ``learning_rate`` and
    ``jit_compile`` (resolved) as in :func:`compile_for_training`.
    """
    losses = {"loss": "kl_divergence"}
    if reconstruction_weight > 0:
        losses = {
            "loss": ["kl_divergence", get_loss(reconstruction_loss)],
            "loss_weights": [1.0, reconstruction_weight],
        }
    # One output takes one loss and no weights: Keras 3.0 rejects a list of one weight.
    model.compile(optimizer=make_optimizer(optimizer, learning_rate), jit_compile=jit_compile, **losses)
    return model


def clustering_trainer(model, *, spec, make_model, **settings):
    """The compiled clustering model that trains ``model``'s weights; pass it to :func:`fine_tune`.

    With a ``spec`` (a :class:`~skae._keras._spec.NetworkSpec`) one kept
    for it in :data:`~skae._keras._trainers.TRAINERS`, starting from
    ``model``'s weights (``make_model()`` builds a new, uncompiled one like
    ``model`` when none is kept); without, ``model`` itself. Compiled with
    ``settings``, the keywords of :func:`compile_clustering`.
    """
    if spec is None:
        return compile_clustering(model, **settings)
    return TRAINERS.borrow(spec, model, lambda: compile_clustering(make_model(), **settings))


def fine_tune(trainer, model, X, targets, *, max_iter, update_interval):
    """Train ``trainer`` batch by batch towards targets updated every ``update_interval`` batches.

    Parameters
    ----------
    trainer : keras.Model
        From :func:`clustering_trainer`; its weights then go into ``model``.

    model : keras.Model
        DEC's clustering model.

    X : ndarray of shape (n_samples, n_features)
        The samples whose soft assignments the targets are updated from.

    targets : object
        DEC's side of the loop. Before every ``update_interval``-th batch
        (the first included) ``targets.update(step, q)`` gets the soft
        assignments ``q`` of ``X`` under ``trainer``'s encoder and centres
        and returns False to stop; ``targets.batch()`` gives the inputs and
        outputs of each batch.

    max_iter, update_interval : int
        At most ``max_iter`` batches; an update every ``update_interval``.

    Returns
    -------
    n_iter : int
        The batches trained on.

    Notes
    -----
    Each update interval is an epoch of the :class:`FitGuard`'s callbacks:
    a non-finite loss raises, and Ctrl-C after the first interval stops
    between batches, keeping the model as it is then.
    """
    with TRAINERS.lent(trainer, model):
        return _train_in_intervals(trainer, X, targets, max_iter, update_interval)


def _train_in_intervals(model, X, targets, max_iter, update_interval):
    guard = FitGuard([])
    callbacks = keras.callbacks.CallbackList(guard.callbacks, model=model)
    n_iter, logs = 0, None
    with guard:
        callbacks.on_train_begin()
        for step in range(max_iter):
            interval, batch = divmod(step, update_interval)
            if batch == 0:
                if step > 0:
                    callbacks.on_epoch_end(interval - 1, logs)
                if not targets.update(step, _soft_assignments_of(model, X)):
                    break
                callbacks.on_epoch_begin(interval)
            logs = model.train_on_batch(*targets.batch(), return_dict=True)
            n_iter = step + 1
            callbacks.on_train_batch_end(batch, logs)
        callbacks.on_train_end()
    return n_iter


def _soft_assignments_of(model, X):
    """DEC's ``q`` of the rows of ``X`` under the clustering ``model``'s encoder and centres, in NumPy."""
    assignment = model.get_layer(ASSIGNMENT)
    centers = keras.ops.convert_to_numpy(assignment.centers)
    return soft_assignments(_predict(model.get_layer(ENCODER), X), centers, assignment.alpha, xp=np)

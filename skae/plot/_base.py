"""What the Displays share: finding the autoencoder, checking n_samples, axes."""

import math

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_array, check_is_fitted


def _is_autoencoder(estimator):
    return all(
        hasattr(estimator, name) for name in ("history_", "transform", "inverse_transform")
    )


def _built_on(estimator):
    """The fitted autoencoder an estimator such as DeepEmbeddedClustering is built on, or None.

    (An autoencoder's own ``autoencoder_`` is its Keras model, not one.)
    """
    return getattr(estimator, "autoencoder_", None)


def _find_autoencoder(estimator, X=None, *, caller):
    """Return the fitted autoencoder inside `estimator` and X as it sees it.

    `estimator` is an autoencoder, a Pipeline holding one (X is transformed by
    the steps before it), a fitted search (its ``best_estimator_``) or a
    meta-estimator such as :class:`~skae.MajorityVoteClassifier` (its
    ``estimator_``) around either, or an estimator built on a fitted
    autoencoder such as :class:`~skae.DeepEmbeddedClustering` (its
    ``autoencoder_``, which sees X as the estimator does). Raises
    NotFittedError when `estimator` is not fitted.
    """
    check_is_fitted(estimator)
    error = ValueError(
        f"{caller} needs a fitted autoencoder (an estimator with history_, "
        "transform and inverse_transform) or a Pipeline containing one; got "
        f"{type(estimator).__name__}."
    )
    while not _is_autoencoder(estimator):
        if _is_autoencoder(_built_on(estimator)):
            estimator = estimator.autoencoder_
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "estimator_"):
            estimator = estimator.estimator_
        elif hasattr(estimator, "steps"):
            for i, (_, step) in enumerate(estimator.steps):
                found = step if _is_autoencoder(step) else _built_on(step)
                if _is_autoencoder(found):
                    if X is not None and i > 0:
                        X = estimator[:i].transform(X)
                    return found, X
            raise error
        else:
            raise error
    return estimator, X


def _check_n_samples(n_samples, n_available=None):
    if (
        not isinstance(n_samples, (int, np.integer))
        or isinstance(n_samples, bool)
        or n_samples < 1
    ):
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if n_available is not None and n_samples > n_available:
        raise ValueError(
            f"n_samples={n_samples} is more than the {n_available} "
            "samples available."
        )


def _get_axes_grid(ax, shape, caller, figsize):
    """A (rows, cols) array of Axes: new ones, or `ax` checked for its shape."""
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt

    if ax is None:
        figure, axes = plt.subplots(
            *shape, figsize=figsize, squeeze=False, layout="constrained"
        )
        return figure, axes
    axes = np.asarray(ax, dtype=object)
    if axes.size != math.prod(shape):
        raise ValueError(
            f"ax must hold {math.prod(shape)} Axes for a {shape[0]}x{shape[1]} "
            f"grid, got {axes.size}."
        )
    axes = axes.reshape(shape)
    return axes.flat[0].figure, axes


def _get_axes(ax, caller):
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax.figure, ax


def _predict_clusters(estimator, X, *, caller):
    """Cluster ids a fitted estimator assigns to X.

    For a :class:`~skae.MajorityVoteClassifier` (alone or ending a Pipeline)
    these are the clusters of its inner clusterer, not its predicted labels.
    """
    check_is_fitted(estimator)
    estimator = getattr(estimator, "best_estimator_", estimator)
    if hasattr(estimator, "steps"):
        X = estimator[:-1].transform(X) if len(estimator.steps) > 1 else X
        estimator = estimator.steps[-1][1]
    if hasattr(estimator, "cluster_labels_") and hasattr(estimator, "estimator_"):
        # MajorityVoteClassifier fits and predicts its clusterer on float64;
        # KMeans fitted on float64 cannot predict float32 input.
        X = check_array(X, dtype=np.float64)
        estimator = estimator.estimator_
    if not hasattr(estimator, "predict"):
        raise ValueError(
            f"{caller} needs an estimator with predict; got "
            f"{type(estimator).__name__}. Use from_predictions with its labels_."
        )
    return np.asarray(estimator.predict(X))

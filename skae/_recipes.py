"""Clustering recipes: ready-made pipelines from KMeans on pixels to N2D and DEC."""

import importlib
import sys
import warnings
from numbers import Integral, Real

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from ._autoencoder import AutoencoderTransformer
from ._balanced_kmeans import BalancedKMeans
from ._deep_clustering import MAX_ITER, DeepEmbeddedClustering, dec_autoencoder, dec_pretraining_autoencoder
from ._failed_fit import forget_fit, unfitted_on_failure
from ._isomap import ISOMAP_MIN_SAMPLES, ISOMAP_NEIGHBORS, SubsampledIsomap

BUDGETS = {"fast": 0.25, "default": 1.0, "best": 4.0}

# Epochs of the DEC/IDEC/N2D autoencoder at budget 1. With batch_size="auto"
# an epoch is about 50 gradient steps on small data (the 1,797 digits: 32
# samples a batch), 273 on MNIST-70k (256 a batch).
_DEEP_EPOCHS = 30
# UMAP's own default on more than 10,000 samples (it takes 500 below).
_UMAP_EPOCHS = 200


class _RecipePipeline(Pipeline):
    """A Pipeline that checks n_samples >= n_clusters first and is left unfitted by a failed fit."""

    def fit(self, X, y=None, **params):
        return self._guarded(super().fit, X, y, **params)

    def fit_predict(self, X, y=None, **params):
        return self._guarded(super().fit_predict, X, y, **params)

    def __getstate__(self):
        state = super().__getstate__()
        if any(type(step).__module__.startswith("umap.") for _, step in self.steps):
            # First in the state, so unpickled before the UMAP step's class.
            state = {_IMPORT_UMAP_FIRST: _UmapImport(), **state}
        return state

    def __setstate__(self, state):
        state = dict(state)
        state.pop(_IMPORT_UMAP_FIRST, None)
        super().__setstate__(state)

    def _guarded(self, method, X, y, **params):
        final = self._final_estimator
        n_clusters = getattr(final, "n_clusters", getattr(final, "n_components", None))
        n_samples = _num_samples(X)
        if isinstance(n_clusters, int) and n_samples < n_clusters:
            raise ValueError(
                f"n_samples={n_samples} should be >= n_clusters={n_clusters}. Pass more "
                f"samples or ask for fewer clusters (n_clusters={n_samples} at most)."
            )
        try:
            return method(X, y, **params)
        except BaseException:
            for _, step in self.steps:
                if hasattr(step, "get_params"):
                    forget_fit(step)
            raise


def _budget(budget):
    """``budget`` as a positive multiplier of the training time."""
    if isinstance(budget, str):
        if budget not in BUDGETS:
            raise ValueError(
                f"budget={budget!r} is not a known budget. Pass one of "
                f"{sorted(BUDGETS)} or a positive number (1.0 is the default)."
            )
        return BUDGETS[budget]
    if not isinstance(budget, Real) or isinstance(budget, bool) or not budget > 0:
        raise ValueError(
            f"budget={budget!r} must be a positive number, the multiple of the default "
            f"training time (e.g. 0.25 for a quick look, 4 for more accuracy), or one of "
            f"{sorted(BUDGETS)}."
        )
    return float(budget)


def _epochs(base, budget):
    return max(1, round(base * _budget(budget)))


def _deep_autoencoder(random_state, budget, dec_pretraining=False):
    """The DEC/IDEC/N2D autoencoder (d-500-500-2000-10, linear code), sized for the data.

    With ``dec_pretraining`` it is the one :class:`~skae.DeepEmbeddedClustering`
    pretrains by default: for at least 12,000 gradient steps (more epochs on
    small data), on images shifted and rotated at random (``"auto"``: on
    images of at least 16 x 16 pixels only) and then without early stopping,
    which the clusters of its codes gain from. UMAP's neighbourhoods (N2D,
    ``balanced``) were not measured to, so those recipes keep the plain 30
    epochs.
    """
    if dec_pretraining:
        return dec_pretraining_autoencoder(_budget(budget), random_state=random_state)
    return dec_autoencoder(epochs=_epochs(_DEEP_EPOCHS, budget), random_state=random_state)


_PARAMETRIC_UMAP = "umap.parametric_umap"
_PARAMETRIC_NAMES = ("ParametricUMAP", "load_ParametricUMAP")


def _import_umap():
    """umap-learn's ``UMAP`` class, imported without umap's parametric module.

    ``import umap``, and so ``from umap.umap_ import UMAP`` (Python runs the
    package's ``__init__`` first), imports ``umap.parametric_umap``, which
    imports TensorFlow, Keras and, where it is installed, PyTorch with triton:
    seconds more, and a segmentation fault beside TensorFlow with the default
    (CUDA) torch wheel. skae never uses ParametricUMAP, so while umap's package
    is first imported its parametric module stands as ``None`` in
    ``sys.modules``: importing it raises ImportError, which umap's ``__init__``
    catches. ``umap.ParametricUMAP`` and ``umap.load_ParametricUMAP`` then
    import that module on first use (a module ``__getattr__``), instead of
    umap's placeholder that says TensorFlow is missing.
    """
    if "umap" not in sys.modules:
        sys.modules[_PARAMETRIC_UMAP] = None
        try:
            with warnings.catch_warnings():
                # umap's "Tensorflow not installed; ParametricUMAP will be unavailable".
                warnings.simplefilter("ignore", ImportWarning)
                import umap
        finally:
            if _PARAMETRIC_UMAP in sys.modules and sys.modules[_PARAMETRIC_UMAP] is None:
                del sys.modules[_PARAMETRIC_UMAP]
        for name in _PARAMETRIC_NAMES:
            vars(umap).pop(name, None)
        umap.__getattr__ = _parametric_umap_on_first_use
    from umap.umap_ import UMAP

    return UMAP


class _UmapImport:
    """Unpickled as a call of :func:`_import_umap`.

    A recipe with a UMAP step pickles one before its steps, so that in a fresh
    process (``pickle.load``, a joblib worker of ``GridSearchCV(n_jobs=2)``)
    UMAP is imported as the recipe imports it, before pickle imports
    ``umap.umap_`` (and so ``umap/__init__.py``) for the step's class.
    """

    def __reduce__(self):
        return _import_umap, ()


_IMPORT_UMAP_FIRST = "_skae_import_umap_first"


def _parametric_umap_on_first_use(name):
    """``umap.ParametricUMAP`` and ``umap.load_ParametricUMAP``, imported when first asked for."""
    if name not in _PARAMETRIC_NAMES:
        raise AttributeError(f"module 'umap' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PARAMETRIC_UMAP), name)
    setattr(sys.modules["umap"], name, value)
    return value


def _umap(n_clusters, random_state, budget, n_neighbors):
    # Imported here: umap-learn's import (numba) takes seconds, skae's must not.
    UMAP = _import_umap()

    return UMAP(
        n_components=n_clusters,
        n_neighbors=n_neighbors,
        min_dist=0.0,
        n_epochs=_epochs(_UMAP_EPOCHS, budget),
        random_state=random_state,
        # A seeded UMAP runs on one core; saying so spares its warning, and its fit
        # from rewriting n_jobs.
        n_jobs=1 if random_state is not None else -1,
    )


def _check_n_clusters(n_clusters):
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int) or n_clusters < 1:
        raise ValueError(
            f"n_clusters={n_clusters!r} must be a positive integer, the number of "
            f"clusters to find (e.g. 10 for digits)."
        )


def kmeans_pipeline(n_clusters=10, *, random_state=None, budget=1.0):
    """The baseline: KMeans on the pixels scaled to [0, 1].

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds KMeans.

    budget : float or {"fast", "default", "best"}, default=1.0
        Multiplies KMeans' ``n_init`` (10 at 1.0).

    Returns
    -------
    pipeline : Pipeline
        ``MinMaxScaler -> KMeans``, unfitted.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae.recipes import kmeans_pipeline
    >>> kmeans_pipeline(random_state=0).fit_predict(load_digits().data).shape
    (1797,)
    """
    _check_n_clusters(n_clusters)
    return _RecipePipeline(
        [
            ("minmaxscaler", MinMaxScaler()),
            ("kmeans", KMeans(n_clusters, n_init=_epochs(10, budget), random_state=random_state)),
        ]
    )


def tutorial_pipeline(n_clusters=10, *, random_state=None, budget=1.0):
    """The tutorial: a 36-unit autoencoder's codes clustered by KMeans.

    Exactly the classic MNIST tutorial model, ``AutoencoderTransformer()``'s
    defaults (batch size 2024, up to 200 epochs with early stopping), which
    on small data trains with one gradient step per epoch.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder and KMeans.

    budget : float or {"fast", "default", "best"}, default=1.0
        Multiplies the autoencoder's maximum number of epochs (200 at 1.0).

    Returns
    -------
    pipeline : Pipeline
        ``MinMaxScaler -> AutoencoderTransformer(36) -> KMeans``, unfitted.

    Examples
    --------
    >>> from skae.recipes import tutorial_pipeline
    >>> [name for name, _ in tutorial_pipeline().steps]
    ['minmaxscaler', 'autoencodertransformer', 'kmeans']
    """
    _check_n_clusters(n_clusters)
    return _RecipePipeline(
        [
            ("minmaxscaler", MinMaxScaler()),
            (
                "autoencodertransformer",
                AutoencoderTransformer(epochs=_epochs(200, budget), random_state=random_state),
            ),
            ("kmeans", KMeans(n_clusters, n_init=10, random_state=random_state)),
        ]
    )


def deep_kmeans_pipeline(n_clusters=10, *, random_state=None, budget=1.0, balanced=True):
    """The DEC/IDEC/N2D deep autoencoder's codes clustered by (balanced) KMeans.

    On images of at least 16 x 16 pixels the autoencoder is pretrained on
    images shifted and rotated at random (``max_shift="auto"``,
    ``max_rotation="auto"``: DEC-DA's augmentation) for at least 12,000
    gradient steps without early stopping, whose codes cluster better. From
    10,000 samples on, an Isomap embedding of the codes (10 neighbours,
    ``n_clusters`` dimensions, :class:`SubsampledIsomap`) is clustered
    instead of the codes themselves: on 10,000 MNIST images 0.909 Hungarian
    accuracy against 0.799 (seed 0); on the 1,797 digits it
    scored lower, so smaller data skip it. See "Choosing a recipe" in the
    documentation.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder and the clustering.

    budget : float or {"fast", "default", "best"}, default=1.0
        Multiplies the autoencoder's epochs (30 at 1.0, with
        ``batch_size="auto"``: about 50 gradient steps per epoch on small
        data, 256 samples a batch from 12,800 samples on).

    balanced : bool, default=True
        Whether the codes are clustered by :class:`~skae.BalancedKMeans`
        (clusters of about equal size expected) rather than
        :class:`~sklearn.cluster.KMeans`. On the digits the codes score 0.87
        with it and 0.79 with KMeans, no better than KMeans on the pixels.

    Returns
    -------
    pipeline : Pipeline
        ``MinMaxScaler -> AutoencoderTransformer(10, hidden_layer_sizes=(500,
        500, 2000), min_steps=12000, early_stopping="auto", max_shift="auto",
        max_rotation="auto") ->
        SubsampledIsomap -> BalancedKMeans`` (or ``KMeans``), unfitted.

    Examples
    --------
    >>> from skae.recipes import deep_kmeans_pipeline
    >>> deep_kmeans_pipeline(budget=2).named_steps["autoencodertransformer"].epochs
    60
    >>> deep_kmeans_pipeline(balanced=False).steps[-1][0]
    'kmeans'
    """
    _check_n_clusters(n_clusters)
    if balanced:
        clustering = ("balancedkmeans", BalancedKMeans(n_clusters, random_state=random_state))
    else:
        clustering = ("kmeans", KMeans(n_clusters, n_init=10, random_state=random_state))
    return _RecipePipeline(
        [
            ("minmaxscaler", MinMaxScaler()),
            ("autoencodertransformer", _deep_autoencoder(random_state, budget, dec_pretraining=True)),
            (
                "isomap",
                SubsampledIsomap(
                    ISOMAP_NEIGHBORS, n_clusters, min_samples=ISOMAP_MIN_SAMPLES, random_state=random_state
                ),
            ),
            clustering,
        ]
    )


def n2d_pipeline(n_clusters=10, *, random_state=None, budget=1.0):
    """N2D: the deep autoencoder's codes embedded by UMAP, clustered by a Gaussian mixture.

    N2D (McConville et al. 2020) as in its paper: UMAP to ``n_clusters``
    dimensions with 20 neighbours and ``min_dist=0``, then a full-covariance
    Gaussian mixture. Needs umap-learn.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder, UMAP (which then runs on one core) and the
        mixture. ``None`` lets UMAP use every core.

    budget : float or {"fast", "default", "best"}, default=1.0
        Multiplies the autoencoder's epochs (30 at 1.0) and UMAP's (200).

    Returns
    -------
    pipeline : Pipeline
        ``MinMaxScaler -> AutoencoderTransformer -> UMAP ->
        GaussianMixture``, unfitted.

    Examples
    --------
    >>> from skae.recipes import n2d_pipeline
    >>> [name for name, _ in n2d_pipeline().steps]
    ['minmaxscaler', 'autoencodertransformer', 'umap', 'gaussianmixture']
    """
    _check_n_clusters(n_clusters)
    return _RecipePipeline(
        [
            ("minmaxscaler", MinMaxScaler()),
            ("autoencodertransformer", _deep_autoencoder(random_state, budget)),
            ("umap", _umap(n_clusters, random_state, budget, n_neighbors=20)),
            (
                "gaussianmixture",
                GaussianMixture(n_clusters, covariance_type="full", random_state=random_state),
            ),
        ]
    )


def balanced_pipeline(n_clusters=10, *, random_state=None, budget=1.0, deep="auto"):
    """UMAP's embedding of the scaled samples or their codes, clustered into clusters of equal size.

    UMAP to ``n_clusters`` dimensions (10 neighbours, ``min_dist=0``), then
    :class:`~skae.BalancedKMeans`: on the digits UMAP's embedding puts two
    classes in one blob and splits a third, which KMeans and a Gaussian
    mixture follow and a prior of equally sized clusters corrects (Hungarian
    accuracy 0.955 against 0.88 with a Gaussian mixture, 3 seeds). Use it
    when the clusters are known to be of similar sizes. Needs umap-learn.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds UMAP (which then runs on one core), the autoencoder and the
        clustering. ``None`` lets UMAP use every core.

    budget : float or {"fast", "default", "best"}, default=1.0
        Multiplies UMAP's epochs (200 at 1.0) and the autoencoder's (30).

    deep : bool or "auto", default="auto"
        Whether UMAP embeds the codes of the deep autoencoder of
        :func:`n2d_pipeline` (N2D's input) instead of the scaled samples.
        ``"auto"``: the codes when ``fit`` gets at least 10,000 samples, the
        samples below. On the digits (1,797) the samples score higher (0.955
        against 0.88 for seed 0) and spare the pretraining; on MNIST (70,000)
        the codes score higher (0.974 against 0.955, seed 0) in less time,
        UMAP being faster on 10 numbers a sample than on 784.

    Returns
    -------
    pipeline : Pipeline
        ``MinMaxScaler -> [codes ->] UMAP -> BalancedKMeans``, unfitted. The
        ``"codes"`` step is the AutoencoderTransformer itself with
        ``deep=True``, and with ``"auto"`` a step that trains one (its
        ``autoencoder`` parameter) only on large data.

    Examples
    --------
    >>> from skae.recipes import balanced_pipeline
    >>> [name for name, _ in balanced_pipeline().steps]
    ['minmaxscaler', 'codes', 'umap', 'balancedkmeans']
    >>> [name for name, _ in balanced_pipeline(deep=False).steps]
    ['minmaxscaler', 'umap', 'balancedkmeans']
    """
    _check_n_clusters(n_clusters)
    if deep not in (True, False, "auto"):
        raise ValueError(f"deep={deep!r} must be True, False or 'auto' (the codes from 10,000 samples on).")
    autoencoder = _deep_autoencoder(random_state, budget)
    codes = {True: [("codes", autoencoder)], False: [], "auto": [("codes", CodesOfLargeData(autoencoder))]}
    return _RecipePipeline(
        [
            ("minmaxscaler", MinMaxScaler()),
            *codes[deep],
            ("umap", _umap(n_clusters, random_state, budget, n_neighbors=10)),
            ("balancedkmeans", BalancedKMeans(n_clusters, random_state=random_state)),
        ]
    )


class CodesOfLargeData(TransformerMixin, BaseEstimator):
    """An autoencoder's codes of large data; small data passes through as it is.

    The ``"codes"`` step of :func:`balanced_pipeline` with ``deep="auto"``.
    ``fit`` trains a clone of ``autoencoder`` when it gets at least
    ``min_samples`` samples, and then ``transform`` returns its codes;
    otherwise ``transform`` returns ``X``.

    Parameters
    ----------
    autoencoder : AutoencoderTransformer
        The autoencoder to train on large data (cloned, never modified).

    min_samples : int, default=10_000
        The fewest samples for which the autoencoder is trained.

    Attributes
    ----------
    autoencoder_ : AutoencoderTransformer or None
        The fitted clone, or ``None`` when ``fit`` got fewer than
        ``min_samples`` samples.

    n_features_in_ : int
        Number of features seen during ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> from skae.recipes import CodesOfLargeData
    >>> X = load_digits().data / 16
    >>> step = CodesOfLargeData(AutoencoderTransformer(2, epochs=1)).fit(X)
    >>> step.autoencoder_ is None, step.transform(X).shape
    (True, (1797, 64))
    """

    _parameter_constraints = {
        "autoencoder": [HasMethods(["fit", "transform"])],
        "min_samples": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, autoencoder, min_samples=10_000):
        self.autoencoder = autoencoder
        self.min_samples = min_samples

    @unfitted_on_failure
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Train a clone of ``autoencoder`` on ``X`` if it has at least ``min_samples`` samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, scaled as the autoencoder expects.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted step.
        """
        X = validate_data(self, X)
        self.autoencoder_ = None
        if X.shape[0] >= self.min_samples:
            self.autoencoder_ = clone(self.autoencoder).fit(X)
        return self

    def transform(self, X):
        """The codes of ``X``, or ``X`` itself when no autoencoder was trained.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to transform.

        Returns
        -------
        X_new : ndarray of shape (n_samples, encoding_dim) or (n_samples, n_features)
            The codes (float32), or ``X`` as an array of its own dtype.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X if self.autoencoder_ is None else self.autoencoder_.transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Both paths keep float32; float64 only passes through.
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def dec_pipeline(n_clusters=10, *, random_state=None, budget=1.0):
    """DEC: the deep autoencoder fine-tuned for clustering, after scaling to [0, 1].

    :class:`~skae.DeepEmbeddedClustering` with its defaults: from 10,000
    samples on it starts from the clusters of the ``deep`` recipe (an Isomap
    embedding of the codes, ``init="isomap"``), then refines them as IDEC
    (the decoder kept training beside the clustering loss) and, on images of
    at least 16 x 16 pixels, with DEC-DA's random shifts and rotations, while
    pretraining and while clustering.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds the pretraining, KMeans and the clustering phase.

    budget : float or {"fast", "default", "best"}, default=1.0
        Multiplies the autoencoder's epochs (30 at 1.0) and the clustering
        phase's maximum number of batches (5,000).

    Returns
    -------
    pipeline : Pipeline
        ``MinMaxScaler -> DeepEmbeddedClustering``, unfitted.

    Examples
    --------
    >>> from skae.recipes import dec_pipeline
    >>> dec_pipeline(budget="fast").named_steps["deepembeddedclustering"].max_iter
    1250
    """
    _check_n_clusters(n_clusters)
    dec = DeepEmbeddedClustering(
        _deep_autoencoder(random_state, budget, dec_pretraining=True),
        n_clusters=n_clusters,
        max_iter=_epochs(MAX_ITER, budget),
        batch_size="auto",
        random_state=random_state,
    )
    return _RecipePipeline([("minmaxscaler", MinMaxScaler()), ("deepembeddedclustering", dec)])


_FACTORIES = {
    "kmeans": kmeans_pipeline,
    "tutorial": tutorial_pipeline,
    "deep": deep_kmeans_pipeline,
    "n2d": n2d_pipeline,
    "dec": dec_pipeline,
    "balanced": balanced_pipeline,
}

RECIPE_NAMES = tuple(_FACTORIES)

BEST_RECIPE = "balanced"


def make_recipe(name, *, n_clusters=10, random_state=None, budget=1.0):
    """An unfitted clustering pipeline, by recipe name.

    ================  ==========================================================
    ``"kmeans"``      :func:`kmeans_pipeline`: KMeans on the scaled pixels
    ``"tutorial"``    :func:`tutorial_pipeline`: autoencoder(36) + KMeans
    ``"deep"``        :func:`deep_kmeans_pipeline`: deep autoencoder +
                      balanced KMeans
    ``"n2d"``         :func:`n2d_pipeline`: deep autoencoder + UMAP + mixture
    ``"dec"``         :func:`dec_pipeline`: deep embedded clustering
    ``"balanced"``    :func:`balanced_pipeline`: UMAP + equally sized
                      clusters; ``BEST_RECIPE``
    ================  ==========================================================

    Every recipe scales its input to [0, 1] first. The recipes other than the
    tutorial and KMeans choose their batch size from the number of samples
    at ``fit`` (``batch_size="auto"``), so that small data sets get enough
    gradient steps. ``fit_predict`` clusters the training samples,
    ``predict`` assigns new ones. Each is a scikit-learn
    :class:`~sklearn.pipeline.Pipeline`: clone, pickle and search over its
    steps' parameters (``autoencodertransformer__epochs``, ...) as usual.

    Parameters
    ----------
    name : str
        One of :data:`RECIPE_NAMES`.

    n_clusters : int, default=10
        Number of clusters.

    random_state : int, RandomState instance or None, default=None
        Seeds every step. ``None`` lets UMAP run on every core.

    budget : float or {"fast", "default", "best"}, default=1.0
        Time for accuracy: multiplies the recipe's training length (epochs
        of the autoencoder and of UMAP, batches of DEC); ``"fast"`` is 0.25,
        ``"best"`` 4. Fit time grows about in proportion; accuracy not
        always (see "Choosing a recipe" in the documentation).

    Returns
    -------
    estimator : Pipeline
        The recipe, unfitted.

    Raises
    ------
    ValueError
        For an unknown ``name``, a ``budget`` that is not positive, or
        ``n_clusters`` below 1; at ``fit``, for fewer samples than
        ``n_clusters`` (before anything is trained).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae.recipes import make_recipe
    >>> X = load_digits().data
    >>> make_recipe("kmeans", random_state=0).fit_predict(X).shape
    (1797,)
    >>> make_recipe("best")
    Traceback (most recent call last):
    ...
    ValueError: Unknown recipe 'best'. Pass one of 'kmeans', 'tutorial', 'deep', 'n2d', 'dec', 'balanced' (the best: BEST_RECIPE = 'balanced').
    """
    if name not in _FACTORIES:
        names = ", ".join(repr(n) for n in RECIPE_NAMES)
        raise ValueError(
            f"Unknown recipe {name!r}. Pass one of {names} (the best: BEST_RECIPE = "
            f"{BEST_RECIPE!r})."
        )
    _budget(budget)
    return _FACTORIES[name](n_clusters, random_state=random_state, budget=budget)

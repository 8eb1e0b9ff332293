"""Deep embedded clustering (DEC) and its reconstruction-regularised variant (IDEC)."""

import copy
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._augmentation import _random_moves, image_moves, moves_parameters_doc
from ._autoencoder import AutoencoderTransformer, auto_batch_size
from ._balanced_kmeans import BalancedKMeans
from ._failed_fit import unfitted_on_failure
from ._isomap import ISOMAP_MIN_SAMPLES, ISOMAP_NEIGHBORS, SubsampledIsomap
from ._keras._backend import _resolve_jit_compile
from ._keras._layers import soft_assignments
from ._keras._networks import build_clustering_model, cluster_centers
from ._keras._objects import make_optimizer
from ._keras._spec import network_spec
from ._keras._training import clustering_trainer, fine_tune
from ._random import draw_seed
from ._validation import explained_errors


# The defaults, measured on MNIST (see "Deep clustering" in the documentation).
PRETRAINING_EPOCHS = 30
PRETRAINING_STEPS = 12_000
MAX_ITER = 5000


def dec_autoencoder(**params):
    """The DEC/IDEC/N2D autoencoder (d-500-500-2000-10, linear code), its batch size chosen from the data.

    Early stopping is ``"auto"``: off while the training images are moved.
    """
    params = {"early_stopping": "auto", **params}
    return AutoencoderTransformer(
        10,
        hidden_layer_sizes=(500, 500, 2000),
        encoding_activation="linear",
        batch_size="auto",
        **params,
    )


def dec_pretraining_autoencoder(budget=1.0, **params):
    """The autoencoder :class:`DeepEmbeddedClustering` pretrains by default.

    :func:`dec_autoencoder` for ``PRETRAINING_EPOCHS`` epochs and at least
    ``PRETRAINING_STEPS`` gradient steps, both times ``budget`` (at least
    one), on images shifted and rotated at random (``"auto"``: on images of
    at least 16 x 16 pixels only).
    """
    return dec_autoencoder(
        epochs=max(1, round(PRETRAINING_EPOCHS * budget)),
        min_steps=max(1, round(PRETRAINING_STEPS * budget)),
        max_shift="auto",
        max_rotation="auto",
        **params,
    )


def _target_distribution(q):
    """DEC's sharpened target p: q squared, divided by the cluster frequencies, renormalised."""
    weight = np.square(q) / np.sum(q, axis=0)
    return weight / np.sum(weight, axis=1, keepdims=True)


class DeepEmbeddedClustering(
    ClusterMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Deep embedded clustering: fine-tunes an autoencoder's codes for clustering.

    DEC (Xie et al. 2016) encodes the samples with a pretrained autoencoder,
    places ``n_clusters`` centres among the codes (by default at the clusters
    of the ``deep`` recipe: an Isomap embedding of the codes clustered by
    :class:`~skae.BalancedKMeans`; KMeans in DEC's paper), then trains encoder
    and centres together to minimise the KL divergence between the Student-t
    soft assignments ``q`` of the codes to the centres and a sharpened target
    ``p`` (``q`` squared over the cluster frequencies). ``p`` is recomputed
    every ``update_interval`` batches, and training stops when fewer than a
    fraction ``tol`` of the labels changed since the previous update. With
    ``reconstruction_weight > 0`` (the default) the decoder keeps being
    trained too, adding that multiple of the reconstruction loss, which keeps
    the codes from collapsing: IDEC (Guo et al. 2017) minimises
    ``L_r + 0.1 * L_c``, which is ``reconstruction_weight=10`` up to a factor
    that Adam ignores. On images of at least 16 x 16 pixels the defaults
    also shift and rotate the images at random while pretraining and while
    clustering (DEC-DA, Guo et al. 2018), which the clusters of digits gain
    most from.

    Parameters
    ----------
    autoencoder : AutoencoderTransformer, default=None
        Supplies the encoder. A fitted one is copied and fine-tuned; an
        unfitted one (or a clone of a fitted one, as in ``GridSearchCV``) is
        cloned and pretrained on ``X`` first; if its ``random_state`` is
        ``None`` it gets one from ``random_state``. The parameter itself is
        never modified. ``None`` pretrains the DEC architecture,
        ``AutoencoderTransformer(10, hidden_layer_sizes=(500, 500, 2000),
        encoding_activation="linear", batch_size="auto", epochs=%(epochs)d,
        min_steps=%(steps)d, early_stopping="auto", max_shift="auto",
        max_rotation="auto")``.

    n_clusters : int, default=10
        Number of clusters.

    reconstruction_weight : float, default=10.0
        Weight of the autoencoder's reconstruction loss during the clustering
        phase, relative to the clustering loss; 10 is IDEC (whose gamma=0.1
        weights the clustering loss against the reconstruction), 0 is DEC.

    alpha : float, default=1.0
        Degrees of freedom of the Student-t kernel.

    max_iter : int, default=%(max_iter)d
        Maximum number of batches (gradient steps) of the clustering phase.

    update_interval : int, default=140
        Number of batches between updates of the target distribution, and
        between checks of the stopping criterion.

    tol : float, default=1e-3
        Training stops when the fraction of samples whose label changed
        between two updates is below ``tol``.

    batch_size : int or "auto", default="auto"
        Number of samples per gradient step. ``"auto"`` chooses it from the
        number of samples as ``AutoencoderTransformer(batch_size="auto")``
        does: 256 from 12,800 samples on, smaller below (32 for the 1,797
        digits) so that small data gets enough steps. The size used is
        ``batch_size_``.

    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Keras optimizer of the clustering phase (IDEC uses Adam; DEC used SGD
        with learning rate 0.01 and momentum 0.9). An object is copied.

    learning_rate : float, default=None
        Learning rate of the optimizer; ``None`` keeps the optimizer's own.

    init : {"isomap", "balanced-k-means", "k-means"} or array-like of shape \
            (n_clusters, encoding_dim), default="isomap"
        Initial centres in the code space. ``"isomap"``: the mean code of
        each cluster that :class:`~skae.BalancedKMeans` finds in an Isomap
        embedding of the codes (%(isomap_neighbors)d neighbours,
        ``n_clusters`` dimensions, fitted on at most 10,000 codes; see
        :class:`~skae.recipes.SubsampledIsomap`), the clusters of the
        ``deep`` recipe: on 10,000 MNIST images it starts the clustering
        phase from Hungarian accuracy 0.88 where BalancedKMeans on the codes
        starts it from 0.80, and ends it at 0.97 instead of 0.89 (seed 0).
        Those clusters themselves (one-hot, smoothed by 0.1) are the target
        of the first ``update_interval`` batches, as the centres' own soft
        assignments lose some of them.
        On fewer than %(isomap_min_samples)s codes, where Isomap's graph
        follows the data less well (the digits' codes cluster worse with it),
        ``"isomap"`` is ``"balanced-k-means"``.
        ``"balanced-k-means"``: BalancedKMeans on the codes (clusters of about
        equal size expected), ``"k-means"``: KMeans on the codes (DEC's
        paper), or the given centres (for example the mean code of each
        cluster of another clustering of the codes; see the Examples). The
        array is copied.

    n_init : int, default=20
        Number of KMeans initialisations for the centres, when ``init`` is
        a string.

%(moves_parameters)s

    random_state : int, RandomState instance or None, default=None
        Seeds the pretraining (when the autoencoder has no ``random_state``),
        KMeans, the order of the batches and their shifts and rotations.

    verbose : int, default=0
        Prints the fraction of changed labels at every update when positive.

    Attributes
    ----------
    autoencoder_ : AutoencoderTransformer
        The autoencoder whose encoder was fine-tuned for clustering.

    cluster_centers_ : ndarray of shape (n_clusters, encoding_dim)
        Cluster centres in the code space.

    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample, as :meth:`predict` gives it.

    n_iter_ : int
        Number of batches (gradient steps) run in the clustering phase, at
        most ``max_iter``; like the autoencoder's ``n_iter_`` it counts the
        unit its cap counts. The pretraining's epochs are
        ``autoencoder_.n_iter_``.

    batch_size_ : int
        Number of samples per gradient step of the clustering phase.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string
        column names.

    See Also
    --------
    skae.AutoencoderTransformer : The autoencoder it fine-tunes.
    sklearn.cluster.KMeans : What clusters the codes before fine-tuning.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from skae import AutoencoderTransformer, DeepEmbeddedClustering
    >>> X = MinMaxScaler().fit_transform(load_digits().data)
    >>> ae = AutoencoderTransformer(10, hidden_layer_sizes=(64,),
    ...                             encoding_activation="linear", epochs=5)
    >>> dec = DeepEmbeddedClustering(ae, n_clusters=10, max_iter=20,
    ...                              random_state=0).fit(X)
    >>> dec.labels_.shape, dec.cluster_centers_.shape
    ((1797,), (10, 10))
    >>> dec.transform(X[:2]).shape
    (2, 10)

    Start from the clusters KMeans finds among the codes scaled to unit length
    (which often beat KMeans on the raw codes) instead:

    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.preprocessing import normalize
    >>> ae = ae.fit(X)
    >>> codes = ae.transform(X)
    >>> labels = KMeans(10, n_init=10, random_state=0).fit_predict(normalize(codes))
    >>> centers = np.stack([codes[labels == k].mean(axis=0) for k in range(10)])
    >>> dec = DeepEmbeddedClustering(ae, init=centers, max_iter=20,
    ...                              random_state=0).fit(X)
    >>> dec.cluster_centers_.shape
    (10, 10)
    """

    _parameter_constraints = {
        "autoencoder": [AutoencoderTransformer, None],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "update_interval": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "optimizer": [str, keras.optimizers.Optimizer],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "init": [StrOptions({"isomap", "balanced-k-means", "k-means"}), "array-like"],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_shift": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "max_rotation": [Interval(Real, 0, 180, closed="both"), StrOptions({"auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        autoencoder=None,
        *,
        n_clusters=10,
        reconstruction_weight=10.0,
        alpha=1.0,
        max_iter=MAX_ITER,
        update_interval=140,
        tol=1e-3,
        batch_size="auto",
        optimizer="adam",
        learning_rate=None,
        init="isomap",
        n_init=20,
        max_shift="auto",
        max_rotation="auto",
        random_state=None,
        verbose=0,
    ):
        self.autoencoder = autoencoder
        self.n_clusters = n_clusters
        self.reconstruction_weight = reconstruction_weight
        self.alpha = alpha
        self.max_iter = max_iter
        self.update_interval = update_interval
        self.tol = tol
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.init = init
        self.n_init = n_init
        self.max_shift = max_shift
        self.max_rotation = max_rotation
        self.random_state = random_state
        self.verbose = verbose

    @unfitted_on_failure
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Pretrain (if needed), initialise the centres and refine them with the encoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, scaled as the autoencoder expects (e.g. [0, 1]).

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32)
        init, moves = self._check_params_vs_input(X)
        rng = check_random_state(self.random_state)
        autoencoder = self._pretrained_autoencoder(X, rng)
        network = autoencoder._network_template()
        centers, labels, first_target = self._initial_centers(network.encode(X), init, rng)
        model = self._clustering_model(autoencoder.encoder_, autoencoder.decoder_, centers)
        batch_size = self._resolved_batch_size(X.shape[0])
        trainer = self._trainer(model, network, autoencoder, batch_size)
        batches = _full_batches(X.shape[0], batch_size, rng)
        targets = _Targets(self, X, labels, batches, moves, rng, first_target)
        n_iter = fine_tune(
            trainer, model, X, targets, max_iter=self.max_iter, update_interval=self.update_interval
        )

        self.autoencoder_ = autoencoder
        self.cluster_centers_ = cluster_centers(model)
        self.n_iter_ = n_iter
        self.batch_size_ = batch_size
        self.labels_ = self._soft_assign(X).argmax(axis=1)
        return self

    def _check_params_vs_input(self, X):
        """Every check of the parameters against each other and ``X``, before any training.

        ``_fit_context`` has checked each parameter alone. Returns the
        initial centres (``None`` for ``"k-means"``) and the image moves
        (or ``None``).
        """
        n_samples, n_features = X.shape
        if n_samples < self.n_clusters:
            raise ValueError(
                f"n_samples={n_samples} should be >= n_clusters={self.n_clusters}. "
                f"Pass more samples or ask for fewer clusters."
            )
        autoencoder = self._autoencoder()
        moves = image_moves(self.max_shift, self.max_rotation, autoencoder.image_shape, n_features)
        make_optimizer(self.optimizer, self.learning_rate)
        if _is_fitted(autoencoder) and autoencoder.n_features_in_ != n_features:
            raise ValueError(
                f"The fitted autoencoder expects {autoencoder.n_features_in_} "
                f"features but X has {n_features}. Pass an unfitted autoencoder "
                f"to pretrain it on X, or X with the features it was fitted on."
            )
        if isinstance(self.init, str):
            return None, moves
        centers = check_array(self.init, dtype=np.float32, copy=True, input_name="init")
        encoding_dim = autoencoder.encoding_dim
        expected = (self.n_clusters, encoding_dim)
        if centers.shape != expected:
            raise ValueError(
                f"init has shape {centers.shape}, but {self.n_clusters} centres in the "
                f"autoencoder's {encoding_dim}-dimensional code space need shape {expected}. "
                f'Pass one row per cluster, or init="k-means".'
            )
        return centers, moves

    def _clustering_model(self, encoder, decoder, centers):
        """The model of the clustering phase around ``encoder`` and ``decoder``, not compiled.

        Its outputs are ``q`` (from the soft-assignment layer, whose weights
        are ``centers``) and, with ``reconstruction_weight > 0``, the
        reconstruction.
        """
        return build_clustering_model(
            encoder, decoder, centers, alpha=self.alpha, reconstruct=self.reconstruction_weight > 0
        )

    def _resolved_batch_size(self, n_samples):
        """The clustering phase's batch size: ``batch_size`` or what ``"auto"`` chooses, at most ``n_samples``."""
        batch_size = auto_batch_size(n_samples) if self.batch_size == "auto" else self.batch_size
        return min(batch_size, n_samples)

    def _trainer(self, model, network, autoencoder, batch_size):
        """The compiled clustering model to train, starting from ``model``'s weights.

        A kept one (see :mod:`skae._keras._trainers`) when the clustering
        model has a :class:`~skae._keras._spec.NetworkSpec` (the fitted
        ``autoencoder``'s ``network``, a :class:`~skae._autoencoder.NetworkTemplate`,
        has one, and its loss and the optimizer can be told by value).
        Otherwise ``model`` itself, compiled. XLA as the autoencoder's
        ``jit_compile`` chooses for ``max_iter`` batches.
        """
        loss = autoencoder.loss
        jit_compile = _resolve_jit_compile(autoencoder.jit_compile, self.max_iter * batch_size)
        spec = None
        if network.spec is not None:
            spec = network_spec(
                self, network.spec.n_features, {"batch_size": batch_size}, autoencoder=(network.spec, loss)
            )
            if spec is not None:
                spec = spec.trained_by("keras with XLA" if jit_compile else "keras")

        def make_model():
            _, encoder, decoder = network.build()
            return self._clustering_model(encoder, decoder, cluster_centers(model))

        return clustering_trainer(
            model,
            spec=spec,
            make_model=make_model,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            reconstruction_loss=loss,
            reconstruction_weight=self.reconstruction_weight,
            jit_compile=jit_compile,
        )

    def transform(self, X):
        """Soft assignments ``q`` of `X` to the clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to assign.

        Returns
        -------
        q : ndarray of shape (n_samples, n_clusters), dtype float32
            Student-t similarity of each sample's code to each centre; rows
            sum to 1.
        """
        check_is_fitted(self)
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32, reset=False)
        return self._soft_assign(X)

    def predict(self, X):
        """Cluster of each sample: the centre with the largest soft assignment.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to cluster.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index of each sample.
        """
        return self.transform(X).argmax(axis=1)

    @property
    def _n_features_out(self):
        return self.cluster_centers_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def _initial_centers(self, codes, init, rng):
        """The starting centres (float32), each code's cluster and the first target (or None).

        ``init`` is the checked array of centres, or ``None`` for a string
        ``self.init``. Isomap's clusters are the first target themselves:
        the codes' soft assignments to their mean codes lose some of them
        (on MNIST's 60,000 images 0.945 -> 0.90 Hungarian accuracy), and
        the clustering phase climbs back from there more slowly.
        """
        if init is None and self.init == "isomap" and codes.shape[0] >= ISOMAP_MIN_SAMPLES:
            isomap = SubsampledIsomap(ISOMAP_NEIGHBORS, self.n_clusters, random_state=draw_seed(rng))
            embedding = isomap.fit_transform(codes)
            labels = BalancedKMeans(self.n_clusters, n_init=self.n_init, random_state=draw_seed(rng)).fit_predict(
                embedding
            )
            # BalancedKMeans leaves no cluster empty.
            centers = np.stack([codes[labels == k].mean(axis=0) for k in range(self.n_clusters)])
            return centers.astype(np.float32), labels, _label_target(labels, self.n_clusters)
        if init is None:
            kind = KMeans if self.init == "k-means" else BalancedKMeans
            kmeans = kind(self.n_clusters, n_init=self.n_init, random_state=draw_seed(rng)).fit(codes)
            return kmeans.cluster_centers_.astype(np.float32), kmeans.labels_, None
        labels = soft_assignments(codes, init, self.alpha, xp=np).argmax(axis=1)
        return init, labels, None

    def _autoencoder(self):
        """The autoencoder parameter, or the DEC architecture for ``None``."""
        if self.autoencoder is None:
            return dec_pretraining_autoencoder()
        return self.autoencoder

    def _pretrained_autoencoder(self, X, rng):
        """A fitted autoencoder of our own: a copy of a fitted one, or a clone pretrained on X."""
        autoencoder = self._autoencoder()
        if _is_fitted(autoencoder):
            return copy.deepcopy(autoencoder)
        autoencoder = clone(autoencoder)
        if autoencoder.random_state is None and self.random_state is not None:
            autoencoder.set_params(random_state=draw_seed(rng))
        return autoencoder.fit(X)

    def _soft_assign(self, X):
        codes = self.autoencoder_._network_template().encode(X)
        q = soft_assignments(codes, self.cluster_centers_, self.alpha, xp=np)
        return q.astype(np.float32)


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


# Keeps the first target's log-probabilities finite and its pull moderate.
_LABEL_SMOOTHING = 0.1


def _label_target(labels, n_clusters):
    """A target of hard ``labels``: each row one-hot, smoothed by ``_LABEL_SMOOTHING`` spread over the clusters."""
    target = np.full((len(labels), n_clusters), _LABEL_SMOOTHING / n_clusters, dtype=np.float32)
    target[np.arange(len(labels)), labels] += 1 - _LABEL_SMOOTHING
    return target


class _Targets:
    """DEC's target ``p`` and the batches trained towards it, for :func:`~skae._keras._training.fine_tune`.

    ``update(step, q)`` recomputes ``p`` from the soft assignments ``q`` of
    all of ``X``, unless fewer than a fraction ``tol`` of the labels changed
    since the last update (then it returns False: training stops; never at
    step 0). With ``first_target``, that is the target until the first
    update after step 0. ``batch()`` gives the next batch's images (moved at random
    with ``moves``) and what the clustering model should output for them:
    their rows of ``p``, and with ``reconstruction_weight > 0`` the images
    themselves.
    """

    def __init__(self, dec, X, labels, batches, moves, rng, first_target=None):
        self.X, self.labels, self.batches, self.moves, self.rng = X, labels, batches, moves, rng
        self.first_target = first_target
        self.tol, self.verbose = dec.tol, dec.verbose
        self.reconstructing = dec.reconstruction_weight > 0
        self.target = None

    def update(self, step, q):
        labels = q.argmax(axis=1)
        changed = float(np.mean(labels != self.labels))
        self.labels = labels
        if self.verbose:
            print(f"DEC batch {step}: {changed:.4f} of the labels changed", flush=True)
        if step > 0 and changed < self.tol:
            return False
        if step == 0 and self.first_target is not None:
            self.target = self.first_target
        else:
            self.target = _target_distribution(q).astype(np.float32)
        return True

    def batch(self):
        rows = next(self.batches)
        images = self.X[rows]
        if self.moves is not None:
            images = _random_moves(images, *self.moves, self.rng)
        if self.reconstructing:
            return images, [self.target[rows], images]
        return images, self.target[rows]


def _full_batches(n_samples, batch_size, rng):
    """Endless row indices of batches of ``batch_size``, reshuffled from ``rng`` when a pass runs out.

    Full batches only: a smaller last one would retrace the train step.
    """
    order, position = rng.permutation(n_samples), 0
    while True:
        if position + batch_size > n_samples:
            order, position = rng.permutation(n_samples), 0
        yield order[position : position + batch_size]
        position += batch_size


DeepEmbeddedClustering.__doc__ %= {
    "isomap_neighbors": ISOMAP_NEIGHBORS,
    "isomap_min_samples": f"{ISOMAP_MIN_SAMPLES:,}",
    "epochs": PRETRAINING_EPOCHS,
    "steps": PRETRAINING_STEPS,
    "max_iter": MAX_ITER,
    "moves_parameters": moves_parameters_doc(
        images="each image the clustering phase trains on",
        when="of every batch",
        role="The target ``p`` comes from the unmoved images, as in DEC-DA, "
        "which pairs this with an autoencoder pretrained the same way "
        "(``AutoencoderTransformer(max_shift=...)``); with "
        "``reconstruction_weight > 0`` the decoder reconstructs the moved image.",
        layout="the autoencoder's ``image_shape``",
        shift_default='"auto"',
        rotation_default='"auto"',
    )
}

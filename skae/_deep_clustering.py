"""Deep embedded clustering (DEC) and its reconstruction-regularised variant (IDEC)."""

import copy
from numbers import Integral, Real

import keras
import numpy as np
from keras import ops
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

from ._architectures import image_moves
from ._balanced_kmeans import BalancedKMeans
from ._autoencoder import AutoencoderTransformer, _keras_object, auto_batch_size
from ._speed import _random_moves

_SEED_MAX = 2**31 - 1


def _soft_assignments(codes, centers, alpha):
    """Student-t similarity of each code to each centre, normalised per sample (DEC's q)."""
    squared_distances = np.sum(np.square(codes[:, None, :] - centers[None, :, :]), axis=2)
    q = np.power(1.0 + squared_distances / alpha, -(alpha + 1.0) / 2.0)
    return q / np.sum(q, axis=1, keepdims=True)


def _target_distribution(q):
    """DEC's sharpened target p: q squared, divided by the cluster frequencies, renormalised."""
    weight = np.square(q) / np.sum(q, axis=0)
    return weight / np.sum(weight, axis=1, keepdims=True)


class _SoftAssignment(keras.layers.Layer):
    """Keras layer computing DEC's q from codes; the cluster centres are its weights."""

    def __init__(self, n_clusters, alpha, **kwargs):
        super().__init__(**kwargs)
        self.n_clusters = n_clusters
        self.alpha = alpha

    def build(self, input_shape):
        self.centers = self.add_weight(
            shape=(self.n_clusters, input_shape[-1]), initializer="zeros", name="centers"
        )

    def call(self, codes):
        squared_distances = ops.sum(
            ops.square(ops.expand_dims(codes, 1) - self.centers), axis=2
        )
        q = ops.power(1.0 + squared_distances / self.alpha, -(self.alpha + 1.0) / 2.0)
        return q / ops.sum(q, axis=1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_clusters)


class DeepEmbeddedClustering(
    ClusterMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Deep embedded clustering: fine-tunes an autoencoder's codes for clustering.

    DEC (Xie et al. 2016) encodes the samples with a pretrained autoencoder,
    places ``n_clusters`` centres by KMeans on the codes (or where ``init``
    says), then trains encoder
    and centres together to minimise the KL divergence between the Student-t
    soft assignments ``q`` of the codes to the centres and a sharpened target
    ``p`` (``q`` squared over the cluster frequencies). ``p`` is recomputed
    every ``update_interval`` batches, and training stops when fewer than a
    fraction ``tol`` of the labels changed since the previous update. With
    ``reconstruction_weight > 0`` the decoder keeps being trained too, adding
    that multiple of the reconstruction loss, which keeps the codes from
    collapsing: IDEC (Guo et al. 2017) minimises ``L_r + 0.1 * L_c``, which
    is ``reconstruction_weight=10`` up to a factor that Adam ignores.

    Parameters
    ----------
    autoencoder : AutoencoderTransformer, default=None
        Supplies the encoder. A fitted one is copied and fine-tuned; an
        unfitted one (or a clone of a fitted one, as in ``GridSearchCV``) is
        cloned and pretrained on ``X`` first; if its ``random_state`` is
        ``None`` it gets one from ``random_state``. The parameter itself is
        never modified. ``None`` pretrains the DEC architecture,
        ``AutoencoderTransformer(10, hidden_layer_sizes=(500, 500, 2000),
        encoding_activation="linear", batch_size="auto")``.

    n_clusters : int, default=10
        Number of clusters.

    reconstruction_weight : float, default=0.0
        Weight of the autoencoder's reconstruction loss during the clustering
        phase, relative to the clustering loss; 0 is DEC, 10 is IDEC (whose
        gamma=0.1 weights the clustering loss against the reconstruction).

    alpha : float, default=1.0
        Degrees of freedom of the Student-t kernel.

    max_iter : int, default=20000
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

    init : {"balanced-k-means", "k-means"} or array-like of shape (n_clusters, encoding_dim), \
            default="balanced-k-means"
        Initial centres in the code space: :class:`~skae.BalancedKMeans` on
        the codes (clusters of about equal size expected; on the digits it
        starts DEC from Hungarian accuracy 0.87 where KMeans starts it from
        0.79), KMeans on the codes (DEC's paper), or the given centres (for
        example the mean code of each cluster of a better clustering of the
        codes; see the Examples). The array is copied.

    n_init : int, default=20
        Number of KMeans initialisations for the centres, when ``init`` is
        ``"balanced-k-means"`` or ``"k-means"``.

    max_shift : int, default=0
        Largest random translation, in pixels, of each image the clustering
        phase trains on, along its rows and its columns (drawn anew for every
        image of every batch, the uncovered border filled with 0), while the
        target ``p`` comes from the unshifted images: DEC-DA (Guo et al. 2018),
        which pairs it with an autoencoder pretrained the same way
        (``AutoencoderTransformer(max_shift=...)``). With
        ``reconstruction_weight > 0`` the decoder reconstructs the shifted
        image. The images have the autoencoder's ``image_shape``, or without
        one are square with one channel (784 features: 28 x 28). 0 turns it
        off.

    max_rotation : float, default=0.0
        Largest random rotation, in degrees, of each image the clustering
        phase trains on, about its centre (bilinear interpolation), combined
        with ``max_shift``; DEC-DA rotates MNIST by up to 10 degrees. 0 turns
        it off.

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
        Number of batches run in the clustering phase.

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
        "init": [StrOptions({"balanced-k-means", "k-means"}), "array-like"],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_shift": [Interval(Integral, 0, None, closed="left")],
        "max_rotation": [Interval(Real, 0, 180, closed="both")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        autoencoder=None,
        *,
        n_clusters=10,
        reconstruction_weight=0.0,
        alpha=1.0,
        max_iter=20000,
        update_interval=140,
        tol=1e-3,
        batch_size="auto",
        optimizer="adam",
        learning_rate=None,
        init="balanced-k-means",
        n_init=20,
        max_shift=0,
        max_rotation=0.0,
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
        X = validate_data(self, X, dtype=np.float32)
        n_samples = X.shape[0]
        if n_samples < self.n_clusters:
            raise ValueError(
                f"n_samples={n_samples} should be >= n_clusters={self.n_clusters}. "
                f"Pass more samples or ask for fewer clusters."
            )
        image_shape = None if self.autoencoder is None else self.autoencoder.image_shape
        moves = image_moves(self.max_shift, self.max_rotation, image_shape, X.shape[1])
        optimizer = _keras_object(keras.optimizers.get, self.optimizer, "optimizer")
        config = optimizer.get_config()
        if self.learning_rate is not None:
            config["learning_rate"] = self.learning_rate
        optimizer = type(optimizer).from_config(config)
        rng = check_random_state(self.random_state)

        autoencoder = self._pretrained_autoencoder(X, rng)
        codes = self._encode(autoencoder, X)
        centers, labels = self._initial_centers(codes, rng)

        inputs = keras.Input((X.shape[1],))
        code = autoencoder.encoder_(inputs)
        assignment = _SoftAssignment(self.n_clusters, self.alpha)
        outputs, losses = [assignment(code)], ["kl_divergence"]
        if self.reconstruction_weight > 0:
            outputs.append(autoencoder.decoder_(code))
            losses.append(autoencoder._get_loss())
        model = keras.Model(inputs, outputs)
        assignment.set_weights([centers])
        model.compile(
            optimizer=optimizer,
            loss=losses,
            loss_weights=[1.0, self.reconstruction_weight][: len(losses)],
        )

        batch_size = auto_batch_size(n_samples) if self.batch_size == "auto" else self.batch_size
        batch_size = min(batch_size, n_samples)
        order, position = rng.permutation(n_samples), 0
        n_iter = 0
        for step in range(self.max_iter):
            if step % self.update_interval == 0:
                centers = keras.ops.convert_to_numpy(assignment.centers)
                q = _soft_assignments(self._encode(autoencoder, X), centers, self.alpha)
                new_labels = q.argmax(axis=1)
                changed = float(np.mean(new_labels != labels))
                labels = new_labels
                if self.verbose:
                    print(f"DEC batch {step}: {changed:.4f} of the labels changed", flush=True)
                if step > 0 and changed < self.tol:
                    break
                target = _target_distribution(q).astype(np.float32)
            if position + batch_size > n_samples:
                # Full batches only: a smaller last one would retrace the train step.
                order, position = rng.permutation(n_samples), 0
            batch = order[position : position + batch_size]
            position += batch_size
            batch_X = X[batch]
            if moves is not None:
                batch_X = _random_moves(batch_X, *moves, rng)
            targets = [target[batch], batch_X][: len(outputs)]
            model.train_on_batch(batch_X, targets[0] if len(targets) == 1 else targets)
            n_iter = step + 1

        self.autoencoder_ = autoencoder
        self.cluster_centers_ = keras.ops.convert_to_numpy(assignment.centers).copy()
        self.n_iter_ = n_iter
        self.batch_size_ = batch_size
        self.labels_ = self._soft_assign(X).argmax(axis=1)
        return self

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

    def _initial_centers(self, codes, rng):
        """The starting centres (float32) and each code's cluster under them."""
        if isinstance(self.init, str):
            kind = BalancedKMeans if self.init == "balanced-k-means" else KMeans
            kmeans = kind(
                self.n_clusters, n_init=self.n_init, random_state=rng.randint(_SEED_MAX)
            ).fit(codes)
            return kmeans.cluster_centers_.astype(np.float32), kmeans.labels_
        centers = check_array(self.init, dtype=np.float32, copy=True, input_name="init")
        expected = (self.n_clusters, codes.shape[1])
        if centers.shape != expected:
            raise ValueError(
                f"init has shape {centers.shape}, but {self.n_clusters} centres in the "
                f"autoencoder's {codes.shape[1]}-dimensional code space need shape {expected}. "
                f'Pass one row per cluster, or init="k-means".'
            )
        labels = _soft_assignments(codes, centers, self.alpha).argmax(axis=1)
        return centers, labels

    def _pretrained_autoencoder(self, X, rng):
        """A fitted autoencoder of our own: a copy of a fitted one, or a clone pretrained on X."""
        if self.autoencoder is None:
            autoencoder = AutoencoderTransformer(
                10,
                hidden_layer_sizes=(500, 500, 2000),
                encoding_activation="linear",
                batch_size="auto",
            )
        else:
            autoencoder = self.autoencoder
        try:
            check_is_fitted(autoencoder)
        except NotFittedError:
            autoencoder = clone(autoencoder)
            if autoencoder.random_state is None and self.random_state is not None:
                autoencoder.set_params(random_state=rng.randint(_SEED_MAX))
            return autoencoder.fit(X)
        if autoencoder.n_features_in_ != X.shape[1]:
            raise ValueError(
                f"The fitted autoencoder expects {autoencoder.n_features_in_} "
                f"features but X has {X.shape[1]}. Pass an unfitted autoencoder "
                f"to pretrain it on X, or X with the features it was fitted on."
            )
        return copy.deepcopy(autoencoder)

    def _soft_assign(self, X):
        codes = self._encode(self.autoencoder_, X)
        q = _soft_assignments(codes, self.cluster_centers_, self.alpha)
        return q.astype(np.float32)

    @staticmethod
    def _encode(autoencoder, X):
        # Straight to the encoder: X is already validated, and a fitted autoencoder
        # given by the user may have seen feature names that X no longer carries.
        return autoencoder._predict(autoencoder.encoder_, X)

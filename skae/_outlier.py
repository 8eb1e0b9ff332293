"""Outlier detection from an autoencoder's reconstruction error."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._autoencoder import AutoencoderTransformer
from ._blocks import by_row_blocks, check_streamed_shape, is_streamed
from ._failed_fit import unfitted_on_failure
from ._persistence import save
from ._random import draw_seed
from ._validation import explained_errors

# Tukey's fences: a training loss above the third quartile plus this many
# interquartile ranges is an outlier under contamination="auto".
_TUKEY_K = 1.5


# Above this many features (images) the default network is wider and trains
# longer: on MNIST one-class mean AUROC 0.976 instead of 0.972, while on small
# tabular sets the same change lost 0.007 (benchmarks/anomaly.py).
_MANY_FEATURES = 100


def default_autoencoder(n_features):
    """The autoencoder of ``autoencoder=None`` for data with ``n_features`` features."""
    many = n_features > _MANY_FEATURES
    return AutoencoderTransformer(
        _default_encoding_dim(n_features),
        hidden_layer_sizes=(512,) if many else (256,),
        encoding_activation="linear",
        output_activation="linear",
        loss="mse",
        epochs=100 if many else 50,
        batch_size="auto",
        n_iter_no_change=10,
    )


def _default_encoding_dim(n_features):
    """A code of 16, narrower than a quarter of the features (at least 1)."""
    return max(1, min(16, n_features // 4))


class AutoencoderOutlierDetector(OutlierMixin, BaseEstimator):
    """Outlier detection from the reconstruction error of an autoencoder.

    An autoencoder is trained to reconstruct the training data, which is
    taken to be normal (novelty detection, as
    ``LocalOutlierFactor(novelty=True)``) or mostly normal (outlier
    detection, as :class:`~sklearn.ensemble.IsolationForest`). Samples
    unlike it reconstruct badly: :meth:`score_samples` is minus the
    reconstruction loss of each sample, and :meth:`predict` flags as
    outliers (-1) the samples that score below ``offset_``, a threshold
    learned from the training scores.

    Parameters
    ----------
    autoencoder : AutoencoderTransformer, default=None
        The autoencoder whose reconstruction loss scores the samples. It is
        cloned and trained on ``X``; if its ``random_state`` is ``None`` it
        gets one from ``random_state``. The parameter itself is never
        modified. ``None`` trains a network chosen to work without tuning on
        images and tabular data alike::

            AutoencoderTransformer(
                min(16, n_features // 4),  # at least 1
                hidden_layer_sizes=(256,),  # (512,) above 100 features
                encoding_activation="linear",
                output_activation="linear",
                loss="mse",
                epochs=50,  # 100 above 100 features
                batch_size="auto",
                n_iter_no_change=10,
            )

        A linear output with the squared error accepts data of any range
        (standardized tabular data as well as pixels in [0, 1]), and on
        images the squared error separates anomalies better than the binary
        cross-entropy, whose floor depends on how many grey pixels an image
        has. The narrow code is what makes unlike samples reconstruct
        badly; see the user guide's anomaly detection page for the
        benchmark behind these choices.

    contamination : "auto" or float, default="auto"
        The expected fraction of outliers in the training data, which sets
        ``offset_``. A float in (0, 0.5] puts ``offset_`` at that
        percentile of the training scores, so that this fraction of the
        training samples is flagged. ``"auto"`` uses Tukey's boxplot rule
        on the training losses: a sample is an outlier when its
        reconstruction loss is above the third quartile plus 1.5
        interquartile ranges (``offset_ = -(Q3 + 1.5 * (Q3 - Q1))`` of the
        losses). It needs no guess of the fraction and flags the training
        samples that reconstruct unusually badly, typically a few percent.

    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder when its own ``random_state`` is ``None``.

    Attributes
    ----------
    autoencoder_ : AutoencoderTransformer
        The trained autoencoder.

    offset_ : float
        Threshold on :meth:`score_samples`: :meth:`decision_function` is
        ``score_samples(X) - offset_``, negative for outliers.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string
        column names.

    See Also
    --------
    skae.AutoencoderTransformer.score_samples : The score, from any autoencoder.
    sklearn.ensemble.IsolationForest : Outliers isolated by random splits.
    sklearn.neighbors.LocalOutlierFactor : Outliers by local density.

    Notes
    -----
    Scale the data as the autoencoder expects: the default accepts any real
    data, but like every squared error it weighs the features by their
    scale, so standardize tabular data first (put
    :class:`~sklearn.preprocessing.StandardScaler` before the detector in a
    Pipeline). The training scores that set ``offset_`` are those of samples
    the autoencoder was trained on; new normal samples reconstruct a little
    worse, so on new data slightly more than ``contamination`` is flagged.

    Persistence: pickle and joblib work before and after fit, and
    :meth:`save` writes a file that :func:`skae.load` reads.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from skae import AutoencoderOutlierDetector, AutoencoderTransformer
    >>> X, y = load_digits(return_X_y=True)
    >>> X = MinMaxScaler().fit_transform(X)
    >>> detector = AutoencoderOutlierDetector(
    ...     AutoencoderTransformer(8, loss="mse", epochs=20, batch_size=32),
    ...     contamination=0.05,
    ...     random_state=0,
    ... ).fit(X[y == 0])
    >>> labels = detector.predict(X)
    >>> float(np.mean(labels[y == 0] == 1)) > 0.9  # zeros are inliers
    True
    >>> float(np.mean(labels[y != 0] == -1)) > 0.9  # other digits outliers
    True
    """

    _parameter_constraints = {
        "autoencoder": [AutoencoderTransformer, None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(self, autoencoder=None, *, contamination="auto", random_state=None):
        self.autoencoder = autoencoder
        self.contamination = contamination
        self.random_state = random_state

    @unfitted_on_failure
    # The autoencoder is the user's: its parameters are validated in its fit.
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Train the autoencoder on `X` and set ``offset_`` from its scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, normal or mostly normal samples. An array on
            disk (``np.memmap``, h5py, zarr) or a Dask array is read block
            by block, as by :meth:`AutoencoderTransformer.fit`.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted detector.
        """
        with explained_errors():
            if is_streamed(X):
                # The autoencoder's fit checks the values in its own pass.
                check_streamed_shape(self, X)
            else:
                X = validate_data(self, X, dtype=np.float32)
        autoencoder = self._autoencoder(X.shape[1])
        if autoencoder.random_state is None and self.random_state is not None:
            autoencoder.set_params(random_state=draw_seed(check_random_state(self.random_state)))
        self.autoencoder_ = autoencoder.fit(X)
        self.offset_ = self._offset(np.asarray(self.autoencoder_.score_samples(X)))
        return self

    def _autoencoder(self, n_features):
        """An unfitted copy of the autoencoder parameter, or the default for ``None``."""
        if self.autoencoder is None:
            return default_autoencoder(n_features)
        return clone(self.autoencoder)

    def _offset(self, scores):
        """``offset_`` from the training scores."""
        if self.contamination == "auto":
            first, third = np.percentile(-scores, [25.0, 75.0])
            return float(-(third + _TUKEY_K * (third - first)))
        return float(np.percentile(scores, 100.0 * self.contamination))

    def score_samples(self, X):
        """Minus the reconstruction loss of each sample; lower is more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score. An array on disk (``np.memmap``, h5py, zarr) is
            read in blocks of rows; a Dask array is scored block by block
            where its blocks are.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            :meth:`AutoencoderTransformer.score_samples` of the trained
            autoencoder, in the units of its loss; a Dask array for a Dask
            array (and so are :meth:`decision_function` and :meth:`predict`).
        """
        check_is_fitted(self)
        return by_row_blocks(X, self._score_samples, None, self.n_features_in_)

    def _score_samples(self, X):
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32, reset=False)
        return self.autoencoder_.score_samples(X)

    def decision_function(self, X):
        """Shifted scores: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Whether each sample is an inlier (+1) or an outlier (-1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to classify.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            -1 where :meth:`decision_function` is negative, else +1.
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def save(self, path):
        """Write the detector to `path`, a zip file read by :func:`skae.load`.

        Parameters
        ----------
        path : str or path-like
            Where to write; an existing file is replaced.

        Returns
        -------
        path : str
            The path written.
        """
        return save(self, path)

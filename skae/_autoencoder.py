"""An autoencoder as a scikit-learn transformer."""

import math
import warnings
from numbers import Integral, Real
from typing import Callable, NamedTuple

import keras
import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted, validate_data

from ._augmentation import image_moves, moves_parameters_doc
from ._blocks import by_row_blocks, checked_streamed, is_streamed
from ._failed_fit import forget_fit, unfitted_on_failure
from ._images import validated_image_shape
from ._keras._backend import (
    _resolve_jit_compile,
    _set_inference_jit,
    _steps_per_execution,
)
from ._keras._fit_guard import release_training_state
from ._keras._networks import build_autoencoder
from ._keras._objects import check_activation, get_loss, make_optimizer
from ._keras._predict import _PREDICT_ROWS, PREDICT_FUNCTIONS, _predict
from ._keras._spec import NetworkSpec, network_spec
from ._keras._training import compile_for_training, train, train_one_pass
from ._persistence import save
from ._validation import explained_errors, reconstructible_range


def _checked_sample_weight(sample_weight, X):
    """``sample_weight`` as float32 of one non-negative weight per row of ``X``, not all 0; or None."""
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float32)
    if (sample_weight < 0).any():
        raise ValueError(
            f"sample_weight has negative values (the smallest is {sample_weight.min():g}); "
            "a weight scales a sample's reconstruction loss and must be 0 or more."
        )
    if not sample_weight.any():
        raise ValueError(
            "sample_weight is 0 for every sample, which leaves nothing to train on. "
            "Give the samples to learn from a positive weight."
        )
    return sample_weight


def auto_batch_size(n_samples):
    """The batch size of ``batch_size="auto"`` for ``n_samples`` training samples.

    The power of two nearest below ``n_samples / 50``, between 16 and 256:
    about 50 gradient steps per epoch on small data, where the tutorial's
    2024 would give one, and 256 (the DEC/IDEC/N2D batch) on large data.
    """
    return min(256, max(16, 2 ** math.floor(math.log2(max(n_samples, 50) / 50))))


def _compiled_training(model, batch_size):
    """The training facts of a spec (see :func:`~skae._keras._spec.network_spec`) for compiled ``model``."""
    return {
        "batch_size": batch_size,
        "jit_compile": model.jit_compile,
        "steps_per_execution": model.steps_per_execution,
    }


class NetworkTemplate(NamedTuple):
    """An autoencoder's network as a kind, given by :meth:`AutoencoderTransformer._network_template`.

    Attributes
    ----------
    spec : NetworkSpec or None
        What a compiled program of the network depends on (see
        :mod:`skae._keras._spec`); None when nothing compiled may be shared.

    build : callable
        ``build()`` returns a new, unseeded ``(autoencoder, encoder,
        decoder)`` of the same architecture, to set weights into.

    encode : callable
        ``encode(X)`` returns the fitted encoder's codes of validated ``X``
        (float32), through the prediction function shared by the networks
        of ``spec``. Unlike ``transform`` it checks nothing: DEC's validated
        ``X`` has lost the feature names a user's fitted autoencoder may
        have seen.
    """

    spec: NetworkSpec
    build: Callable
    encode: Callable


class AutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Autoencoder whose encoder transforms samples into codes.

    A dense Keras autoencoder is trained to reconstruct ``X`` from itself.
    ``transform`` returns the output of the code layer, ``inverse_transform``
    decodes codes back into the input space. The defaults build and train the
    classic MNIST tutorial model: ``Dense(36, relu)`` encoder,
    ``Dense(n_features, sigmoid)`` decoder, Adam, binary cross-entropy, batch
    size 2024, up to 200 epochs with early stopping on the validation loss.

    Parameters
    ----------
    encoding_dim : int, default=36
        Size of the code, the number of features that ``transform`` returns.

    hidden_layer_sizes : array-like of int, default=()
        Sizes of the hidden layers of the encoder, from the input towards the
        code. The decoder mirrors them. ``(500, 500, 2000)`` with
        ``encoding_dim=10`` and ``encoding_activation="linear"`` is the
        DEC/IDEC/N2D architecture.

    activation : str or callable, default="relu"
        Activation of the hidden layers, any Keras activation.

    encoding_activation : str or callable, default="relu"
        Activation of the code layer.

    output_activation : str or callable, default="sigmoid"
        Activation of the reconstruction. ``"sigmoid"`` suits inputs scaled to
        [0, 1]; use ``"linear"`` with ``loss="mse"`` for unbounded data.

    loss : str or callable, default="binary_crossentropy"
        Reconstruction loss, any Keras loss.

    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Keras optimizer. An optimizer object is copied, never modified.

    learning_rate : float, default=None
        Learning rate of the optimizer; ``None`` keeps the optimizer's own
        (0.001 for Adam).

    epochs : int, default=200
        Maximum number of passes over the training data.

    min_steps : int, default=0
        Fewest gradient steps to train for: on small data, where an epoch is
        few batches, ``epochs`` is raised to ``ceil(min_steps / batches per
        epoch)``, up to ``10 * epochs`` (early stopping may still stop it
        sooner). 0 keeps ``epochs``. The deep clustering recipes and
        :class:`~skae.DeepEmbeddedClustering` pretrain with
        ``min_steps=12000``: on 10,000 MNIST images an epoch is 79 batches,
        and 30 epochs leave the codes half-trained.

    batch_size : int or "auto", default=2024
        Number of samples per gradient update. ``"auto"`` picks it from the
        number of training samples ``n``: the power of two nearest below
        ``n / 50``, between 16 and 256 (32 for the 1,797 digits, 256 from
        12,800 samples on), so that a small data set still gets about 50
        gradient steps per epoch. The size used is ``batch_size_``.

    early_stopping : bool or "auto", default=True
        Whether to hold out ``validation_fraction`` of the samples and stop
        when their loss has not improved for ``n_iter_no_change`` epochs. The
        weights of the best epoch are kept. ``"auto"`` stops early unless the
        training images are moved (``max_shift``, ``max_rotation``), and then
        trains on every sample for all the epochs: the loss of the unmoved
        validation images stops improving while the codes of moved images
        still gain (on 10,000 MNIST images, 12,000 steps without early
        stopping clustered 0.93 where early stopping ended near 5,000 steps
        at 0.85). The deep clustering recipes and
        :class:`~skae.DeepEmbeddedClustering` pretrain with ``"auto"``.

    validation_fraction : float, default=0.1
        Fraction of the samples held out for early stopping.

    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.

    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the validation split and the order of the batches.
        An int gives the same codes on every fit on the same machine.

    verbose : int, default=0
        0 is silent, 1 shows Keras' progress bar, 2 one line per epoch.

    jit_compile : bool or "auto", default="auto"
        Whether to compile training and prediction with XLA. ``"auto"``
        always uses it with JAX, never with torch, and with TensorFlow (also
        on CPU, unlike Keras' own ``"auto"``) when training sees at least
        200,000 samples (rows x ``epochs``), enough to pay back the compile
        time. It changes the speed, not the model: the loss per epoch stays
        the same up to float rounding.

    steps_per_execution : int, default=32
        Number of batches run per call into the compiled training function;
        fewer Python round trips per epoch. With XLA on TensorFlow or JAX
        the batches of a call run in one compiled loop (Keras' progress bar
        and batch callbacks then count calls, not batches). ``1`` is Keras'
        default, and the only value Keras' PyTorch backend supports: there
        it is always 1. It changes the speed, not the model.

    precision : {"float32", "bfloat16"}, default="float32"
        ``"bfloat16"`` computes the hidden and code layers in bfloat16 with
        float32 weights (Keras' ``"mixed_bfloat16"`` policy); the output
        layer, the loss and the codes returned stay float32. Faster on
        hardware with bfloat16 units (recent GPUs and TPUs, CPUs with AMX).

    image_shape : tuple of int, default=None
        Shape ``(height, width[, channels])`` of one sample as an image; ``X``
        stays 2-D and each row is reshaped inside the network (C order), so
        ``transform`` and ``inverse_transform`` take and give 2-D arrays. Then
        ``hidden_layer_sizes`` are the filters of stride-2 convolutions (5x5,
        3x3 in the deepest one) and the decoder mirrors them with transposed
        convolutions: ``image_shape=(28, 28, 1), hidden_layer_sizes=(32, 64,
        128)`` is the convolutional autoencoder of DEC-DA and N2D. One entry
        may be -1 and is inferred from the number of features. ``None`` builds
        a dense network.

    noise : {"gaussian", "dropout"}, default=None
        Corrupts the input during training only, making a denoising
        autoencoder: ``"gaussian"`` adds noise of standard deviation
        ``noise_level``, ``"dropout"`` zeroes a fraction ``noise_level`` of the
        inputs. ``transform`` never corrupts.

    noise_level : float, default=0.1
        Standard deviation (``"gaussian"``) or rate (``"dropout"``, below 1)
        of ``noise``.

%(moves_parameters)s
    activity_regularization : float, default=0.0
        Weight of an L1 penalty on the code added to the loss, making a sparse
        autoencoder.

    variational : bool, default=False
        Whether to make a variational autoencoder: the encoder gives the mean
        and log-variance of a Gaussian posterior, the decoder is trained on a
        sample of it, and ``transform`` returns the posterior mean. Use
        ``encoding_activation="linear"`` with it.

    kl_weight : float, default=1.0
        Weight of the KL divergence of the posterior from N(0, I), relative to
        the reconstruction loss per feature; 1.0 is the evidence lower bound
        (with ``loss="binary_crossentropy"``), less keeps the codes sharper.

    Attributes
    ----------
    autoencoder_ : keras.Model
        The trained autoencoder, ``decoder_(encoder_(x))``.

    encoder_ : keras.Model
        The encoder; it shares its weights with ``autoencoder_``.

    decoder_ : keras.Model
        The decoder; it shares its weights with ``autoencoder_``.

    history_ : dict of list
        Loss per epoch (``"loss"``, and ``"val_loss"`` with early stopping).

    n_iter_ : int
        Number of epochs run, at most ``epochs`` (as ``n_iter_`` of
        scikit-learn's ``MLPRegressor`` counts the epochs of its stochastic
        solvers).

    batch_size_ : int
        Number of samples per gradient update, ``batch_size`` or what
        ``"auto"`` chose.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string
        column names.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.
    skae.MajorityVoteClassifier : Names clusters of the codes by majority vote.
    skae.load : Loads an estimator written by :meth:`save`.

    Notes
    -----
    Inputs: ``X`` must be a dense, finite, real 2-D array; anything else
    raises a ``ValueError`` (``TypeError`` for sparse matrices, as in
    scikit-learn) that says how to fix it. Sparse input is refused rather
    than densified, so that the memory cost of ``X.toarray()`` stays the
    caller's visible choice. Boolean ``X`` is accepted as 0/1.

    Data range: binary cross-entropy (whatever the output activation) only
    makes sense for data in [0, 1], and a bounded output activation
    (``sigmoid`` [0, 1], ``tanh`` [-1, 1], ``relu`` [0, inf)) can only
    reconstruct its range (whatever the loss). Data outside that range gives
    a ``UserWarning`` that says to scale it, not an error: the model still
    trains and tools such as scikit-learn's estimator checks feed arbitrary
    data. ``output_activation="linear"`` with ``loss="mse"`` accepts any real
    data silently.

    Training: a NaN or infinite loss stops ``fit`` with
    :class:`~skae.TrainingDivergedError`; see :meth:`fit` for Ctrl-C.

    Persistence: pickle and joblib work before and after fit. :meth:`save`
    writes a file with the native ``.keras`` model that :func:`skae.load`
    reads under any Keras backend.

    Subclasses and estimators built on a fitted autoencoder (as
    :class:`~skae.DeepEmbeddedClustering`) reach its network through one
    protected hook, ``_network_template()``: the network's spec (the key of
    compiled programs shared between fits), a function that builds a new
    network of the same architecture, and one that encodes validated data.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from skae import AutoencoderTransformer
    >>> X = MinMaxScaler().fit_transform(load_digits().data)
    >>> ae = AutoencoderTransformer(16, epochs=3, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 16)
    >>> ae.inverse_transform(ae.transform(X)).shape
    (1797, 64)
    >>> ae.get_feature_names_out()[:2]
    array(['autoencodertransformer0', 'autoencodertransformer1'], dtype=object)
    """

    _parameter_constraints = {
        "encoding_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "activation": [str, callable],
        "encoding_activation": [str, callable],
        "output_activation": [str, callable],
        "loss": [str, callable],
        "optimizer": [str, keras.optimizers.Optimizer],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "min_steps": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "jit_compile": ["boolean", StrOptions({"auto"})],
        "steps_per_execution": [Interval(Integral, 1, None, closed="left")],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "image_shape": ["array-like", None],
        "noise": [StrOptions({"gaussian", "dropout"}), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "max_shift": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "max_rotation": [Interval(Real, 0, 180, closed="both"), StrOptions({"auto"})],
        "activity_regularization": [Interval(Real, 0, None, closed="left")],
        "variational": ["boolean"],
        "kl_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        encoding_dim=36,
        *,
        hidden_layer_sizes=(),
        activation="relu",
        encoding_activation="relu",
        output_activation="sigmoid",
        loss="binary_crossentropy",
        optimizer="adam",
        learning_rate=None,
        epochs=200,
        min_steps=0,
        batch_size=2024,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        random_state=None,
        verbose=0,
        jit_compile="auto",
        steps_per_execution=32,
        precision="float32",
        image_shape=None,
        noise=None,
        noise_level=0.1,
        max_shift=0,
        max_rotation=0.0,
        activity_regularization=0.0,
        variational=False,
        kl_weight=1.0,
    ):
        self.encoding_dim = encoding_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.encoding_activation = encoding_activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.min_steps = min_steps
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.jit_compile = jit_compile
        self.steps_per_execution = steps_per_execution
        self.precision = precision
        self.image_shape = image_shape
        self.noise = noise
        self.noise_level = noise_level
        self.max_shift = max_shift
        self.max_rotation = max_rotation
        self.activity_regularization = activity_regularization
        self.variational = variational
        self.kl_weight = kl_weight

    @unfitted_on_failure
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Train the autoencoder to reconstruct `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. With the default sigmoid output it should be
            scaled to [0, 1], e.g. by :class:`~sklearn.preprocessing.MinMaxScaler`.
            An array on disk (``np.memmap``, h5py, zarr) or a Dask array is
            never read whole: it is checked in one pass over blocks of rows,
            then trained on block by block, the blocks in an order drawn from
            `random_state` and the rows shuffled within each block (see
            :doc:`/out_of_core`).

        y : Ignored
            Not used, present for API consistency.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample's reconstruction loss (the
            validation loss of early stopping too); a sample of weight 0
            does not count. As in Keras, a batch's loss is the weighted sum
            over its rows divided by their number. Weighted fits are fed
            through Keras' own training loop, not skae's batch loop. In a
            Pipeline, pass it as ``autoencodertransformer__sample_weight`` or
            route it with ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : object
            Fitted transformer.

        Raises
        ------
        TrainingDivergedError
            When the loss becomes NaN or infinite; the estimator is then left
            unfitted (a subclass of ``ValueError``).

        Notes
        -----
        Any error during ``fit`` (invalid parameters included) leaves the
        estimator unfitted, also when it was fitted before. Ctrl-C (``KeyboardInterrupt``) after at least one
        complete epoch stops training with a ``UserWarning`` and keeps the
        model, as scikit-learn's ``MLPRegressor`` does: with early stopping
        the weights of the best epoch so far, else the last ones;
        ``n_iter_`` and ``history_`` count the complete epochs. Ctrl-C
        during the first epoch propagates and leaves the estimator unfitted.
        """
        X, sample_weight, value_range = self._validated_fit_data(X, sample_weight)
        hidden_layer_sizes, moves = self._check_params_vs_input(X)
        self._warn_if_out_of_range(X, value_range)
        rng = check_random_state(self.random_state)
        train_rows, validation_rows = self._split(X.shape[0], rng, moves)
        autoencoder, encoder, decoder = self._build(X.shape[1], hidden_layer_sizes, rng)
        batch_size = auto_batch_size(len(train_rows)) if self.batch_size == "auto" else self.batch_size
        self._compile(autoencoder, (encoder, decoder), len(train_rows), batch_size)
        history = train(
            autoencoder,
            X,
            train_rows,
            validation_rows,
            epochs=self._n_epochs(len(train_rows), batch_size),
            batch_size=batch_size,
            rng=rng,
            moves=moves,
            reuse=self._reuse(autoencoder, batch_size),
            sample_weight=sample_weight,
            patience=self.n_iter_no_change,
            verbose=self.verbose,
        )
        release_training_state(autoencoder)

        self.autoencoder_, self.encoder_, self.decoder_ = autoencoder, encoder, decoder
        self.history_ = history
        self.n_iter_ = len(history["loss"])
        self.batch_size_ = batch_size
        return self

    def _validated_fit_data(self, X, sample_weight):
        """``X`` and ``sample_weight`` checked for ``fit``, and ``X``'s range when streamed (else None).

        An array on disk or a Dask array stays where it is, checked block by
        block; anything else becomes a float32 array.
        """
        with explained_errors():
            if is_streamed(X):
                value_range = checked_streamed(self, X)
            else:
                X = validate_data(self, X, dtype=np.float32)
                value_range = None
            sample_weight = _checked_sample_weight(sample_weight, X)
        return X, sample_weight, value_range

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Train on `X` for one pass over its rows, continuing from the previous call.

        For data that comes in parts (read from disk, streamed, or the blocks
        of a Dask array through dask-ml's ``Incremental``), as
        :class:`~sklearn.cluster.MiniBatchKMeans` and
        :class:`~sklearn.decomposition.IncrementalPCA` do. The first call
        builds the network (seeded by `random_state`), later calls continue
        training it, the optimizer with its state (Adam's moments and step
        count) included; after :meth:`fit` they continue from the fitted
        weights with a new optimizer. Each call is one epoch over `X` in
        batches of `batch_size` rows (256 for ``"auto"``), shuffled from
        `random_state`: `epochs`, `early_stopping`, `validation_fraction` and
        `n_iter_no_change` do not apply. With ``jit_compile="auto"`` it trains
        without XLA on TensorFlow (parts of varying sizes would compile again
        and again). A pickled or saved estimator keeps its weights but not
        its optimizer's state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A part of the training data, scaled as for :meth:`fit`.

        y : Ignored
            Not used, present for API consistency.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample's reconstruction loss, as in :meth:`fit`.

        Returns
        -------
        self : object
            The transformer, trained one pass more.

        Raises
        ------
        TrainingDivergedError
            When the loss becomes NaN or infinite; the estimator is then left
            unfitted. Data of the wrong number of features raises a
            ``ValueError`` and leaves it as it was.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.preprocessing import MinMaxScaler
        >>> from skae import AutoencoderTransformer
        >>> X = MinMaxScaler().fit_transform(load_digits().data)
        >>> ae = AutoencoderTransformer(16, batch_size=64, random_state=0)
        >>> for epoch in range(3):
        ...     for part in (X[:900], X[900:]):
        ...         ae = ae.partial_fit(part)
        >>> ae.n_iter_, len(ae.history_["loss"])
        (6, 6)
        >>> ae.transform(X).shape
        (1797, 16)
        """
        first = not hasattr(self, "autoencoder_")
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32, reset=first)
            sample_weight = _checked_sample_weight(sample_weight, X)
        hidden_layer_sizes, moves = self._check_params_vs_input(X, holds_out=False)
        self._warn_if_out_of_range(X)
        try:
            self._train_one_pass(X, hidden_layer_sizes, moves, first, sample_weight)
        except BaseException:
            forget_fit(self)
            raise
        return self

    def _train_one_pass(self, X, hidden_layer_sizes, moves, first, sample_weight):
        if first:
            self._random_state = check_random_state(self.random_state)
            models = self._build(X.shape[1], hidden_layer_sizes, self._random_state)
            self.autoencoder_, self.encoder_, self.decoder_ = models
            self.history_, self.n_iter_ = {"loss": []}, 0
            self.batch_size_ = 256 if self.batch_size == "auto" else self.batch_size
        elif not self.autoencoder_.compiled:  # the first call after fit or unpickling
            self._random_state = check_random_state(self.random_state)
        if not self.autoencoder_.compiled:
            self._compile(self.autoencoder_, (self.encoder_, self.decoder_), None, self.batch_size_)
        history = train_one_pass(
            self.autoencoder_,
            X,
            batch_size=self.batch_size_,
            rng=self._random_state,
            moves=moves,
            sample_weight=sample_weight,
            verbose=self.verbose,
        )
        self.history_["loss"].extend(history["loss"])
        self.n_iter_ += 1

    def _n_epochs(self, n_train, batch_size):
        """``epochs``, raised (up to ten-fold) for at least ``min_steps`` gradient steps on ``n_train`` rows."""
        needed = math.ceil(self.min_steps / math.ceil(n_train / batch_size))
        return max(self.epochs, min(needed, 10 * self.epochs))

    def _check_params_vs_input(self, X, holds_out=True):
        """Every check of the parameters against each other and ``X``, before any work.

        ``_fit_context`` has checked each parameter alone. Returns the hidden
        layer sizes as a list and the image moves (or ``None``). With
        ``holds_out=False`` (``partial_fit``) no validation part is held out.
        """
        hidden_layer_sizes = self._validated_hidden_layer_sizes()
        n_samples, n_features = X.shape
        if self.image_shape is not None:
            validated_image_shape(self.image_shape, n_features)
        moves = image_moves(self.max_shift, self.max_rotation, self.image_shape, n_features)
        if self.noise == "dropout" and self.noise_level >= 1:
            raise ValueError(
                f"noise='dropout' drops a fraction noise_level of the inputs, which must "
                f"be below 1, got noise_level={self.noise_level}. Use e.g. 0.2."
            )
        for parameter in ("activation", "encoding_activation", "output_activation"):
            check_activation(getattr(self, parameter), parameter)
        make_optimizer(self.optimizer, self.learning_rate)
        get_loss(self.loss)
        if holds_out and self._stops_early(moves) and n_samples - self._n_validation(n_samples) < 1:
            raise ValueError(
                f"Early stopping holds out validation_fraction="
                f"{self.validation_fraction} of the samples, which leaves no "
                f"training sample with n_samples={n_samples}. Pass at least 2 "
                f"samples, or set early_stopping=False."
            )
        return hidden_layer_sizes, moves

    def _compile(self, autoencoder, inference_models, n_train, batch_size):
        """Compile ``autoencoder`` for training on ``n_train`` rows, and set XLA for inference.

        ``n_train=None`` (``partial_fit``): parts of any size, one batch per
        step, and ``jit_compile="auto"`` without XLA on TensorFlow, where
        every new size of a last batch would compile again.
        """
        if n_train is None:
            jit_compile, n_batches = _resolve_jit_compile(self.jit_compile, 0), 1
        else:
            jit_compile = _resolve_jit_compile(self.jit_compile, n_train * self._n_epochs(n_train, batch_size))
            n_batches = math.ceil(n_train / batch_size)
        compile_for_training(
            autoencoder,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            loss=self.loss,
            jit_compile=jit_compile,
            steps_per_execution=_steps_per_execution(self.steps_per_execution, n_batches),
            inference_models=inference_models,
        )

    def _network_spec(self, n_features, hidden_layer_sizes, training=None):
        """The :class:`~skae._keras._spec.NetworkSpec` of the network on ``n_features``, or None.

        With ``training`` (the batch size used, ``jit_compile`` and
        ``steps_per_execution`` as compiled) it holds the training step too.
        None for networks with random layers (noise, variational sampling),
        whose seeds live in the compiled functions, and where a parameter
        is an object rather than a name.
        """
        if self.noise is not None or self.variational:
            return None
        return network_spec(self, n_features, training, hidden_layer_sizes=hidden_layer_sizes)

    def _network_template(self, training=None):
        """The network of this autoencoder as a kind: the hook for subclasses and DEC.

        Valid once ``n_features_in_`` is set (fitted, or validated in
        ``fit``). :class:`~skae.DeepEmbeddedClustering` builds its
        clustering model and keys its kept trainer through it, and touches
        no other protected member of the autoencoder.

        Parameters
        ----------
        training : dict, default=None
            The training facts of the spec (see :func:`_compiled_training`);
            None for the network alone, as prediction uses it.

        Returns
        -------
        template : NetworkTemplate
            The spec, a function that builds a fresh network of the same
            architecture, and one that encodes validated ``X``.
        """
        n_features, hidden_layer_sizes = self.n_features_in_, self._validated_hidden_layer_sizes()
        return NetworkTemplate(
            spec=self._network_spec(n_features, hidden_layer_sizes, training),
            build=lambda: self._build(n_features, hidden_layer_sizes, None),
            encode=lambda X: self._predict(self.encoder_, X),
        )

    def _reuse(self, autoencoder, batch_size):
        """``reuse`` of :func:`~skae._keras._training.train` for the compiled ``autoencoder``, or None.

        Its spec with the training step, under which a compiled trainer is
        kept, and how to build another network like it.
        """
        template = self._network_template(_compiled_training(autoencoder, batch_size))
        if template.spec is None:
            return None
        return template.spec, lambda: template.build()[0]

    def transform(self, X):
        """Encode `X` into codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to encode. An array on disk (``np.memmap``, h5py, zarr)
            is read in blocks of rows; a Dask array is encoded block by block
            where its blocks are.

        Returns
        -------
        codes : ndarray of shape (n_samples, encoding_dim), dtype float32
            Output of the code layer; a Dask array for a Dask array.
        """
        check_is_fitted(self)
        return by_row_blocks(X, self._encode, self._n_features_out, self.n_features_in_)

    def _encode(self, X):
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32, reset=False)
        return self._predict(self.encoder_, X)

    def inverse_transform(self, X):
        """Decode codes back into the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, encoding_dim)
            Codes, such as the output of :meth:`transform` (an array on disk
            or a Dask array as there).

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, `n_features_in_`)
            Reconstructions, dtype float32; a Dask array for a Dask array.
        """
        check_is_fitted(self)
        return by_row_blocks(X, self._decode, self.n_features_in_, self._n_features_out)

    def _decode(self, X):
        with explained_errors("codes"):
            codes = check_array(X, dtype=np.float32, input_name="codes")
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"inverse_transform expects codes with {self._n_features_out} "
                f"features (encoding_dim), got {codes.shape[1]}. Pass the output "
                f"of transform."
            )
        return self._predict(self.decoder_, codes)

    def score(self, X, y=None):
        """Negative mean reconstruction loss of `X`; higher is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to reconstruct.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        score : float
            Minus the mean of ``loss`` between `X` and its reconstruction,
            the mean of :meth:`score_samples`.
        """
        check_is_fitted(self)
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32, reset=False)
        return -float(np.mean(self._reconstruction_losses(X)))

    def score_samples(self, X):
        """Negative reconstruction loss of each sample; higher is more normal.

        The autoencoder reconstructs each row of `X` and the score is minus
        ``loss`` between the row and its reconstruction, in the loss' own
        units: the mean over the features of the binary cross-entropy (by
        default) or of the squared error (``loss="mse"``). Samples unlike
        the training data reconstruct badly and score low, which makes this
        an anomaly score, as ``score_samples`` of scikit-learn's outlier
        detectors (see :class:`~skae.AutoencoderOutlierDetector`). Its mean
        is :meth:`score`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score (an array on disk or a Dask array as in
            :meth:`transform`).

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            Minus the reconstruction loss of each sample; a Dask array for a
            Dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.preprocessing import MinMaxScaler
        >>> from skae import AutoencoderTransformer
        >>> X = MinMaxScaler().fit_transform(load_digits().data)
        >>> ae = AutoencoderTransformer(16, epochs=3, random_state=0).fit(X)
        >>> scores = ae.score_samples(X)
        >>> scores.shape
        (1797,)
        >>> bool(np.isclose(scores.mean(), ae.score(X)))
        True
        >>> worst = np.argsort(scores)[:5]  # the digits it reconstructs worst
        """
        check_is_fitted(self)
        return by_row_blocks(X, self._score_samples, None, self.n_features_in_)

    def _score_samples(self, X):
        with explained_errors():
            X = validate_data(self, X, dtype=np.float32, reset=False)
        return -self._reconstruction_losses(X)

    def _reconstruction_losses(self, X):
        """``loss`` between each row of the validated ``X`` and its reconstruction.

        In chunks of ``_PREDICT_ROWS``, so that at most one chunk of
        reconstructions is held at a time.
        """
        loss = get_loss(self.loss)
        if isinstance(loss, keras.losses.Loss):
            loss = loss.call  # per sample, before the Loss object's reduction
        losses = np.empty(X.shape[0], dtype=np.float64)
        for start in range(0, X.shape[0], _PREDICT_ROWS):
            chunk = X[start : start + _PREDICT_ROWS]
            values = keras.ops.convert_to_numpy(loss(chunk, self._predict(self.autoencoder_, chunk)))
            values = np.asarray(values, dtype=np.float64)
            if values.ndim > 1:
                values = values.reshape(len(chunk), -1).mean(axis=1)
            if values.shape != (len(chunk),):
                raise ValueError(
                    f"loss={self.loss!r} returns values of shape {values.shape} for "
                    f"{len(chunk)} samples; score_samples needs one value per sample. "
                    "Pass a Keras loss function such as 'mse' that returns the loss "
                    "of each sample."
                )
            losses[start : start + len(chunk)] = values
        return losses

    def save(self, path):
        """Write the estimator to `path`, a zip file read by :func:`skae.load`.

        The file holds the autoencoder in Keras' native ``.keras`` format
        (loadable under any Keras backend), the parameters and fitted
        attributes as JSON, and the versions of skae and Keras. An unfitted
        estimator saves its parameters only.

        Parameters
        ----------
        path : str or path-like
            Where to write; an existing file is replaced.

        Returns
        -------
        path : str
            The path written.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> import skae
        >>> X = np.random.RandomState(0).rand(50, 6)
        >>> ae = skae.AutoencoderTransformer(2, epochs=2, random_state=0).fit(X)
        >>> path = ae.save(os.path.join(tempfile.mkdtemp(), "ae.skae"))
        >>> loaded = skae.load(path)
        >>> bool((loaded.transform(X) == ae.transform(X)).all())
        True
        """
        return save(self, path)

    @property
    def _n_features_out(self):
        return self.encoder_.output_shape[-1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def __getstate__(self):
        # Keras models are stored as their weights and rebuilt on unpickling,
        # so that encoder_, decoder_ and autoencoder_ keep sharing layers.
        state = dict(super().__getstate__())
        if "autoencoder_" in state:
            state["_weights"] = self.autoencoder_.get_weights()
            # XLA rounds differently; a copy predicts as the original did.
            state["_jit_compile"] = self.encoder_.jit_compile
            for name in ("autoencoder_", "encoder_", "decoder_"):
                del state[name]
        return state

    def __setstate__(self, state):
        weights = state.pop("_weights", None)
        jit_compile = state.pop("_jit_compile", False)
        super().__setstate__(state)
        if weights is not None:
            self.autoencoder_, self.encoder_, self.decoder_ = self._network_template().build()
            self.autoencoder_.set_weights(weights)
            _set_inference_jit((self.encoder_, self.decoder_), jit_compile)

    def _validated_hidden_layer_sizes(self):
        sizes = np.ravel(self.hidden_layer_sizes)
        if sizes.size and (
            not np.issubdtype(sizes.dtype, np.integer) or np.any(sizes < 1)
        ):
            raise ValueError(
                "hidden_layer_sizes must hold positive integers, got "
                f"{self.hidden_layer_sizes!r}. Use e.g. (500, 500, 2000), or () "
                "for no hidden layer."
            )
        return [int(size) for size in sizes]

    def _warn_if_out_of_range(self, X, value_range=None):
        low, high, reason = reconstructible_range(self.output_activation, self.loss)
        if reason is None:
            return
        smallest, largest = value_range or (X.min(), X.max())
        if smallest < low or largest > high:
            warnings.warn(
                f"X has values in [{smallest:.3g}, {largest:.3g}] but {reason}, "
                f"so only values in [{low:g}, {high:g}] can be reconstructed. "
                "Scale X first (e.g. put sklearn.preprocessing.MinMaxScaler "
                "before the autoencoder in a Pipeline), or use "
                "output_activation='linear' with loss='mse'.",
                UserWarning,
            )

    def _stops_early(self, moves):
        """Whether ``fit`` holds out validation samples and stops early, given the image ``moves`` (or None)."""
        if self.early_stopping == "auto":
            return moves is None
        return self.early_stopping

    def _split(self, n_samples, rng, moves):
        """Indices of the training and validation samples."""
        if not self._stops_early(moves):
            return np.arange(n_samples), None
        n_validation = self._n_validation(n_samples)
        permutation = rng.permutation(n_samples)
        return np.sort(permutation[n_validation:]), np.sort(permutation[:n_validation])

    def _n_validation(self, n_samples):
        """Number of samples held out for early stopping."""
        return math.ceil(self.validation_fraction * n_samples)

    def _build(self, n_features, hidden_layer_sizes, rng):
        """Encoder, decoder and the autoencoder that chains them, sharing layers."""
        return build_autoencoder(self, n_features, hidden_layer_sizes, rng)

    def _predict(self, model, X):
        """Output of ``model`` (``autoencoder_``, ``encoder_`` or ``decoder_``) for ``X``.

        Through the prediction function shared by every fitted estimator of
        the same architecture (see :class:`skae._keras._predict.PredictFunctions`).
        """
        roles = ("autoencoder_", "encoder_", "decoder_")
        role = next(index for index, name in enumerate(roles) if getattr(self, name) is model)
        network = self._network_template()
        key = None if network.spec is None else (network.spec, role, model.jit_compile)

        def make_template():
            template = network.build()[role]
            template.jit_compile = model.jit_compile
            return template

        return _predict(model, X, PREDICT_FUNCTIONS.get(key, make_template))


AutoencoderTransformer.__doc__ %= {
    "moves_parameters": moves_parameters_doc(
        images="each training image",
        when="in every epoch",
        role="Input and target move alike, so the autoencoder learns codes that "
        "do not hinge on where a digit sits; validation rows and ``transform`` "
        "are never moved.",
        layout="``image_shape`` in a convolutional network",
    )
}

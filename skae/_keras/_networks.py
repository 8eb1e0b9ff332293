"""The Keras networks: the autoencoders (dense, convolutional, denoising, sparse, variational), DEC's clustering model."""

import math
from typing import NamedTuple

import keras

from .._images import validated_image_shape
from .._random import draw_seed
from ._backend import _dtype_policy
from ._layers import _Posterior, _SoftAssignment

# Names of the sub-models inside the autoencoder, which skae.load looks up.
ENCODER, DECODER, POSTERIOR = "encoder", "decoder", "posterior"
# Name of the soft-assignment layer in DEC's clustering model.
ASSIGNMENT = "soft_assignment"


def _conv_shapes(image_shape, n_layers):
    """Spatial size after each stride-2 'same' convolution, input first."""
    height, width, _ = image_shape
    shapes = [(height, width)]
    for _ in range(n_layers):
        height, width = -(-height // 2), -(-width // 2)
        shapes.append((height, width))
    return shapes


def _kernel_size(layer, n_layers):
    # The DEC-DA/N2D convolutional autoencoder: 5x5 kernels, 3x3 in the deepest layer.
    return 3 if layer == n_layers - 1 else 5


def build_autoencoder(estimator, n_features, hidden_layer_sizes, rng):
    """Encoder, decoder and the autoencoder that chains them, sharing layers.

    Parameters
    ----------
    estimator : AutoencoderTransformer
        Supplies the architecture parameters.

    n_features : int
        Number of input features.

    hidden_layer_sizes : list of int
        Units of the dense hidden layers, or filters of the convolutions when
        ``estimator.image_shape`` is set, from the input towards the code.

    rng : numpy.random.RandomState or None
        Seeds the initialisers, the noise and the posterior samples; ``None``
        when the weights are set afterwards (unpickling).

    Returns
    -------
    autoencoder, encoder, decoder : keras.Model
        ``encoder`` maps inputs to codes (the posterior mean when variational),
        ``decoder`` codes to reconstructions, ``autoencoder`` is what is
        trained: corruption (training only), encoder, sampling (variational,
        training only), decoder.
    """
    layers = _Layers(estimator, rng)
    image_shape = validated_image_shape(estimator.image_shape, n_features)
    shape = _Shape(n_features, image_shape, list(hidden_layer_sizes), estimator.encoding_dim)
    inputs = keras.Input((n_features,))
    body, code = _encode(layers, shape, inputs, estimator.activity_regularization)
    encoder = keras.Model(inputs, code, name=ENCODER)
    decoder = _decoder(layers, shape)
    corrupted = _corrupt(layers, estimator.noise, estimator.noise_level, inputs)
    if estimator.variational:
        log_var = keras.layers.Dense(
            shape.encoding_dim, kernel_initializer=keras.initializers.GlorotUniform(seed=layers.seed())
        )
        # Mean and log-variance share the encoder body. The autoencoder holds one
        # sub-model "posterior" with both heads (Keras' saving loses layers shared
        # by two sub-models); encoder is a view of its mean, sharing its layers.
        posterior = keras.Model(inputs, [code, log_var(body)], name=POSTERIOR)
        # The reconstruction loss is a mean over features; dividing the KL term by
        # n_features keeps kl_weight=1 equal to the evidence lower bound.
        sample = _Posterior(estimator.kl_weight / n_features, seed=layers.seed())
        outputs = decoder(sample(posterior(corrupted)))
    else:
        outputs = decoder(encoder(corrupted))
    autoencoder = keras.Model(inputs, outputs, name="autoencoder")
    return autoencoder, encoder, decoder


class _Shape(NamedTuple):
    """The sizes that fix an autoencoder's layout."""

    n_features: int
    image_shape: tuple  # (height, width, channels), or None for a dense network
    hidden_layer_sizes: list
    encoding_dim: int

    @property
    def convolutional(self):
        return self.image_shape is not None and len(self.hidden_layer_sizes) > 0


class _Layers:
    """Makes the layers of one network, in order: seeded initialisers, activations, dtypes.

    Each layer draws its seed from ``rng`` when it is made, so the order in
    which layers are made fixes the weights of a ``random_state``.
    """

    def __init__(self, estimator, rng):
        self.estimator = estimator
        self.rng = rng

    def seed(self):
        return None if self.rng is None else draw_seed(self.rng)

    def _activation(self, parameter):
        return keras.activations.get(getattr(self.estimator, parameter))

    def _dtype(self, parameter):
        # The reconstruction stays float32 for a stable loss.
        if parameter == "output_activation":
            return "float32"
        return _dtype_policy(self.estimator.precision)

    def dense(self, units, parameter, **kwargs):
        """A Dense layer with the activation named by the estimator's ``parameter``."""
        return keras.layers.Dense(
            units,
            activation=self._activation(parameter),
            kernel_initializer=keras.initializers.GlorotUniform(seed=self.seed()),
            dtype=self._dtype(parameter),
            **kwargs,
        )

    def conv(self, layer_class, filters, kernel_size, parameter):
        return layer_class(
            filters,
            kernel_size,
            strides=2,
            padding="same",
            activation=self._activation(parameter),
            kernel_initializer=keras.initializers.GlorotUniform(seed=self.seed()),
            dtype=self._dtype(parameter),
        )


def _encode(layers, shape, inputs, activity_regularization):
    """The encoder's body (its last hidden output) and code, from ``inputs``."""
    hidden = inputs
    n_layers = len(shape.hidden_layer_sizes)
    if shape.convolutional:
        hidden = keras.layers.Reshape(shape.image_shape)(hidden)
        for layer, filters in enumerate(shape.hidden_layer_sizes):
            kernel_size = _kernel_size(layer, n_layers)
            hidden = layers.conv(keras.layers.Conv2D, filters, kernel_size, "activation")(hidden)
        hidden = keras.layers.Flatten()(hidden)
    else:
        for units in shape.hidden_layer_sizes:
            hidden = layers.dense(units, "activation")(hidden)
    regularizer = keras.regularizers.L1(activity_regularization) if activity_regularization else None
    code = layers.dense(shape.encoding_dim, "encoding_activation", activity_regularizer=regularizer)(
        hidden
    )
    return hidden, code


def _decoder(layers, shape):
    """The decoder, from codes to reconstructions: the encoder mirrored."""
    code_inputs = keras.Input((shape.encoding_dim,))
    if shape.convolutional:
        reconstruction = _deconvolve(layers, shape, code_inputs)
    else:
        hidden = code_inputs
        for units in reversed(shape.hidden_layer_sizes):
            hidden = layers.dense(units, "activation")(hidden)
        reconstruction = layers.dense(shape.n_features, "output_activation")(hidden)
    return keras.Model(code_inputs, reconstruction, name=DECODER)


def _deconvolve(layers, shape, code_inputs):
    """Transposed convolutions from codes back to flattened images."""
    sizes, image_shape = shape.hidden_layer_sizes, shape.image_shape
    n_layers = len(sizes)
    shapes = _conv_shapes(image_shape, n_layers)
    deepest = (*shapes[-1], sizes[-1])
    hidden = layers.dense(math.prod(deepest), "activation")(code_inputs)
    hidden = keras.layers.Reshape(deepest)(hidden)
    filters = [*reversed(sizes[:-1]), image_shape[-1]]
    for layer, n_filters in enumerate(filters):
        parameter = "output_activation" if layer == n_layers - 1 else "activation"
        kernel_size = _kernel_size(n_layers - 1 - layer, n_layers)
        hidden = layers.conv(keras.layers.Conv2DTranspose, n_filters, kernel_size, parameter)(hidden)
    # Stride-2 'same' layers round odd sizes up (28 -> 14 -> 7 -> 4 -> 8 -> 16
    # -> 32); crop the excess so the output is exactly the image again.
    excess = [upsampled * 2**n_layers - size for upsampled, size in zip(shapes[-1], image_shape[:2])]
    if any(excess):
        hidden = keras.layers.Cropping2D(((0, excess[0]), (0, excess[1])))(hidden)
    return keras.layers.Flatten()(hidden)


def _corrupt(layers, noise, noise_level, inputs):
    """``inputs`` corrupted by ``noise`` during training only (denoising), or as they are."""
    if noise == "gaussian":
        return keras.layers.GaussianNoise(noise_level, seed=layers.seed())(inputs)
    if noise == "dropout":
        return keras.layers.Dropout(noise_level, seed=layers.seed())(inputs)
    return inputs


def build_clustering_model(encoder, decoder, centers, *, alpha, reconstruct):
    """DEC's clustering model around ``encoder`` (and ``decoder``), not compiled.

    Parameters
    ----------
    encoder, decoder : keras.Model
        The autoencoder's sub-models; the clustering model shares their layers.

    centers : ndarray of shape (n_clusters, encoding_dim)
        The initial cluster centres, the weights of its soft-assignment layer.

    alpha : float
        Degrees of freedom of the Student-t kernel.

    reconstruct : bool
        Whether the model outputs the reconstruction too (IDEC).

    Returns
    -------
    model : keras.Model
        Outputs ``q`` (see :func:`~skae._keras._layers.soft_assignments`),
        then the reconstruction when ``reconstruct``.
    """
    inputs = keras.Input(encoder.inputs[0].shape[1:])
    code = encoder(inputs)
    assignment = _SoftAssignment(len(centers), alpha, name=ASSIGNMENT)
    outputs = [assignment(code)]
    if reconstruct:
        outputs.append(decoder(code))
    model = keras.Model(inputs, outputs)
    assignment.set_weights([centers])
    return model


def cluster_centers(model):
    """The cluster centres of DEC's clustering ``model``, as a NumPy array of its own."""
    return keras.ops.convert_to_numpy(model.get_layer(ASSIGNMENT).centers).copy()

"""The Keras networks behind AutoencoderTransformer: dense, convolutional, denoising, sparse, variational."""

import math

import keras

from .._images import validated_image_shape
from ._backend import _dtype_policy
from ._layers import _Posterior

_SEED_MAX = 2**31 - 1

# Names of the sub-models inside the autoencoder, which skae.load looks up.
ENCODER, DECODER, POSTERIOR = "encoder", "decoder", "posterior"



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

    def seed():
        return None if rng is None else int(rng.randint(_SEED_MAX))

    def activation(parameter):
        return keras.activations.get(getattr(estimator, parameter))

    def dtype(parameter):
        # The reconstruction stays float32 for a stable loss.
        if parameter == "output_activation":
            return "float32"
        return _dtype_policy(getattr(estimator, "precision", "float32"))

    def dense(units, parameter, **kwargs):
        return keras.layers.Dense(
            units,
            activation=activation(parameter),
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed()),
            dtype=dtype(parameter),
            **kwargs,
        )

    def conv(layer_class, filters, kernel_size, parameter):
        return layer_class(
            filters,
            kernel_size,
            strides=2,
            padding="same",
            activation=activation(parameter),
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed()),
            dtype=dtype(parameter),
        )

    if getattr(estimator, "noise", None) == "dropout" and estimator.noise_level >= 1:
        raise ValueError(
            f"noise='dropout' drops a fraction noise_level of the inputs, which must "
            f"be below 1, got noise_level={estimator.noise_level}. Use e.g. 0.2."
        )
    image_shape = validated_image_shape(
        getattr(estimator, "image_shape", None), n_features
    )
    convolutional = image_shape is not None and len(hidden_layer_sizes) > 0
    n_layers = len(hidden_layer_sizes)
    encoding_dim = estimator.encoding_dim
    l1 = getattr(estimator, "activity_regularization", 0.0)
    regularizer = keras.regularizers.L1(l1) if l1 else None

    inputs = keras.Input((n_features,))
    hidden = inputs
    if convolutional:
        hidden = keras.layers.Reshape(image_shape)(hidden)
        for layer, filters in enumerate(hidden_layer_sizes):
            kernel_size = _kernel_size(layer, n_layers)
            hidden = conv(keras.layers.Conv2D, filters, kernel_size, "activation")(hidden)
        hidden = keras.layers.Flatten()(hidden)
    else:
        for units in hidden_layer_sizes:
            hidden = dense(units, "activation")(hidden)
    body = hidden
    code = dense(encoding_dim, "encoding_activation", activity_regularizer=regularizer)(
        body
    )
    encoder = keras.Model(inputs, code, name=ENCODER)

    code_inputs = keras.Input((encoding_dim,))
    hidden = code_inputs
    if convolutional:
        shapes = _conv_shapes(image_shape, n_layers)
        deepest = (*shapes[-1], hidden_layer_sizes[-1])
        hidden = dense(math.prod(deepest), "activation")(hidden)
        hidden = keras.layers.Reshape(deepest)(hidden)
        filters = [*reversed(hidden_layer_sizes[:-1]), image_shape[-1]]
        for layer, n_filters in enumerate(filters):
            parameter = "output_activation" if layer == n_layers - 1 else "activation"
            kernel_size = _kernel_size(n_layers - 1 - layer, n_layers)
            hidden = conv(keras.layers.Conv2DTranspose, n_filters, kernel_size, parameter)(
                hidden
            )
        # Stride-2 'same' layers round odd sizes up (28 -> 14 -> 7 -> 4 -> 8 -> 16
        # -> 32); crop the excess so the output is exactly the image again.
        excess = [upsampled * 2**n_layers - size for upsampled, size in zip(shapes[-1], image_shape[:2])]
        if any(excess):
            hidden = keras.layers.Cropping2D(((0, excess[0]), (0, excess[1])))(hidden)
        reconstruction = keras.layers.Flatten()(hidden)
    else:
        for units in reversed(hidden_layer_sizes):
            hidden = dense(units, "activation")(hidden)
        reconstruction = dense(n_features, "output_activation")(hidden)
    decoder = keras.Model(code_inputs, reconstruction, name=DECODER)

    corrupted = inputs
    noise = getattr(estimator, "noise", None)
    if noise == "gaussian":
        corrupted = keras.layers.GaussianNoise(estimator.noise_level, seed=seed())(inputs)
    elif noise == "dropout":
        corrupted = keras.layers.Dropout(estimator.noise_level, seed=seed())(inputs)

    if getattr(estimator, "variational", False):
        log_var = keras.layers.Dense(
            encoding_dim, kernel_initializer=keras.initializers.GlorotUniform(seed=seed())
        )
        # Mean and log-variance share the encoder body. The autoencoder holds one
        # sub-model "posterior" with both heads (Keras' saving loses layers shared
        # by two sub-models); encoder is a view of its mean, sharing its layers.
        posterior = keras.Model(inputs, [code, log_var(body)], name=POSTERIOR)
        # The reconstruction loss is a mean over features; dividing the KL term by
        # n_features keeps kl_weight=1 equal to the evidence lower bound.
        sample = _Posterior(estimator.kl_weight / n_features, seed=seed())
        outputs = decoder(sample(posterior(corrupted)))
    else:
        outputs = decoder(encoder(corrupted))
    autoencoder = keras.Model(inputs, outputs, name="autoencoder")
    return autoencoder, encoder, decoder

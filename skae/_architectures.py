"""Keras networks behind AutoencoderTransformer: dense, convolutional, denoising, sparse, variational."""

import math

import keras
import numpy as np
from keras import ops

from ._speed import _dtype_policy

_SEED_MAX = 2**31 - 1


def validated_image_shape(image_shape, n_features):
    """``image_shape`` as a 3-tuple ``(height, width, channels)`` that holds ``n_features`` values.

    A 2-tuple gets one channel; one entry may be -1 and is inferred, as in
    :func:`numpy.reshape`. ``None`` stays ``None`` (a dense network).
    """
    if image_shape is None:
        return None
    shape = np.ravel(image_shape)
    known = shape[shape != -1]
    if (
        shape.size not in (2, 3)
        or not np.issubdtype(shape.dtype, np.integer)
        or np.any(known < 1)
        or known.size < shape.size - 1
    ):
        raise ValueError(
            f"image_shape must be (height, width) or (height, width, channels) of "
            f"positive integers, at most one of them -1, got {image_shape!r}. Use "
            f"e.g. (28, 28, 1) for MNIST, (8, 8, 1) for digits, or None for a dense "
            f"network."
        )
    shape = [int(size) for size in shape] + [1] * (3 - shape.size)
    if -1 in shape:
        inferred, remainder = divmod(n_features, int(np.prod(known)))
        if remainder or not inferred:
            raise ValueError(
                f"image_shape={image_shape!r} cannot hold the {n_features} features "
                f"of X: {n_features} is not a multiple of {int(np.prod(known))}."
            )
        shape[shape.index(-1)] = inferred
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={image_shape!r} holds {math.prod(shape)} values but X has "
            f"{n_features} features. Pass the shape of one image, whose pixels are "
            f"the columns of X (flattened in C order), e.g. (28, 28, 1) for 784."
        )
    return tuple(shape)


def image_moves(max_shift, max_rotation, image_shape, n_features):
    """``(image_shape, max_shift, max_rotation)`` for randomly moved training images, or None.

    The images have ``image_shape`` (a convolutional network); without one
    (a dense network) each row is a square one-channel image.
    """
    if max_shift == 0 and max_rotation == 0:
        return None
    moves = " and ".join(
        f"{name}={value}"
        for name, value in (("max_shift", max_shift), ("max_rotation", max_rotation))
        if value
    )
    if image_shape is not None:
        image_shape = validated_image_shape(image_shape, n_features)
    else:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"{moves} moves images, and a dense network takes each row as a "
                f"square image, but {n_features} features are not a square number "
                f"of pixels. Give the autoencoder an image_shape (a convolutional "
                f"network) or set max_shift=0 and max_rotation=0."
            )
        image_shape = (side, side, 1)
    if max_shift >= min(image_shape[:2]):
        raise ValueError(
            f"max_shift={max_shift} would move every pixel out of images "
            f"of shape {image_shape}: pass a max_shift below their height and "
            f"width ({min(image_shape[:2])})."
        )
    return image_shape, max_shift, max_rotation


@keras.saving.register_keras_serializable(package="skae")
class _Posterior(keras.layers.Layer):
    """Draws a code from the posterior ``N(mean, exp(log_var))`` and adds its KL term.

    Outside training it returns the mean. The KL divergence to ``N(0, I)`` is
    summed over the code and multiplied by ``kl_scale``, then added with
    ``add_loss`` so that it works on every Keras backend.
    """

    def __init__(self, kl_scale, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.kl_scale = kl_scale
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mean, log_var = inputs
        # exp overflows float32 for log-variances beyond ~88, which unscaled
        # inputs can reach within a batch; e^20 is far beyond any useful scale.
        log_var = ops.clip(log_var, -20.0, 20.0)
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.kl_scale * ops.mean(kl))
        if not training:
            return mean
        noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * noise

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "kl_scale": self.kl_scale}


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
    encoder = keras.Model(inputs, code, name="encoder")

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
    decoder = keras.Model(code_inputs, reconstruction, name="decoder")

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
        posterior = keras.Model(inputs, [code, log_var(body)], name="posterior")
        # The reconstruction loss is a mean over features; dividing the KL term by
        # n_features keeps kl_weight=1 equal to the evidence lower bound.
        sample = _Posterior(estimator.kl_weight / n_features, seed=seed())
        outputs = decoder(sample(posterior(corrupted)))
    else:
        outputs = decoder(encoder(corrupted))
    autoencoder = keras.Model(inputs, outputs, name="autoencoder")
    return autoencoder, encoder, decoder

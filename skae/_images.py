"""The image shape of a row of X: given (and validated), or inferred as a square."""

import math

import numpy as np


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
            f"image_shape={image_shape!r} does not hold {n_features} features: it "
            f"holds {math.prod(shape)} values but X has {n_features}. Pass the shape of "
            f"one image, whose pixels are the columns of X (flattened in C order), "
            f"e.g. (28, 28, 1) for 784."
        )
    return tuple(shape)


def square_image_shape(n_features):
    """``(side, side)`` when ``n_features`` is ``side * side``, else ``None``."""
    side = math.isqrt(n_features)
    return (side, side) if side * side == n_features else None


def drawn_image_shape(image_shape, n_features):
    """The shape to draw a row of X in: ``image_shape`` validated, or inferred as a square.

    One channel is dropped (a grey image); ``None`` infers ``(side, side)``.
    """
    if image_shape is None:
        shape = square_image_shape(n_features)
        if shape is None:
            raise ValueError(
                f"Cannot infer the image shape of {n_features} features: it is "
                "not a perfect square. Pass image_shape=(height, width)."
            )
        return shape
    height, width, channels = validated_image_shape(image_shape, n_features)
    return (height, width) if channels == 1 else (height, width, channels)

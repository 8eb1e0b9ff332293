"""Random shifts and rotations of training images (the augmentation of DEC-DA)."""

import math
import textwrap

import numpy as np

from ._images import square_image_shape, validated_image_shape


def _random_moves(batch, image_shape, max_shift, max_rotation, rng):
    """Each row of ``batch``, an image of ``image_shape``, shifted and rotated at random.

    Shifts of up to ``max_shift`` whole pixels along rows and columns and, when
    ``max_rotation`` > 0, a rotation about the image centre by up to that many
    degrees (bilinear interpolation), drawn independently per image; pixels
    moved in from outside are 0. Returns a new array.
    """
    n = len(batch)
    height, width, channels = image_shape
    row_shift, column_shift = rng.randint(-max_shift, max_shift + 1, size=(2, n))
    if max_rotation == 0:
        m = max_shift
        padded = np.pad(batch.reshape(n, *image_shape), ((0, 0), (m, m), (m, m), (0, 0)))
        rows = (np.arange(height) + m - row_shift[:, None])[:, :, None]
        columns = (np.arange(width) + m - column_shift[:, None])[:, None, :]
        return padded[np.arange(n)[:, None, None], rows, columns].reshape(batch.shape)
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation, size=n))
    centre_row, centre_column = (height - 1) / 2, (width - 1) / 2
    # A rotation moves a pixel by at most 2 r sin(angle / 2): with that margin
    # of zeros (and 2 for the interpolation) every source pixel is inside.
    reach = 2 * math.hypot(centre_row, centre_column) * math.sin(math.radians(max_rotation) / 2)
    m = max_shift + math.ceil(reach) + 2
    padded = np.pad(batch.reshape(n, *image_shape), ((0, 0), (m, m), (m, m), (0, 0)))
    padded_width = width + 2 * m
    pixels = padded.reshape(-1, channels)
    # Where each output pixel comes from: its offset from the centre rotated
    # back, the shift undone; in float32, and gathered through flat indices,
    # which NumPy does faster than multi-dimensional ones.
    f32 = np.float32
    row = (np.arange(height, dtype=f32) - f32(centre_row))[None, :, None]
    column = (np.arange(width, dtype=f32) - f32(centre_column))[None, None, :]
    cos = np.cos(angle).astype(f32)[:, None, None]
    sin = np.sin(angle).astype(f32)[:, None, None]
    row_offset = (f32(centre_row + m) - row_shift.astype(f32))[:, None, None]
    column_offset = (f32(centre_column + m) - column_shift.astype(f32))[:, None, None]
    source_row = cos * row - sin * column + row_offset
    source_column = sin * row + cos * column + column_offset
    top, left = np.floor(source_row), np.floor(source_column)
    down, right = (source_row - top)[..., None], (source_column - left)[..., None]
    index = top.astype(np.intp) * padded_width + left.astype(np.intp)
    index += (np.arange(n) * padded.shape[1] * padded_width)[:, None, None]
    upper = np.take(pixels, index, axis=0)
    upper += right * (np.take(pixels, index + 1, axis=0) - upper)
    index += padded_width
    lower = np.take(pixels, index, axis=0)
    lower += right * (np.take(pixels, index + 1, axis=0) - lower)
    upper += down * (lower - upper)
    return upper.reshape(batch.shape).astype(batch.dtype, copy=False)


# "auto" moves images whose height and width are both at least this many
# pixels: MNIST (28), USPS (16), not the 8 x 8 digits, where a pixel is an
# eighth of the image.
AUTO_MIN_SIDE = 16
# DEC-DA's moves (Guo et al. 2018): a tenth of the side, 10 degrees.
AUTO_SHIFT_FRACTION = 0.1
AUTO_ROTATION = 10.0


def image_moves(max_shift, max_rotation, image_shape, n_features):
    """``(image_shape, max_shift, max_rotation)`` for randomly moved training images, or None.

    The images have ``image_shape`` (a convolutional network); without one
    (a dense network) each row is a square one-channel image. ``"auto"``
    (either parameter) resolves to DEC-DA's moves on images of at least
    ``AUTO_MIN_SIDE`` pixels a side, and to no move otherwise, never to an
    error.
    """
    if "auto" in (max_shift, max_rotation):
        max_shift, max_rotation = _auto_moves(max_shift, max_rotation, image_shape, n_features)
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
        square = square_image_shape(n_features)
        if square is None:
            raise ValueError(
                f"{moves} moves images, and a dense network takes each row as a "
                f"square image, but {n_features} features are not a square number "
                f"of pixels. Give the autoencoder an image_shape (a convolutional "
                f"network) or set max_shift=0 and max_rotation=0."
            )
        image_shape = (*square, 1)
    if max_shift >= min(image_shape[:2]):
        raise ValueError(
            f"max_shift={max_shift} would move every pixel out of images "
            f"of shape {image_shape}: pass a max_shift below their height and "
            f"width ({min(image_shape[:2])})."
        )
    return image_shape, max_shift, max_rotation


def _auto_moves(max_shift, max_rotation, image_shape, n_features):
    """``max_shift`` and ``max_rotation`` with ``"auto"`` resolved for images of ``image_shape``."""
    if image_shape is not None:
        side = min(validated_image_shape(image_shape, n_features)[:2])
    else:
        side = min(square_image_shape(n_features) or (0,))
    images = side >= AUTO_MIN_SIDE
    if max_shift == "auto":
        max_shift = round(AUTO_SHIFT_FRACTION * side) if images else 0
    if max_rotation == "auto":
        max_rotation = AUTO_ROTATION if images else 0.0
    return max_shift, max_rotation


def moves_parameters_doc(images, when, role, layout, shift_default="0", rotation_default="0.0"):
    """The numpydoc entries of ``max_shift`` and ``max_rotation``, written once for every estimator.

    ``images`` says which images move, ``when`` how often they are drawn,
    ``role`` what the moves change for the estimator, ``layout`` where the
    image shape comes from; the defaults as the signature shows them.
    """
    entries = {
        f'max_shift : int or "auto", default={shift_default}': (
            f"Largest random translation, in pixels, of {images} along its rows "
            f"and its columns, drawn anew for every image {when}; the uncovered "
            f"border is filled with 0. {role} The images have {layout}, or else "
            "each row is a square one-channel image (784 features: 28 x 28). "
            "``max_shift=3`` on MNIST is the augmentation of DEC-DA (Guo et al. "
            "2018). 0 turns it off. ``\"auto\"``: a tenth of the side (3 on MNIST) "
            f"on images of at least {AUTO_MIN_SIDE} x {AUTO_MIN_SIDE} pixels, "
            "else 0 (the 8 x 8 digits and data that are not square images are "
            "not moved)."
        ),
        f'max_rotation : float or "auto", default={rotation_default}': (
            f"Largest random rotation, in degrees, of {images} about its centre "
            "(bilinear interpolation, the uncovered corners filled with 0), drawn "
            "and laid out as for ``max_shift`` and combined with it. DEC-DA "
            "rotates MNIST by up to 10 degrees. 0 turns it off. ``\"auto\"``: 10 "
            "on the images that ``max_shift=\"auto\"`` moves, else 0."
        ),
    }
    return "\n\n".join(
        f"    {name}\n" + textwrap.fill(text, 79, initial_indent=" " * 8, subsequent_indent=" " * 8)
        for name, text in entries.items()
    )

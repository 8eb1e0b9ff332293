"""Random shifts and rotations of training images (the augmentation of DEC-DA)."""

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
    moves = draw_moves(len(batch), max_shift, max_rotation, rng)
    return moved_images(batch, image_shape, moves).astype(batch.dtype, copy=False)


def draw_moves(n_images, max_shift, max_rotation, rng):
    """Random moves of ``n_images`` images, for :func:`moved_images`.

    Returns a float32 array of shape ``(n_images, 3)``: the shift along the
    rows and along the columns (whole pixels, up to ``max_shift``) and the
    angle of rotation (radians, up to ``max_rotation`` degrees) of each
    image. Drawn from ``rng`` alone, the same on every backend.
    """
    shifts = rng.randint(-max_shift, max_shift + 1, size=(2, n_images))
    angles = np.zeros(n_images)
    if max_rotation:
        angles = np.deg2rad(rng.uniform(-max_rotation, max_rotation, size=n_images))
    return np.column_stack([*shifts, angles]).astype(np.float32)


def moved_images(batch, image_shape, moves, xp=np):
    """The rows of ``batch``, images of ``image_shape``, each moved by its row of ``moves``.

    ``moves`` are from :func:`draw_moves`. Each image is rotated about its
    centre and shifted; bilinear interpolation, and pixels moved in from
    outside are 0. ``xp`` is ``numpy`` on NumPy arrays or ``keras.ops``
    inside a compiled training step (see :mod:`skae._keras._batch_loop`):
    the same operations, so the same images.
    """
    height, width, channels = image_shape
    centre_row, centre_column = (height - 1) / 2, (width - 1) / 2
    row = xp.reshape(xp.arange(height, dtype="float32") - centre_row, (1, height, 1))
    column = xp.reshape(xp.arange(width, dtype="float32") - centre_column, (1, 1, width))
    row_shift, column_shift, angle = (xp.reshape(moves[:, i], (-1, 1, 1)) for i in range(3))
    cos, sin = xp.cos(angle), xp.sin(angle)
    # Where each output pixel comes from: its offset from the centre rotated
    # back, the shift undone.
    source_row = cos * row - sin * column + (centre_row - row_shift)
    source_column = sin * row + cos * column + (centre_column - column_shift)
    top, left = xp.floor(source_row), xp.floor(source_column)
    down, right = source_row - top, source_column - left
    n_images = xp.shape(batch)[0]
    pixels = xp.reshape(batch, (-1, channels))
    # Gathered through flat indices, which NumPy does faster than per image.
    first_pixel = xp.reshape(xp.arange(n_images) * (height * width), (-1, 1, 1))
    moved = 0.0
    for row_index, row_weight in ((top, 1.0 - down), (top + 1.0, down)):
        for column_index, column_weight in ((left, 1.0 - right), (left + 1.0, right)):
            inside = (
                (row_index >= 0) & (row_index <= height - 1)
                & (column_index >= 0) & (column_index <= width - 1)
            )
            weight = xp.where(inside, row_weight * column_weight, 0.0)
            index = xp.clip(row_index, 0, height - 1) * width + xp.clip(column_index, 0, width - 1)
            index = _as_int32(xp, index) + first_pixel
            moved = moved + xp.take(pixels, index, axis=0) * xp.expand_dims(weight, -1)
    return xp.reshape(moved, xp.shape(batch))


def _as_int32(xp, array):
    return array.astype(np.int32) if xp is np else xp.cast(array, "int32")


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

"""Tests of the random shifts and rotations of training images (skae/_augmentation.py)."""

from types import SimpleNamespace

import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae._augmentation import _random_moves, image_moves
from skae._keras._feeds import _fit_data

from .test_networks import _fit, _layer_types


def test_random_shifts_move_each_image_within_max_shift():
    """Check that every image is translated by at most max_shift pixels per axis, all offsets drawn, input kept."""
    n, max_shift = 300, 2
    images = np.zeros((n, 9, 7, 2), dtype=np.float32)
    images[:, 4, 3, 1] = np.arange(1, n + 1)  # one marked pixel, away from the border
    batch = images.reshape(n, -1)
    before = batch.copy()
    shifted = _random_moves(batch, (9, 7, 2), max_shift, 0, np.random.RandomState(0))
    assert shifted.shape == batch.shape and shifted.dtype == batch.dtype
    np.testing.assert_array_equal(batch, before)
    image, row, column, channel = np.nonzero(shifted.reshape(n, 9, 7, 2))
    np.testing.assert_array_equal(image, np.arange(n))  # each marked pixel kept, once
    np.testing.assert_array_equal(shifted.reshape(n, 9, 7, 2)[image, row, column, channel], np.arange(1, n + 1))
    assert set(row - 4) == set(column - 3) == set(range(-max_shift, max_shift + 1))
    assert (channel == 1).all()


def test_random_rotations_turn_each_image_about_its_centre():
    """Check that a marked pixel turns about the centre within max_rotation, by angles of both signs, input kept."""
    n, radius, max_rotation = 200, 5, 30
    images = np.zeros((n, 15, 15, 1), dtype=np.float32)
    images[:, 7, 7 + radius] = 1.0  # right of the centre pixel (7, 7)
    batch = images.reshape(n, -1)
    before = batch.copy()
    turned = _random_moves(batch, (15, 15, 1), 0, max_rotation, np.random.RandomState(0)).reshape(n, 15, 15)
    assert turned.dtype == batch.dtype
    np.testing.assert_array_equal(batch, before)
    rows, columns = np.mgrid[:15, :15] - 7
    mass = turned.sum(axis=(1, 2))
    np.testing.assert_allclose(mass, 1.0, atol=0.1)
    row = (turned * rows).sum(axis=(1, 2)) / mass
    column = (turned * columns).sum(axis=(1, 2)) / mass
    np.testing.assert_allclose(np.hypot(row, column), radius, atol=0.3)
    angle = np.degrees(np.arctan2(row, column))
    assert np.abs(angle).max() <= max_rotation + 2 and angle.min() < -20 and angle.max() > 20
    uniform = _random_moves(np.ones((n, 225), np.float32), (15, 15, 1), 0, max_rotation, np.random.RandomState(0))
    np.testing.assert_allclose(uniform.reshape(n, 15, 15)[:, 3:12, 3:12], 1.0, rtol=1e-5)


def test_rotation_path_shifts_as_the_whole_pixel_path():
    """Check that the interpolating path, at a negligible angle, shifts images exactly as the whole-pixel one."""
    batch = np.random.RandomState(1).rand(50, 99).astype(np.float32)
    whole_pixels = _random_moves(batch, (11, 9, 1), 3, 0, np.random.RandomState(2))
    interpolated = _random_moves(batch, (11, 9, 1), 3, 1e-9, np.random.RandomState(2))
    np.testing.assert_allclose(interpolated, whole_pixels, atol=1e-6)


def test_max_shift_trains_on_shifted_images_only(digits):
    """Check that max_shift changes training, is reproducible, shifts neither validation rows nor X."""
    X, _ = digits
    X = X[:500]
    before = X.copy()
    shifted = _fit(X, max_shift=1)  # dense: the 64 features are 8 x 8 images
    np.testing.assert_array_equal(X, before)
    assert shifted.history_["loss"] != _fit(X).history_["loss"]
    np.testing.assert_array_equal(_fit(X, max_shift=1).transform(X), shifted.transform(X))
    assert "Conv2D" not in _layer_types(shifted.autoencoder_)
    conv = _fit(X, image_shape=(8, 8), hidden_layer_sizes=(4,), max_shift=1)
    assert conv.history_["loss"] != _fit(X, image_shape=(8, 8), hidden_layer_sizes=(4,)).history_["loss"]
    keras_loop = SimpleNamespace(jit_compile=False, steps_per_execution=1)  # a model the PyDataset feeds
    _, feed, _ = _fit_data(
        keras_loop, X, np.arange(400), np.arange(400, 500), 128, np.random.RandomState(0), ((8, 8, 1), 1, 0)
    )
    training, validation = feed["x"], feed["validation_data"]
    assert training.moves == ((8, 8, 1), 1, 0) and validation.moves is None
    rotated = _fit(X, max_rotation=10)
    assert rotated.history_["loss"] != _fit(X).history_["loss"]
    np.testing.assert_array_equal(_fit(X, max_rotation=10).transform(X), rotated.transform(X))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"max_shift": 1}, "not a square number of pixels. Give the autoencoder an image_shape"),
        ({"max_shift": 7, "image_shape": (-1, 7)}, "below their height"),
        ({"max_rotation": 10}, "max_rotation=10 moves images.*not a square number"),
    ],
)
def test_bad_max_shift_is_a_clear_error(digits, params, message):
    """Check that max_shift on non-square rows of a dense network, or as large as the image, raises a clear ValueError."""
    X, _ = digits
    with pytest.raises(ValueError, match=message):
        AutoencoderTransformer(epochs=1, hidden_layer_sizes=(4,), **params).fit(X[:20, :63])


@pytest.mark.parametrize(
    "image_shape, n_features, expected",
    [
        (None, 784, ((28, 28, 1), 3, 10.0)),  # MNIST: DEC-DA's moves
        (None, 256, ((16, 16, 1), 2, 10.0)),  # USPS, the smallest side moved
        ((32, 32, 3), 3072, ((32, 32, 3), 3, 10.0)),
        (None, 64, None),  # the 8 x 8 digits
        (None, 785, None),  # not an image: no move, and no error
        ((8, -1), 512, None),  # a side below 16
    ],
)
def test_auto_moves_only_images_of_16_pixels_a_side(image_shape, n_features, expected):
    """Check what max_shift="auto" and max_rotation="auto" resolve to."""
    assert image_moves("auto", "auto", image_shape, n_features) == expected


def test_auto_moves_combine_with_a_given_value():
    """Check that "auto" resolves each parameter on its own."""
    assert image_moves(0, "auto", None, 784) == ((28, 28, 1), 0, 10.0)
    assert image_moves("auto", 0, None, 784) == ((28, 28, 1), 3, 0)
    assert image_moves("auto", 5.0, None, 64) == ((8, 8, 1), 0, 5.0)


def test_auto_moves_train_as_the_moves_they_resolve_to():
    """Check that "auto" trains exactly as DEC-DA's moves on 28 x 28 images, and as none on the digits."""
    rng = np.random.RandomState(0)
    X = rng.rand(96, 784).astype(np.float32)
    auto = _fit(X, max_shift="auto", max_rotation="auto")
    assert auto.history_["loss"] == _fit(X, max_shift=3, max_rotation=10.0).history_["loss"]
    assert auto.history_["loss"] != _fit(X).history_["loss"]
    digits = rng.rand(96, 64).astype(np.float32)
    assert _fit(digits, max_shift="auto", max_rotation="auto").history_["loss"] == _fit(digits).history_["loss"]


def test_auto_early_stopping_is_off_while_images_are_moved():
    """Check that early_stopping="auto" trains on every image for all epochs when they are moved, and stops early otherwise."""
    rng = np.random.RandomState(0)
    images = rng.rand(96, 784).astype(np.float32)
    moved = _fit(images, max_shift="auto", max_rotation="auto", early_stopping="auto")
    assert "val_loss" not in moved.history_ and moved.n_iter_ == 2
    without = _fit(images, max_shift="auto", max_rotation="auto", early_stopping=False)
    assert moved.history_["loss"] == without.history_["loss"]

    still = _fit(images, early_stopping="auto")
    assert still.history_ == _fit(images, early_stopping=True).history_ and "val_loss" in still.history_
    digits = rng.rand(96, 64).astype(np.float32)
    assert "val_loss" in _fit(digits, max_shift="auto", max_rotation="auto", early_stopping="auto").history_

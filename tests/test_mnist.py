"""Tests for skae.datasets.load_mnist."""

import os
import urllib.error
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skae.datasets import get_data_home, load_mnist

SHARED_MNIST = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mnist.npz"
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _fake_arrays(seed=0, n_train=5, n_test=3, shape=(28, 28)):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, size=(n_train, *shape), dtype=np.uint8),
        "y_train": rng.integers(0, 10, size=n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, size=(n_test, *shape), dtype=np.uint8),
        "y_test": rng.integers(0, 10, size=n_test).astype(np.uint8),
    }


def _write_npz(folder, seed=0, **kwargs):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = _fake_arrays(seed, **kwargs)
    np.savez(folder / "mnist.npz", **arrays)
    return folder / "mnist.npz", arrays


@pytest.fixture
def fake_mnist(tmp_path):
    """A small file in the Keras layout and the arrays written to it."""
    return _write_npz(tmp_path / "given")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point every default location at empty folders under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("SKAE_DATA", raising=False)
    return tmp_path


# -- the shared copy of the real data ---------------------------------------


@pytest.fixture(scope="module")
def real_all():
    return load_mnist(SHARED_MNIST, subset="all")


@pytest.mark.skipif(not SHARED_MNIST.is_file(), reason="shared mnist.npz absent")
def test_shared_file_all(real_all):
    """Check the real file loads as 70000 float32 images in [0, 1], train first."""
    mnist = real_all
    assert mnist.data.shape == (70000, 784)
    assert mnist.data.dtype == np.float32
    assert mnist.images.shape == (70000, 28, 28)
    assert np.shares_memory(mnist.images, mnist.data)
    assert mnist.data.min() == 0.0 and mnist.data.max() == 1.0
    assert mnist.target.dtype == np.int64
    counts = np.bincount(mnist.target[:60000]).tolist()
    assert counts == TRAIN_COUNTS
    assert np.bincount(mnist.target[60000:]).tolist() == TEST_COUNTS
    assert mnist.data[:60000].mean(dtype=np.float64) == pytest.approx(0.1307, abs=1e-4)
    assert len(mnist.feature_names) == 784
    assert mnist.target_names.tolist() == list(range(10))
    assert "MNIST" in mnist.DESCR
    assert mnist.frame is None


@pytest.mark.skipif(not SHARED_MNIST.is_file(), reason="shared mnist.npz absent")
def test_shared_file_test_subset_matches_all(real_all):
    """Check subset="test" is the tail of subset="all", unscaled it is uint8."""
    X, y = load_mnist(SHARED_MNIST, subset="test", scale=False, return_X_y=True)
    assert X.shape == (10000, 784) and X.dtype == np.uint8
    assert np.bincount(y).tolist() == TEST_COUNTS
    np.testing.assert_array_equal(y, real_all.target[60000:])
    np.testing.assert_array_equal(X / np.float32(255), real_all.data[60000:])


# -- small synthetic files ---------------------------------------------------


@pytest.mark.parametrize(
    "subset, parts", [("train", ["train"]), ("test", ["test"]), ("all", ["train", "test"])]
)
def test_subsets_scaled(fake_mnist, subset, parts):
    """Check each subset holds the file's images divided by 255, in order."""
    path, arrays = fake_mnist
    mnist = load_mnist(path, subset=subset)
    x = np.concatenate([arrays[f"x_{p}"] for p in parts])
    y = np.concatenate([arrays[f"y_{p}"] for p in parts])
    assert mnist.data.dtype == np.float32
    assert mnist.data.shape == (len(x), 784)
    np.testing.assert_array_equal(mnist.data, x.reshape(len(x), -1).astype(np.float32) / 255)
    np.testing.assert_array_equal(mnist.images, mnist.data.reshape(-1, 28, 28))
    np.testing.assert_array_equal(mnist.target, y)
    assert mnist.filename == str(path)


def test_unscaled_keeps_uint8(fake_mnist):
    """Check scale=False returns the file's uint8 pixels unchanged."""
    path, arrays = fake_mnist
    mnist = load_mnist(path, subset="all", scale=False)
    assert mnist.data.dtype == np.uint8
    expected = np.concatenate([arrays["x_train"], arrays["x_test"]])
    np.testing.assert_array_equal(mnist.images, expected)


def test_flatten_false_gives_images(fake_mnist):
    """Check flatten=False makes data the (n, 28, 28) images."""
    path, arrays = fake_mnist
    X, y = load_mnist(path, flatten=False, return_X_y=True)
    assert X.shape == arrays["x_train"].shape
    np.testing.assert_array_equal(y, arrays["y_train"])


def test_as_frame(fake_mnist):
    """Check as_frame gives a pixel DataFrame, a target Series and the frame."""
    path, arrays = fake_mnist
    mnist = load_mnist(path, subset="test", as_frame=True)
    assert isinstance(mnist.data, pd.DataFrame)
    assert list(mnist.data.columns) == mnist.feature_names
    assert mnist.feature_names[0] == "pixel_0_0"
    assert mnist.feature_names[-1] == "pixel_27_27"
    assert isinstance(mnist.target, pd.Series) and mnist.target.name == "target"
    assert mnist.frame.shape == (3, 785)
    assert list(mnist.frame.columns[-1:]) == ["target"]
    np.testing.assert_array_equal(mnist.frame["target"], arrays["y_test"])
    X, y = load_mnist(path, subset="test", as_frame=True, return_X_y=True)
    pd.testing.assert_frame_equal(X, mnist.data)


def test_other_image_shapes(tmp_path):
    """Check a file with other image sizes loads with matching feature names."""
    path, _ = _write_npz(tmp_path, shape=(4, 6))
    mnist = load_mnist(path)
    assert mnist.data.shape == (5, 24)
    assert mnist.images.shape == (5, 4, 6)
    assert mnist.feature_names[-1] == "pixel_3_5"


def test_path_may_be_a_folder(fake_mnist):
    """Check a folder holding mnist.npz is accepted as path."""
    path, arrays = fake_mnist
    mnist = load_mnist(path.parent)
    np.testing.assert_array_equal(mnist.target, arrays["y_train"])


# -- lookup order ------------------------------------------------------------


def test_env_var_lookup(isolated, monkeypatch):
    """Check SKAE_DATA names the data folder searched when no path is given."""
    path, arrays = _write_npz(isolated / "env", seed=1)
    monkeypatch.setenv("SKAE_DATA", str(path.parent))
    mnist = load_mnist()
    assert mnist.filename == str(path)
    np.testing.assert_array_equal(mnist.target, arrays["y_train"])


def test_data_home_argument_beats_env_var(isolated, monkeypatch):
    """Check data_home is searched instead of SKAE_DATA, as in scikit-learn."""
    _write_npz(isolated / "env", seed=1)
    path, arrays = _write_npz(isolated / "arg", seed=2)
    monkeypatch.setenv("SKAE_DATA", str(isolated / "env"))
    mnist = load_mnist(data_home=isolated / "arg")
    assert mnist.filename == str(path)
    assert get_data_home(isolated / "arg") == isolated / "arg"


def test_explicit_path_beats_everything(isolated, monkeypatch, fake_mnist):
    """Check an explicit path wins over the data folder and Keras' cache."""
    _write_npz(isolated / "env", seed=1)
    _write_npz(isolated / "keras_home" / "datasets", seed=3)
    monkeypatch.setenv("SKAE_DATA", str(isolated / "env"))
    path, _ = fake_mnist
    assert load_mnist(path).filename == str(path)


def test_data_folder_beats_keras_cache(isolated, monkeypatch):
    """Check the data folder is searched before Keras' cache."""
    path, _ = _write_npz(isolated / "env", seed=1)
    _write_npz(isolated / "keras_home" / "datasets", seed=3)
    monkeypatch.setenv("SKAE_DATA", str(path.parent))
    assert load_mnist().filename == str(path)


def test_keras_home_cache(isolated):
    """Check $KERAS_HOME/datasets/mnist.npz is found without downloading."""
    path, arrays = _write_npz(isolated / "keras_home" / "datasets", seed=3)
    mnist = load_mnist(subset="test")
    assert mnist.filename == str(path)
    np.testing.assert_array_equal(mnist.target, arrays["y_test"])


def test_default_keras_cache_in_home(isolated, monkeypatch):
    """Check ~/.keras/datasets/mnist.npz is found when KERAS_HOME is unset."""
    monkeypatch.delenv("KERAS_HOME")
    path, _ = _write_npz(isolated / "home" / ".keras" / "datasets", seed=4)
    assert load_mnist().filename == str(path)


# -- errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"subset": "validation"}, "subset"),
        ({"scale": "yes"}, "scale"),
        ({"path": 3}, "path"),
        ({"flatten": False, "as_frame": True}, "as_frame=True needs flatten=True"),
    ],
)
def test_bad_arguments(fake_mnist, kwargs, match):
    """Check invalid arguments raise a ValueError naming the argument."""
    kwargs = {"path": fake_mnist[0], **kwargs}
    with pytest.raises(ValueError, match=match):
        load_mnist(**kwargs)


def test_missing_explicit_path(tmp_path):
    """Check a given path that does not exist is an error, not a fallback."""
    with pytest.raises(FileNotFoundError, match="No MNIST file at"):
        load_mnist(tmp_path / "nowhere.npz")


def test_wrong_layout(tmp_path):
    """Check a file without the Keras arrays raises a ValueError naming them."""
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"missing arrays \['y_train'\]"):
        load_mnist(tmp_path / "mnist.npz")


def test_mismatched_lengths(tmp_path):
    """Check images and labels of different lengths are rejected."""
    arrays = _fake_arrays()
    arrays["y_train"] = arrays["y_train"][:-1]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(ValueError, match="Expected images of shape"):
        load_mnist(tmp_path / "mnist.npz")


def test_no_download_when_disabled(isolated, monkeypatch):
    """Check download_if_missing=False fails without calling Keras."""
    import keras

    def fail():
        raise AssertionError("download attempted")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", fail)
    with pytest.raises(OSError, match="download_if_missing=False") as info:
        load_mnist(download_if_missing=False)
    assert str(isolated / "home" / "skae_data" / "mnist.npz") in str(info.value)


# -- download (mocked, no network) ---------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        # What Keras' get_file raises for an unreachable URL.
        Exception("URL fetch failure on https://storage.googleapis.com: None -- [Errno -3]"),
        urllib.error.URLError("Temporary failure in name resolution"),
        OSError("Network is unreachable"),
    ],
)
def test_offline_error_says_where_to_put_the_file(isolated, monkeypatch, error):
    """Check a failed download raises an OSError listing where to put the file."""
    import keras

    def offline():
        raise error

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(OSError) as info:
        load_mnist()
    message = str(info.value)
    assert "downloading it failed" in message
    assert str(isolated / "home" / "skae_data" / "mnist.npz") in message
    assert str(isolated / "keras_home" / "datasets" / "mnist.npz") in message
    assert "SKAE_DATA" in message
    assert info.value.__cause__ is error


def test_download_when_nothing_is_local(isolated, monkeypatch):
    """Check Keras' loader is used, once, when no local file exists."""
    import keras

    arrays = _fake_arrays(seed=5)
    calls = []

    def fake_load_data():
        calls.append(1)
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])

    monkeypatch.setattr(keras.datasets.mnist, "load_data", fake_load_data)
    mnist = load_mnist(subset="all")
    assert calls == [1]
    assert mnist.filename is None
    assert mnist.data.shape == (8, 784) and mnist.data.dtype == np.float32
    np.testing.assert_array_equal(
        mnist.target, np.concatenate([arrays["y_train"], arrays["y_test"]])
    )


def test_get_data_home_env(monkeypatch, tmp_path):
    """Check get_data_home reads SKAE_DATA, then defaults to ~/skae_data."""
    monkeypatch.setenv("SKAE_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    monkeypatch.delenv("SKAE_DATA")
    assert get_data_home() == Path(os.path.expanduser("~")) / "skae_data"

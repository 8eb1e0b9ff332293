"""Loader for the MNIST handwritten digits in the Keras ``mnist.npz`` layout."""

import os
import zipfile
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

__all__ = ["get_data_home", "load_mnist"]

DATA_HOME_ENV = "SKAE_DATA"
FILENAME = "mnist.npz"
_KEYS = ("x_train", "y_train", "x_test", "y_test")
_LAYOUT = (
    "an .npz file in the Keras MNIST layout: arrays x_train and x_test of shape "
    "(n_samples, height, width), y_train and y_test of shape (n_samples,)"
)

DESCR = """\
.. _mnist_dataset:

MNIST handwritten digits dataset
--------------------------------

**Data Set Characteristics:**

=================   ===============================
Classes                                           10
Samples per class                       6313 to 7877
Samples total          70000 (60000 train, 10000 test)
Dimensionality                      784 (28x28 pixels)
Features              uint8 0-255, or float32 0.0-1.0
=================   ===============================

Grey-level images of handwritten digits 0-9, size-normalised and centred in a
28x28 frame, collected by Yann LeCun, Corinna Cortes and Christopher J.C.
Burges from NIST Special Databases 1 and 3. The training set has 60000
images, the test set 10000 written by different people.

The file read is the ``mnist.npz`` cached by
``keras.datasets.mnist.load_data()``: arrays ``x_train``, ``y_train``,
``x_test`` and ``y_test``.

MNIST is made available under the terms of the Creative Commons
Attribution-Share Alike 3.0 license.

.. rubric:: References

- Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
  applied to document recognition", Proceedings of the IEEE, 86(11),
  2278-2324, 1998.
"""


def get_data_home(data_home=None):
    """Return the path of the skae data folder.

    The folder is, in order: the `data_home` argument, the folder named by the
    ``SKAE_DATA`` environment variable, or ``~/skae_data``. ``~`` is expanded.
    Unlike :func:`sklearn.datasets.get_data_home`, the folder is not created:
    skae only reads from it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use instead of the default.

    Returns
    -------
    data_home : pathlib.Path
        The path of the data folder.

    Examples
    --------
    >>> from skae.datasets import get_data_home
    >>> str(get_data_home("/srv/data"))
    '/srv/data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or os.path.join("~", "skae_data")
    return Path(os.path.expanduser(os.fspath(data_home)))


def _keras_cache_paths():
    """Where ``keras.datasets.mnist.load_data`` caches the file.

    Mirrors ``keras.src.backend.config``: ``$KERAS_HOME`` when set, else
    ``~/.keras``, and ``/tmp/.keras`` where Keras falls back when the home
    folder is not writable. Keras is not imported for this.
    """
    if os.environ.get("KERAS_HOME"):
        bases = [Path(os.path.expanduser(os.environ["KERAS_HOME"]))]
    else:
        bases = [Path(os.path.expanduser("~")) / ".keras", Path("/tmp") / ".keras"]
    return [base / "datasets" / FILENAME for base in bases]


def _as_file(path):
    """A file path, or the ``mnist.npz`` inside a folder."""
    path = Path(os.path.expanduser(os.fspath(path)))
    return path / FILENAME if path.is_dir() else path


def _find_local_file(path, data_home):
    """Return ``(found, searched)``: the first existing candidate, or None."""
    if path is not None:
        path = _as_file(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"No MNIST file at {str(path)!r}. Pass the path of an mnist.npz "
                "in the Keras layout (x_train, y_train, x_test, y_test)."
            )
        return path, [path]
    searched = [get_data_home(data_home) / FILENAME, *_keras_cache_paths()]
    for candidate in searched:
        if candidate.is_file():
            return candidate, searched
    return None, searched


def _not_found_message(searched, reason):
    places = "\n".join(f"  - {p}" for p in searched)
    return (
        f"MNIST is not available locally and {reason}.\n"
        f"Looked for {FILENAME} in:\n{places}\n"
        f"Put the Keras mnist.npz file (arrays x_train, y_train, x_test, y_test) "
        f"in one of these places, for example {searched[0]}, or point the "
        f"{DATA_HOME_ENV} environment variable at the folder that holds it, "
        f"or pass its path: load_mnist('/path/to/mnist.npz')."
    )


def _download(searched):
    """Ask Keras for the arrays; turn any failure into one clear error."""
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:
        # Keras wraps URL errors in a bare Exception, so catch broadly.
        raise OSError(
            _not_found_message(searched, f"downloading it failed ({exc})")
        ) from exc
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _array_header(archive, name):
    """Shape and dtype of the array `name` in an npz, without reading its data."""
    with archive.open(f"{name}.npy") as fp:
        version = np.lib.format.read_magic(fp)
        read = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read(fp)
    return shape, dtype


def _check_npz(filename, names):
    """Check that `filename` is an npz holding the arrays `names`, as MNIST.

    Only the archive's directory and the arrays' headers are read, so a wrong
    file fails in milliseconds, and never with NumPy's advice to unpickle it.
    """
    where = repr(str(filename))
    if not zipfile.is_zipfile(filename):
        raise ValueError(
            f"{where} is not an .npz file (a zip archive of NumPy arrays); "
            f"expected {_LAYOUT}."
        )
    try:
        with zipfile.ZipFile(filename) as archive:
            found = sorted(n[:-4] for n in archive.namelist() if n.endswith(".npy"))
            present = [name for name in names if name in found]
            headers = {name: _array_header(archive, name) for name in present}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ValueError(
            f"{where} is a damaged .npz file ({exc}); expected {_LAYOUT}."
        ) from exc
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(
            f"{where} is not in the Keras MNIST layout: missing arrays "
            f"{missing}; expected {list(_KEYS)}, found {found}."
        )
    for name, (shape, dtype) in headers.items():
        ndim = 3 if name.startswith("x") else 1
        if dtype.hasobject or dtype.kind not in "biuf" or len(shape) != ndim:
            raise ValueError(
                f"{where} holds an array {name} of shape {shape} and dtype "
                f"{dtype}; expected {_LAYOUT}, numbers only."
            )


def _read_npz(filename, names):
    _check_npz(filename, names)
    with np.load(filename, allow_pickle=False) as f:
        return {key: f[key] for key in names}


def _stack_images(parts, scale):
    """Concatenate image arrays into one 2-D array, scaling in place.

    With ``scale=True`` the result is float32 in [0, 1], written once into a
    preallocated array: no float64 and no second float copy of the images.
    """
    shapes = {x.shape[1:] for x in parts}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(
            "Expected image arrays of shape (n_samples, height, width) with the "
            f"same height and width, got shapes {[x.shape for x in parts]}."
        )
    n_samples = sum(len(x) for x in parts)
    n_features = int(np.prod(next(iter(shapes))))
    if not scale and len(parts) == 1:
        return parts[0].reshape(n_samples, n_features)
    dtype = np.float32 if scale else parts[0].dtype
    data = np.empty((n_samples, n_features), dtype=dtype)
    start = 0
    for x in parts:
        data[start : start + len(x)] = x.reshape(len(x), n_features)
        start += len(x)
    if scale:
        data /= np.float32(255)
    return data


def _read_subset(path, data_home, subset, scale, download_if_missing):
    """``(filename, flat images, int64 labels, image shape)`` of ``subset``, from the first file found."""
    names = {"train": ["train"], "test": ["test"], "all": ["train", "test"]}[subset]
    filename, searched = _find_local_file(path, data_home)
    if filename is not None:
        arrays = _read_npz(filename, [f"{p}_{n}" for n in names for p in "xy"])
    elif download_if_missing:
        arrays = _download(searched)
    else:
        raise OSError(_not_found_message(searched, "download_if_missing=False"))

    xs = [arrays[f"x_{n}"] for n in names]
    ys = [arrays[f"y_{n}"] for n in names]
    for x, y in zip(xs, ys):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(
                "Expected images of shape (n_samples, height, width) and labels "
                f"of shape (n_samples,), got {x.shape} and {y.shape}."
            )
    image_shape = xs[0].shape[1:]
    flat_data = _stack_images(xs, scale)
    del xs, arrays
    return filename, flat_data, np.concatenate(ys).astype(np.int64), image_shape


@validate_params(
    {
        "path": [str, os.PathLike, None],
        "subset": [StrOptions({"train", "test", "all"})],
        "scale": ["boolean"],
        "flatten": ["boolean"],
        "return_X_y": ["boolean"],
        "as_frame": ["boolean"],
        "data_home": [str, os.PathLike, None],
        "download_if_missing": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_mnist(
    path=None,
    *,
    subset="train",
    scale=True,
    flatten=True,
    return_X_y=False,
    as_frame=False,
    data_home=None,
    download_if_missing=True,
):
    """Load and return the MNIST handwritten digits (classification).

    =================   ===============================
    Classes                                           10
    Samples total          70000 (60000 train, 10000 test)
    Dimensionality                      784 (28x28 pixels)
    Features              float32 0.0-1.0 (uint8 0-255 with ``scale=False``)
    =================   ===============================

    The file is the ``mnist.npz`` that ``keras.datasets.mnist.load_data()``
    caches. It is looked for, in order:

    1. at `path`, when given (a file, or a folder holding ``mnist.npz``);
    2. in the data folder: `data_home`, else the folder in the ``SKAE_DATA``
       environment variable, else ``~/skae_data``;
    3. in Keras' cache: ``$KERAS_HOME/datasets`` when ``KERAS_HOME`` is set,
       else ``~/.keras/datasets`` (and ``/tmp/.keras/datasets``);
    4. only then is Keras asked to download it (if `download_if_missing`).

    The file is read with NumPy, so a copy of MNIST whose bytes differ from
    Keras' (its hash check would reject it) is still found in Keras' cache.

    Parameters
    ----------
    path : str or path-like, default=None
        An ``mnist.npz`` file, or a folder that holds one. When given, no other
        place is searched and a missing file raises ``FileNotFoundError``.

    subset : {"train", "test", "all"}, default="train"
        Which part to return: the 60000 training images, the 10000 test images,
        or all 70000, training images first.

    scale : bool, default=True
        If True, the pixels are float32 in [0, 1] (divided by 255). If False,
        they are the file's uint8 values 0-255.

    flatten : bool, default=True
        If True, `data` has shape (n_samples, 784). If False, it has the image
        shape (n_samples, 28, 28), like `images`.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, `data` is a pandas DataFrame with one column per pixel and
        `target` a Series named "target"; `frame` holds both. Requires
        ``flatten=True``.

    data_home : str or path-like, default=None
        The data folder to search instead of ``$SKAE_DATA`` or ``~/skae_data``.

    download_if_missing : bool, default=True
        If False, raise an ``OSError`` when no local file is found instead of
        asking Keras to download it.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : {ndarray, DataFrame} of shape (n_samples, 784) or (n_samples, 28, 28)
            The images, one per row.
        target : {ndarray, Series} of shape (n_samples,)
            The digit of each image, int64.
        images : ndarray of shape (n_samples, 28, 28)
            The images; a view of the same memory as `data`.
        feature_names : list of str
            ``"pixel_{row}_{col}"`` for each of the 784 pixels.
        target_names : ndarray of shape (10,)
            The digits 0-9.
        frame : DataFrame of shape (n_samples, 785) or None
            `data` and `target` together when ``as_frame=True``, else None.
        filename : str or None
            The file the arrays were read from, None if downloaded.
        DESCR : str
            The full description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True
        The `data` and `target` described above.

    Raises
    ------
    FileNotFoundError
        If `path` is given and no file is there.
    OSError
        If no local file is found and downloading is off or fails; the message
        lists the places searched and where to put the file.
    ValueError
        If an argument is invalid or the file is not in the Keras layout.

    See Also
    --------
    sklearn.datasets.load_digits : The 8x8 digits embedded in scikit-learn.

    Examples
    --------
    With the file in one of the places above::

        >>> from skae.datasets import load_mnist
        >>> mnist = load_mnist()  # doctest: +SKIP
        >>> mnist.data.shape, mnist.data.dtype  # doctest: +SKIP
        ((60000, 784), dtype('float32'))

    Any file in the Keras layout can be read; here a tiny one with 4x4 images:

        >>> import os, tempfile
        >>> import numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "mnist.npz")
        >>> images = np.arange(6 * 16, dtype=np.uint8).reshape(6, 4, 4)
        >>> np.savez(path, x_train=images[:4], y_train=np.arange(4),
        ...          x_test=images[4:], y_test=np.arange(4, 6))
        >>> X, y = load_mnist(path, subset="all", return_X_y=True)
        >>> X.shape, X.dtype, y.tolist()
        ((6, 16), dtype('float32'), [0, 1, 2, 3, 4, 5])
        >>> load_mnist(path, subset="test", flatten=False).data.shape
        (2, 4, 4)
    """
    if as_frame and not flatten:
        raise ValueError(
            "as_frame=True needs flatten=True: a DataFrame has one column per "
            "pixel."
        )

    filename, flat_data, target, image_shape = _read_subset(
        path, data_home, subset, scale, download_if_missing
    )
    images = flat_data.reshape(-1, *image_shape)

    feature_names = [
        f"pixel_{row}_{col}"
        for row in range(image_shape[0])
        for col in range(image_shape[1])
    ]
    data = flat_data if flatten else images

    frame = None
    if as_frame:
        import pandas as pd

        data = pd.DataFrame(flat_data, columns=feature_names, copy=False)
        target = pd.Series(target, name="target")
        frame = pd.concat([data, target], axis=1)

    if return_X_y:
        return data, target

    return Bunch(
        data=data,
        target=target,
        images=images,
        feature_names=feature_names,
        target_names=np.arange(10),
        filename=None if filename is None else str(filename),
        frame=frame,
        DESCR=DESCR,
    )

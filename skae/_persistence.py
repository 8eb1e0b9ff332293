"""Saving an estimator to one file with its network in Keras' native format.

The file is a zip archive holding ``skae.json`` (format, versions, class,
parameters and fitted attributes) and, once fitted, ``autoencoder.keras``,
the autoencoder as ``keras.Model.save`` writes it. The ``.keras`` format does
not depend on the backend, so a file written under TensorFlow loads under
JAX or torch. Pickle and joblib remain the way to store estimators whose
parameters Keras cannot serialize (e.g. an unregistered custom loss).
"""

import importlib
import json
import os
import re
import tempfile
import warnings
import zipfile

import keras
import numpy as np

from ._keras._networks import DECODER, ENCODER, POSTERIOR
from ._version import __version__

_FORMAT = "skae"
_FORMAT_VERSION = 1
_META = "skae.json"
_MODEL = "autoencoder.keras"
_MODELS = ("autoencoder_", "encoder_", "decoder_")
# The classes that load() can rebuild: name -> module. Imported by load() itself,
# so that a new process that has imported nothing but skae can load a file, and
# so that this module never imports an estimator at import time (no cycle).
_LOADABLE = {
    "AutoencoderTransformer": "skae._autoencoder",
    "AutoencoderOutlierDetector": "skae._outlier",
}


# Instance state that is neither a parameter nor a fitted attribute but
# changes what the estimator returns (set_output).
_EXTRA_STATE = ("_sklearn_output_config",)


def _version_tuple(version):
    return tuple(int(part) for part in re.findall(r"\d+", str(version).split("+")[0])[:3])


def _encode(value, what):
    """JSON-able form of `value`; special types become one-key tagged dicts."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_encode(item, what) for item in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ValueError(f"Cannot save {what}: a dict with non-string keys.")
        return {"__dict__": {key: _encode(item, what) for key, item in value.items()}}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": _encode(value.tolist(), what), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return {"__scalar__": value.item(), "dtype": value.dtype.str}
    if isinstance(value, np.random.RandomState):
        name, keys, position, has_gauss, gauss = value.get_state()
        return {"__random_state__": [name, keys.tolist(), position, has_gauss, gauss]}
    if _is_loadable(value):
        # A parameter (e.g. the detector's autoencoder): its parameters only.
        return {"__estimator__": type(value).__name__, "params": _params(value)}
    try:
        config = keras.saving.serialize_keras_object(value)
        keras.saving.deserialize_keras_object(config)
        json.dumps(config)
    except Exception:
        raise ValueError(
            f"Cannot save {what}={value!r}: Keras cannot serialize it. Register "
            "it with keras.saving.register_keras_serializable, pass a Keras "
            "name such as 'adam' instead, or store the estimator with "
            "joblib.dump."
        ) from None
    return {"__keras__": config}


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        return tuple(_decode(item) for item in value["__tuple__"])
    if "__dict__" in value:
        return {key: _decode(item) for key, item in value["__dict__"].items()}
    if "__ndarray__" in value:
        return np.array(_decode(value["__ndarray__"]), dtype=np.dtype(value["dtype"]))
    if "__scalar__" in value:
        return np.dtype(value["dtype"]).type(value["__scalar__"])
    if "__random_state__" in value:
        name, keys, position, has_gauss, gauss = value["__random_state__"]
        state = np.random.RandomState()
        state.set_state((name, np.array(keys, dtype=np.uint32), position, has_gauss, gauss))
        return state
    if "__keras__" in value:
        return keras.saving.deserialize_keras_object(value["__keras__"])
    if "__estimator__" in value:
        params = {name: _decode(item) for name, item in value["params"].items()}
        return _estimator_class(value["__estimator__"])(**params)
    raise ValueError(f"Unknown value in a skae file: {value!r}.")


def _is_loadable(value):
    return type(value).__name__ in _LOADABLE and type(value).__module__ == _LOADABLE[type(value).__name__]


def _estimator_class(name):
    return getattr(importlib.import_module(_LOADABLE[name]), name)


def _params(estimator):
    return {
        name: _encode(value, f"parameter {name}")
        for name, value in estimator.get_params(deep=False).items()
    }


def save(estimator, path):
    """Write `estimator` to `path`; see :meth:`AutoencoderTransformer.save`.

    A fitted attribute that is itself a loadable estimator (the detector's
    ``autoencoder_``) is written as a skae file of its own inside the archive.
    """
    path = os.fspath(path)
    state = vars(estimator)
    nested = [name for name, value in state.items() if name.endswith("_") and _is_loadable(value)]
    meta = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "skae_version": __version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "class": type(estimator).__name__,
        "params": _params(estimator),
        "fitted": {
            name: _encode(value, f"attribute {name}")
            for name, value in state.items()
            if (
                name.endswith("_")
                and not name.startswith("__")
                and name not in _MODELS
                and name not in nested
            )
            or name in _EXTRA_STATE
        },
        "nested": nested,
    }
    directory = os.path.dirname(os.path.abspath(path))
    # Write next to the target and rename, so that a failure never leaves a
    # truncated file where a good one was.
    handle, partial = tempfile.mkstemp(suffix=".partial", dir=directory)
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(partial, "w") as archive:
            archive.writestr(_META, json.dumps(meta, indent=1))
            if isinstance(state.get("autoencoder_"), keras.Model):
                model_path = os.path.join(tmp, _MODEL)
                estimator.autoencoder_.save(model_path)
                archive.write(model_path, _MODEL)
            for name in nested:
                archive.write(save(state[name], os.path.join(tmp, name + ".skae")), name + ".skae")
        os.replace(partial, path)
    except BaseException:
        os.remove(partial)
        raise
    return path


def load(path):
    """Read an estimator written by its ``save`` method.

    :meth:`AutoencoderTransformer.save` and :meth:`AutoencoderOutlierDetector.save`
    write the files.

    Works under any Keras backend, whichever wrote the file. The loaded
    estimator's ``transform`` gives bit-identical output to the saved one's
    under the same backend and machine.

    Parameters
    ----------
    path : str or path-like
        A file written by ``save``.

    Returns
    -------
    estimator : AutoencoderTransformer or AutoencoderOutlierDetector
        The estimator, fitted if it was saved fitted.

    Warns
    -----
    UserWarning
        When the file was written by a newer skae than the one running.

    Examples
    --------
    >>> import os, tempfile
    >>> import skae
    >>> path = os.path.join(tempfile.mkdtemp(), "ae.skae")
    >>> _ = skae.AutoencoderTransformer(4, epochs=3).save(path)
    >>> skae.load(path)
    AutoencoderTransformer(encoding_dim=4, epochs=3)
    """
    path = os.fspath(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path!r} is not a skae file (not a zip archive). Pass a file written "
            "by AutoencoderTransformer.save; use joblib.load for joblib files."
        ) from None
    with archive, tempfile.TemporaryDirectory() as tmp:
        try:
            meta = json.loads(archive.read(_META))
        except KeyError:
            meta = {}
        if meta.get("format") != _FORMAT:
            raise ValueError(
                f"{path!r} is not a skae file ({_META} is missing). Pass a file "
                "written by AutoencoderTransformer.save."
            )
        if _version_tuple(meta["skae_version"]) > _version_tuple(__version__):
            warnings.warn(
                f"{path!r} was written by skae {meta['skae_version']}, newer than "
                f"this skae {__version__}; it may not load correctly. Upgrade "
                "skae (pip install -U skae).",
                UserWarning,
                stacklevel=2,
            )
        if meta["class"] not in _LOADABLE:
            raise ValueError(
                f"{path!r} holds a {meta['class']}, which this skae cannot load. "
                "Upgrade skae."
            )
        estimator = _decode({"__estimator__": meta["class"], "params": meta["params"]})
        for name, value in meta["fitted"].items():
            setattr(estimator, name, _decode(value))
        for name in meta.get("nested", []):
            setattr(estimator, name, load(archive.extract(name + ".skae", tmp)))
        if _MODEL in archive.namelist():
            model_path = archive.extract(_MODEL, tmp)
            # Uncompiled like an unpickled estimator: fit compiles a new model.
            autoencoder = keras.saving.load_model(model_path, compile=False)
            estimator.autoencoder_ = autoencoder
            estimator.encoder_ = _encoder(autoencoder)
            estimator.decoder_ = autoencoder.get_layer(DECODER)
    return estimator


def _encoder(autoencoder):
    """The encoder sub-model; a variational autoencoder holds its posterior instead."""
    names = [layer.name for layer in autoencoder.layers]
    if ENCODER in names:
        return autoencoder.get_layer(ENCODER)
    posterior = autoencoder.get_layer(POSTERIOR)
    return keras.Model(posterior.inputs, posterior.outputs[0], name=ENCODER)

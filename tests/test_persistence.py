"""save/load in Keras' native format, across versions and backends."""

import json
import os
import pickle
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pandas as pd
import pytest

import skae
from skae import AutoencoderTransformer


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    frame = pd.DataFrame(X[:400], columns=[f"pixel{i}" for i in range(64)])
    ae = AutoencoderTransformer(
        6, hidden_layer_sizes=(16,), epochs=3, batch_size=128, random_state=np.random.RandomState(0)
    )
    return ae.set_output(transform="pandas").fit(frame), frame


def test_load_gives_bit_identical_outputs_and_state(fitted, tmp_path):
    """Check that a loaded estimator has the same parameters and fitted state and identical outputs."""
    ae, frame = fitted
    loaded = skae.load(ae.save(tmp_path / "ae.skae"))
    assert type(loaded) is AutoencoderTransformer
    params, loaded_params = ae.get_params(), loaded.get_params()
    assert params.pop("random_state") is not loaded_params.pop("random_state")
    assert loaded_params == params
    assert loaded.history_ == ae.history_ and loaded.n_iter_ == ae.n_iter_
    np.testing.assert_array_equal(loaded.feature_names_in_, ae.feature_names_in_)
    codes = ae.transform(frame)
    loaded_codes = loaded.transform(frame)
    assert isinstance(loaded_codes, pd.DataFrame)  # set_output survives
    pd.testing.assert_frame_equal(loaded_codes, codes)
    np.testing.assert_array_equal(loaded.inverse_transform(codes), ae.inverse_transform(codes))
    assert loaded.score(frame) == ae.score(frame)
    # The random_state instance is restored in the state it had.
    assert loaded.random_state.randint(1000) == pickle.loads(pickle.dumps(ae.random_state)).randint(1000)


def test_loaded_models_share_weights_and_refit(fitted, tmp_path):
    """Check that the loaded encoder and decoder are the autoencoder's layers, and that fit works again."""
    ae, frame = fitted
    loaded = skae.load(ae.save(tmp_path / "ae.skae"))
    codes = loaded.transform(frame)
    loaded.autoencoder_.set_weights([w * 0.5 for w in loaded.autoencoder_.get_weights()])
    assert not np.array_equal(loaded.transform(frame), codes)
    np.testing.assert_array_equal(ae.transform(frame), codes)
    loaded.set_params(epochs=1).fit(frame)
    assert loaded.n_iter_ == 1
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(loaded)).transform(frame), loaded.transform(frame))


def test_unfitted_and_keras_object_parameters(tmp_path):
    """Check that an unfitted estimator with a Keras optimizer object round-trips with its parameters."""
    ae = AutoencoderTransformer(3, optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    loaded = skae.load(ae.save(tmp_path / "ae.skae"))
    assert not hasattr(loaded, "autoencoder_")
    assert isinstance(loaded.optimizer, keras.optimizers.SGD)
    assert float(keras.ops.convert_to_numpy(loaded.optimizer.learning_rate)) == pytest.approx(0.05)
    assert loaded.optimizer is not ae.optimizer and loaded.loss == "mse"


def test_unserializable_parameter_is_refused_clearly(tmp_path):
    """Check that a lambda loss cannot be saved and the error says what to do instead."""
    ae = AutoencoderTransformer(3, loss=lambda y, p: (y - p) ** 2)
    with pytest.raises(ValueError, match=r"Cannot save parameter loss=.*register_keras_serializable.*joblib"):
        ae.save(tmp_path / "ae.skae")
    assert not os.listdir(tmp_path)  # nothing half-written left behind


def _rewrite_meta(path, **changes):
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(files["skae.json"])
    meta.update(changes)
    files["skae.json"] = json.dumps(meta)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_file_from_a_newer_skae_warns(fitted, tmp_path):
    """Check that loading a file written by a newer skae warns and still loads."""
    ae, frame = fitted
    path = ae.save(tmp_path / "ae.skae")
    _rewrite_meta(path, skae_version="99.0.0")
    with pytest.warns(UserWarning, match=r"written by skae 99\.0\.0, newer than this skae"):
        loaded = skae.load(path)
    pd.testing.assert_frame_equal(loaded.transform(frame), ae.transform(frame))


def test_not_a_skae_file(tmp_path):
    """Check that other files are refused with a ValueError that says what load expects."""
    text = tmp_path / "x.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a skae file.*AutoencoderTransformer.save"):
        skae.load(text)
    other_zip = tmp_path / "x.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("a.txt", "a")
    with pytest.raises(ValueError, match="not a skae file"):
        skae.load(other_zip)


_LOAD_UNDER_JAX = """
import sys, numpy as np, keras, skae
assert keras.backend.backend() == "jax", keras.backend.backend()
ae = skae.load(sys.argv[1])
np.save(sys.argv[3], ae.transform(np.load(sys.argv[2])))
"""


@pytest.mark.slow
def test_saved_under_tensorflow_loads_under_jax(digits, tmp_path):
    """Check that a file written under the TensorFlow backend loads under JAX with the same codes."""
    pytest.importorskip("jax")  # pip install ".[jax]"
    if keras.backend.backend() != "tensorflow":
        pytest.skip("writes under TensorFlow")
    X, _ = digits
    ae = AutoencoderTransformer(6, hidden_layer_sizes=(16,), epochs=2, random_state=0).fit(X[:300])
    path = ae.save(tmp_path / "ae.skae")
    np.save(tmp_path / "X.npy", X[:300])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": root, "JAX_PLATFORMS": "cpu"}
    subprocess.run(
        [sys.executable, "-c", _LOAD_UNDER_JAX, str(path), str(tmp_path / "X.npy"), str(tmp_path / "codes.npy")],
        env=env,
        check=True,
        timeout=300,
    )
    np.testing.assert_allclose(np.load(tmp_path / "codes.npy"), ae.transform(X[:300]), rtol=1e-5, atol=1e-6)

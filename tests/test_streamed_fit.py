"""fit of data that is not in memory: arrays on disk and Dask arrays, read block by block."""

import warnings

import numpy as np
import pytest

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae import _blocks
from skae._keras import _feeds

from .conftest import FAST

da = pytest.importorskip("dask.array")


class _RecordedArray:
    """An array that records the rows of every read, for ``dask.array.from_array``."""

    def __init__(self, X):
        self.X, self.shape, self.dtype, self.ndim = X, X.shape, X.dtype, X.ndim
        self.reads = []

    def __getitem__(self, key):
        rows = np.arange(self.shape[0])[key[0]]
        self.reads.append(len(rows))
        return self.X[key]


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 512 rows, so that the digits make several blocks (the last a smaller one)."""
    monkeypatch.setattr(_blocks, "_DISK_ROWS", 512)
    monkeypatch.setattr(_feeds, "_DISK_ROWS", 512)


def _on_disk(X, tmp_path, dtype=np.float64):
    path = tmp_path / "X.npy"
    np.save(path, X.astype(dtype))
    return np.load(path, mmap_mode="r")


_BATCH_LOOP = {"jit_compile": True, "batch_size": 64, "steps_per_execution": 4}
_MOVED = {"max_shift": 1, "max_rotation": 10.0}


@pytest.mark.parametrize(
    "params",
    [{}, _BATCH_LOOP, _MOVED, {**_BATCH_LOOP, **_MOVED}],
    ids=["defaults", "XLA batch loop", "moved images", "moved images, XLA batch loop"],
)
def test_a_memmap_of_one_block_fits_as_in_memory(digits, tmp_path, params):
    """Check that fit on a memmap of no more than one block is the in-memory fit: same history and codes.

    Moved images too: the streamed batches draw each epoch's moves with its
    order, as the in-memory feeds do, so the same images are trained on.
    """
    X, _ = digits
    on_disk = _on_disk(X, tmp_path, np.float32)
    in_memory = AutoencoderTransformer(**{**FAST, **params}).fit(X)
    streamed = AutoencoderTransformer(**{**FAST, **params}).fit(on_disk)
    np.testing.assert_allclose(streamed.history_["loss"], in_memory.history_["loss"], rtol=1e-6)
    np.testing.assert_allclose(streamed.transform(X), in_memory.transform(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {},
        pytest.param({"early_stopping": True, "epochs": 3}, id="early_stopping", marks=pytest.mark.slow),
        pytest.param(_BATCH_LOOP, id="XLA batch loop", marks=pytest.mark.slow),
        pytest.param({**_BATCH_LOOP, **_MOVED}, id="moved, XLA batch loop", marks=pytest.mark.slow),
    ],
    ids=lambda params: "defaults" if params == {} else None,
)
def test_blocks_on_disk_and_in_dask_train_alike_and_are_read_a_block_at_a_time(digits, tmp_path, small_blocks, params):
    """Check that a memmap, an h5py file and a Dask array of several blocks give the same fit, reading a block at a time."""
    h5py = pytest.importorskip("h5py")
    X, _ = digits
    recorded = _RecordedArray(X.astype(np.float64))
    with h5py.File(tmp_path / "X.h5", "w") as file:
        file["X"] = X
    sources = {
        "memmap": _on_disk(X, tmp_path),
        "dask": da.from_array(recorded, chunks=(256, -1)),
    }
    with h5py.File(tmp_path / "X.h5", "r") as file:
        sources["h5py"] = file["X"]
        fits = {name: AutoencoderTransformer(**{**FAST, **params}).fit(source) for name, source in sources.items()}
    for name, fitted in fits.items():
        assert fitted.n_features_in_ == 64 and fitted.n_iter_ == len(fitted.history_["loss"]) > 0
        np.testing.assert_allclose(fitted.history_["loss"], fits["memmap"].history_["loss"], rtol=1e-5, err_msg=name)
        np.testing.assert_allclose(fitted.transform(X), fits["memmap"].transform(X), rtol=1e-4, atol=1e-5, err_msg=name)
    if params.get("early_stopping"):
        assert len(fits["dask"].history_["val_loss"]) == fits["dask"].n_iter_
    # The check's pass, the blocks of training (and validation), never all rows at once.
    assert max(recorded.reads) <= 512 < len(X)


def test_block_shuffling_follows_random_state(digits, tmp_path, small_blocks):
    """Check that a streamed fit depends on random_state: the same seed repeats it, another changes it."""
    X, _ = digits
    on_disk = _on_disk(X, tmp_path)
    first, again, other = (
        AutoencoderTransformer(**{**FAST, "random_state": seed}).fit(on_disk).history_["loss"] for seed in (0, 0, 1)
    )
    assert first == again
    assert first != other


def test_a_streamed_fit_takes_weights_and_moves(digits, tmp_path, small_blocks):
    """Check that sample_weight and image moves work on streamed data, and weights of 0 leave those rows out."""
    X, _ = digits
    on_disk = _on_disk(X, tmp_path)
    weights = np.ones(len(X), dtype=np.float32)
    weights[::2] = 0
    weighted = AutoencoderTransformer(**FAST).fit(on_disk, sample_weight=weights)
    assert np.isfinite(weighted.history_["loss"]).all()
    moved = AutoencoderTransformer(**FAST, image_shape=(8, 8), max_shift=1).fit(on_disk)
    assert moved.transform(X).shape == (len(X), 8)


def test_a_streamed_fit_checks_its_input_and_changes_nothing(digits, tmp_path, small_blocks):
    """Check that NaN, unknown Dask chunks and wrong dimensions raise clear ValueErrors and leave the estimator unfitted."""
    X, _ = digits
    broken = X.astype(np.float64)
    broken[1000, 3] = np.nan
    on_disk = _on_disk(broken, tmp_path)
    before = np.array(on_disk)
    estimator = AutoencoderTransformer(**FAST)
    with pytest.raises(ValueError, match=r"NaN, infinity or a value too large for float32 \(in rows 512 to 1023\).*SimpleImputer"):
        estimator.fit(on_disk)
    assert not hasattr(estimator, "autoencoder_") and not hasattr(estimator, "n_features_in_")
    np.testing.assert_array_equal(np.asarray(on_disk), before)
    with pytest.raises(ValueError, match="NaN, infinity"):
        estimator.fit(da.from_array(broken, chunks=(256, -1)))
    unknown = da.from_array(X, chunks=(256, -1))
    unknown = unknown[unknown[:, 0] >= 0]
    with pytest.raises(ValueError, match="unknown chunk sizes.*compute_chunk_sizes"):
        estimator.fit(unknown)
    with pytest.raises(ValueError, match="2-dimensional"):
        estimator.fit(da.from_array(X.reshape(-1, 8, 8), chunks=256))
    with pytest.raises(ValueError, match="real numbers"):
        estimator.fit(da.from_array(X.astype(str), chunks=256))


def test_a_streamed_fit_warns_of_values_it_cannot_reconstruct(digits, tmp_path):
    """Check that the range warning of fit comes from the check's pass over streamed data too."""
    X, _ = digits
    with pytest.warns(UserWarning, match=r"values in \[0, 16\]"):
        AutoencoderTransformer(**FAST).fit(_on_disk(X * 16, tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        AutoencoderTransformer(**FAST).fit(_on_disk(X, tmp_path))


def test_the_outlier_detector_fits_on_streamed_data_as_in_memory(digits, tmp_path):
    """Check that AutoencoderOutlierDetector.fit of a memmap or a Dask array gives the in-memory offset_ and scores."""
    X, _ = digits
    params = dict(autoencoder=AutoencoderTransformer(**FAST), random_state=0)
    in_memory = AutoencoderOutlierDetector(**params).fit(X)
    for source in (_on_disk(X, tmp_path, np.float32), da.from_array(X, chunks=(512, -1))):
        streamed = AutoencoderOutlierDetector(**params).fit(source)
        assert streamed.offset_ == pytest.approx(in_memory.offset_, rel=1e-5)
        np.testing.assert_allclose(streamed.score_samples(X), in_memory.score_samples(X), rtol=1e-4)

"""Predicting for data not in memory: arrays on disk in blocks of rows, Dask arrays block by block."""

import numpy as np
import pytest

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae import _blocks

from .conftest import FAST

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return AutoencoderTransformer(**FAST).fit(X)


def _methods(estimator, X):
    codes = estimator.transform(X)
    return {
        "transform": codes,
        "inverse_transform": estimator.inverse_transform(codes),
        "score_samples": estimator.score_samples(X),
    }


def test_an_array_on_disk_is_read_in_blocks_and_gives_the_in_memory_outputs(fitted, digits, tmp_path, monkeypatch):
    """Check that a memmap (float64 on disk) is converted block by block, with outputs bit-identical to in memory."""
    X, _ = digits
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float64))
    on_disk = np.load(path, mmap_mode="r")
    monkeypatch.setattr(_blocks, "_DISK_ROWS", 500)
    seen = []
    encode = fitted._encode
    monkeypatch.setattr(fitted, "_encode", lambda block: seen.append(len(block)) or encode(block))
    expected = _methods(fitted, X)
    seen.clear()
    for name, output in _methods(fitted, on_disk).items():
        assert isinstance(output, np.ndarray) and not isinstance(output, np.memmap)
        np.testing.assert_array_equal(output, expected[name], err_msg=name)
    assert seen[:4] == [500, 500, 500, 297]  # transform's blocks (score_samples encodes in its own)


@pytest.mark.parametrize("chunks", [(400, -1), (400, 16)], ids=["rows", "rows and columns"])
def test_a_dask_array_gives_a_dask_array_of_the_in_memory_outputs(fitted, digits, chunks):
    """Check that transform, inverse_transform and score_samples of a Dask array are lazy Dask arrays, equal to NumPy's."""
    X, _ = digits
    expected = _methods(fitted, X)
    lazy = da.from_array(X, chunks=chunks)
    codes = fitted.transform(lazy)
    outputs = {
        "transform": codes,
        "inverse_transform": fitted.inverse_transform(codes),
        "score_samples": fitted.score_samples(lazy),
    }
    for name, output in outputs.items():
        assert isinstance(output, da.Array), name
        assert output.shape == expected[name].shape and output.dtype == expected[name].dtype, name
        np.testing.assert_array_equal(output.compute(), expected[name], err_msg=name)


def test_dask_arrays_of_unknown_chunk_sizes(fitted, digits):
    """Check that unknown row chunks work when the columns are one chunk, and are a clear error otherwise."""
    X, _ = digits
    unknown = da.from_array(X, chunks=(400, -1))
    unknown = unknown[unknown[:, 0] >= 0]  # every row, but Dask cannot know it
    assert np.isnan(unknown.shape[0])
    np.testing.assert_array_equal(fitted.transform(unknown).compute(), fitted.transform(X))
    split = da.from_array(X, chunks=(400, 16))
    split = split[split[:, 0] >= 0]
    with pytest.raises(ValueError, match=r"unknown chunk sizes.*compute_chunk_sizes\(\)"):
        fitted.transform(split)


@pytest.mark.parametrize(
    "shape, message",
    [((100, 5), r"5 columns where 64 are expected"), ((100, 8, 8), r"2-dimensional.*reshape")],
)
def test_a_dask_array_of_the_wrong_shape_is_a_clear_error_before_any_computation(fitted, shape, message):
    """Check that a Dask array of the wrong shape fails at once, not when computed."""
    with pytest.raises(ValueError, match=message):
        fitted.transform(da.zeros(shape, chunks=50, dtype=np.float32))


def test_outlier_detector_scores_dask_arrays_and_arrays_on_disk(digits, tmp_path, monkeypatch):
    """Check that the detector's scores, decisions and labels of a Dask array are lazy, and of a memmap read in blocks."""
    X, _ = digits
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(**FAST)).fit(X)
    expected = {name: getattr(detector, name)(X) for name in ("score_samples", "decision_function", "predict")}
    lazy = da.from_array(X, chunks=(400, -1))
    np.save(tmp_path / "X.npy", X)
    monkeypatch.setattr(_blocks, "_DISK_ROWS", 500)
    for name, output in expected.items():
        on_dask = getattr(detector, name)(lazy)
        assert isinstance(on_dask, da.Array), name
        np.testing.assert_array_equal(on_dask.compute(), output, err_msg=name)
        on_disk = getattr(detector, name)(np.load(tmp_path / "X.npy", mmap_mode="r"))
        np.testing.assert_array_equal(on_disk, output, err_msg=name)

"""Predicting for data that does not sit in memory: Dask arrays and arrays on disk."""

import numpy as np

# Rows read and converted at a time from an array on disk: 16384 rows of
# MNIST are 51 MB as float32.
_DISK_ROWS = 16384


def _is_dask_array(X):
    return type(X).__module__.startswith("dask.array")


def _is_on_disk(X):
    """Whether ``X`` is read from a file when sliced: a NumPy memmap, an h5py or zarr array."""
    return isinstance(X, np.memmap) or type(X).__module__.split(".")[0] in ("h5py", "zarr")


def by_row_blocks(X, function, n_columns, n_features):
    """``function(X)``, computed block of rows by block of rows where ``X`` is not in memory.

    ``function`` maps a block of rows to one output row per row: of
    ``n_columns`` columns, or one value per row for ``n_columns=None``.
    A Dask array gives a Dask array of the outputs, computed block by
    block where the blocks are (``map_blocks``); its columns must be one
    chunk (they are rechunked to one where the row chunks are known). An
    array on disk is read ``_DISK_ROWS`` rows at a time, so that neither
    it nor its float32 conversion is ever whole in memory; the output is a
    NumPy array. Anything else is passed to ``function`` whole.
    """
    if _is_dask_array(X):
        return _map_blocks(X, function, n_columns, n_features)
    if not _is_on_disk(X) or len(X.shape) != 2 or X.shape[0] <= _DISK_ROWS:
        return function(X)
    outputs = [function(X[start : start + _DISK_ROWS]) for start in range(0, X.shape[0], _DISK_ROWS)]
    return np.concatenate(outputs)


def _map_blocks(X, function, n_columns, n_features):
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-dimensional Dask array of shape (n_samples, n_features), "
            f"got {X.ndim} dimensions. Reshape it with X.reshape(len(X), -1)."
        )
    if X.shape[1] != n_features:
        raise ValueError(
            f"X is a Dask array of {X.shape[1]} columns where {n_features} are "
            f"expected. Pass data with the columns the estimator was fitted on."
        )
    if X.numblocks[1] > 1:
        if np.isnan(X.shape[0]):
            raise ValueError(
                "X is a Dask array with unknown chunk sizes, split over its columns. "
                "Call X.compute_chunk_sizes() first, or build it with known lengths "
                "(e.g. dask_dataframe.to_dask_array(lengths=True))."
            )
        X = X.rechunk({1: -1})
    if n_columns is None:
        return X.map_blocks(function, drop_axis=1, dtype=np.float64, meta=np.empty((0,), np.float64))
    return X.map_blocks(
        function,
        chunks=(X.chunks[0], (n_columns,)),
        dtype=np.float32,
        meta=np.empty((0, 0), np.float32),
    )

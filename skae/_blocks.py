"""Data that does not sit in memory, Dask arrays and arrays on disk: checked, read and predicted in blocks of rows."""

import numpy as np
from sklearn.utils.validation import _check_feature_names, _check_n_features

# Rows read and converted at a time from an array on disk: 16384 rows of
# MNIST are 51 MB as float32.
_DISK_ROWS = 16384


def _is_dask_array(X):
    return type(X).__module__.startswith("dask.array")


def _is_on_disk(X):
    """Whether ``X`` is read from a file when sliced: a NumPy memmap, an h5py or zarr array."""
    return isinstance(X, np.memmap) or type(X).__module__.split(".")[0] in ("h5py", "zarr")


def is_streamed(X):
    """Whether ``fit`` reads ``X`` block by block instead of converting it whole."""
    return _is_dask_array(X) or (_is_on_disk(X) and len(X.shape) == 2)


def read_rows(X, rows):
    """The rows ``rows`` (sorted) of ``X`` as a float32 NumPy array.

    Read one span of at most ``_DISK_ROWS`` rows of ``X`` at a time, from
    which the wanted rows are taken: a slice of a memmap reads only the
    pages of those rows, of an h5py or zarr array the span, of a Dask
    array its chunks. Memory stays of the order of the rows returned.
    """
    parts = []
    for bucket in np.split(rows, np.flatnonzero(np.diff(rows // _DISK_ROWS)) + 1):
        start = int(bucket[0])
        span = X[start : int(bucket[-1]) + 1]
        parts.append(np.asarray(span[bucket - start], dtype=np.float32))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def checked_streamed(estimator, X):
    """Check ``X`` for ``fit`` as ``validate_data`` would, without holding it in memory.

    :func:`check_streamed_shape`, then one pass over the blocks of ``X``
    that checks its values finite; returns the smallest and largest.
    """
    check_streamed_shape(estimator, X)
    return _finite_range(X)


def check_streamed_shape(estimator, X):
    """Check the shape and dtype of ``X`` for ``fit``, reading none of its values.

    Sets ``n_features_in_`` (and removes ``feature_names_in_``).
    """
    if np.isnan(X.shape[0]):
        raise ValueError(
            "X is a Dask array with unknown chunk sizes. Call X.compute_chunk_sizes() "
            "first, or build it with known lengths (e.g. "
            "dask_dataframe.to_dask_array(lengths=True))."
        )
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-dimensional array of shape (n_samples, n_features), got "
            f"{X.ndim} dimensions. Reshape it with X.reshape(len(X), -1)."
        )
    if not (np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.bool_)) or np.issubdtype(
        X.dtype, np.complexfloating
    ):
        raise ValueError(
            f"X holds values of type {X.dtype}, where real numbers are expected. "
            "Convert it to float32 first."
        )
    n_samples, n_features = X.shape
    if n_samples < 1 or n_features < 1:
        raise ValueError(
            f"Found array with {n_samples} sample(s) and {n_features} feature(s) "
            "while a minimum of 1 of each is required."
        )
    _check_feature_names(estimator, X, reset=True)
    _check_n_features(estimator, X, reset=True)


def _finite_range(X):
    if _is_dask_array(X):
        import dask
        import dask.array as da

        with np.errstate(over="ignore"):
            X = X.astype(np.float32)
            finite, low, high = dask.compute(da.isfinite(X).all(), X.min(), X.max())
        if not finite:
            raise ValueError(_NOT_FINITE % "")
        return float(low), float(high)
    low, high = np.inf, -np.inf
    for start in range(0, X.shape[0], _DISK_ROWS):
        # As float32, as it is trained on: a value beyond its range is infinite.
        with np.errstate(over="ignore"):
            block = np.asarray(X[start : start + _DISK_ROWS], dtype=np.float32)
        if not np.isfinite(block).all():
            raise ValueError(_NOT_FINITE % f" (in rows {start} to {start + len(block) - 1})")
        low, high = min(low, block.min()), max(high, block.max())
    return float(low), float(high)


_NOT_FINITE = (
    "Input X contains NaN, infinity or a value too large for float32%s. Drop the "
    "samples with NaN or fill them in first (e.g. sklearn.impute.SimpleImputer), "
    "replace infinite values (np.clip or np.nan_to_num), and rescale values beyond "
    "float32's range (about 3.4e38)."
)


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

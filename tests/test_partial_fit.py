"""AutoencoderTransformer.partial_fit: training on data that comes in parts."""

import numpy as np
import pytest

from skae import AutoencoderTransformer, TrainingDivergedError

PARTIAL = dict(encoding_dim=4, batch_size=64, random_state=0)


def _halves(X):
    return X[: len(X) // 2], X[len(X) // 2 :]


def test_passes_continue_training_with_the_optimizers_state(digits):
    """Check that each call is one pass over its part, continuing the weights and the optimizer's step count."""
    X, _ = digits
    before = X.copy()
    estimator = AutoencoderTransformer(**PARTIAL)
    first, second = _halves(X)
    estimator.partial_fit(first)
    steps = int(estimator.autoencoder_.optimizer.iterations.numpy())
    assert steps == -(-len(first) // 64)
    for _ in range(4):
        estimator.partial_fit(first).partial_fit(second)
    assert int(estimator.autoencoder_.optimizer.iterations.numpy()) == 5 * steps + 4 * -(-len(second) // 64)
    assert estimator.n_iter_ == 9 and len(estimator.history_["loss"]) == 9
    assert estimator.history_["loss"][-2] < estimator.history_["loss"][0]
    assert estimator.transform(X).shape == (len(X), 4)
    np.testing.assert_array_equal(X, before)


def test_the_same_parts_and_random_state_give_the_same_model(digits):
    """Check that partial fits depend on random_state alone, in this process as in a fresh estimator."""
    X, _ = digits
    codes = []
    for _ in range(2):
        estimator = AutoencoderTransformer(**PARTIAL)
        for part in _halves(X) * 2:
            estimator.partial_fit(part)
        codes.append(estimator.transform(X))
    np.testing.assert_array_equal(codes[0], codes[1])
    other = AutoencoderTransformer(**{**PARTIAL, "random_state": 1}).partial_fit(X)
    assert not np.array_equal(other.transform(X), codes[0])


def test_partial_fit_after_fit_continues_from_the_fitted_weights(digits):
    """Check that partial_fit after fit trains the fitted network further, not a new one."""
    X, _ = digits
    fitted = AutoencoderTransformer(**PARTIAL, epochs=3).fit(X)
    loss = -fitted.score(X)
    fitted.partial_fit(X)
    assert fitted.n_iter_ == 4
    assert -fitted.score(X) < loss


def test_a_part_of_the_wrong_width_is_an_error_that_keeps_the_model(digits):
    """Check that a part with other features raises ValueError and leaves the trained model as it was."""
    X, _ = digits
    estimator = AutoencoderTransformer(**PARTIAL).partial_fit(X)
    codes = estimator.transform(X)
    with pytest.raises(ValueError, match="features"):
        estimator.partial_fit(X[:, :10])
    np.testing.assert_array_equal(estimator.transform(X), codes)


def test_a_diverging_pass_raises_and_leaves_the_estimator_unfitted(digits):
    """Check that a NaN loss in partial_fit raises TrainingDivergedError naming the fix, and unfits."""
    from sklearn.exceptions import NotFittedError

    X, _ = digits
    estimator = AutoencoderTransformer(
        **PARTIAL, optimizer="sgd", learning_rate=1e30, loss="mse", output_activation="linear"
    )
    with pytest.raises(TrainingDivergedError, match="Lower learning_rate"):
        estimator.partial_fit(X * 100)
    with pytest.raises(NotFittedError):
        estimator.transform(X)


def test_dask_ml_incremental_trains_on_the_blocks(digits):
    """Check that dask-ml's Incremental fits the transformer with one partial_fit per block of a Dask array."""
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, _ = digits
    blocks = da.from_array(X, chunks=(600, -1))
    incremental = wrappers.Incremental(AutoencoderTransformer(**PARTIAL), shuffle_blocks=False).fit(blocks)
    fitted = incremental.estimator_
    assert fitted.n_iter_ == blocks.numblocks[0] == 3
    by_hand = AutoencoderTransformer(**PARTIAL)
    for start in range(0, len(X), 600):
        by_hand.partial_fit(X[start : start + 600])
    np.testing.assert_array_equal(fitted.transform(X), by_hand.transform(X))


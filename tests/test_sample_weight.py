"""sample_weight in AutoencoderTransformer.fit and partial_fit, and its routing through Pipelines."""

import numpy as np
import pytest
import sklearn
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer

# One batch a step and plain SGD: a step's gradient is the weighted sum of
# the samples' gradients over the batch's rows, exactly comparable.
SGD = dict(
    encoding_dim=4, epochs=3, early_stopping=False, optimizer="sgd", learning_rate=0.5, random_state=0
)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_samples_of_weight_zero_do_not_count(digits, method):
    """Check that zero-weight samples leave the fit of the others as it is, up to Keras' division by the batch's rows."""
    X, _ = digits
    X = X[:300]
    weights = np.zeros(len(X))
    weights[:100] = 1.0
    before = weights.copy()
    weighted = AutoencoderTransformer(**SGD, batch_size=300)
    # Keras divides a batch's weighted loss by its 300 rows, not by the 100 that
    # count: the same steps as training on the 100 with a third of the rate.
    alone = AutoencoderTransformer(**{**SGD, "learning_rate": 0.5 / 3}, batch_size=100)
    for _ in range(3 if method == "partial_fit" else 1):
        getattr(weighted, method)(X, sample_weight=weights)
        getattr(alone, method)(X[:100])
    np.testing.assert_allclose(weighted.transform(X), alone.transform(X), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(weights, before)


def test_weights_of_one_give_the_unweighted_fit(digits):
    """Check that all weights 1 train as no weights (Keras' loop either way), with validation and early stopping."""
    X, _ = digits
    params = dict(encoding_dim=4, epochs=4, batch_size=128, jit_compile=False, random_state=0)
    weighted = AutoencoderTransformer(**params).fit(X, sample_weight=np.ones(len(X)))
    plain = AutoencoderTransformer(**params).fit(X)
    # The weighted loss sums where the plain one averages: the last bits round
    # differently, and training carries that on (0.1 % after 4 epochs).
    assert len(weighted.history_["val_loss"]) == 4
    np.testing.assert_allclose(weighted.history_["val_loss"][0], plain.history_["val_loss"][0], rtol=1e-5)
    np.testing.assert_allclose(weighted.history_["val_loss"], plain.history_["val_loss"], rtol=1e-2)


def test_weights_reach_the_autoencoder_in_a_pipeline(digits):
    """Check both ways of passing sample_weight to a Pipeline's autoencoder: by step name, and by metadata routing."""
    X, _ = digits
    weights = np.zeros(len(X))
    weights[: len(X) // 2] = 1.0
    params = dict(encoding_dim=4, epochs=2, batch_size=128, random_state=0)
    alone = AutoencoderTransformer(**params).fit(X, sample_weight=weights)
    by_name = make_pipeline(MinMaxScaler(), AutoencoderTransformer(**params))
    by_name.fit(X, autoencodertransformer__sample_weight=weights)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = make_pipeline(
            MinMaxScaler(), AutoencoderTransformer(**params).set_fit_request(sample_weight=True)
        ).fit(X, sample_weight=weights)
    # The digits are in [0, 1] already: MinMaxScaler changes them by rounding at most.
    for pipeline in (by_name, routed):
        np.testing.assert_allclose(pipeline.transform(X), alone.transform(X), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "weights, message",
    [
        (np.full(10, -1.0), "negative"),
        (np.zeros(10), "(0 for every sample|non-zero)"),
        (np.ones(3), r"(shape|3)"),
    ],
    ids=["negative", "all zero", "wrong length"],
)
def test_bad_sample_weight_is_a_clear_error(weights, message):
    """Check that negative, all-zero or misshapen weights raise ValueError before training."""
    X = np.random.default_rng(0).uniform(size=(10, 5)).astype(np.float32)
    with pytest.raises(ValueError, match=message):
        AutoencoderTransformer(2, epochs=1).fit(X, sample_weight=weights)

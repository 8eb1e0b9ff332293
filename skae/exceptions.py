"""The exceptions and warnings that skae raises."""

__all__ = ["TrainingDivergedError"]


class TrainingDivergedError(ValueError):
    """Raised by ``fit`` when the loss becomes NaN or infinite.

    Training stops at the first batch whose loss is not finite and the
    estimator is left unfitted. The message names the epoch and the usual
    fixes: a lower ``learning_rate``, or data scaled to a small range.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoencoderTransformer, TrainingDivergedError
    >>> X = np.full((20, 3), 1e20)  # squared errors overflow float32
    >>> ae = AutoencoderTransformer(2, output_activation="linear", loss="mse")
    >>> try:
    ...     ae.fit(X)
    ... except TrainingDivergedError as exc:
    ...     print(str(exc).split(";")[0])
    The training loss became inf in epoch 1, batch 1
    >>> hasattr(ae, "n_features_in_")
    False
    """

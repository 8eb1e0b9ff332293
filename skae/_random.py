"""Seeds for the libraries skae drives (Keras, KMeans), drawn from an estimator's random_state."""

# Largest seed drawn: numpy.random.RandomState.randint's default int32 range.
_SEED_MAX = 2**31 - 1


def draw_seed(rng):
    """A seed in ``[0, _SEED_MAX)`` drawn from ``rng``, a ``numpy.random.RandomState``."""
    return int(rng.randint(_SEED_MAX))

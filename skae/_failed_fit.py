"""Leaving an estimator unfitted when its fit fails."""


def forget_fit(estimator):
    """Delete every fitted attribute, so a failed fit leaves `estimator` unfitted."""
    for name in [name for name in vars(estimator) if name.endswith("_") and not name.startswith("__")]:
        delattr(estimator, name)

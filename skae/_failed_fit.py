"""Leaving an estimator unfitted when its fit fails."""

import functools


def forget_fit(estimator):
    """Delete every fitted attribute, so a failed fit leaves `estimator` unfitted."""
    for name in [name for name in vars(estimator) if name.endswith("_") and not name.startswith("__")]:
        delattr(estimator, name)


def unfitted_on_failure(fit):
    """Decorate ``fit`` so that any exception leaves the estimator unfitted.

    Whatever ``fit`` raises (an invalid parameter, bad data, a diverging loss,
    Ctrl-C), the fitted attributes of an earlier fit are deleted too, so that
    ``predict`` and ``transform`` raise ``NotFittedError`` instead of mixing
    old state with new parameters. Put it above ``@_fit_context``, whose
    parameter validation then counts as part of the fit.
    """

    @functools.wraps(fit)
    def fit_or_forget(self, *args, **kwargs):
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            forget_fit(self)
            raise

    return fit_or_forget

"""Input checks whose errors say what is wrong and how to fix it.

scikit-learn's ``check_array`` names most problems well but not always the
fix, and a few of its messages (complex data) print the whole array. The
helpers here add the missing fix to those messages and check the inputs of
the metrics, which ``column_or_1d`` alone lets through (NaN labels, labels
mixing strings and numbers).
"""

import contextlib
import inspect
import re

import numpy as np
from sklearn.utils.validation import column_or_1d

# column_or_1d names the input in its errors from scikit-learn 1.8 on.
_NAMES_ITS_INPUT = "input_name" in inspect.signature(column_or_1d).parameters

# scikit-learn message (regex) -> the fix to append to it.
_FIXES = [
    (
        r"Found array with dim [3-9]",
        "Flatten each sample into one row first, e.g. X.reshape(len(X), -1) "
        "for images.",
    ),
    (
        r"contains infinity or a value too large",
        "Replace or drop the infinite values, e.g. with np.clip or "
        "np.nan_to_num; values beyond the dtype's range count as infinite too "
        "(float32: about 3.4e38), so rescale such data first.",
    ),
    (
        r"could not convert string to float|must be a string or a (real )?number",
        "The data must be numeric: encode string or categorical columns first, "
        "e.g. with OneHotEncoder or OrdinalEncoder in a ColumnTransformer.",
    ),
    (r"Found array with 0 sample", "Pass at least one sample."),
    (
        # scikit-learn >= 1.3 follows "Input X contains NaN." with its own
        # advice on estimators that accept NaN when an estimator is named.
        r"contains NaN\.",
        "Drop the samples with NaN or fill them in first (e.g. "
        "sklearn.impute.SimpleImputer in a Pipeline).",
    ),
    (
        r"X has \d+ features, but",
        "Pass data with the columns the estimator was fitted on.",
    ),
    (
        r"should be a 1d array",
        "Pass one value per sample as a 1-D array (e.g. y.ravel() for a "
        "single column).",
    ),
    (
        r"inconsistent numbers of samples",
        "Pass one label per sample: all inputs need the same number of rows.",
    ),
    (r"Found array with 0 feature", "Pass at least one feature column."),
]

_COMPLEX = (
    "Complex data not supported: {name} holds complex numbers. Pass the real "
    "part ({name}.real), or np.hstack([{name}.real, {name}.imag]) to keep both "
    "parts as separate features."
)


@contextlib.contextmanager
def explained_errors(name="X"):
    """Re-raise scikit-learn's input ``ValueError`` with the fix added after the problem.

    Messages without a known fix pass through unchanged, and so does every
    other exception (``TypeError`` for sparse input already names its fix).
    """
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        if message.startswith("Complex data not supported"):
            raise ValueError(_COMPLEX.format(name=name)) from None
        for pattern, fix in _FIXES:
            if re.search(pattern, message):
                # Right after the problem (the first line), ahead of any
                # general advice scikit-learn adds below it.
                problem, newline, advice = message.partition("\n")
                raise ValueError(f"{problem} {fix}{newline}{advice}") from None
        raise


def check_labels(values, name):
    """1-D array of labels or cluster ids, refusing NaN, infinity and mixed types.

    Parameters
    ----------
    values : array-like of shape (n_samples,)
        Labels.

    name : str
        How the error messages call `values`, e.g. ``"y_true"``.

    Returns
    -------
    values : ndarray of shape (n_samples,)
    """
    if np.iscomplexobj(values):
        raise ValueError(
            f"{name} holds complex numbers; labels and cluster ids must be "
            "integers or strings."
        )
    given = values
    typed = getattr(given, "dtype", None) is not None and given.dtype.kind != "O"
    with explained_errors(name):
        values = column_or_1d(given, **({"input_name": name} if _NAMES_ITS_INPUT else {}))
    kind = values.dtype.kind
    if kind == "f" and not np.isfinite(values).all():
        raise ValueError(
            f"{name} contains NaN or infinity, which is not a label. Drop the "
            "unlabelled samples, or give them a label of their own."
        )
    if not typed:
        # NumPy turns [0, "a"] into strings; look at the values as given.
        types = {type(value) for value in np.asarray(given, dtype=object).ravel()}
        strings = {t for t in types if issubclass(t, str)}
        if None.__class__ in types or (strings and types - strings):
            names = ", ".join(sorted(t.__name__ for t in types))
            raise ValueError(
                f"{name} mixes value types ({names}); labels and cluster ids "
                "must be all numbers or all strings, without None. Convert "
                f"them, e.g. np.asarray({name}, dtype=str)."
            )
    return values


_UNIT_INTERVAL_ACTIVATIONS = {"sigmoid", "hard_sigmoid", "softmax"}
_SYMMETRIC_ACTIVATIONS = {"tanh", "softsign", "hard_tanh"}
_NON_NEGATIVE_ACTIVATIONS = {"relu", "relu6", "softplus", "exponential"}
_BINARY_CROSSENTROPY = {"binary_crossentropy", "bce", "binarycrossentropy"}


def _name(identifier):
    if isinstance(identifier, str):
        name = identifier
    else:
        name = getattr(identifier, "__name__", None) or getattr(
            identifier, "name", None
        ) or type(identifier).__name__
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def reconstructible_range(output_activation, loss):
    """Interval the data must lie in for the model to be able to reconstruct it.

    Binary cross-entropy only makes sense for targets in [0, 1], whatever the
    output activation; bounded output activations can only produce values in
    their range, whatever the loss.

    Returns
    -------
    low, high : float
        The bounds, ``-inf`` and ``inf`` when anything goes.

    reason : str or None
        Why, for the warning; ``None`` when anything goes.
    """
    low, high, reasons = -np.inf, np.inf, []
    loss_name, activation_name = _name(loss), _name(output_activation)
    shown = getattr(output_activation, "__name__", output_activation)
    if loss_name in {_name(n) for n in _BINARY_CROSSENTROPY}:
        low, high = 0.0, 1.0
        reasons.append("binary cross-entropy needs targets in [0, 1]")
    if activation_name in {_name(n) for n in _UNIT_INTERVAL_ACTIVATIONS}:
        low, high = max(low, 0.0), min(high, 1.0)
        reasons.append(f"the {shown} output can only give [0, 1]")
    elif activation_name in {_name(n) for n in _SYMMETRIC_ACTIVATIONS}:
        low, high = max(low, -1.0), min(high, 1.0)
        reasons.append(f"the {shown} output can only give [-1, 1]")
    elif activation_name in {_name(n) for n in _NON_NEGATIVE_ACTIVATIONS}:
        low = max(low, 0.0)
        reasons.append(f"the {shown} output cannot be negative")
    return low, high, " and ".join(reasons) or None

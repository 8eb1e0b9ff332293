"""Bad inputs for every public estimator and function, each with its error.

``CASES`` is the table: what is called, with what, the exception, a pattern
for the problem and one for the fix that the message must contain.
``ACCEPTED`` lists inputs that look odd but are deliberately accepted.
``python -m tests.test_bad_input`` rewrites ``docs/errors.md`` from both,
with the messages the code gives now; a test checks that it is up to date.
"""

import os
import re
import sys
import warnings
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans

from skae import AutoencoderTransformer, DeepEmbeddedClustering, MajorityVoteClassifier
from skae.metrics import (
    hungarian_accuracy_score,
    hungarian_scorer,
    majority_vote_accuracy_score,
    majority_vote_confusion_matrix,
    majority_vote_mapping,
    majority_vote_scorer,
)

DOC = os.path.join(os.path.dirname(__file__), "..", "docs", "errors.md")
N_FEATURES, ENCODING_DIM = 6, 2


class Case(NamedTuple):
    id: str
    target: str
    given: str
    call: Callable  # f(fitted) -> triggers the error
    error: type
    problem: str  # regex
    fix: str  # regex


def _X(n=40):
    return np.random.RandomState(0).rand(n, N_FEATURES)


def _y(n=40):
    return np.arange(n) % 2


def _with(value, where=(0, 0), X=None):
    X = _X() if X is None else X.copy()
    X[where] = value
    return X


def _ae(**params):
    return AutoencoderTransformer(**{"encoding_dim": ENCODING_DIM, "epochs": 1, "random_state": 0, **params})


def _dec(**params):
    return DeepEmbeddedClustering(_ae(), **{"n_clusters": 2, "max_iter": 2, "n_init": 1, "random_state": 0, **params})


def _fitted():
    """The fitted estimators the transform/predict cases use."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "ae": _ae(batch_size=64).fit(_X()),
            "mvc": MajorityVoteClassifier(KMeans(2, n_init=1, random_state=0)).fit(_X(), _y()),
        }


_PARAMETER = r"parameter of {} must be"
_NAN_FIX = r"Drop the samples with NaN or fill them in first"
_NOT_FITTED = (r"is not fitted yet", r"Call 'fit'")

# Inputs that each estimator method refuses, as (id, given, X, error, problem, fix).
_ARRAYS = [
    # The fixes are skae's words (skae/_validation.py), never scikit-learn's own
    # advice, so that a fix that stops being added fails its case.
    ("nan", "X with a NaN", lambda: _with(np.nan), ValueError, r"contains NaN", _NAN_FIX),
    ("posinf", "X with +inf", lambda: _with(np.inf), ValueError, r"contains infinity", r"np\.clip|nan_to_num"),
    ("neginf", "X with -inf", lambda: _with(-np.inf), ValueError, r"contains infinity", r"np\.clip|nan_to_num"),
    (
        "float32-overflow",
        "X with 1e39 (beyond float32)",
        lambda: _with(1e39),
        ValueError,
        r"too large for dtype\('float32'\)",
        r"rescale",
    ),
    ("empty", "X of shape (0, n_features)", lambda: np.empty((0, N_FEATURES)), ValueError, r"0 sample", r"at least one sample"),
    ("1d", "1-D X", lambda: _X()[0], ValueError, r"Expected 2D array, got 1D", r"reshape"),
    ("3d", "3-D X (images)", lambda: _X(40).reshape(40, 3, 2), ValueError, r"dim 3", r"X\.reshape\(len\(X\), -1\)"),
    (
        "strings",
        "X with strings (object dtype)",
        lambda: np.array([["a"] * N_FEATURES] * 4, dtype=object),
        ValueError,
        r"could not convert string",
        r"OneHotEncoder",
    ),
    (
        "str-column",
        "DataFrame with a str column",
        lambda: pd.DataFrame(_X()).add_prefix("f").assign(colour="red"),
        ValueError,
        r"could not convert string|string or a (real )?number",
        r"OneHotEncoder",
    ),
    ("complex", "complex X", lambda: _X() + 1j, ValueError, r"complex numbers", r"X\.real"),
    ("sparse", "scipy.sparse X", lambda: sp.csr_matrix(_X()), TypeError, r"[Ss]parse data", r"toarray"),
]


def _array_cases():
    cases = []
    for id_, given, make, error, problem, fix in _ARRAYS:
        cases.append(Case(f"ae-fit-{id_}", "AutoencoderTransformer.fit", given, lambda f, m=make: _ae().fit(m()), error, problem, fix))
        if id_ not in ("empty", "float32-overflow", "str-column"):
            cases.append(
                Case(f"ae-transform-{id_}", "AutoencoderTransformer.transform", given, lambda f, m=make: f["ae"].transform(m()), error, problem, fix)
            )
        if id_ not in ("empty", "str-column"):
            cases.append(
                Case(f"dec-fit-{id_}", "DeepEmbeddedClustering.fit", given, lambda f, m=make: _dec().fit(m()), error, problem, fix)
            )
        if id_ == "float32-overflow":
            continue  # MajorityVoteClassifier works in float64
        cases.append(
            Case(f"mvc-fit-{id_}", "MajorityVoteClassifier.fit", given, lambda f, m=make: MajorityVoteClassifier().fit(m(), _y(m().shape[0] if np.ndim(m()) else 1)), error, problem, fix)
        )
    return cases


def _memmap(X):
    """``X`` as an ``np.memmap`` of a new temporary ``.npy`` file."""
    import tempfile

    path = os.path.join(tempfile.mkdtemp(), "X.npy")
    np.save(path, X)
    return np.load(path, mmap_mode="r")


def _dask(X, unknown_chunks=False):
    import dask.array as da

    X = da.from_array(X, chunks=(10,) + X.shape[1:])
    return X[X[:, 0] > -1] if unknown_chunks else X


def _streamed_cases():
    """Arrays that ``fit`` reads block by block (on disk, Dask), checked without converting them whole."""
    streamed = [
        ("memmap-nan", "np.memmap X with a NaN", lambda: _memmap(_with(np.nan)), r"contains NaN, infinity.*\(in rows 0 to 39\)", r"SimpleImputer"),
        ("memmap-1e39", "np.memmap X with 1e39 (beyond float32)", lambda: _memmap(_with(1e39)), r"too large for float32", r"rescale"),
        ("dask-inf", "Dask array X with +inf", lambda: _dask(_with(np.inf)), r"contains NaN, infinity", r"np\.clip"),
        ("dask-unknown-chunks", "Dask array X of unknown chunk sizes", lambda: _dask(_X(), True), r"unknown chunk sizes", r"compute_chunk_sizes"),
        ("dask-3d", "3-D Dask array X", lambda: _dask(_X(40).reshape(40, 3, 2)), r"got 3 dimensions", r"X\.reshape\(len\(X\), -1\)"),
        ("memmap-strings", "np.memmap X of strings", lambda: _memmap(_X().astype(str)), r"values of type <U", r"float32"),
    ]
    return [
        Case(f"ae-fit-{id_}", "AutoencoderTransformer.fit", given, lambda f, m=make: _ae().fit(m()), ValueError, problem, fix)
        for id_, given, make, problem, fix in streamed
    ]


def _parameter_cases():
    ae = "AutoencoderTransformer"
    bad = [
        ("encoding_dim", 0), ("encoding_dim", -3), ("encoding_dim", 2.5),
        ("epochs", 0), ("batch_size", 0), ("batch_size", -32), ("n_iter_no_change", 0),
        ("learning_rate", 0.0), ("learning_rate", -0.1), ("validation_fraction", 0.0),
        ("validation_fraction", 1.0), ("early_stopping", "yes"), ("verbose", -1),
        ("random_state", "seed"), ("hidden_layer_sizes", "abc"),
    ]
    cases = [
        Case(
            f"ae-param-{name}={value!r}",
            f"{ae}.fit",
            f"{name}={value!r}",
            lambda f, n=name, v=value: _ae(**{n: v}).fit(_X()),
            ValueError,
            rf"'{name}' {_PARAMETER.format(ae)}",
            r"must be (an?|the) ",
        )
        for name, value in bad
    ]
    cases += [
        Case(
            f"ae-param-hidden_layer_sizes={value!r}",
            f"{ae}.fit",
            f"hidden_layer_sizes={value!r}",
            lambda f, v=value: _ae(hidden_layer_sizes=v).fit(_X()),
            ValueError,
            r"hidden_layer_sizes must hold positive integers",
            r"Use e\.g\. \(500, 500, 2000\), or \(\)",
        )
        for value in [(8, 0), (8, -1), (2.5,)]
    ]
    cases += [
        Case(
            f"ae-param-{name}={value!r}",
            f"{ae}.fit",
            f"{name}={value!r} (unknown string)",
            lambda f, n=name, v=value: _ae(**{n: v}).fit(_X()),
            ValueError,
            rf"{name}='{value}' is not something Keras knows",
            r"Pass a Keras name",
        )
        for name, value in [
            ("activation", "rleu"),
            ("encoding_activation", "lin"),
            ("output_activation", "sigmod"),
            ("loss", "mse2"),
            ("optimizer", "adamm"),
        ]
    ]
    cases.append(
        Case(
            "mvc-param-estimator",
            "MajorityVoteClassifier.fit",
            "estimator='kmeans' (no fit/predict)",
            lambda f: MajorityVoteClassifier("kmeans").fit(_X(), _y()),
            ValueError,
            r"'estimator' parameter of MajorityVoteClassifier",
            r"must be an object implementing 'fit' and 'predict'",
        )
    )
    return cases


def _estimator_cases():
    ae, mvc = "AutoencoderTransformer", "MajorityVoteClassifier"
    return [
        Case("ae-fit-1-sample", f"{ae}.fit", "1 sample (early stopping on)", lambda f: _ae().fit(_X(1)), ValueError, r"n_samples=1", r"early_stopping=False"),
        Case(
            "ae-fit-validation-split",
            f"{ae}.fit",
            "3 samples, validation_fraction=0.9",
            lambda f: _ae(validation_fraction=0.9).fit(_X(3)),
            ValueError,
            r"leaves no training sample",
            r"early_stopping=False",
        ),
        Case("ae-fit-no-features", f"{ae}.fit", "X of shape (10, 0)", lambda f: _ae().fit(np.empty((10, 0))), ValueError, r"0 feature", r"at least one feature"),
        Case("ae-transform-unfitted", f"{ae}.transform", "before fit", lambda f: _ae().transform(_X()), ValueError, *_NOT_FITTED),
        Case(
            "ae-transform-features",
            f"{ae}.transform",
            "3 features, fitted on 6",
            lambda f: f["ae"].transform(_X()[:, :3]),
            ValueError,
            r"X has 3 features, but AutoencoderTransformer is expecting 6",
            r"columns the estimator was fitted on",
        ),
        Case(
            "ae-transform-names",
            f"{ae}.transform",
            "DataFrame with other column names than at fit",
            lambda f: _ae().fit(pd.DataFrame(_X()).add_prefix("a")).transform(pd.DataFrame(_X()).add_prefix("b")),
            ValueError,
            r"feature names should match",
            r"Feature names unseen at fit time",
        ),
        Case(
            "ae-inverse-size",
            f"{ae}.inverse_transform",
            "codes of size 5, encoding_dim=2",
            lambda f: f["ae"].inverse_transform(np.zeros((3, 5))),
            ValueError,
            r"expects codes with 2 features \(encoding_dim\), got 5",
            r"Pass the output of transform",
        ),
        Case("ae-inverse-nan", f"{ae}.inverse_transform", "codes with NaN", lambda f: f["ae"].inverse_transform(np.full((3, 2), np.nan)), ValueError, r"codes contains NaN", r"Drop the samples"),
        Case("ae-inverse-inf", f"{ae}.inverse_transform", "codes with inf", lambda f: f["ae"].inverse_transform(np.full((3, 2), np.inf)), ValueError, r"contains infinity", r"np\.clip"),
        Case("ae-inverse-1d", f"{ae}.inverse_transform", "1-D codes", lambda f: f["ae"].inverse_transform(np.zeros(2)), ValueError, r"Expected 2D array", r"reshape"),
        Case("ae-inverse-empty", f"{ae}.inverse_transform", "0 codes", lambda f: f["ae"].inverse_transform(np.zeros((0, 2))), ValueError, r"0 sample", r"at least one sample"),
        Case("ae-inverse-complex", f"{ae}.inverse_transform", "complex codes", lambda f: f["ae"].inverse_transform(np.zeros((3, 2)) + 1j), ValueError, r"codes holds complex", r"codes\.real"),
        Case("ae-inverse-sparse", f"{ae}.inverse_transform", "sparse codes", lambda f: f["ae"].inverse_transform(sp.csr_matrix(np.ones((3, 2)))), TypeError, r"[Ss]parse data", r"toarray"),
        Case("ae-inverse-unfitted", f"{ae}.inverse_transform", "before fit", lambda f: _ae().inverse_transform(np.zeros((3, 2))), ValueError, *_NOT_FITTED),
        Case(
            "ae-score-features",
            f"{ae}.score",
            "3 features, fitted on 6",
            lambda f: f["ae"].score(_X()[:, :3]),
            ValueError,
            r"X has 3 features",
            r"columns the estimator was fitted on",
        ),
        Case("ae-score-nan", f"{ae}.score", "X with a NaN", lambda f: f["ae"].score(_with(np.nan)), ValueError, r"contains NaN", _NAN_FIX),
        Case("ae-score-unfitted", f"{ae}.score", "before fit", lambda f: _ae().score(_X()), ValueError, *_NOT_FITTED),
        Case(
            "mvc-fit-y-length",
            f"{mvc}.fit",
            "y of the wrong length",
            lambda f: MajorityVoteClassifier().fit(_X(), _y(39)),
            ValueError,
            r"inconsistent numbers of samples",
            r"one label per sample",
        ),
        Case(
            "mvc-fit-one-class",
            f"{mvc}.fit",
            "y with one class",
            lambda f: MajorityVoteClassifier().fit(_X(), np.zeros(40)),
            ValueError,
            r"y has only 1 class",
            r"at least 2 classes",
        ),
        Case(
            "mvc-fit-continuous-y",
            f"{mvc}.fit",
            "continuous y",
            lambda f: MajorityVoteClassifier().fit(_X(), np.linspace(0, 1, 40)),
            ValueError,
            r"Unknown label type: continuous",
            r"expects discrete classes",
        ),
        Case("mvc-fit-nan-y", f"{mvc}.fit", "y with NaN", lambda f: MajorityVoteClassifier().fit(_X(), np.where(_y() > 0, np.nan, 0)), ValueError, r"y contains NaN", r"Drop the samples"),
        Case("mvc-fit-2d-y", f"{mvc}.fit", "2-D y", lambda f: MajorityVoteClassifier().fit(_X(), np.c_[_y(), _y()]), ValueError, r"1d array", r"y\.ravel\(\)"),
        Case(
            "mvc-predict-features",
            f"{mvc}.predict",
            "3 features, fitted on 6",
            lambda f: f["mvc"].predict(_X()[:, :3]),
            ValueError,
            r"X has 3 features",
            r"columns the estimator was fitted on",
        ),
        Case("mvc-predict-nan", f"{mvc}.predict", "X with a NaN", lambda f: f["mvc"].predict(_with(np.nan)), ValueError, r"contains NaN", _NAN_FIX),
        Case("mvc-predict-unfitted", f"{mvc}.predict", "before fit", lambda f: MajorityVoteClassifier().predict(_X()), ValueError, *_NOT_FITTED),
    ]


_METRICS = [majority_vote_accuracy_score, hungarian_accuracy_score, majority_vote_confusion_matrix, majority_vote_mapping]
_LABELS = [
    ("length", "y_true and y_pred of different lengths", ([0, 1, 1], [0, 1]), ValueError, r"inconsistent numbers of samples", r"one label per sample"),
    ("empty", "empty y_true and y_pred", ([], []), ValueError, r"empty", r"at least one labelled sample"),
    ("2d", "2-D labels", (np.zeros((3, 2)), np.zeros((3, 2))), ValueError, r"1d array", r"1-D array"),
    ("scalar", "scalar labels", (1, 1), ValueError, r"1d array", r"1-D array"),
    ("nan", "y_true with NaN", ([0.0, np.nan, 1.0], [0, 1, 1]), ValueError, r"y_true contains NaN", r"Drop the unlabelled samples"),
    ("inf-pred", "y_pred with inf", ([0, 1, 1], [0.0, np.inf, 1.0]), ValueError, r"y_pred contains NaN or infinity", r"Drop the unlabelled"),
    ("none", "y_true with None", ([0, None, 1], [0, 1, 1]), ValueError, r"y_true mixes value types \(NoneType, int\)", r"all numbers or all strings"),
    ("mixed", "y_true mixing str and int", ([0, "a", 1], [0, 1, 1]), ValueError, r"mixes value types \(int, str\)", r"dtype=str"),
    ("complex", "complex y_pred", ([0, 1, 1], [0j, 1j, 1]), ValueError, r"y_pred holds complex", r"integers or strings"),
    ("sparse", "sparse y_true", (sp.csr_matrix([[0, 1, 1]]), [0, 1, 1]), TypeError, r"[Ss]parse data", r"toarray"),
]


def _metric_cases():
    cases = [
        Case(f"{metric.__name__}-{id_}", f"skae.metrics.{metric.__name__}", given, lambda f, m=metric, a=args: m(*a), error, problem, fix)
        for metric in _METRICS
        for id_, given, args, error, problem, fix in _LABELS
    ]
    for name, scorer in [("majority_vote_scorer", majority_vote_scorer), ("hungarian_scorer", hungarian_scorer)]:
        cases += [
            Case(
                f"{name}-length",
                f"skae.metrics.{name}",
                "y of the wrong length",
                lambda f, s=scorer: s(f["mvc"].estimator_, _X(), _y(39)),
                ValueError,
                r"inconsistent numbers of samples",
                r"one label per sample",
            ),
            Case(
                f"{name}-nan",
                f"skae.metrics.{name}",
                "y with NaN",
                lambda f, s=scorer: s(f["mvc"].estimator_, _X(), np.where(_y() > 0, np.nan, 0)),
                ValueError,
                r"y_true contains NaN",
                r"Drop the unlabelled samples",
            ),
            Case(
                f"{name}-unfitted",
                f"skae.metrics.{name}",
                "an unfitted clusterer",
                lambda f, s=scorer: s(KMeans(2), _X(), _y()),
                ValueError,
                *_NOT_FITTED,
            ),
        ]
    return cases


CASES = _array_cases() + _streamed_cases() + _parameter_cases() + _estimator_cases() + _metric_cases()


class _Bands(ClusterMixin, BaseEstimator):
    """Clusters by the band of the first feature; band 2 (x > 0.9) can be empty at fit."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.digitize(np.asarray(X)[:, 0], [0.5, 0.9])


def _bool_is_zero_one():
    X = _X() > 0.5
    as_bool = _ae(batch_size=64).fit(X).transform(X)
    as_float = _ae(batch_size=64).fit(X.astype(np.float32)).transform(X.astype(np.float32))
    np.testing.assert_array_equal(as_bool, as_float)


def _one_sample_without_early_stopping():
    ae = _ae(early_stopping=False).fit(_X(1))
    assert ae.transform(_X(1)).shape == (1, ENCODING_DIM)


def _cluster_without_members():
    X = np.array([[0.1], [0.2], [0.6], [0.7], [0.8]])
    y = np.array(["low", "low", "high", "high", "low"])
    clf = MajorityVoteClassifier(_Bands()).fit(X, y)
    assert set(clf.cluster_labels_) == {0, 1}
    predicted = clf.predict([[0.95]])  # band 2: no training member
    assert list(predicted) == ["low"]  # the most frequent training label


def _unscaled_bce():
    with pytest.warns(UserWarning, match=r"binary cross-entropy needs targets in \[0, 1\].*MinMaxScaler"):
        _ae(output_activation="linear").fit(_X() * 255)


class Accepted(NamedTuple):
    id: str
    target: str
    given: str
    check: Callable  # check() raises (assert, pytest.warns) unless the outcome holds
    outcome: str  # for the docs


# Odd but accepted inputs.
ACCEPTED = [
    Accepted("ae-fit-bool", "AutoencoderTransformer.fit", "bool X", _bool_is_zero_one, "accepted as 0/1"),
    Accepted(
        "ae-fit-1-sample-no-es",
        "AutoencoderTransformer.fit",
        "1 sample, early_stopping=False",
        _one_sample_without_early_stopping,
        "fits (nothing to hold out)",
    ),
    Accepted(
        "mvc-predict-empty-cluster",
        "MajorityVoteClassifier.predict",
        "a cluster with no training members",
        _cluster_without_members,
        "the most frequent training label (documented in predict)",
    ),
    Accepted(
        "ae-fit-unscaled-bce",
        "AutoencoderTransformer.fit",
        "X outside [0, 1] with binary cross-entropy (any output activation) or a sigmoid output",
        _unscaled_bce,
        "UserWarning naming the range and the fix (MinMaxScaler, or linear output + mse); trains",
    ),
]


@pytest.fixture(scope="module")
def fitted():
    return _fitted()


def _raise(case, fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(case.error) as info:
            case.call(fitted)
    return info.value


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_clearly(case, fitted):
    """Check that the bad input raises the expected error naming the problem and the fix."""
    exc = _raise(case, fitted)
    message = str(exc)
    assert re.search(case.problem, message), message
    assert re.search(case.fix, message), message
    # Our own or scikit-learn's exception, never Keras' or TensorFlow's.
    assert not type(exc).__module__.startswith(("keras", "tensorflow", "jax"))


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.id for case in ACCEPTED])
def test_odd_input_is_accepted_as_documented(case):
    """Check the inputs that are accepted on purpose behave as the docs say.

    Each check asserts its outcome (or expects its warning) and raises otherwise.
    """
    case.check()


def test_bad_input_does_not_change_the_parameters():
    """Check that a fit refused for bad X leaves the parameters and the input alone."""
    ae = _ae(hidden_layer_sizes=[4])
    X = _with(np.nan)
    before_X, before_params = X.copy(), ae.get_params()
    with pytest.raises(ValueError):
        ae.fit(X)
    np.testing.assert_array_equal(X, before_X)
    assert ae.get_params() == before_params and ae.hidden_layer_sizes == [4]


def _table(fitted):
    lines = [
        "# Errors for bad input",
        "",
        "Generated by `python -m tests.test_bad_input` from the table that",
        "`tests/test_bad_input.py` tests; every row is a test case.",
        "`InvalidParameterError` is scikit-learn's subclass of `ValueError` and",
        "`TypeError`; `NotFittedError` subclasses `ValueError` and `AttributeError`.",
        "",
        "Decisions: sparse matrices are refused (`TypeError`, as in scikit-learn)",
        "rather than densified, so the memory cost of `.toarray()` stays visible;",
        "`bool` X is accepted as 0/1; a NaN or infinite training loss raises",
        "`skae.TrainingDivergedError` (a `ValueError`) naming the epoch.",
        "",
        "| case | called | given | error | message |",
        "| --- | --- | --- | --- | --- |",
    ]
    for case in CASES:
        exc = _raise(case, fitted)
        message = " ".join(str(exc).split())
        message = re.sub(r"(array=\[[^\]]{0,40})[^\]]*\]", r"\1...]", message).replace("|", "\\|")
        if len(message) > 450:
            message = message[:450].rsplit(" ", 1)[0] + " ..."
        lines.append(f"| {case.id} | `{case.target}` | {case.given} | {type(exc).__name__} | {message} |")
    lines += ["", "## Accepted on purpose", "", "| case | called | given | outcome |", "| --- | --- | --- | --- |"]
    lines += [f"| {case.id} | `{case.target}` | {case.given} | {case.outcome} |" for case in ACCEPTED]
    return "\n".join(lines) + "\n"


def test_docs_are_up_to_date(fitted):
    """Check that docs/errors.md is what ``python -m tests.test_bad_input`` writes now.

    Every row, message included: a message that changes (a fix added or
    lost) without the docs being regenerated fails here.
    """
    with open(DOC) as handle:
        documented = handle.read().splitlines()
    generated = _table(fitted).splitlines()
    assert [line for line in generated if line not in documented] == []
    assert [line for line in documented if line not in generated] == []


if __name__ == "__main__":
    text = _table(_fitted())
    with open(DOC, "w") as handle:
        handle.write(text)
    sys.stdout.write(f"wrote {len(CASES)} cases to {os.path.normpath(DOC)}\n")

"""skae on a Dask cluster: GridSearchCV through joblib's Dask backend, and transforms of Dask arrays."""

import contextlib
import os
import signal

import joblib
import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skae import AutoencoderTransformer
from skae.metrics import majority_vote_scorer

distributed = pytest.importorskip("distributed")

# Generous, for busy CI machines: the worker processes import Keras and its
# backend first. It only bounds a hung cluster.
TIME_LIMIT_S = 600


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise TimeoutError in the main thread if the block runs longer than `seconds`."""

    def handler(signum, frame):
        raise TimeoutError(f"the Dask search did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _environment_kept():
    """Restore this process's environment variables after the block.

    A LocalCluster with worker processes sets OMP_NUM_THREADS=1 (MKL_ and
    OPENBLAS_ too, PYTHONHASHSEED, MALLOC_TRIM_THRESHOLD_) in this process's
    environment before it spawns them (Dask's
    ``distributed.nanny.pre-spawn-environ``) and leaves them set: every later
    subprocess of the suite would then run on one thread, PyTorch rounding
    differently from this process (tests/test_new_process.py on PyTorch).
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        os.environ.update(saved)


@contextlib.contextmanager
def _local_cluster():
    """A client of a two-worker local cluster, whose workers are processes like a real cluster's."""
    with _environment_kept(), _time_limit(TIME_LIMIT_S), distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,  # estimators and data travel pickled
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster, timeout="60s") as client:
        client.wait_for_workers(2, timeout=60)
        yield client


def _search():
    pipeline = make_pipeline(
        AutoencoderTransformer(epochs=2, batch_size=64, random_state=0),
        KMeans(10, n_init=2, random_state=0),
    )
    return GridSearchCV(
        pipeline,
        {"autoencodertransformer__encoding_dim": [2, 8]},
        scoring=majority_vote_scorer,
        cv=2,
        n_jobs=-1,
    )


# Two epochs leave some codes collapsed; KMeans then finds fewer than 10 clusters.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_on_dask_equals_single_machine(digits):
    """Check that GridSearchCV run on a local Dask cluster gives the single-machine scores and best model."""
    X, y = digits
    X, y = X[:300], y[:300]
    local = _search().set_params(n_jobs=1).fit(X, y)

    with _local_cluster() as client:
        cluster_workers = list(client.scheduler_info()["workers"])
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend(
            "dask", wait_for_workers_timeout=60
        ):
            on_dask = _search().fit(X, y)
    # The fits ran as tasks on the cluster's workers, not in this process
    # (joblib may batch several fits into one task).
    assert tasks.data
    assert {task["worker"] for task in tasks.data} <= set(cluster_workers)

    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], local.cv_results_[key])
    assert on_dask.best_params_ == local.best_params_
    np.testing.assert_array_equal(on_dask.predict(X), local.predict(X))


@pytest.mark.slow
def test_transform_of_a_dask_array_runs_on_the_cluster(digits):
    """Check that a Dask array's codes and scores are computed by the cluster's workers, equal to NumPy's."""
    da = pytest.importorskip("dask.array")
    X, _ = digits
    estimator = AutoencoderTransformer(encoding_dim=4, epochs=2, random_state=0).fit(X)
    lazy = da.from_array(X, chunks=(300, -1))
    with _local_cluster() as client:
        workers = set(client.scheduler_info()["workers"])
        with distributed.get_task_stream(client) as tasks:
            codes, scores = client.compute(
                [estimator.transform(lazy), estimator.score_samples(lazy)], sync=True
            )
    assert {task["worker"] for task in tasks.data} <= workers and len(tasks.data) >= 2 * lazy.numblocks[0]
    np.testing.assert_array_equal(codes, estimator.transform(X))
    np.testing.assert_array_equal(scores, estimator.score_samples(X))

import io
import os

import numpy as np
import pytest

from skae._cli import _parser, main, run

from .conftest import MNIST_PATH


def _run(*argv):
    out = io.StringIO()
    results = run(_parser().parse_args(["run", *argv]), out=out)
    return results, out.getvalue()


def test_run_on_embedded_digits():
    """Check that `skae run` fits the tutorial pipeline on digits and prints the table and scores."""
    results, text = _run("--epochs", "2", "--encoding-dim", "8", "--quiet", "--baseline")
    assert "digits" in text and "1797 samples x 64 features" in text
    assert "majority-vote confusion matrix" in text
    for metric in ("majority_vote_accuracy", "hungarian_accuracy", "nmi", "ari"):
        assert metric in text
        assert 0 <= results["scores"][metric] <= 1
        assert metric in results["baseline_scores"]
    assert results["scores"]["majority_vote_accuracy"] >= results["scores"]["hungarian_accuracy"]
    assert results["epochs_run"] == 2


def test_run_with_grid_search():
    """Check that --grid searches code sizes and reports the best one."""
    results, text = _run("--epochs", "2", "--grid", "2,8", "--cv", "2", "--quiet", "--n-samples", "400")
    assert "grid search" in text and "best:" in text
    grid = results["grid_search"]
    assert grid["param_autoencoder__encoding_dim"] == [2, 8]
    # The reported best is the code size ranked first, not just any of the grid.
    best = grid["param_autoencoder__encoding_dim"][grid["rank_test_score"].index(1)]
    assert results["best_params"] == {"autoencoder__encoding_dim": best}
    assert results["encoding_dim"] == results["best_params"]["autoencoder__encoding_dim"]


def test_run_on_npz_file(tmp_path):
    """Check that --data reads an npz in the Keras MNIST layout."""
    rng = np.random.RandomState(0)
    path = tmp_path / "mini.npz"
    np.savez(
        path,
        x_train=rng.randint(0, 256, (120, 28, 28), dtype=np.uint8),
        y_train=rng.randint(0, 10, 120).astype(np.uint8),
        x_test=rng.randint(0, 256, (30, 28, 28), dtype=np.uint8),
        y_test=rng.randint(0, 10, 30).astype(np.uint8),
    )
    results, text = _run("--data", str(path), "--split", "all", "--epochs", "1", "--quiet")
    assert results["n_samples"] == 150 and results["n_features"] == 784


@pytest.mark.skipif(not os.path.exists(MNIST_PATH), reason="shared MNIST file absent")
def test_run_on_shared_mnist_subset():
    """Check the command on the first 2000 real MNIST images."""
    results, _ = _run("--data", MNIST_PATH, "--n-samples", "2000", "--epochs", "3", "--quiet")
    assert results["n_features"] == 784 and results["n_samples"] == 2000


def test_bad_arguments_exit_with_a_message(tmp_path, capsys):
    """Check that bad options end with a message instead of a traceback."""
    with pytest.raises(SystemExit, match="cannot read MNIST"):
        main(["run", "--data", str(tmp_path / "missing.npz")])
    with pytest.raises(SystemExit, match="--epochs must be at least 1"):
        main(["run", "--epochs", "0"])
    with pytest.raises(SystemExit):
        main(["run", "--grid", "a,b"])
    assert "positive integers" in capsys.readouterr().err

import importlib.util
import io
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from skae._cli import main
from skae._cli._parser import make_parser
from skae._cli._plan import plan
from skae._cli._run import run

from .conftest import MNIST_PATH


def _run(*argv):
    out = io.StringIO()
    results = run(make_parser().parse_args(["run", *argv]), out=out)
    return results, out.getvalue()


def test_run_on_embedded_digits():
    """Check that `skae run` fits the tutorial pipeline on digits and prints the table and scores."""
    results, text = _run("--recipe", "tutorial", "--epochs", "2", "--encoding-dim", "8", "--quiet", "--baseline")
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
    results, text = _run("--data", str(path), "--split", "all", "--recipe", "tutorial", "--epochs", "1", "--quiet")
    assert results["n_samples"] == 150 and results["n_features"] == 784


@pytest.mark.skipif(not os.path.exists(MNIST_PATH), reason="shared MNIST file absent")
def test_run_on_shared_mnist_subset():
    """Check the command on the first 2000 real MNIST images."""
    results, _ = _run("--data", MNIST_PATH, "--n-samples", "2000", "--recipe", "tutorial", "--epochs", "3", "--quiet")
    assert results["n_features"] == 784 and results["n_samples"] == 2000


def test_bad_arguments_exit_with_a_message(tmp_path, capsys):
    """Check that bad options end with one `skae: ...` line and status 2, not a traceback."""
    assert main(["run", "--data", str(tmp_path / "missing.npz")]) == 2
    assert "no such file or data set" in capsys.readouterr().err
    assert main(["run", "--epochs", "0"]) == 2
    assert capsys.readouterr().err == "skae: --epochs must be at least 1, got 0\n"
    assert main(["run", "--grid", "a,b"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skae: ") and "positive integers" in err and len(err.splitlines()) == 1


def test_mnist_offline_says_where_it_looked(tmp_path, monkeypatch, capsys):
    """Check that `--data mnist` without a copy or a network says where it looked and how to fix it."""
    import keras

    def offline():
        raise Exception("URL fetch failure: Name or service not known")

    monkeypatch.setenv("SKAE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    assert main(["run", "--data", "mnist", "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("skae: cannot load MNIST: ")
    assert str(tmp_path / "data" / "mnist.npz") in err and "SKAE_DATA" in err
    assert "Traceback" not in err


def test_native_log_lines_are_recognised():
    """Check that the filter drops TensorFlow's C++ log lines and keeps everything else."""
    from skae._cli._console import _NATIVE_LOG

    native = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1796089646.092470    5105 port.cc:153] oneDNN custom operations are on.",
        "E0000 00:00:1796089652.486144    5105 cuda_platform.cc:52] failed call to cuInit: "
        "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
        "W1201 01:02:03.456789 123 allocator.cc:10] Allocation exceeds 10% of free memory.",
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow",
    ]
    kept = ["skae: warning: something", "E0000 is not a log line", "Traceback (most recent call last):"]
    assert all(_NATIVE_LOG.match(line) for line in native)
    assert not any(_NATIVE_LOG.match(line) for line in kept)


needs_recipes = pytest.mark.skipif(
    importlib.util.find_spec("skae.recipes") is None, reason="skae.recipes not in this tree yet"
)


def _plan_names(*argv):
    return [name for name, _ in plan(make_parser().parse_args(["run", *argv]))]


@needs_recipes
def test_recipe_plans():
    """Check which recipes a run fits: by default the tutorial beside KMeans and the best recipe."""
    from skae.recipes import BEST_RECIPE, RECIPE_NAMES

    assert _plan_names() == list(dict.fromkeys(["kmeans", "tutorial", BEST_RECIPE]))
    assert _plan_names("--recipe", "all") == list(RECIPE_NAMES)
    assert _plan_names("--recipe", "tutorial, kmeans") == ["tutorial", "kmeans"]
    assert _plan_names("--grid", "2,4") == ["tutorial"]


@needs_recipes
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--recipe", "best"], "unknown recipe 'best'; choose from"),
        (["--recipe", "kmeans", "--budget", "0"], "budget"),
        (["--recipe", "kmeans", "--budget", "slow"], "budget"),
        (["--recipe", "kmeans,tutorial", "--grid", "2,4"], "add --recipe tutorial"),
    ],
)
def test_bad_recipe_arguments(argv, message, capsys):
    """Check that a bad recipe or budget is one `skae:` line and status 2, before loading data."""
    assert main(["run", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("skae: ") and message in err


@needs_recipes
def test_verbose_reaches_the_estimators_inside_a_recipe():
    """Check that --verbose sets verbose on skae's estimators in a recipe, and the default leaves them silent."""
    from skae import AutoencoderTransformer, DeepEmbeddedClustering

    for argv, expected in [(["--verbose"], 2), ([], 0)]:
        [(_, estimator)] = plan(make_parser().parse_args(["run", "--recipe", "dec", *argv]))
        levels = [
            value
            for name, value in estimator.get_params(deep=True).items()
            if name.endswith("__verbose")
        ]
        owners = [
            step
            for step in estimator.get_params(deep=True).values()
            if isinstance(step, (AutoencoderTransformer, DeepEmbeddedClustering))
        ]
        assert owners and all(owner.verbose == expected for owner in owners)
        assert expected in levels


@needs_recipes
def test_comparison_table(capsys):
    """Check that several recipes give one comparison table with every score and the fit time."""
    results, text = _run(
        "--recipe", "kmeans,tutorial", "--epochs", "1", "--n-samples", "300", "--quiet"
    )
    assert "comparison on digits" in text
    header = next(line for line in text.splitlines() if "hungarian" in line).split()
    assert header == ["recipe", "hungarian", "majority", "nmi", "ari", "fit_s", "steps"]
    assert results["comparison"]["recipe"] == ["kmeans", "tutorial"]
    assert results["baseline_scores"] == results["recipes"][0]["scores"]
    assert results["recipe"] in ("kmeans", "tutorial")  # the best's confusion matrix
    assert "majority-vote confusion matrix" in text
    assert results["epochs_run"] == 1


# End to end: `python -m skae ...` in a subprocess, as a user runs it.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST_RUN = ["--epochs", "2", "--batch-size", "64", "--n-samples", "300"]
# A comparison where skae.recipes exists, the tutorial alone before.
TWO_RECIPES = ["--recipe", "kmeans,tutorial"] if importlib.util.find_spec("skae.recipes") else []


def _environ(**changes):
    """The environment of a `skae` subprocess: this worktree's skae, no TF log settings."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO_ROOT, env.get("PYTHONPATH")]))
    env.update(changes)
    return env


def _command(*argv, **kwargs):
    return [sys.executable, "-m", "skae", *map(str, argv)]


def _skae(*argv, timeout=300):
    return subprocess.run(
        _command(*argv), cwd=REPO_ROOT, env=_environ(), capture_output=True, text=True, timeout=timeout
    )


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def _text_file(path):
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return path


def _unreadable(path):
    _npz(path, x_train=np.zeros((2, 4, 4)), y_train=np.zeros(2))
    path.chmod(0)
    return path


# Arguments (given the test's tmp_path), exit status, what the one line says.
BAD_INVOCATIONS = [
    pytest.param(lambda d: ["--data", d / "missing.npz"], 2, "no such file or data set", id="data missing"),
    pytest.param(
        lambda d: ["--data", _unreadable(d / "locked.npz")],
        2,
        "cannot read it (Permission denied)",
        id="data unreadable",
        marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file"),
    ),
    pytest.param(lambda d: ["--data", _text_file(d / "passwd")], 2, "is not an .npz file", id="not an npz"),
    pytest.param(
        lambda d: ["--data", _npz(d / "w.npz", images=np.zeros((2, 4, 4)))],
        2,
        "missing arrays ['x_train', 'y_train']",
        id="npz without MNIST's arrays",
    ),
    pytest.param(
        lambda d: ["--data", _npz(d / "o.npz", x_train=np.array([None, 1]), y_train=np.zeros(2))],
        2,
        "dtype object",
        id="npz of Python objects",
    ),
    pytest.param(
        lambda d: ["--report", _text_file(d / "f") / "sub"], 2, "cannot write there", id="report not creatable"
    ),
    pytest.param(lambda d: ["--report", _text_file(d / "f")], 2, "is a file", id="report is a file"),
    pytest.param(lambda d: ["--n-clusters", "0"], 2, "--n-clusters must be at least 1", id="option out of range"),
    pytest.param(lambda d: ["--epochs", "many"], 2, "invalid int value: 'many'", id="option not a number"),
]


@pytest.mark.parametrize("arguments, status, message", BAD_INVOCATIONS)
def test_bad_invocation_is_one_line_before_any_training(tmp_path, arguments, status, message):
    """Check that a bad invocation fails in one `skae:` line with its status, before training."""
    result = _skae("run", *FAST_RUN, *arguments(tmp_path))
    assert result.returncode == status
    assert result.stdout == ""  # not even the data line: nothing was loaded
    assert result.stderr.startswith("skae: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "allow_pickle" not in result.stderr


def test_default_console_is_quiet(tmp_path):
    """Check that a run prints no TensorFlow C++ log line and one progress bar, not a line per epoch."""
    from skae._cli._console import _NATIVE_LOG

    result = _skae("run", *FAST_RUN, *TWO_RECIPES, "--report", tmp_path / "report")
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert not [line for line in lines if _NATIVE_LOG.match(line)]
    noise = ("oneDNN", "cuInit", "Epoch", "WARNING", "Warning")
    assert not [line for line in lines if any(word in line for word in noise)]
    assert len([line for line in lines if line.startswith("tutorial") and "2/2 epochs" in line]) == 1
    assert "hungarian" in result.stdout
    assert (tmp_path / "report" / "index.html").is_file()


@pytest.mark.slow
@needs_recipes
def test_default_run_is_short_and_quiet():
    """Check that the default `skae run` prints at most 40 non-empty lines and no log line."""
    from skae._cli._console import _NATIVE_LOG

    result = _skae("run", timeout=900)
    assert result.returncode == 0, result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) <= 40
    assert not [line for line in lines if _NATIVE_LOG.match(line) or "Warning" in line or "WARNING" in line]
    assert "comparison on digits" in result.stdout


def _interrupt_during_training(report, n_interrupts):
    """Run, press Ctrl-C `n_interrupts` times once the first epoch ended; return (status, output)."""
    process = subprocess.Popen(
        _command(
            "run", "--recipe", "tutorial", "--epochs", "100000", "--batch-size", "64", "--verbose", "--report", report
        ),
        cwd=REPO_ROOT,
        env=_environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        for wait_for in ["val_loss", "skae: interrupted"][:n_interrupts]:
            for line in process.stdout:  # --verbose: Keras' line at each epoch's end
                output.append(line)
                if wait_for in line:
                    break
            process.send_signal(signal.SIGINT)
        output.append(process.stdout.read())
        return process.wait(timeout=300), "".join(output)
    finally:
        process.kill()
        process.stdout.close()


@pytest.mark.slow
def test_ctrl_c_keeps_the_training_and_reports(tmp_path):
    """Check that Ctrl-C stops training in one plain line and the run still scores and reports."""
    status, output = _interrupt_during_training(tmp_path / "report", 1)
    assert status == 0, output
    assert output.count("skae: interrupted") == 1
    assert "Traceback" not in output and "Warning" not in output
    assert "hungarian_accuracy" in output
    assert (tmp_path / "report" / "index.html").is_file()


@pytest.mark.slow
def test_second_ctrl_c_quits_at_once(tmp_path):
    """Check that a second Ctrl-C exits with status 130 and no traceback."""
    status, output = _interrupt_during_training(tmp_path / "report", 2)
    assert status == 130, output
    assert "Traceback" not in output
    assert "hungarian_accuracy" not in output


def test_import_skae_does_not_import_keras():
    """Check that `import skae` leaves Keras unloaded, so the command can quieten TensorFlow first."""
    code = "import sys, skae, skae.datasets; assert 'keras' not in sys.modules; skae.AutoencoderTransformer"
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=_environ(), check=True, timeout=300)


def test_steps_column_shows_whether_the_balanced_recipe_trained_its_autoencoder():
    """Check that the table's steps show the codes step as the autoencoder, or not at all on small data."""
    from skae._cli._tables import steps
    from skae.recipes import balanced_pipeline

    recipe = balanced_pipeline()
    assert steps(recipe) == "scale > autoencoder > UMAP > BalancedKMeans"
    recipe.named_steps["codes"].autoencoder_ = None  # what fit leaves below min_samples
    assert steps(recipe) == "scale > UMAP > BalancedKMeans"
    assert steps(balanced_pipeline(deep=False)) == "scale > UMAP > BalancedKMeans"


def test_steps_column_shows_whether_the_deep_recipe_used_isomap():
    """Check that the deep recipe's Isomap step shows when it was fitted, and not on small data."""
    from skae._cli._tables import steps
    from skae.recipes import deep_kmeans_pipeline

    recipe = deep_kmeans_pipeline()
    assert steps(recipe) == "scale > autoencoder > Isomap > BalancedKMeans"
    recipe.named_steps["isomap"].isomap_ = None  # what fit leaves below min_samples
    assert steps(recipe) == "scale > autoencoder > BalancedKMeans"


def test_ctrl_c_during_a_keras_fit_stops_it_between_steps(digits, monkeypatch):
    """Check that the command's first Ctrl-C inside a Keras fit is raised by the fit, not by the handler.

    Raised by the signal handler, the KeyboardInterrupt could land inside
    TensorFlow's own Python code; instead the handler asks, and the fit
    raises it at the end of its next step, where FitGuard keeps the epochs done.
    """
    import warnings

    import keras

    from skae import AutoencoderTransformer
    from skae._cli._interrupts import Interrupts
    from skae._keras import _fit_guard

    X, _ = digits
    interrupts = Interrupts()
    raised_by_handler = []

    class PressCtrlC(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                try:
                    interrupts(signal.SIGINT, None)
                except KeyboardInterrupt:
                    raised_by_handler.append(epoch)

    monkeypatch.setattr(_fit_guard, "_extra_callbacks", lambda: [PressCtrlC()])
    ae = AutoencoderTransformer(4, epochs=50, batch_size=64, early_stopping=False, random_state=0)
    with interrupts.fitting(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ae.fit(X)

    assert raised_by_handler == []
    assert ae.n_iter_ == 2
    assert any("Training interrupted" in str(warning.message) for warning in caught)
    assert (interrupts.keras_fits, interrupts.stop_requested) == (0, False)
    assert ae.transform(X).shape == (len(X), 4)


def test_ctrl_c_outside_a_keras_fit_is_raised_at_once():
    """Check that Ctrl-C while a recipe fits something other than Keras (KMeans, UMAP) raises KeyboardInterrupt."""
    from skae._cli._interrupts import Interrupts

    interrupts = Interrupts()
    with interrupts.fitting(), pytest.raises(KeyboardInterrupt):
        interrupts(signal.SIGINT, None)

"""The benchmark scripts still run against this checkout (on tiny data)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _random_mnist(tmp_path, n_train=200, n_test=50):
    """An .npz in MNIST's Keras layout of random images and labels."""
    rng = np.random.default_rng(0)
    data = tmp_path / "mnist.npz"
    images = {name: rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8) for name, n in (("x_train", n_train), ("x_test", n_test))}
    np.savez(data, **images, y_train=rng.integers(0, 10, n_train), y_test=rng.integers(0, 10, n_test))
    return data


def _json_lines(capsys):
    """The JSON lines a benchmark printed."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def _script(name):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_speed_benchmark_times_every_variant(tmp_path, capsys):
    """Check that speed.py fits each variant and writes one table row for each, losses included.

    On a backend other than TensorFlow the hand-written xla-loop is left out,
    and the script says so.
    """
    import keras

    rng = np.random.default_rng(0)
    images = {
        name: rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        for name, n in (("x_train", 300), ("x_test", 50))
    }
    data = tmp_path / "mnist.npz"
    np.savez(data, **images, y_train=np.zeros(300, np.uint8), y_test=np.zeros(50, np.uint8))
    out = tmp_path / "speed.md"

    _script("speed").main(
        ["--data", str(data), "--epochs", "5", "--repeats", "1", "--n-samples", "300",
         "--variants", "keras,skae-default,xla-loop", "--out", str(out)]
    )

    variants = ["keras", "skae-default"]
    if keras.backend.backend() == "tensorflow":
        variants.append("xla-loop")
    else:
        assert "xla-loop left out" in capsys.readouterr().out
    rows = [line for line in out.read_text().splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == variants
    for row in rows:
        loss = float(row.rstrip(" |").split(" | ")[-1])
        # Random pixels: a cross-entropy near that of predicting 0.5 everywhere.
        assert 0.5 < loss < 0.8


def test_clustering_benchmark_compares_budgets_interleaved(tmp_path):
    """Check that --budgets runs each recipe at each budget and tables them apart (an accuracy vs minutes curve)."""
    out = tmp_path / "table.md"
    _script("clustering").main(
        ["--recipes", "kmeans", "--dataset", "digits", "--budgets", "0.2", "1", "--seeds", "0", "--out", str(out)]
    )
    table = out.read_text()
    assert "| kmeans, budget 0.2 | 0 |" in table and "| kmeans, budget 1 | 0 |" in table


def test_clustering_benchmark_takes_the_first_training_images(tmp_path):
    """Check that --first takes the first --n-samples training images, not a random subset."""
    path = tmp_path / "mnist.npz"
    x_train = np.arange(6 * 784, dtype=np.uint8).reshape(6, 28, 28)
    np.savez(path, x_train=x_train, y_train=np.arange(6), x_test=x_train[:2], y_test=np.arange(2))
    X, y = _script("clustering").load_mnist(str(path), 3, first=True)
    np.testing.assert_array_equal(y, [0, 1, 2])
    np.testing.assert_allclose(X, x_train[:3].reshape(3, -1) / 255.0, rtol=1e-6)


@pytest.mark.slow
def test_dec_speed_benchmark_times_each_training_path(tmp_path, capsys):
    """Check that dec_speed.py times each pretraining variant and both clustering phases, one JSON line each."""
    rng = np.random.default_rng(0)
    data = tmp_path / "mnist.npz"
    np.savez(data, x_train=rng.integers(0, 256, size=(300, 28, 28), dtype=np.uint8))
    _script("dec_speed").main(["--data", str(data), "--n-samples", "300", "--epochs", "1", "2", "--batches", "20"])
    lines = _json_lines(capsys)
    assert [line.get("variant", line.get("xla")) for line in lines] == [
        "moved, batch loop", "moved, per batch", "still", True, False
    ]
    assert all("s_per_epoch" in line and line["wall_2_epochs_s"] > 0 for line in lines[:3])
    assert [line["batches"] for line in lines[3:]] == [20, 20]


@pytest.mark.slow
def test_dec_phases_benchmark_splits_a_fit_into_its_phases(tmp_path, capsys):
    """Check that dec_phases.py times each phase within the whole fit and scores the start and every update."""
    data = _random_mnist(tmp_path)
    _script("dec_phases").main(["--data", str(data), "--n-samples", "200", "--seeds", "0", "--budget", "0.01"])
    (line,) = _json_lines(capsys)
    phases = line["pretraining_s"] + line["initial_clusters_s"] + line["clustering_phase_s"]
    assert 0 < phases <= line["fit_s"] + 0.1
    assert 0 < line["initial_clusters"] <= 1 and 0 < line["fit"] <= 1 and 0 < line["test"] <= 1
    assert len(line["at_updates"]) >= 1


@pytest.mark.slow
def test_dec_phases_benchmark_compares_clustering_phases_from_one_kept_pretraining(tmp_path, capsys):
    """Check that dec_phases.py --variants pretrains once per seed, keeps it in --cache, and fits each variant from it."""
    data = _random_mnist(tmp_path)
    arguments = ["--data", str(data), "--n-samples", "200", "--seeds", "0", "--budget", "0.01", "--cache", str(tmp_path)]
    variants = ["--variants", "max_iter=20", "max_iter=30,reconstruction_weight=0,first_target=centres"]
    for run in range(2):
        _script("dec_phases").main(arguments + variants)
        lines = _json_lines(capsys)
        assert [line["variant"] for line in lines] == variants[1:]
        assert [line["clustering_batches"] for line in lines] == [20, 30]
        # Pretrained once, on the first run; the second reads it back.
        assert [line["pretraining_s"] is None for line in lines] == [run == 1] * 2
        assert all(0 < line["fit"] <= 1 and 0 < line["test"] <= 1 and line["at_updates"] for line in lines)
    assert len(list(tmp_path.glob("dec_autoencoder_*.pkl"))) == 1

"""The benchmark scripts still run against this checkout (on tiny data)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


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

"""Training on several devices with Keras' distribution API (JAX)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jax")

REPO_ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh process: the backend and the number of devices are fixed
# when JAX starts, so they cannot be changed inside the test process.
SCRIPT = """
import json
import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler
from skae import AutoencoderTransformer

X = MinMaxScaler().fit_transform(load_digits().data)[:500]
params = dict(encoding_dim=8, epochs=3, batch_size=64, random_state=0)
single = AutoencoderTransformer(**params).fit(X)

devices = keras.distribution.list_devices("cpu")
keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
parallel = AutoencoderTransformer(**params).fit(X)
kernel = parallel.autoencoder_.weights[0].value
print(json.dumps({
    "devices": devices,
    "kernel_devices": len(kernel.sharding.device_set),
    "max_code_difference": float(np.abs(parallel.transform(X) - single.transform(X)).max()),
    "single_loss": single.history_["loss"],
    "parallel_loss": parallel.history_["loss"],
}))
"""


@pytest.mark.slow
def test_data_parallel_on_two_cpu_devices():
    """Check that DataParallel over two JAX CPU devices trains the estimator like one device does."""
    env = dict(
        os.environ,
        KERAS_BACKEND="jax",
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["devices"] == ["cpu:0", "cpu:1"]
    # The weights are replicated on both devices, each batch is split between them.
    assert result["kernel_devices"] == 2
    # Same batches, same initial weights: only the summation order differs.
    assert result["max_code_difference"] < 1e-4
    assert result["parallel_loss"] == pytest.approx(result["single_loss"], rel=1e-4)

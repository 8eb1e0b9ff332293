#!/usr/bin/env bash
# Issue 5's GPU rows in one device call: benchmarks/speed.py on MNIST with
# KERAS_BACKEND=jax (the device image has JAX, scikit-learn and pandas, not
# Keras or TensorFlow), raw Keras against skae with the tutorial's settings
# and with its defaults (the batch loop), interleaved.
#
# Prepare once, here, in the repository root (the wheels are for the
# device's Python 3.12; ../shared does not travel, so MNIST is copied in):
#
#   mkdir -p .whl && python3 -m pip download --no-deps --only-binary=:all: \
#       --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
#       --platform manylinux_2_27_x86_64 -d .whl keras==3.15.1 namex==0.1.0 optree==0.20.0
#   cp ../shared/data/mnist.npz .whl/
#
# then run it with the device tool: command "bash benchmarks/device_speed.sh",
# carry [".whl"], timeout_s 420. It writes $OUT/speed.md and $OUT/speed.log.
set -euo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --upgrade --target /tmp/site .whl/keras-*.whl .whl/namex-*.whl .whl/optree-*.whl
export PYTHONPATH="/tmp/site:$PWD" KERAS_BACKEND=jax PYTHONUNBUFFERED=1
OUT="${OUT:-/tmp}"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$OUT/speed.log"
python3 benchmarks/speed.py --data .whl/mnist.npz --backend jax --epochs 10 \
    --repeats 2 --out "$OUT/speed.md" 2>&1 | grep -v "^[IWE]0000" | tee -a "$OUT/speed.log"

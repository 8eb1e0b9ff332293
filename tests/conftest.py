import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

MNIST_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist.npz")


# Timings on a shared 2-core machine vary too much for hypothesis' deadline.
settings.register_profile("skae", deadline=None)
settings.load_profile("skae")


@pytest.fixture
def no_kept_programs():
    """No compiled trainer or prediction function kept, for tests that count them.

    Every other test runs with whatever earlier tests left kept, and with no
    global seed set, as a user's process does.
    """
    from skae._keras._predict import PREDICT_FUNCTIONS
    from skae._keras._trainers import TRAINERS

    TRAINERS.clear()
    PREDICT_FUNCTIONS.clear()


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1], as float32, and their labels."""
    X, y = load_digits(return_X_y=True)
    return MinMaxScaler().fit_transform(X).astype(np.float32), y

# Two epochs of 7 batches each: enough steps for steps_per_execution to matter.
FAST = dict(encoding_dim=8, epochs=2, batch_size=256, random_state=0)
PLAIN = dict(jit_compile=False, steps_per_execution=1)

tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.data feeding is for TensorFlow"
)

# Keras' PyTorch trainer runs one batch per call, and torch.compile'd
# functions recompiled for many models in one process fall back to eager,
# which breaks the exact transform checks of later tests.
not_torch = pytest.mark.skipif(
    keras.backend.backend() == "torch", reason="PyTorch runs one batch per call"
)

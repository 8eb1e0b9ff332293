"""transform from several threads at once."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from skae import AutoencoderTransformer


def test_transform_from_four_threads_equals_serial(digits):
    """Check that 4 threads calling transform and inverse_transform at once get the serial results.

    The threads share an unpickled copy whose Keras predict functions do not
    exist yet, so that they also race to build them.
    """
    X, _ = digits
    ae = AutoencoderTransformer(8, hidden_layer_sizes=(32,), epochs=2, batch_size=128, random_state=0).fit(X)
    chunks = [X[start : start + 300] for start in range(0, len(X), 300)] * 2
    serial = [ae.transform(chunk) for chunk in chunks]
    decoded = [ae.inverse_transform(codes) for codes in serial]

    fresh = pickle.loads(pickle.dumps(ae))

    def work(i):
        codes = fresh.transform(chunks[i])
        return codes, fresh.inverse_transform(codes)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(len(chunks))))
    for (codes, reconstruction), expected_codes, expected_reconstruction in zip(results, serial, decoded):
        np.testing.assert_array_equal(codes, expected_codes)
        np.testing.assert_array_equal(reconstruction, expected_reconstruction)

import numpy as np
import pytest

from skae.recipes import SubsampledIsomap


@pytest.fixture(scope="module")
def codes(digits):
    X, _ = digits
    return X[:300]


def test_fits_on_a_subset_and_embeds_every_sample_where_isomap_would(codes):
    """Check that Isomap is fitted on max_samples rows and that transform places those rows where Isomap put them."""
    step = SubsampledIsomap(n_neighbors=8, n_components=3, max_samples=120, random_state=0).fit(codes)
    assert step.isomap_.embedding_.shape == (120, 3)
    embedding = step.transform(codes)
    assert embedding.shape == (300, 3)
    subset = step.isomap_.nbrs_._fit_X
    assert (subset[:, None, :] == codes[None, :, :]).all(axis=2).any(axis=1).all()
    np.testing.assert_allclose(step.transform(subset), step.isomap_.embedding_, rtol=1e-4, atol=1e-5)
    again = SubsampledIsomap(n_neighbors=8, n_components=3, max_samples=120, random_state=0).fit(codes)
    np.testing.assert_array_equal(again.transform(codes), embedding)


def test_transform_in_chunks_equals_isomaps_own(codes, monkeypatch):
    """Check that the chunks that bound transform's memory do not change the embedding."""
    step = SubsampledIsomap(n_neighbors=20, n_components=3, random_state=0).fit(codes)
    monkeypatch.setattr(SubsampledIsomap, "_CHUNK", 7)
    np.testing.assert_allclose(step.transform(codes), step.isomap_.transform(codes), rtol=1e-5, atol=1e-6)


def test_small_data_passes_through(codes):
    """Check that below min_samples nothing is fitted and transform returns X as it is."""
    step = SubsampledIsomap(min_samples=301).fit(codes)
    assert step.isomap_ is None
    np.testing.assert_array_equal(step.transform(codes), codes)


def test_too_few_samples_for_the_neighbours_is_a_clear_error(codes):
    """Check that n_samples <= n_neighbors raises a ValueError naming the fix, and the input is untouched."""
    X = codes[:10].copy()
    with pytest.raises(ValueError, match=r"more samples than n_neighbors=10: got n_samples=10\. Pass more"):
        SubsampledIsomap(n_neighbors=10).fit(X)
    np.testing.assert_array_equal(X, codes[:10])

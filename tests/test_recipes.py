import importlib.util
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skae import DeepEmbeddedClustering
from skae._autoencoder import auto_batch_size
from skae.metrics import hungarian_scorer
from skae.recipes import (
    BEST_RECIPE,
    RECIPE_NAMES,
    CodesOfLargeData,
    balanced_pipeline,
    dec_pipeline,
    deep_kmeans_pipeline,
    kmeans_pipeline,
    make_recipe,
    n2d_pipeline,
    tutorial_pipeline,
)

# Budgets small enough for one or two epochs (and 20 DEC batches).
_TINY = {"kmeans": 0.1, "tutorial": 0.01, "deep": 0.05, "dec": 0.001, "n2d": 0.05, "balanced": 0.05}
_WITHOUT_UMAP = ["kmeans", "tutorial", "deep", "dec"]
_WITH_UMAP = ["n2d", "balanced"]


def _skip_without_umap():
    # Not pytest.importorskip("umap"): `import umap` imports umap's parametric module,
    # and with it PyTorch where installed; the recipes import UMAP without it.
    if importlib.util.find_spec("umap") is None:
        pytest.skip("umap-learn is not installed")


@pytest.fixture(scope="module")
def raw_digits():
    """The first 300 digits, unscaled (the recipes scale them), split 250 / 50."""
    X, y = load_digits(return_X_y=True)
    return X[:250], y[:250], X[250:300]


def test_names_dispatch_to_the_factories():
    """Check that make_recipe builds what each public factory builds, and the best recipe is one of them."""
    factories = {
        "kmeans": kmeans_pipeline,
        "tutorial": tutorial_pipeline,
        "deep": deep_kmeans_pipeline,
        "n2d": n2d_pipeline,
        "dec": dec_pipeline,
        "balanced": balanced_pipeline,
    }
    assert set(RECIPE_NAMES) == set(factories)
    assert BEST_RECIPE in RECIPE_NAMES
    for name in RECIPE_NAMES:
        recipe = make_recipe(name, n_clusters=7, random_state=3, budget=2)
        expected = factories[name](7, random_state=3, budget=2)
        assert isinstance(recipe, Pipeline)
        assert repr(recipe.get_params()) == repr(expected.get_params())


@pytest.mark.parametrize("budget, epochs", [("fast", 8), ("default", 30), ("best", 120), (0.5, 15)])
def test_budget_scales_the_training_length(budget, epochs):
    """Check that a budget name or number multiplies the autoencoder's default epochs."""
    recipe = make_recipe("deep", budget=budget)
    assert recipe.named_steps["autoencodertransformer"].epochs == epochs


def test_deep_recipe_embeds_the_codes_of_large_data_with_isomap(raw_digits):
    """Check the deep recipe's Isomap step: fitted from 10,000 samples on (MNIST), the digits' codes passed through."""
    recipe = make_recipe("deep", random_state=0, budget=_TINY["deep"])
    assert [name for name, _ in recipe.steps] == ["minmaxscaler", "autoencodertransformer", "isomap", "balancedkmeans"]
    isomap = recipe.named_steps["isomap"]
    assert (isomap.n_neighbors, isomap.n_components, isomap.min_samples) == (10, 10, 10_000)
    recipe.fit(raw_digits[0])
    assert isomap.isomap_ is None
    assert recipe.named_steps["balancedkmeans"].cluster_centers_.shape == (10, 10)


def test_tutorial_recipe_is_exactly_the_tutorial():
    """Check that the tutorial recipe keeps the tutorial's autoencoder defaults (batch 2024, 200 epochs)."""
    steps = tutorial_pipeline().named_steps
    ae = steps["autoencodertransformer"]
    assert (ae.encoding_dim, ae.batch_size, ae.epochs, ae.hidden_layer_sizes) == (36, 2024, 200, ())
    assert steps["kmeans"].n_clusters == 10


@pytest.mark.parametrize("name", RECIPE_NAMES)
def test_recipes_clone_and_pickle_unfitted(name):
    """Check that every recipe clones and pickles before fit, keeping its parameters."""
    recipe = make_recipe(name, random_state=0)
    for copy in (clone(recipe), pickle.loads(pickle.dumps(recipe))):
        assert repr(copy.get_params(deep=False)["steps"]) == repr(recipe.steps)


@pytest.mark.parametrize("name", _WITHOUT_UMAP)
def test_recipes_fit_predict_new_samples_and_pickle(name, raw_digits):
    """Check that a fitted recipe predicts new samples and predicts the same after a pickle round trip."""
    X, _, X_new = raw_digits
    recipe = make_recipe(name, random_state=0, budget=_TINY[name])
    labels = recipe.fit_predict(X)
    assert labels.shape == (250,)
    predicted = recipe.predict(X_new)
    assert predicted.shape == (50,) and set(predicted) <= set(range(10))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(recipe)).predict(X_new), predicted)


@pytest.mark.parametrize(
    "name",
    # The n2d recipe adds the autoencoder to what the balanced one tests.
    ["balanced", pytest.param("n2d", marks=pytest.mark.slow)],
)
def test_umap_recipes_fit_predict_new_samples_and_pickle(name, raw_digits):
    """Check that the UMAP recipes fit, predict new samples and predict the same after pickling."""
    _skip_without_umap()
    X, _, X_new = raw_digits
    recipe = make_recipe(name, random_state=0, budget=_TINY[name])
    assert recipe.fit_predict(X).shape == (250,)
    predicted = recipe.predict(X_new)
    assert predicted.shape == (50,)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(recipe)).predict(X_new), predicted)


def test_balanced_recipe_embeds_the_codes_of_large_data_only(raw_digits):
    """Check that deep="auto" trains the autoencoder from min_samples on, and UMAP then embeds its codes."""
    _skip_without_umap()
    X, _, X_new = raw_digits
    for min_samples, n_features in ((10_000, 64), (200, 10)):
        recipe = balanced_pipeline(random_state=0, budget=_TINY["balanced"])
        recipe.set_params(codes__min_samples=min_samples).fit(X)
        codes = recipe.named_steps["codes"]
        assert (codes.autoencoder_ is None) == (n_features == 64)
        assert codes.transform(X_new / 16).shape == (50, n_features)
        assert recipe.predict(X_new).shape == (50,)
    assert not hasattr(codes.autoencoder, "history_")  # the parameter stays unfitted
    assert codes.autoencoder_.epochs == codes.autoencoder.epochs


def test_codes_of_large_data_is_the_autoencoder_at_min_samples():
    """Check that the codes step returns X below min_samples and the trained clone's codes from it."""
    X = np.random.RandomState(0).rand(40, 6).astype(np.float32)
    step = CodesOfLargeData(tutorial_pipeline(budget=0.005).steps[1][1].set_params(encoding_dim=2))
    np.testing.assert_array_equal(step.set_params(min_samples=41).fit_transform(X), X)
    codes = step.set_params(min_samples=40).fit(X).transform(X)
    np.testing.assert_array_equal(codes, step.autoencoder_.transform(X))
    assert codes.shape == (40, 2)
    with pytest.raises(ValueError, match="deep='yes' must be True, False or 'auto'"):
        balanced_pipeline(deep="yes")


def test_recipe_in_grid_search(raw_digits):
    """Check that a recipe works in GridSearchCV over a step's parameter, scored against labels."""
    X, y, _ = raw_digits
    search = GridSearchCV(
        make_recipe("tutorial", random_state=0, budget=_TINY["tutorial"]),
        {"kmeans__n_clusters": [8, 10]},
        scoring=hungarian_scorer,
        cv=2,
    ).fit(X, y)
    assert search.best_params_["kmeans__n_clusters"] in (8, 10)
    assert search.best_estimator_.predict(X[:5]).shape == (5,)


@pytest.mark.slow
@pytest.mark.parametrize("name", _WITH_UMAP + ["dec"])
def test_slow_recipes_in_grid_search(name, raw_digits):
    """Check that the UMAP and DEC recipes work in GridSearchCV (n_jobs=2)."""
    _skip_without_umap()
    X, y, _ = raw_digits
    final = make_recipe(name).steps[-1][0]
    parameter = f"{final}__n_components" if name == "n2d" else f"{final}__n_clusters"
    search = GridSearchCV(
        make_recipe(name, random_state=0, budget=_TINY[name]),
        {parameter: [10]},
        scoring=hungarian_scorer,
        cv=2,
        n_jobs=2,
    ).fit(X, y)
    assert search.best_estimator_.predict(X[:5]).shape == (5,)


def test_unknown_recipe_names_the_choices():
    """Check that an unknown recipe name raises a ValueError listing the names."""
    with pytest.raises(ValueError, match=r"Unknown recipe 'umap'\. Pass one of 'kmeans', 'tutorial'"):
        make_recipe("umap")


@pytest.mark.parametrize("budget", [0, -1.0, float("nan"), "slow", True, None])
def test_bad_budget_raises(budget):
    """Check that a budget that is not positive (or an unknown name) raises a ValueError naming the fix."""
    with pytest.raises(ValueError, match="budget=.* (must be a positive number|is not a known budget)"):
        make_recipe("deep", budget=budget)


@pytest.mark.parametrize("n_clusters", [0, 2.5, "10"])
def test_bad_n_clusters_raises(n_clusters):
    """Check that n_clusters that is not a positive integer raises a ValueError at the factory."""
    with pytest.raises(ValueError, match="n_clusters=.* must be a positive integer"):
        make_recipe("kmeans", n_clusters=n_clusters)


@pytest.mark.parametrize("name", RECIPE_NAMES)
def test_too_few_samples_raise_before_training(name, raw_digits):
    """Check that fewer samples than clusters raise a ValueError naming the fix, and nothing is fitted."""
    X = raw_digits[0][:5]
    recipe = make_recipe(name, random_state=0, budget=_TINY[name])
    with pytest.raises(ValueError, match=r"n_samples=5 should be >= n_clusters=10\. Pass more samples"):
        recipe.fit(X)
    for _, step in recipe.steps:
        with pytest.raises(NotFittedError):
            check_is_fitted(step)


def test_failure_in_a_late_step_unfits_the_earlier_ones(raw_digits):
    """Check that when the last step fails, the already trained autoencoder is left unfitted too."""
    recipe = make_recipe("deep", random_state=0, budget=_TINY["deep"]).set_params(balancedkmeans__n_init=-1)
    with pytest.raises(ValueError, match="n_init"):
        recipe.fit_predict(raw_digits[0])
    for _, step in recipe.steps:
        with pytest.raises(NotFittedError):
            check_is_fitted(step)


def test_auto_batch_size_gives_small_data_enough_steps():
    """Check that batch_size="auto" gives about 50 steps per epoch on small data, 256 on large."""
    assert auto_batch_size(10) == 16
    assert auto_batch_size(1617) == 32  # the digits less the validation samples
    assert auto_batch_size(1797) == 32
    assert auto_batch_size(10_000) == 128
    assert auto_batch_size(70_000) == 256
    sizes = [auto_batch_size(n) for n in range(1, 100_000, 997)]
    assert sizes == sorted(sizes)


def test_dec_auto_defaults_resolve_for_small_and_large_data(raw_digits):
    """Check that DeepEmbeddedClustering's "auto" batch size resolves from n_samples, leaving the parameter."""
    dec = DeepEmbeddedClustering()
    assert dec.batch_size == "auto"
    X = raw_digits[0] / 16.0
    tiny = make_recipe("dec", random_state=0, budget=_TINY["dec"]).steps[-1][1]
    tiny.fit(X)
    assert tiny.batch_size == "auto"
    assert tiny.batch_size_ == auto_batch_size(250) == 16
    assert tiny.autoencoder_.batch_size_ == auto_batch_size(225)

"""What a run fits: recipes of ``skae.recipes`` by name, checked before any data is loaded."""

import sys

from ._checks import CommandError

# The tutorial recipe's autoencoder step, and the command's options that are
# its parameters, by the same name.
TUTORIAL_AUTOENCODER = "autoencodertransformer"
_TUTORIAL_OPTIONS = ("encoding_dim", "hidden_layer_sizes", "epochs", "batch_size")


def plan(args):
    """``[(name, unfitted recipe)]``: what to fit, checked before any data is loaded.

    Every recipe comes from ``skae.recipes.make_recipe``, which checks
    n_clusters and the budget.
    """
    from .. import recipes

    planned = []
    for name in _recipe_names(args, recipes):
        try:
            recipe = _recipe(recipes, name, args)
        except ValueError as exc:
            raise CommandError(f"--recipe {name}: {exc}", 2) from None
        planned.append((name, _with_verbosity(recipe, args)))
    return planned


def _recipe(recipes, name, args):
    """``make_recipe(name)`` under the command's options.

    The tutorial's autoencoder takes ``--encoding-dim``, ``--epochs``, ... (its
    parameters of the same names) instead of ``--budget``.
    """
    tutorial = name == "tutorial"
    recipe = recipes.make_recipe(
        name,
        n_clusters=args.n_clusters,
        random_state=args.random_state,
        budget=1.0 if tutorial else args.budget,
    )
    if tutorial:
        recipe.set_params(
            **{f"{TUTORIAL_AUTOENCODER}__{option}": getattr(args, option) for option in _TUTORIAL_OPTIONS}
        )
    return recipe


def _recipe_names(args, recipes):
    """The recipes ``--recipe`` names; by default the tutorial beside KMeans and the best."""
    text = args.recipe or ("tutorial" if args.grid else "compare")
    if text == "all":
        names = list(recipes.RECIPE_NAMES)
    elif text == "compare":
        names = list(dict.fromkeys(["kmeans", "tutorial", recipes.BEST_RECIPE]))
    else:
        names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in recipes.RECIPE_NAMES]
    if unknown or not names:
        raise CommandError(
            f"--recipe {text!r}: unknown recipe {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(recipes.RECIPE_NAMES)} or all",
            2,
        )
    if args.grid and names != ["tutorial"]:
        raise CommandError("--grid searches the tutorial's code size: add --recipe tutorial", 2)
    return names


def _with_verbosity(estimator, args):
    """Set the ``verbose`` of skae's neural estimators inside `estimator` as the command says."""
    from .._autoencoder import AutoencoderTransformer
    from .._deep_clustering import DeepEmbeddedClustering

    verbose = (1 if sys.stdout.isatty() else 2) if args.verbose else 0
    params = estimator.get_params(deep=True)
    owners = {"": estimator, **params}
    estimator.set_params(
        **{
            name: verbose
            for name in params
            if name.endswith("verbose")
            and isinstance(
                owners[name.rpartition("__")[0]], (AutoencoderTransformer, DeepEmbeddedClustering)
            )
        }
    )
    return estimator

"""What a run fits: the recipes by name, checked before any data is loaded."""

import sys

from ._checks import CommandError


def _pipeline(args):
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    from .._autoencoder import AutoencoderTransformer

    verbose = (1 if sys.stdout.isatty() else 2) if args.verbose else 0
    return Pipeline(
        [
            ("scale", MinMaxScaler()),
            (
                "autoencoder",
                AutoencoderTransformer(
                    args.encoding_dim,
                    hidden_layer_sizes=args.hidden_layer_sizes,
                    epochs=args.epochs,
                    batch_size=args.batch_size,
                    random_state=args.random_state,
                    verbose=verbose,
                ),
            ),
            (
                "kmeans",
                KMeans(args.n_clusters, n_init=10, random_state=args.random_state),
            ),
        ]
    )


def _recipes_module():
    """``skae.recipes``, or None in an installation without it."""
    import importlib.util

    if importlib.util.find_spec("skae.recipes") is None:
        return None
    from .. import recipes

    return recipes


def _budget(text):
    try:
        return float(text)
    except ValueError:
        return text


def plan(args):
    """``[(name, unfitted estimator)]``: what to fit, checked before any data is loaded.

    The tutorial is built from the command's options; the other recipes come
    from ``skae.recipes.make_recipe``, which checks the budget and n_clusters.
    """
    recipes = _recipes_module()
    text = args.recipe or ("tutorial" if args.grid or recipes is None else "compare")
    if recipes is None:
        if text != "tutorial":
            raise CommandError("--recipe needs skae.recipes, which this installation lacks", 2)
        return [("tutorial", _pipeline(args))]
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
    planned = []
    for name in names:
        if name == "tutorial":
            planned.append((name, _pipeline(args)))
            continue
        try:
            estimator = recipes.make_recipe(
                name,
                n_clusters=args.n_clusters,
                random_state=args.random_state,
                budget=_budget(args.budget),
            )
        except ValueError as exc:
            raise CommandError(f"--recipe {name}: {exc}", 2) from None
        planned.append((name, _with_verbosity(estimator, args)))
    return planned


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

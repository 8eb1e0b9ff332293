"""A run: load the data, fit the planned recipes, score them, print and report."""

import sys
import time

from ._checks import CommandError, data_source
from ._console import import_keras
from ._interrupts import interrupts
from ._plan import TUTORIAL_AUTOENCODER, plan
from ._tables import comparison_table, print_comparison, print_confusion_matrix, print_scores, steps


def run(args, out=sys.stdout):
    """Fit the recipes ``args`` ask for and print their scores; return the results as a dict.

    One recipe: its confusion matrix and scores. Several: one comparison table
    (Hungarian and majority-vote accuracy, NMI, ARI, fit seconds) and the
    confusion matrix of the best by Hungarian accuracy.
    """
    import_keras(args)
    planned = plan(args)
    X, y, name = load(args)
    print(f"data: {name}, {X.shape[0]} samples x {X.shape[1]} features", file=out, flush=True)
    results = {"data": name, "n_samples": int(X.shape[0]), "n_features": int(X.shape[1])}
    fitted = _fit_plan(args, planned, X, y, out)
    by_name = {entry["name"]: entry for entry in fitted}

    if "tutorial" in by_name:
        results.update(_tutorial_summary(by_name["tutorial"], X.shape[1], out))
    shown = by_name.get("tutorial", fitted[0])
    if len(fitted) > 1:
        table = comparison_table(fitted)
        print_comparison(table, f"{name}, {X.shape[0]} samples", out)
        shown = max(fitted, key=lambda entry: entry["scores"]["hungarian_accuracy"])
        results["comparison"] = table.to_dict(orient="list")
    results.update(recipe=shown["name"], fit_seconds=shown["fit_seconds"], scores=shown["scores"])
    print_confusion_matrix(shown["name"], y, shown["clusters"], out)
    if len(fitted) == 1:
        print("", file=out)
        print_scores(shown["scores"], out)

    if "kmeans" in by_name and len(fitted) > 1:
        results["baseline_scores"] = by_name["kmeans"]["scores"]
    elif args.baseline:
        results["baseline_scores"] = _kmeans_on_pixels(args, X, y)
        print("\nKMeans on the raw pixels, for comparison:", file=out)
        print_scores(results["baseline_scores"], out)
    results.update(recipes=fitted, pipeline=shown["estimator"], X=X, y=y, clusters=shown["clusters"])
    return results


def _tutorial_summary(tutorial, n_features, out):
    """Print the tutorial's autoencoder in one line; return what the results say of it."""
    autoencoder = tutorial["estimator"].named_steps[TUTORIAL_AUTOENCODER]
    print(
        f"\nautoencoder {n_features} -> {autoencoder.encoding_dim} -> {n_features}: "
        f"{autoencoder.n_iter_} epochs, {tutorial['fit_seconds']:.1f} s",
        file=out,
    )
    summary = {"epochs_run": autoencoder.n_iter_, "encoding_dim": autoencoder.encoding_dim}
    return {**summary, **{key: tutorial[key] for key in ("grid_search", "best_params") if key in tutorial}}


def _fit_plan(args, planned, X, y, out):
    """Fit each ``(name, estimator)`` of ``planned`` in turn; a Ctrl-C keeps what is fitted."""
    fitted = []
    for recipe, estimator in planned:
        try:
            fitted.append(_fit(args, recipe, estimator, X, y, out))
        except KeyboardInterrupt:
            if not fitted:
                raise
            print(f"skae: {recipe} stopped before it had anything to keep; left out", file=out)
            break
        if fitted[-1]["interrupted"]:
            break  # Ctrl-C: score what is fitted, train no more
    return fitted


def _fit(args, name, estimator, X, y, out):
    """Fit one recipe under the command's Ctrl-C and progress bar; return its entry."""
    from ._progress import progress_bars  # a Keras callback: imported once Keras is

    start = time.perf_counter()
    entry = {"name": name}
    with interrupts.fitting(), progress_bars(args, name):
        if args.grid:
            estimator = _grid_search(args, estimator, X, y, entry, out)
            clusters = estimator.predict(X)
        else:
            clusters = estimator.fit_predict(X)
    entry["fit_seconds"] = time.perf_counter() - start
    entry["interrupted"] = interrupts.count > 0
    entry["estimator"] = estimator
    entry["clusters"] = clusters
    entry["scores"] = _scores(y, clusters)
    entry["steps"] = steps(estimator)
    return entry


# The searched parameter, and its name in the command's grid table and
# metrics.json as it has always been (by the steps column's label).
_SEARCHED = f"{TUTORIAL_AUTOENCODER}__encoding_dim"
_REPORTED = "autoencoder__encoding_dim"


def _grid_search(args, recipe, X, y, entry, out):
    """Search ``--grid``'s code sizes by majority-vote accuracy; print and return the best."""
    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from ..metrics import majority_vote_scorer

    search = GridSearchCV(
        recipe, {_SEARCHED: args.grid}, scoring=majority_vote_scorer, cv=args.cv, n_jobs=args.n_jobs
    )
    search.fit(X, y)
    columns = [f"param_{_SEARCHED}", "mean_test_score", "std_test_score", "rank_test_score"]
    table = pd.DataFrame(search.cv_results_)[columns].rename(columns={columns[0]: f"param_{_REPORTED}"})
    best = {_REPORTED: search.best_params_[_SEARCHED]}
    print("\ngrid search (majority-vote accuracy on held-out folds):", file=out)
    print(table.to_string(index=False), file=out)
    print(f"best: {best}", file=out)
    entry["grid_search"] = table.to_dict(orient="list")
    entry["best_params"] = best
    return search.best_estimator_


def _scores(y, clusters):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from ..metrics import hungarian_accuracy_score, majority_vote_accuracy_score

    return {
        "majority_vote_accuracy": majority_vote_accuracy_score(y, clusters),
        "hungarian_accuracy": hungarian_accuracy_score(y, clusters),
        "nmi": normalized_mutual_info_score(y, clusters),
        "ari": adjusted_rand_score(y, clusters),
    }


def _kmeans_on_pixels(args, X, y):
    """The scores of ``--baseline``: the kmeans recipe, KMeans on the scaled pixels."""
    from ..recipes import make_recipe

    kmeans = make_recipe("kmeans", n_clusters=args.n_clusters, random_state=args.random_state)
    return _scores(y, kmeans.fit_predict(X))


def load(args):
    """``(X, y, name)`` of the data ``--data``, ``--split`` and ``--n-samples`` name."""
    kind, path = data_source(args.data, args.split)
    if kind == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        name = "digits (scikit-learn's load_digits)"
    else:
        from ..datasets import load_mnist

        import_keras(args)  # a download goes through Keras
        try:
            X, y = load_mnist(path, subset=args.split, scale=False, return_X_y=True)
        except (OSError, ValueError) as exc:
            where = "" if path is None else f" from {str(path)!r}"
            raise CommandError(f"cannot load MNIST{where}: {exc}") from None
        name = f"{'MNIST' if path is None else path} ({args.split})"
    if args.n_samples is not None:
        X, y = X[: args.n_samples], y[: args.n_samples]
    return X, y, name


def write_run_report(args, results, out=sys.stdout):
    """Write the report of ``run``'s `results` into ``--report``'s folder."""
    from .._report import _has_autoencoder, write_comparison_report, write_report

    arrays = ("pipeline", "X", "y", "clusters", "recipes")
    summary = {key: value for key, value in results.items() if key not in arrays}
    summary = {"title": f"skae run on {results['data']}", **summary}
    recipes = results["recipes"]
    if len(recipes) == 1 and _has_autoencoder(results["pipeline"]):
        paths = write_report(
            args.report,
            results["pipeline"],
            results["X"],
            results["y"],
            results["clusters"],
            summary=summary,
            random_state=args.random_state,
        )
    else:
        paths = write_comparison_report(
            args.report,
            results["X"],
            results["y"],
            recipes,
            summary=summary,
            random_state=args.random_state,
        )
    print(f"\nreport: {paths['html']}", file=out)

"""A run: load the data, fit the planned recipes, score them, print and report."""

import sys
import time

from ._checks import CommandError, data_source
from ._console import import_keras
from ._interrupts import interrupts
from ._plan import plan
from ._tables import comparison_table, print_scores, print_table, steps


def run(args, out=sys.stdout):
    """Fit the recipes ``args`` ask for and print their scores; return the results as a dict.

    One recipe: its confusion matrix and scores. Several: one comparison table
    (Hungarian and majority-vote accuracy, NMI, ARI, fit seconds) and the
    confusion matrix of the best by Hungarian accuracy.
    """
    from ..metrics import majority_vote_confusion_matrix

    import_keras(args)
    planned = plan(args)
    X, y, name = load(args)
    print(f"data: {name}, {X.shape[0]} samples x {X.shape[1]} features", file=out, flush=True)
    results = {"data": name, "n_samples": int(X.shape[0]), "n_features": int(X.shape[1])}
    fitted = _fit_plan(args, planned, X, y, out)

    tutorial = next((entry for entry in fitted if entry["name"] == "tutorial"), None)
    if tutorial is not None:
        autoencoder = tutorial["estimator"].named_steps["autoencoder"]
        results["epochs_run"] = autoencoder.n_iter_
        results["encoding_dim"] = autoencoder.encoding_dim
        for key in ("grid_search", "best_params"):
            if key in tutorial:
                results[key] = tutorial[key]
        print(
            f"\nautoencoder {X.shape[1]} -> {autoencoder.encoding_dim} -> {X.shape[1]}: "
            f"{autoencoder.n_iter_} epochs, {tutorial['fit_seconds']:.1f} s",
            file=out,
        )
    main = tutorial or fitted[0]
    if len(fitted) > 1:
        table = comparison_table(fitted)
        print(f"\ncomparison on {name}, {X.shape[0]} samples (fit_s: seconds to fit):", file=out)
        print_table(table, out)
        main = max(fitted, key=lambda entry: entry["scores"]["hungarian_accuracy"])
        results["comparison"] = table.to_dict(orient="list")
    results["recipe"] = main["name"]
    results["fit_seconds"] = main["fit_seconds"]
    results["scores"] = main["scores"]
    print(
        f"\n{main['name']}: majority-vote confusion matrix "
        "(rows: true label, columns: cluster named by majority):",
        file=out,
    )
    print(majority_vote_confusion_matrix(y, main["clusters"]).to_string(), file=out)
    if len(fitted) == 1:
        print("", file=out)
        print_scores(main["scores"], out)

    kmeans = next((entry for entry in fitted if entry["name"] == "kmeans"), None)
    if kmeans is not None and len(fitted) > 1:
        results["baseline_scores"] = kmeans["scores"]
    elif args.baseline:
        results["baseline_scores"] = _kmeans_on_pixels(args, X, y)
        print("\nKMeans on the raw pixels, for comparison:", file=out)
        print_scores(results["baseline_scores"], out)
    results["recipes"] = fitted
    results["pipeline"] = main["estimator"]
    results["X"] = X
    results["y"] = y
    results["clusters"] = main["clusters"]
    return results


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
    from ._progress import progress_bars

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


def _grid_search(args, pipeline, X, y, entry, out):
    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from ..metrics import majority_vote_scorer

    search = GridSearchCV(
        pipeline,
        {"autoencoder__encoding_dim": args.grid},
        scoring=majority_vote_scorer,
        cv=args.cv,
        n_jobs=args.n_jobs,
    )
    search.fit(X, y)
    table = pd.DataFrame(search.cv_results_)[
        ["param_autoencoder__encoding_dim", "mean_test_score", "std_test_score", "rank_test_score"]
    ]
    print("\ngrid search (majority-vote accuracy on held-out folds):", file=out)
    print(table.to_string(index=False), file=out)
    print(f"best: {search.best_params_}", file=out)
    entry["grid_search"] = table.to_dict(orient="list")
    entry["best_params"] = search.best_params_
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
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import MinMaxScaler

    raw = KMeans(args.n_clusters, n_init=10, random_state=args.random_state)
    return _scores(y, raw.fit_predict(MinMaxScaler().fit_transform(X)))


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

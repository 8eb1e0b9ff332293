"""The ``skae`` command: the MNIST autoencoder clustering tutorial, end to end."""

import argparse
import sys
import time



def _parse_sizes(text):
    try:
        sizes = [int(size) for size in text.split(",") if size.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas, such as 8,16,36; got {text!r}"
        )
    return sizes


def _parser():
    parser = argparse.ArgumentParser(
        prog="skae", description="scikit-learn compatible autoencoders on Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="autoencoder -> KMeans -> majority vote, as in the MNIST tutorial",
        description=(
            "Scale the images to [0, 1], train the autoencoder, cluster its codes "
            "with KMeans, name each cluster by majority vote and print the table "
            "and scores. Without --data it runs on scikit-learn's digits."
        ),
    )
    run.add_argument(
        "--data",
        metavar="NPZ",
        help="MNIST in the Keras layout (x_train, y_train, x_test, y_test)",
    )
    run.add_argument(
        "--split",
        choices=["train", "test", "all"],
        default="train",
        help="which part of --data to use (default: train)",
    )
    run.add_argument(
        "--n-samples", type=int, metavar="N", help="use only the first N samples"
    )
    run.add_argument(
        "--encoding-dim", type=int, default=36, help="code size (default: 36)"
    )
    run.add_argument(
        "--hidden-layer-sizes",
        type=_parse_sizes,
        default=(),
        metavar="SIZES",
        help="encoder hidden layers, e.g. 500,500,2000 (default: none)",
    )
    run.add_argument(
        "--epochs", type=int, default=200, help="maximum epochs (default: 200)"
    )
    run.add_argument(
        "--batch-size", type=int, default=2024, help="batch size (default: 2024)"
    )
    run.add_argument(
        "--n-clusters", type=int, default=10, help="KMeans clusters (default: 10)"
    )
    run.add_argument(
        "--grid",
        type=_parse_sizes,
        metavar="SIZES",
        help="grid search the code size over SIZES (e.g. 8,16,36) by majority-vote accuracy",
    )
    run.add_argument("--cv", type=int, default=3, help="folds of the grid search")
    run.add_argument(
        "--n-jobs", type=int, default=None, help="parallel jobs of the grid search"
    )
    run.add_argument(
        "--baseline",
        action="store_true",
        help="also cluster the raw pixels with KMeans, for comparison",
    )
    run.add_argument(
        "--report",
        metavar="DIR",
        help=(
            "also write the figures (PNG), the scores (metrics.json) and an "
            "index.html summarising the run into DIR (needs matplotlib)"
        ),
    )
    run.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    run.add_argument(
        "--quiet", action="store_true", help="no training progress, only the results"
    )
    return parser


def _load(args):
    if args.data is None:
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        name = "digits (scikit-learn's load_digits)"
    else:
        from .datasets import load_mnist

        try:
            X, y = load_mnist(args.data, subset=args.split, scale=False, return_X_y=True)
        except (OSError, ValueError) as exc:
            raise SystemExit(f"skae: cannot read MNIST from {args.data!r}: {exc}") from None
        name = f"{args.data} ({args.split})"
    if args.n_samples is not None:
        X, y = X[: args.n_samples], y[: args.n_samples]
    return X, y, name


def _pipeline(args):
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    from ._autoencoder import AutoencoderTransformer

    verbose = 0 if args.quiet else (1 if sys.stdout.isatty() else 2)
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


def _scores(y, clusters):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from .metrics import hungarian_accuracy_score, majority_vote_accuracy_score

    return {
        "majority_vote_accuracy": majority_vote_accuracy_score(y, clusters),
        "hungarian_accuracy": hungarian_accuracy_score(y, clusters),
        "nmi": normalized_mutual_info_score(y, clusters),
        "ari": adjusted_rand_score(y, clusters),
    }


def run(args, out=sys.stdout):
    """Run the tutorial pipeline as ``args`` say; return its results as a dict."""
    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from .metrics import majority_vote_confusion_matrix, majority_vote_scorer

    X, y, name = _load(args)
    print(f"data: {name}, {X.shape[0]} samples x {X.shape[1]} features", file=out)
    pipeline = _pipeline(args)
    results = {"data": name, "n_samples": int(X.shape[0]), "n_features": int(X.shape[1])}

    start = time.perf_counter()
    if args.grid:
        search = GridSearchCV(
            pipeline,
            {"autoencoder__encoding_dim": args.grid},
            scoring=majority_vote_scorer,
            cv=args.cv,
            n_jobs=args.n_jobs,
        )
        search.fit(X, y)
        pipeline = search.best_estimator_
        table = pd.DataFrame(search.cv_results_)[
            ["param_autoencoder__encoding_dim", "mean_test_score", "std_test_score", "rank_test_score"]
        ]
        print("\ngrid search (majority-vote accuracy on held-out folds):", file=out)
        print(table.to_string(index=False), file=out)
        print(f"best: {search.best_params_}", file=out)
        results["grid_search"] = table.to_dict(orient="list")
        results["best_params"] = search.best_params_
    else:
        pipeline.fit(X)
    results["fit_seconds"] = time.perf_counter() - start

    autoencoder = pipeline.named_steps["autoencoder"]
    clusters = pipeline.named_steps["kmeans"].labels_ if not args.grid else pipeline.predict(X)
    results["epochs_run"] = autoencoder.n_iter_
    results["encoding_dim"] = autoencoder.encoding_dim
    results["scores"] = _scores(y, clusters)

    print(
        f"\nautoencoder {X.shape[1]} -> {autoencoder.encoding_dim} -> {X.shape[1]}: "
        f"{autoencoder.n_iter_} epochs, {results['fit_seconds']:.1f} s",
        file=out,
    )
    print("\nmajority-vote confusion matrix (rows: true label, columns: cluster named by majority):", file=out)
    print(majority_vote_confusion_matrix(y, clusters).to_string(), file=out)
    print("", file=out)
    for metric, value in results["scores"].items():
        print(f"{metric:>24}: {value:.4f}", file=out)

    if args.baseline:
        from sklearn.cluster import KMeans
        from sklearn.preprocessing import MinMaxScaler

        raw = KMeans(args.n_clusters, n_init=10, random_state=args.random_state)
        raw_clusters = raw.fit_predict(MinMaxScaler().fit_transform(X))
        results["baseline_scores"] = _scores(y, raw_clusters)
        print("\nKMeans on the raw pixels, for comparison:", file=out)
        for metric, value in results["baseline_scores"].items():
            print(f"{metric:>24}: {value:.4f}", file=out)
    results["pipeline"] = pipeline
    results["X"] = X
    results["y"] = y
    results["clusters"] = clusters
    return results


def _check_report_support():
    """Fail before training, not after, when the report cannot be drawn."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit(
            "skae: --report needs matplotlib; install it with pip install 'skae[plot]'"
        ) from None
    matplotlib.use("Agg")


def _write_report(args, results, out=sys.stdout):
    from ._report import write_report

    arrays = ("pipeline", "X", "y", "clusters")
    summary = {key: value for key, value in results.items() if key not in arrays}
    paths = write_report(
        args.report,
        results["pipeline"],
        results["X"],
        results["y"],
        results["clusters"],
        summary={"title": f"skae run on {results['data']}", **summary},
        random_state=args.random_state,
    )
    print(f"\nreport: {paths['html']}", file=out)


def main(argv=None):
    """Entry point of the ``skae`` command."""
    args = _parser().parse_args(argv)
    for option in ("encoding_dim", "epochs", "batch_size", "n_clusters", "n_samples", "cv"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise SystemExit(f"skae: --{option.replace('_', '-')} must be at least 1, got {value}")
    if args.report is not None:
        _check_report_support()
    results = run(args)
    if args.report is not None:
        _write_report(args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

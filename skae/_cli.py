"""The ``skae`` command: the MNIST autoencoder clustering tutorial, end to end.

The command checks every argument and every place it will write before it
loads data or imports TensorFlow, so a mistake costs a second, not a training.
Failures are one line, ``skae: ...``, with exit status 2 for a bad argument and
1 for a failure at run time; ``--debug`` shows the traceback instead.
"""

import argparse
import contextlib
import logging
import os
import re
import signal
import sys
import tempfile
import time
import warnings

DATASETS = ("digits", "mnist")
_DATA_HELP = (
    "--data takes a data set name (digits, mnist) or the path of an .npz file in "
    "the Keras MNIST layout (arrays x_train, y_train, x_test, y_test)"
)
# Lines of TensorFlow's C++ (absl) logging, such as
# "E0000 00:00:1733.48 5105 cuda_platform.cc:52] failed call to cuInit: ...".
_NATIVE_LOG = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|To enable the following instructions: )"
)


class CommandError(Exception):
    """A failure the command reports as one line, ``skae: <message>``.

    `status` is the exit status: 2 for a bad argument, 1 for a failure at run
    time.
    """

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one ``skae: ...`` line, exit status 2."""

    def error(self, message):
        raise CommandError(f"{message} (see '{self.prog} --help')", status=2)


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
    parser = _Parser(
        prog="skae", description="scikit-learn compatible autoencoders on Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="fit and compare clustering recipes, the MNIST tutorial among them",
        description=(
            "Fit clustering recipes and score them against the true labels: by "
            "default KMeans on the pixels, the tutorial (scale the images to [0, 1], "
            "train the autoencoder, cluster its codes with KMeans, name each cluster "
            "by majority vote) and the best recipe, in one comparison table. "
            "Without --data it runs on scikit-learn's digits. Errors exit with "
            "status 2 (bad argument) or 1 (failure at run time); Ctrl-C stops "
            "training and keeps the best weights, a second Ctrl-C quits (130)."
        ),
    )
    _add_data_arguments(run)
    _add_tutorial_arguments(run)
    _add_recipe_arguments(run)
    _add_output_arguments(run)
    return parser


def _add_data_arguments(run):
    run.add_argument(
        "--data",
        metavar="NAME|NPZ",
        help=(
            "digits (default: scikit-learn's 8x8 digits), mnist (Keras' cached "
            "copy, downloaded when missing; see skae.datasets.load_mnist) or an "
            ".npz file in the Keras MNIST layout (x_train, y_train, x_test, y_test)"
        ),
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


def _add_tutorial_arguments(run):
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


def _add_recipe_arguments(run):
    run.add_argument(
        "--recipe",
        metavar="NAMES",
        help=(
            "the recipes to fit and compare (skae.recipes), comma-separated, or "
            "all; default: the tutorial beside KMeans on pixels and the best "
            "recipe. The tutorial follows the options above; the others --budget"
        ),
    )
    run.add_argument(
        "--budget",
        default="1",
        metavar="B",
        help=(
            "training time of the recipes other than the tutorial, as a multiple "
            "of their default, or fast, default, best (default: 1)"
        ),
    )
    run.add_argument(
        "--baseline",
        action="store_true",
        help="also cluster the raw pixels with KMeans, for comparison",
    )


def _add_output_arguments(run):
    run.add_argument(
        "--report",
        metavar="DIR",
        help=(
            "also write the figures (PNG), the scores (metrics.json) and an "
            "index.html summarising the run into DIR (needs matplotlib)"
        ),
    )
    run.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    console = run.add_mutually_exclusive_group()
    console.add_argument(
        "--quiet", action="store_true", help="no training progress, only the results"
    )
    console.add_argument(
        "--verbose",
        action="store_true",
        help="Keras' own progress lines instead of one progress bar per fit",
    )
    run.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and TensorFlow's log lines instead of one-line errors",
    )


def _data_source(text, split):
    """``(name, path)`` of the data `text` names; check a file before loading it.

    A data set name wins over a file of the same name: write ``./mnist`` for
    the file.
    """
    if text is None or text in DATASETS:
        return text or "digits", None
    from .datasets._mnist import _as_file, _check_npz

    path = _as_file(text)
    if not path.exists():
        raise CommandError(f"--data {text!r}: no such file or data set. {_DATA_HELP}.", 2)
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise CommandError(f"--data {text!r}: cannot read it ({exc.strerror or exc}).", 2)
    names = {"train": ["train"], "test": ["test"], "all": ["train", "test"]}[split]
    try:
        _check_npz(path, [f"{xy}_{name}" for name in names for xy in "xy"])
    except ValueError as exc:
        raise CommandError(f"--data: {exc}", 2) from None
    return "file", path


def _check_report_folder(text):
    """Make the report folder now and write a file in it, before any training."""
    from pathlib import Path

    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise CommandError(f"--report {text!r} is a file; give a folder to write the report in.", 2)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise CommandError(
            f"--report {text!r}: cannot write there ({exc.strerror or exc}); "
            "give a folder you can create and write in.",
            2,
        ) from None
    try:
        import matplotlib
    except ImportError:
        raise CommandError(
            "--report needs matplotlib; install it with pip install 'skae[plot]'", 2
        ) from None
    matplotlib.use("Agg")


def _check_args(args):
    """Check every argument and output place; raise CommandError (status 2)."""
    for option in ("encoding_dim", "epochs", "batch_size", "n_clusters", "n_samples", "cv"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise CommandError(f"--{option.replace('_', '-')} must be at least 1, got {value}", 2)
    _data_source(args.data, args.split)
    if args.report is not None:
        _check_report_folder(args.report)


@contextlib.contextmanager
def _native_log_filtered():
    """Drop TensorFlow's C++ log lines written to file descriptor 2 meanwhile.

    They are written before Python sees them (absl logs to stderr until it is
    initialised), so stderr's descriptor goes to a file and what is not a C++
    log line is copied back.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to protect
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode(errors="replace").splitlines(keepends=True):
                if not _NATIVE_LOG.match(line):
                    sys.stderr.write(line)
            sys.stderr.flush()


def _import_keras(args):
    """Import Keras and its backend, quietly unless --debug.

    Only the command does this: the library never changes a user's logging.
    """
    if "keras" in sys.modules or args.debug:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    with _native_log_filtered():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices()  # cuInit complains here, if at all
    # TensorFlow's Python warnings (e.g. tf.function retracing) say nothing a
    # user of the command can act on.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging
    except ImportError:
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def _load(args):
    kind, path = _data_source(args.data, args.split)
    if kind == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        name = "digits (scikit-learn's load_digits)"
    else:
        from .datasets import load_mnist

        _import_keras(args)  # a download goes through Keras
        try:
            X, y = load_mnist(path, subset=args.split, scale=False, return_X_y=True)
        except (OSError, ValueError) as exc:
            where = "" if path is None else f" from {str(path)!r}"
            raise CommandError(f"cannot load MNIST{where}: {exc}") from None
        name = f"{'MNIST' if path is None else path} ({args.split})"
    if args.n_samples is not None:
        X, y = X[: args.n_samples], y[: args.n_samples]
    return X, y, name


class _Interrupts:
    """Ctrl-C in the command: the first stops training, the second quits.

    A fit stopped by Ctrl-C keeps its best weights and the command goes on to
    score and report (see ``FitGuard``); a second Ctrl-C exits at once with
    status 130.

    During a Keras fit the first Ctrl-C is not raised by the signal handler,
    which would raise it wherever the main thread is, inside TensorFlow's own
    Python code too (a run crashed once with SIGSEGV after such a Ctrl-C):
    the fit raises it itself at the end of its current step or epoch, from a
    callback (:func:`_stop_callback`), where Keras' loop is between calls.
    """

    def __init__(self):
        self.count = 0
        self.training = False
        self.keras_fits = 0
        self.stop_requested = False

    def __call__(self, signum, frame):
        self.count += 1
        if self.count > 1:
            if sys.stdout.isatty():
                sys.stdout.write("\x1b[?25h\n")  # a progress bar hid the cursor
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        if self.training:
            print(
                "skae: interrupted: training stops, keeps its best weights so far and "
                "the run goes on to score; press Ctrl-C again to quit at once",
                file=sys.stderr,
                flush=True,
            )
        if self.keras_fits:
            self.stop_requested = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self):
        self.count = 0
        try:
            previous = signal.signal(signal.SIGINT, self)
        except ValueError:  # not the main thread: leave Ctrl-C alone
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextlib.contextmanager
    def fitting(self):
        self.training = True
        try:
            with _callbacks_added(lambda: [_stop_callback(self)]):
                yield
        finally:
            self.training = False
            # A fit that ended by another exception never left.
            self.keras_fits = 0
            self.stop_requested = False


def _stop_callback(interrupts):
    """A Keras callback that raises ``KeyboardInterrupt`` once ``interrupts`` has a stop requested."""
    import keras

    class StopOnCtrlC(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            interrupts.keras_fits += 1

        def on_train_batch_end(self, batch, logs=None):
            self._stop_if_requested()

        def on_epoch_end(self, epoch, logs=None):
            # FitGuard lists this after History: the epoch counts as complete.
            self._stop_if_requested()

        def on_train_end(self, logs=None):
            self._leave()

        def _stop_if_requested(self):
            if interrupts.stop_requested:
                self._leave()  # an interrupted fit never calls on_train_end
                raise KeyboardInterrupt

        def _leave(self):
            interrupts.keras_fits -= 1
            # A request that came as the fit ended stops only this fit, as a
            # raised KeyboardInterrupt would have.
            interrupts.stop_requested = False

    return StopOnCtrlC()


@contextlib.contextmanager
def _callbacks_added(make):
    """Add ``make()``'s callbacks to every Keras fit meanwhile, after those already added.

    FitGuard adds ``_extra_callbacks()`` to every fit, also fits deep inside a
    pipeline or a recipe, which take no callbacks of their own.
    """
    from ._keras import _fit_guard

    original = _fit_guard._extra_callbacks
    _fit_guard._extra_callbacks = lambda: [*original(), *make()]
    try:
        yield
    finally:
        _fit_guard._extra_callbacks = original


_interrupts = _Interrupts()


@contextlib.contextmanager
def _progress_bars(args, label):
    """One progress bar per Keras fit meanwhile, unless --quiet or --verbose."""
    if args.quiet or args.verbose:
        yield
        return
    from ._progress import ProgressBar

    bars = []

    def new_bar():
        bars.append(ProgressBar(label))
        return [bars[-1]]

    try:
        with _callbacks_added(new_bar):
            yield
    finally:
        for bar in bars:
            bar.close()  # an interrupted fit never calls on_train_end


def _pipeline(args):
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    from ._autoencoder import AutoencoderTransformer

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
    from . import recipes

    return recipes


def _budget(text):
    try:
        return float(text)
    except ValueError:
        return text


def _plan(args):
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
    plan = []
    for name in names:
        if name == "tutorial":
            plan.append((name, _pipeline(args)))
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
        plan.append((name, _with_verbosity(estimator, args)))
    return plan


def _with_verbosity(estimator, args):
    """Set the ``verbose`` of skae's neural estimators inside `estimator` as the command says."""
    from ._autoencoder import AutoencoderTransformer
    from ._deep_clustering import DeepEmbeddedClustering

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


_STEP_NAMES = {
    "MinMaxScaler": "scale",
    "AutoencoderTransformer": "autoencoder",
    "DeepEmbeddedClustering": "DEC",
}


def _steps(estimator):
    """The estimator's steps, short: ``scale > autoencoder > KMeans``.

    A fitted codes step of the balanced recipe shows as the autoencoder
    when it trained one, and not at all when the samples went on as they were.
    """
    from .recipes import CodesOfLargeData

    names = []
    for _, step in getattr(estimator, "steps", [(None, estimator)]):
        if isinstance(step, CodesOfLargeData):
            if getattr(step, "autoencoder_", False) is None:
                continue
            step = step.autoencoder
        if step != "passthrough":
            names.append(type(step).__name__)
    return " > ".join(_STEP_NAMES.get(name, name) for name in names)


def _scores(y, clusters):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from .metrics import hungarian_accuracy_score, majority_vote_accuracy_score

    return {
        "majority_vote_accuracy": majority_vote_accuracy_score(y, clusters),
        "hungarian_accuracy": hungarian_accuracy_score(y, clusters),
        "nmi": normalized_mutual_info_score(y, clusters),
        "ari": adjusted_rand_score(y, clusters),
    }


def _fit(args, name, estimator, X, y, out):
    """Fit one recipe under the command's Ctrl-C and progress bar; return its entry."""
    start = time.perf_counter()
    entry = {"name": name}
    with _interrupts.fitting(), _progress_bars(args, name):
        if args.grid:
            estimator = _grid_search(args, estimator, X, y, entry, out)
            clusters = estimator.predict(X)
        else:
            clusters = estimator.fit_predict(X)
    entry["fit_seconds"] = time.perf_counter() - start
    entry["interrupted"] = _interrupts.count > 0
    entry["estimator"] = estimator
    entry["clusters"] = clusters
    entry["scores"] = _scores(y, clusters)
    entry["steps"] = _steps(estimator)
    return entry


def _grid_search(args, pipeline, X, y, entry, out):
    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from .metrics import majority_vote_scorer

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


def _print_scores(scores, out):
    for metric, value in scores.items():
        print(f"{metric:>24}: {value:.4f}", file=out)


def _comparison_table(fitted):
    import pandas as pd

    rows = [
        {
            "recipe": entry["name"] + (" (stopped)" if entry["interrupted"] else ""),
            "hungarian": entry["scores"]["hungarian_accuracy"],
            "majority": entry["scores"]["majority_vote_accuracy"],
            "nmi": entry["scores"]["nmi"],
            "ari": entry["scores"]["ari"],
            "fit_s": entry["fit_seconds"],
            "steps": entry["steps"],
        }
        for entry in fitted
    ]
    return pd.DataFrame(rows)


def run(args, out=sys.stdout):
    """Fit the recipes ``args`` ask for and print their scores; return the results as a dict.

    One recipe: its confusion matrix and scores. Several: one comparison table
    (Hungarian and majority-vote accuracy, NMI, ARI, fit seconds) and the
    confusion matrix of the best by Hungarian accuracy.
    """
    from .metrics import majority_vote_confusion_matrix

    _import_keras(args)
    plan = _plan(args)
    X, y, name = _load(args)
    print(f"data: {name}, {X.shape[0]} samples x {X.shape[1]} features", file=out, flush=True)
    results = {"data": name, "n_samples": int(X.shape[0]), "n_features": int(X.shape[1])}
    fitted = _fit_plan(args, plan, X, y, out)

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
        table = _comparison_table(fitted)
        print(f"\ncomparison on {name}, {X.shape[0]} samples (fit_s: seconds to fit):", file=out)
        _print_table(table, out)
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
        _print_scores(main["scores"], out)

    kmeans = next((entry for entry in fitted if entry["name"] == "kmeans"), None)
    if kmeans is not None and len(fitted) > 1:
        results["baseline_scores"] = kmeans["scores"]
    elif args.baseline:
        results["baseline_scores"] = _kmeans_on_pixels(args, X, y)
        print("\nKMeans on the raw pixels, for comparison:", file=out)
        _print_scores(results["baseline_scores"], out)
    results["recipes"] = fitted
    results["pipeline"] = main["estimator"]
    results["X"] = X
    results["y"] = y
    results["clusters"] = main["clusters"]
    return results


def _fit_plan(args, plan, X, y, out):
    """Fit each ``(name, estimator)`` of ``plan`` in turn; a Ctrl-C keeps what is fitted."""
    fitted = []
    for recipe, estimator in plan:
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


def _print_table(table, out):
    width = table["steps"].str.len().max()
    text = table.to_string(
        index=False,
        float_format="{:.3f}".format,
        formatters={"fit_s": "{:.1f}".format, "steps": f"{{:<{width}}}".format},
    )
    print("\n".join(line.rstrip() for line in text.splitlines()), file=out)


def _kmeans_on_pixels(args, X, y):
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import MinMaxScaler

    raw = KMeans(args.n_clusters, n_init=10, random_state=args.random_state)
    return _scores(y, raw.fit_predict(MinMaxScaler().fit_transform(X)))


def _write_report(args, results, out=sys.stdout):
    from ._report import _has_autoencoder, write_comparison_report, write_report

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


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one plain line: the command's user has no use for source lines."""
    print(f"skae: warning: {str(message).splitlines()[0]}", file=file or sys.stderr)


def _main(argv):
    args = _parser().parse_args(argv)
    _check_args(args)
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
            # _Interrupts says it in the command's words.
            warnings.filterwarnings("ignore", message="Training interrupted", category=UserWarning)
        results = run(args)
        if args.report is not None:
            _write_report(args, results)
    return 0


def main(argv=None):
    """Entry point of the ``skae`` command; return its exit status.

    0: done, also after a Ctrl-C that stopped training early; 1: a failure at
    run time; 2: a bad argument; 130: interrupted.
    """
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        with _interrupts.installed():
            return _main(argv)
    except CommandError as exc:
        if debug:
            raise
        print(f"skae: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        if debug:
            raise
        print("skae: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `skae run | head`: the reader left; nothing more to say.
        sys.stderr.close()
        return 1
    except Exception as exc:
        if debug:
            raise
        print(
            f"skae: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())

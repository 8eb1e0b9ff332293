"""The command's arguments: ``make_parser()``; a usage error is one ``skae: ...`` line."""

import argparse

from ._checks import CommandError


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


def _parse_budget(text):
    """A number, or else the name of a budget; ``skae.recipes.make_recipe`` checks either."""
    try:
        return float(text)
    except ValueError:
        return text


def make_parser():
    """The ``skae`` parser, its one command ``run`` with every option."""
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
        type=_parse_budget,
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

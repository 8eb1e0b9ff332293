"""Every argument and output place checked before any data is loaded or Keras imported."""

import tempfile

DATASETS = ("digits", "mnist")
_DATA_HELP = (
    "--data takes a data set name (digits, mnist) or the path of an .npz file in "
    "the Keras MNIST layout (arrays x_train, y_train, x_test, y_test)"
)
_POSITIVE_OPTIONS = ("encoding_dim", "epochs", "batch_size", "n_clusters", "n_samples", "cv")


class CommandError(Exception):
    """A failure the command reports as one line, ``skae: <message>``.

    `status` is the exit status: 2 for a bad argument, 1 for a failure at run
    time.
    """

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def check_args(args):
    """Check every argument and output place; raise CommandError (status 2)."""
    for option in _POSITIVE_OPTIONS:
        value = getattr(args, option)
        if value is not None and value < 1:
            raise CommandError(f"--{option.replace('_', '-')} must be at least 1, got {value}", 2)
    data_source(args.data, args.split)
    if args.report is not None:
        _check_report_folder(args.report)


def data_source(text, split):
    """``(name, path)`` of the data `text` names; check a file before loading it.

    A data set name wins over a file of the same name: write ``./mnist`` for
    the file.
    """
    if text is None or text in DATASETS:
        return text or "digits", None
    from ..datasets._mnist import _as_file, _check_npz

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

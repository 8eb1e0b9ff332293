"""The entry point: the run under the command's Ctrl-C, a failure as one ``skae:`` line."""

import sys
import warnings

from ._checks import CommandError, check_args
from ._console import show_warning
from ._interrupts import interrupts
from ._parser import make_parser
from ._run import run, write_run_report


def main(argv=None):
    """Entry point of the ``skae`` command; return its exit status.

    0: done, also after a Ctrl-C that stopped training early; 1: a failure at
    run time; 2: a bad argument; 130: interrupted.
    """
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        with interrupts.installed():
            return _parse_and_run(argv)
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


def _parse_and_run(argv):
    args = make_parser().parse_args(argv)
    check_args(args)
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = show_warning
            # Interrupts says it in the command's words.
            warnings.filterwarnings("ignore", message="Training interrupted", category=UserWarning)
        results = run(args)
        if args.report is not None:
            write_run_report(args, results)
    return 0

"""A quiet console: Keras imported without TensorFlow's log lines, warnings in one line.

Only the command does this: the library never changes a user's logging.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile

# Lines of TensorFlow's C++ (absl) logging, such as
# "E0000 00:00:1733.48 5105 cuda_platform.cc:52] failed call to cuInit: ...".
_NATIVE_LOG = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|To enable the following instructions: )"
)


def import_keras(args):
    """Import Keras and its backend, quietly unless --debug."""
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


def show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one plain line: the command's user has no use for source lines."""
    print(f"skae: warning: {str(message).splitlines()[0]}", file=file or sys.stderr)


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

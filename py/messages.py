"""What the user sees. Lines go through the C host, which owns stdout/stderr and the verbosity:
level 0 is pip's usual output on stdout, negative levels go to stderr as they are, positive
levels are detail for -v, -vv, -vvv, tagged with the subsystem."""

import contextlib
import logging
import os

import _ensurepip_host as host

VERBOSE = 15  # pip's own level between DEBUG and INFO


def say(text):
    host.log(0, "pip", text)


def warn(text):
    host.log(-1, "pip", "WARNING: " + text)


def detail(tag, text, level=1):
    host.log(level, tag, text)


progress = host.progress  # the transient progress line (shown only when stderr is a terminal)

_shown = None  # (written, shown): the staging directory, and where its files will be


@contextlib.contextmanager
def staging_shown_as(staging, final):
    """pip's lines name files under `staging` as under `final`, where the commit puts them:
    what `pip install` would have said, and a path that still exists after the run."""
    global _shown
    _shown = (staging, final)
    try:
        yield
    finally:
        _shown = None


class _PipRecords(logging.Handler):
    """pip's log records, shown as pip's command line shows them."""

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # a broken log call must not break the install
            return
        if _shown:
            text = text.replace(*_shown)
            # distlib's "Creating DIR" for a scripts directory that is new only in the staging
            # tree: `pip install` into the target would not have said it.
            if (record.name.startswith("pip._vendor.distlib") and text.startswith("Creating ")
                    and os.path.isdir(text[len("Creating "):])):
                return
        if record.levelno >= logging.ERROR:
            host.log(-1, "pip", "ERROR: " + text)
        elif record.levelno >= logging.WARNING:
            host.log(-1, "pip", "WARNING: " + text)
        elif record.levelno >= logging.INFO and not record.name.startswith("pip._vendor."):
            host.log(0, "pip", text)
        else:
            # pip's CLI lets vendored libraries speak from -v on, at its -v threshold (VERBOSE):
            # distlib's "changing mode of .../bin/pip3 to 755" shows at -v, their debug at -vv.
            host.log(1 if record.levelno >= VERBOSE else 2, "pip", text)


def route_pip_logging():
    logger = logging.getLogger("pip")
    logger.addHandler(_PipRecords())
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

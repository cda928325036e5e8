"""What the user sees. Lines go through the C host, which owns stdout/stderr and the verbosity:
level 0 is pip's usual output on stdout, negative levels go to stderr as they are, positive
levels are detail for -v, -vv, -vvv, tagged with the subsystem."""

import logging

import _ensurepip_host as host

VERBOSE = 15  # pip's own level between DEBUG and INFO


def say(text):
    host.log(0, "pip", text)


def warn(text):
    host.log(-1, "pip", "WARNING: " + text)


def detail(tag, text, level=1):
    host.log(level, tag, text)


def progress(text):
    """The transient progress line (shown only when stderr is a terminal)."""
    host.progress(text)


class _PipRecords(logging.Handler):
    """pip's log records, shown as pip's command line shows them."""

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # a broken log call must not break the install
            return
        if record.name.startswith("pip._vendor.") and record.levelno < logging.WARNING:
            host.log(2, "pip", text)  # pip's own CLI shows vendored libraries' chatter only at -vv
        elif record.levelno >= logging.ERROR:
            host.log(-1, "pip", "ERROR: " + text)
        elif record.levelno >= logging.WARNING:
            host.log(-1, "pip", "WARNING: " + text)
        elif record.levelno >= logging.INFO:
            host.log(0, "pip", text)
        elif record.levelno >= VERBOSE:
            host.log(1, "pip", text)
        else:
            host.log(2, "pip", text)


def route_pip_logging():
    logger = logging.getLogger("pip")
    logger.addHandler(_PipRecords())
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

"""How the glue fails: a kind the C host turns into a status code, and one line for the user."""

import contextlib
import errno
import signal


class Failure(Exception):
    """A failure to report. kind names a status of include/ensurepip.h: its name without
    ENSUREPIP_E_, in lower case with '-' for '_' ("no-space" for ENSUREPIP_E_NO_SPACE)."""

    def __init__(self, kind, message, pip_exit_code=-1):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.pip_exit_code = pip_exit_code


RUN_ENDING_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@contextlib.contextmanager
def signals_held():
    """Run-ending signals wait (blocked) while this lasts: for steps that an Interrupted raised
    half-way would leave half done. A thread started meanwhile never receives them."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, RUN_ENDING_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class Interrupted(BaseException):
    """A run-ending signal arrived. BaseException, so that no `except Exception` in pip
    swallows it on its way out."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


_KIND_BY_ERRNO = {errno.ENOSPC: "no-space", errno.EDQUOT: "no-space", errno.EROFS: "read-only",
                  errno.EACCES: "permission", errno.EPERM: "permission"}

_ADVICE = {
    "no-space": "free some space there and run ensurepip again",
    "read-only": "the filesystem is mounted read-only; remount it read-write or choose another target",
    "permission": "run ensurepip as a user who may write there, or choose another target (the user scheme, or a root directory)",
}


def from_os_error(error, doing):
    """A Failure for an OSError met while `doing` (e.g. "staging pip in /v/lib/...")."""
    kind = _KIND_BY_ERRNO.get(error.errno, "system")
    where = error.filename or ""
    text = f"{doing}: {error.strerror or error}"
    if where and where not in doing:
        text += f" ({where})"
    if kind in _ADVICE:
        text += f"; {_ADVICE[kind]}"
    return Failure(kind, text)

"""One change at a time per target: an advisory lock (flock) on its site-packages directory
itself, no lock file (README.md, "Staging and the commit"): a killed run leaves nothing behind.
Blocks holding it never nest: a second descriptor of the same directory would wait for the first."""

import contextlib
import errno
import fcntl
import os
import time

from . import messages
from .errors import Failure, from_os_error

_POLL_SECONDS = 0.02


@contextlib.contextmanager
def target_lock(directory, timeout):
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        raise from_os_error(e, f"cannot open {directory} to lock it")
    try:  # closing the descriptor releases the lock, also when a signal stops the wait
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.EAGAIN):
                    raise from_os_error(e, f"cannot lock {directory}")
            if time.monotonic() >= deadline:
                raise Failure("locked", f"another ensurepip is changing {directory}; "
                                        f"gave up waiting after {timeout:g} s (see --lock-timeout)")
            if not waiting:
                messages.detail("lock", f"waiting for another ensurepip working on {directory}")
                waiting = True
            time.sleep(_POLL_SECONDS)
        yield
    finally:
        os.close(fd)

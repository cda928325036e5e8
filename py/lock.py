"""One change at a time per target: an advisory lock (flock) on its site-packages directory
itself.

No lock file: nothing is created in the target to take the lock (a run refused before it
changes anything leaves even the directory's mtime alone), and a killed run leaves nothing
behind (the kernel drops its lock with its last descriptor). The lock is the process's: taken
again inside a block that holds it (the uninstall path re-enters), it is only counted, and
released when the outermost block ends."""

import errno
import fcntl
import os
import time

from . import messages
from .errors import Failure, from_os_error

_POLL_SECONDS = 0.02

# (st_dev, st_ino) of each locked directory -> [descriptor, depth]
_held = {}


class TargetLock:
    def __init__(self, directory, timeout):
        self.directory = directory
        self.timeout = timeout
        self.key = None

    def __enter__(self):
        try:
            fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as e:
            raise from_os_error(e, f"cannot open {self.directory} to lock it")
        st = os.fstat(fd)
        self.key = (st.st_dev, st.st_ino)
        held = _held.get(self.key)
        if held is not None:
            os.close(fd)
            held[1] += 1
            return self
        deadline = time.monotonic() + self.timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.EAGAIN):
                    os.close(fd)
                    raise from_os_error(e, f"cannot lock {self.directory}")
            if time.monotonic() >= deadline:
                os.close(fd)
                raise Failure("locked", f"another ensurepip is changing {self.directory}; "
                                        f"gave up waiting after {self.timeout:g} s (see --lock-timeout)")
            if not waiting:
                messages.detail("lock", f"waiting for another ensurepip working on {self.directory}")
                waiting = True
            time.sleep(_POLL_SECONDS)
        _held[self.key] = [fd, 1]
        return self

    def __exit__(self, *exc):
        held = _held[self.key]
        held[1] -= 1
        if held[1] == 0:
            del _held[self.key]
            os.close(held[0])  # closing the last descriptor releases the lock
        return False

"""One change at a time per target: an advisory fcntl lock on a file in its site-packages.

The holder unlinks the file before releasing it, so no lock file is left in the target. A
waiter may therefore lock a file that was just unlinked; it notices (the path names another
inode, or none) and tries again."""

import errno
import fcntl
import os
import time

from . import messages
from .errors import Failure, from_os_error

LOCK_NAME = ".ensurepip.lock"
_POLL_SECONDS = 0.02


class TargetLock:
    def __init__(self, directory, timeout):
        self.path = os.path.join(directory, LOCK_NAME)
        self.timeout = timeout
        self.fd = None

    def __enter__(self):
        deadline = time.monotonic() + self.timeout
        waiting = False
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            except OSError as e:
                raise from_os_error(e, f"cannot create the lock file {self.path}")
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno not in (errno.EACCES, errno.EAGAIN):
                    raise from_os_error(e, f"cannot lock {self.path}")
                if time.monotonic() >= deadline:
                    raise Failure("locked", f"another ensurepip is changing {os.path.dirname(self.path)}; "
                                            f"gave up waiting after {self.timeout:g} s (see --lock-timeout)")
                if not waiting:
                    messages.detail("lock", f"waiting for another ensurepip working on {self.path}")
                    waiting = True
                time.sleep(_POLL_SECONDS)
                continue
            try:
                current = os.stat(self.path, follow_symlinks=False)
                held = os.fstat(fd)
                same = (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                return self
            os.close(fd)

    def __exit__(self, *exc):
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None
        return False

"""Putting staged files in place, and taking installed ones away, so that a crash at any instant
leaves the target usable and the next run can finish the job.

A transaction is a directory `.ensurepip-txn-*` inside the target's site-packages (so on the same
filesystem: every step is a rename). It holds the staged tree, a journal, and what was taken out
of the target. The steps, in an order chosen so that the target is always either as before or
complete:

  install:  scripts -> package directories -> the .dist-info (pip counts as installed from here)
  upgrade:  scripts -> the new .dist-info -> swap each package directory with the staged one
            (renameat2 RENAME_EXCHANGE: the old pip runs until the instant the new one does)
            -> retire the old .dist-info -> retire files only the old RECORD lists
  uninstall: retire the .dist-info (pip counts as absent from here) -> packages -> scripts

Each step is idempotent given the journal (a move is done when its source is gone, a swap when
the destination holds the staged inode), so recovery just replays the journal forward. The
journal is written, and the staged data flushed to disk, before the first step.
"""

import errno
import json
import os
import shutil
import tempfile

import _ensurepip_host as host

from . import messages
from .errors import Failure, from_os_error, signals_held

PREFIX = ".ensurepip-txn-"
JOURNAL = "journal.json"


def _lexists(path):
    return os.path.lexists(path)


def _device(path):
    """The filesystem a path is (or would be created) on."""
    while not _lexists(path):
        path = os.path.dirname(path)
    return os.lstat(path).st_dev


def _exchange(src, dst, spare):
    """Swap two paths atomically; where the filesystem cannot (no RENAME_EXCHANGE), in three
    renames through `spare`, which _apply knows how to finish after a crash."""
    try:
        host.exchange(src, dst)
        return
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
    os.rename(dst, spare)
    os.rename(src, dst)
    os.rename(spare, src)


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Transaction:
    """One change to a target. Its directory lives in site-packages; a destination on another
    filesystem (a scripts directory, rarely) gets a side directory of the same name there, so
    that every step stays a rename within one filesystem."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.stage_root = os.path.join(path, "stage")
        self.sides = {}  # st_dev -> transaction directory on that filesystem
        self.ops = []
        self.done = 0
        self.touched_dirs = set()
        self.keep = False  # set when a failed commit could not be undone: recovery needs it
        self.committed = False  # set once every step is done, before signals get through again

    @classmethod
    def begin(cls, lib_dir):
        txn = cls(tempfile.mkdtemp(prefix=PREFIX, dir=lib_dir))
        txn.sides[os.lstat(txn.path).st_dev] = txn.path
        return txn

    def _side(self, directory):
        """The transaction directory on the filesystem of directory (created if need be)."""
        dev = _device(directory)
        side = self.sides.get(dev)
        if side is None:
            side = os.path.join(directory, self.name)
            os.makedirs(side, mode=0o700, exist_ok=True)
            self.sides[dev] = side
        return side

    def _spare(self, directory, kind):
        return os.path.join(self._side(directory), "retired", f"{kind}-{len(self.ops)}")

    # -- planning ------------------------------------------------------------------------------

    def _put(self, src, dst):
        """Put src at dst: a move, or a swap if something is there already."""
        directory = os.path.dirname(dst)
        if _device(src) != _device(directory):
            # Bring the staged file to the destination's filesystem first: steps are renames.
            copy = os.path.join(self._side(directory), "stage", os.path.basename(src))
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copy2(src, copy, follow_symlinks=False)
            with open(copy, "rb") as f:
                os.fsync(f.fileno())
            src = copy
        if _lexists(dst):
            op = {"op": "swap", "src": src, "dst": dst, "ino": os.lstat(src).st_ino,
                  "spare": self._spare(directory, "swap")}
        else:
            op = {"op": "move", "src": src, "dst": dst}
        self.ops.append(op)
        self.touched_dirs.add(directory)

    def _retire(self, path):
        directory = os.path.dirname(path)
        dst = self._spare(directory, os.path.basename(path))
        self.ops.append({"op": "retire", "src": path, "dst": dst})
        self.touched_dirs.add(directory)

    def plan_install(self, staged, lib_dir, scripts_dir, replaced):
        """replaced: the InstalledPip in lib_dir this install replaces, or None."""
        os.makedirs(scripts_dir, exist_ok=True)
        for name in staged.scripts:
            self._put(os.path.join(staged.scripts_dir, name), os.path.join(scripts_dir, name))
        dist_info = staged.dist_info
        new_dist = (os.path.join(staged.lib_dir, dist_info), os.path.join(lib_dir, dist_info))
        if replaced is not None:
            self._put(*new_dist)
        for name in staged.packages:
            self._put(os.path.join(staged.lib_dir, name), os.path.join(lib_dir, name))
        if replaced is None:
            self._put(*new_dist)
            return
        if os.path.normpath(replaced.info_dir) != os.path.normpath(new_dist[1]):
            self._retire(replaced.info_dir)
        covered = {os.path.join(lib_dir, name) for name in staged.lib_entries}
        covered |= {os.path.join(scripts_dir, name) for name in staged.scripts}
        covered.add(replaced.info_dir)
        for path in owned_files(replaced.info_dir, lib_dir, scripts_dir):
            if not any(path == c or path.startswith(c + os.sep) for c in covered) and _lexists(path):
                self._retire(path)

    def plan_uninstall(self, installed, lib_dir, scripts_dir):
        files = owned_files(installed.info_dir, lib_dir, scripts_dir)
        self._retire(installed.info_dir)
        owned = set(files)
        whole = set()
        for path in sorted(files):
            if not path.startswith(lib_dir + os.sep):
                continue
            top = os.path.join(lib_dir, os.path.relpath(path, lib_dir).split(os.sep, 1)[0])
            if top not in whole and top != installed.info_dir and os.path.isdir(top) \
                    and not os.path.islink(top) and _wholly_owned(top, owned):
                whole.add(top)
                self._retire(top)
        for path in sorted(files):
            inside = any(path.startswith(w + os.sep) for w in whole)
            if not inside and not path.startswith(installed.info_dir + os.sep) and _lexists(path):
                self._retire(path)
                for pyc in _cached_bytecode(path):
                    self._retire(pyc)

    # -- doing ---------------------------------------------------------------------------------

    def _write_journal(self, state):
        tmp = os.path.join(self.path, JOURNAL + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "state": state, "ops": self.ops,
                       "sides": sorted(self.sides.values())}, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.path, JOURNAL))
        _fsync_dir(self.path)

    def commit(self, what):
        """Applies the plan. `what` names the change for messages ("installing pip 23.0.1")."""
        try:
            for side in self.sides.values():
                os.makedirs(os.path.join(side, "retired"), exist_ok=True)
                host.syncfs(side)  # the staged data is on disk before the journal says to use it
            self._write_journal("committing")
        except OSError as e:
            raise from_os_error(e, f"{what}: cannot prepare the change in {self.path}")
        with signals_held():
            try:
                for op in self.ops:
                    _apply(op)
                    self.done += 1
                for directory in sorted(self.touched_dirs):
                    _fsync_dir(directory)
                self.committed = True
            except OSError as e:
                failure = from_os_error(e, f"{what}: step {self.done + 1} of {len(self.ops)} failed")
                try:
                    self._rollback()
                except OSError as again:
                    self.keep = True
                    raise Failure(failure.kind, f"{failure.message}; undoing it failed too ({again.strerror}): "
                                                f"run ensurepip again to finish the change recorded in {self.path}")
                self.discard()
                raise failure

    def _rollback(self):
        for op in reversed(self.ops[:self.done + 1]):
            _undo(op)
        for directory in sorted(self.touched_dirs):
            _fsync_dir(directory)
        self.done = 0

    def discard(self):
        """Removes the transaction's directories: staged leftovers, or what the change retired.
        The journal goes first, so that an interruption here is not taken for a commit."""
        try:
            os.unlink(os.path.join(self.path, JOURNAL))
        except FileNotFoundError:
            pass
        for side in sorted(set(self.sides.values()) | {self.path}):
            shutil.rmtree(side, ignore_errors=True)


def _apply(op):
    kind, src, dst = op["op"], op["src"], op["dst"]
    if kind in ("move", "retire"):
        if _lexists(src):
            os.rename(src, dst)
        return
    if kind != "swap":
        raise ValueError(f"unknown journal step {kind!r}")
    spare = op["spare"]
    if not (_lexists(dst) and os.lstat(dst).st_ino == op["ino"]):
        if _lexists(dst) and _lexists(src):
            _exchange(src, dst, spare)
        elif not _lexists(dst) and _lexists(src):
            os.rename(src, dst)  # a three-rename swap stopped after its first rename
        else:
            raise OSError(errno.ENOENT, "a journal step cannot be replayed: the staged copy is gone", src)
    if _lexists(spare) and not _lexists(src):
        os.rename(spare, src)  # the old content belongs where the staged copy was


def _undo(op):
    kind, src, dst = op["op"], op["src"], op["dst"]
    if kind in ("move", "retire"):
        if _lexists(dst) and not _lexists(src):
            os.rename(dst, src)
        return
    spare = op["spare"]
    if _lexists(dst) and os.lstat(dst).st_ino == op["ino"]:
        if _lexists(src):
            _exchange(src, dst, spare)
        elif _lexists(spare):
            os.rename(dst, src)
            os.rename(spare, dst)
    elif not _lexists(dst) and _lexists(spare):
        os.rename(spare, dst)


def pending(lib_dir, scripts_dir):
    """Whether an interrupted run left a transaction behind (cheap: no lock needed to ask)."""
    for directory in (lib_dir, scripts_dir):
        try:
            if any(name.startswith(PREFIX) for name in os.listdir(directory)):
                return True
        except OSError:
            pass
    return False


def recover(lib_dir, scripts_dir):
    """Finishes or clears what an interrupted run left in lib_dir (and its side directories in
    scripts_dir). Call with the lock held. Returns the number of transactions found."""
    try:
        names = [n for n in os.listdir(lib_dir) if n.startswith(PREFIX)]
    except FileNotFoundError:
        names = []
    for name in sorted(names):
        path = os.path.join(lib_dir, name)
        try:
            with open(os.path.join(path, JOURNAL), encoding="utf-8") as f:
                journal = json.load(f)
        except (OSError, ValueError):
            journal = None
        if journal and journal.get("state") == "committing":
            messages.detail("recover", f"finishing the change an interrupted run recorded in {path}")
            for op in journal["ops"]:
                _apply(op)
            for directory in sorted({os.path.dirname(op["dst"]) for op in journal["ops"]}
                                    | {os.path.dirname(op["src"]) for op in journal["ops"]}):
                _fsync_dir(directory)
        else:
            messages.detail("recover", f"removing what an interrupted run staged in {path}")
        txn = Transaction(path)
        txn.sides = {i: side for i, side in enumerate((journal or {}).get("sides", []))}
        txn.discard()
    # Side directories on the scripts filesystem: replayed above if committed, else abandoned.
    try:
        for name in os.listdir(scripts_dir):
            if name.startswith(PREFIX):
                shutil.rmtree(os.path.join(scripts_dir, name), ignore_errors=True)
    except FileNotFoundError:
        pass
    return len(names)


def owned_files(info_dir, lib_dir, scripts_dir):
    """The files an installed distribution's RECORD lists, as absolute paths, limited to its
    lib and scripts directories: a RECORD is data, and must not make us touch anything else."""
    import csv

    record = os.path.join(info_dir, "RECORD")
    try:
        with open(record, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise Failure("target", f"the installed pip has no readable RECORD ({record}: {e.strerror}); "
                                "remove its .dist-info directory by hand, then run ensurepip again")
    base = os.path.dirname(info_dir)
    files = []
    for row in rows:
        if not row or not row[0]:
            continue
        path = os.path.normpath(os.path.join(base, row[0]))
        for allowed in (lib_dir, scripts_dir):
            if path.startswith(os.path.normpath(allowed) + os.sep):
                files.append(path)
                break
    return files


def _cached_bytecode(path):
    if not path.endswith(".py"):
        return []
    cache = os.path.join(os.path.dirname(path), "__pycache__")
    stem = os.path.basename(path)[:-3] + "."
    try:
        return [os.path.join(cache, n) for n in sorted(os.listdir(cache))
                if n.startswith(stem) and n.endswith(".pyc")]
    except OSError:
        return []


def _wholly_owned(top, owned):
    """True if every file under top is listed, or is cached bytecode of a listed .py file."""
    for directory, _subdirs, names in os.walk(top):
        for name in names:
            path = os.path.join(directory, name)
            if path in owned:
                continue
            if os.path.basename(directory) == "__pycache__" and name.endswith(".pyc"):
                source = os.path.join(os.path.dirname(directory), name.split(".", 1)[0] + ".py")
                if source in owned:
                    continue
            return False
    return True

"""Putting staged files in place, and taking installed ones away, so that a crash at any instant
leaves a target that pip itself reads correctly, and that the next run finishes (README.md,
"Staging and the commit"). The plans' order keeps at most one .dist-info of each project in
site-packages, and a .dist-info only beside the files its RECORD lists, at every instant.

A transaction is a directory `.ensurepip-txn-*` in the target's site-packages, and a side
directory of the same name in the scripts directory (another mount, maybe): every step is a
rename, or an exchange (renameat2 RENAME_EXCHANGE), within one directory tree. Each step is
idempotent given the journal (a move is done when its source is gone, a swap when the
destination holds the staged inode), so recovery replays the journal forward; it is written, and
the staged data flushed, before the first step.

What lies in the target is data: every path is reached from site-packages or the scripts
directory one component at a time, never through a link (Confined). A leftover is recovered only
if it carries this directory's identity (the device and inode of it and of site-packages, which
no copied or crafted tree can know in advance); anything else is reported and left alone.
"""

import contextlib
import csv
import errno
import io
import json
import os
import stat
import tempfile

import _ensurepip_host as host

from . import messages
from .errors import Failure, from_os_error, signals_held

PREFIX = ".ensurepip-txn-"
JOURNAL = "journal.json"
IDENTITY = "identity.json"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC

# Leftovers already reported by this process (recovery runs twice per install).
_reported = set()


class Confined:
    """The target's own directories, and the operations of a transaction on paths beneath them."""

    def __init__(self, *bases):
        self.bases = sorted({os.path.normpath(b) for b in bases}, key=len, reverse=True)

    def base_of(self, path):
        """The base directory path lies beneath (lexically), or None."""
        path = os.path.normpath(path)
        for base in self.bases:
            if path.startswith(base + os.sep):
                return base
        return None

    @contextlib.contextmanager
    def parent(self, path):
        """(descriptor of path's directory, path's last component), reached from its base
        directory without following a link. A link on the way is refused, naming its target."""
        base = self.base_of(path)
        if base is None:
            raise Failure("target", f"{path} lies outside {' and '.join(self.bases)}; "
                                    "ensurepip changes nothing else")
        parts = os.path.relpath(os.path.normpath(path), base).split(os.sep)
        fd = os.open(base, _DIRECTORY)
        try:
            walked = base
            for part in parts[:-1]:
                walked = os.path.join(walked, part)
                try:
                    inner = os.open(part, _DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.ENOTDIR):
                        _refuse_if_link(walked, fd, part, base)
                    raise
                os.close(fd)
                fd = inner
            yield fd, parts[-1]
        finally:
            os.close(fd)

    def lstat(self, path):
        """os.lstat, or None if nothing is there."""
        try:
            with self.parent(path) as (fd, name):
                return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def exists(self, path):
        return self.lstat(path) is not None

    def is_link(self, path):
        st = self.lstat(path)
        return st is not None and stat.S_ISLNK(st.st_mode)

    def rename(self, src, dst):
        with self.parent(src) as (src_fd, src_name), self.parent(dst) as (dst_fd, dst_name):
            os.rename(src_name, dst_name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)

    def exchange(self, src, dst, spare):
        """Swaps two entries atomically; where the filesystem cannot (no RENAME_EXCHANGE), in
        three renames through `spare`, which _apply knows how to finish after a crash."""
        with self.parent(src) as (src_fd, src_name), self.parent(dst) as (dst_fd, dst_name):
            try:
                host.exchange_at(src_fd, src_name, dst_fd, dst_name)
                return
            except OSError as e:
                if e.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                    raise
        self.rename(dst, spare)
        self.rename(src, dst)
        self.rename(spare, src)

    def makedirs(self, path, mode=0o755):
        """The missing directories down to path, each made beneath its parent's descriptor."""
        if os.path.normpath(path) in self.bases or self.exists(path):
            return
        self.makedirs(os.path.dirname(path), mode)
        with self.parent(path) as (fd, name):
            try:
                os.mkdir(name, mode, dir_fd=fd)
            except FileExistsError:
                pass

    @contextlib.contextmanager
    def directory(self, path):
        """A descriptor of the directory path itself (not followed if it is a link)."""
        if os.path.normpath(path) in self.bases:
            fd = os.open(path, _DIRECTORY)
        else:
            with self.parent(path) as (parent, name):
                fd = os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
        try:
            yield fd
        finally:
            os.close(fd)

    def listdir(self, path):
        with self.directory(path) as fd:
            return os.listdir(fd)

    def read(self, path):
        with self.parent(path) as (parent, name):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
        with open(fd, "rb") as f:
            return f.read()

    def write(self, path, data, exclusive=False):
        """Writes a file of ours (never through a link), flushed to disk."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        flags |= os.O_EXCL if exclusive else os.O_TRUNC
        with self.parent(path) as (parent, name):
            fd = os.open(name, flags, 0o600, dir_fd=parent)
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    def remove_tree(self, path):
        """Removes path and everything beneath it; a link is removed, never followed."""
        try:
            with self.parent(path) as (fd, name):
                _remove_at(fd, name)
        except FileNotFoundError:
            pass

    def fsync_dir(self, path):
        try:
            with self.directory(path) as fd:
                os.fsync(fd)
        except OSError:
            pass


def _refuse_if_link(walked, parent_fd, name, base):
    try:
        target = os.readlink(name, dir_fd=parent_fd)
    except OSError:
        return  # not a link: the caller's error stands
    raise Failure("target", f"{walked} is a symbolic link to {target}: ensurepip never follows links "
                            f"beneath {base}; replace the link with what it points to, or choose "
                            "another target")


def _remove_at(dir_fd, name):
    """shutil.rmtree(name, dir_fd=...) as Python 3.11+ has it (3.10 has none)."""
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(name, dir_fd=dir_fd)
        return
    fd = os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    try:
        for entry in os.listdir(fd):
            _remove_at(fd, entry)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=dir_fd)


class Transaction:
    """One change to a target, planned as a list of steps (ops) and then committed."""

    def __init__(self, path, confined):
        self.path = path
        self.name = os.path.basename(path)
        self.lib = os.path.dirname(path)
        self.confined = confined
        self.stage_root = os.path.join(path, "stage")
        self.sides = {self.lib: path}  # base directory -> this transaction's directory there
        self.ops = []
        self.done = 0
        self.touched_dirs = set()
        self.keep = False  # set when a failed commit could not be undone: recovery needs it
        self.committed = False  # set once every step is done, before signals get through again

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.keep:
            self.discard()

    @classmethod
    def begin(cls, lib_dir, scripts_dir):
        txn = cls(tempfile.mkdtemp(prefix=PREFIX, dir=lib_dir), Confined(lib_dir, scripts_dir))
        try:
            tmp = os.path.join(txn.path, IDENTITY + ".tmp")
            txn.confined.write(tmp, json.dumps(txn.identity()).encode(), exclusive=True)
            txn.confined.rename(tmp, os.path.join(txn.path, IDENTITY))
        except BaseException:
            txn.discard()
            raise
        return txn

    def identity(self):
        """What only this very directory, made by ensurepip in this site-packages, has."""
        with self.confined.directory(self.path) as fd:
            own = os.fstat(fd)
        lib = os.stat(self.lib)
        return {"directory": self.path, "self": [own.st_dev, own.st_ino], "lib": [lib.st_dev, lib.st_ino]}

    def verify(self):
        """None if this directory is a transaction ensurepip made here; else why not."""
        try:
            if self.confined.is_link(self.path):
                return "it is a symbolic link"
            recorded = json.loads(self.confined.read(os.path.join(self.path, IDENTITY)))
            actual = self.identity()
        except (OSError, ValueError) as e:
            return f"no readable identity ({getattr(e, 'strerror', None) or e})"
        if recorded != actual:
            return "it was not made by ensurepip for this directory (a copy, or crafted)"
        return None

    def _side(self, path):
        """This transaction's directory in the base directory path lies beneath: every step
        stays within one directory tree, whatever the mounts."""
        base = self.confined.base_of(path)
        side = self.sides.get(base)
        if side is None:
            side = os.path.join(base, self.name)
            self.confined.makedirs(side, mode=0o700)
            self.sides[base] = side
        return side

    def _spare(self, path, kind):
        return os.path.join(self._side(path), "retired", f"{kind}-{len(self.ops)}")

    # -- planning ------------------------------------------------------------------------------

    def _put(self, src, dst, owned=frozenset()):
        """Put src (staged) at dst: a move, or a swap if something is there already. owned: the
        files the replaced RECORD lists; what else is inside a directory at dst is kept."""
        src_is_dir = os.path.isdir(src) and not os.path.islink(src)
        there = self.confined.lstat(dst)
        if there is not None:
            self._check_not_in_the_way(dst, there, src_is_dir)
        if self.confined.base_of(src) != self.confined.base_of(dst):
            src = self._copy_beside(src, dst)
        if there is not None:
            op = {"op": "swap", "src": src, "dst": dst, "ino": os.lstat(src).st_ino,
                  "spare": self._spare(dst, "swap")}
        else:
            op = {"op": "move", "src": src, "dst": dst}
        self.ops.append(op)
        self.touched_dirs.add(os.path.dirname(dst))
        if there is not None and src_is_dir:
            self._keep_foreign_files(src, dst, owned)

    def _copy_beside(self, src, dst):
        """A copy of the staged file src in this transaction's directory beside dst."""
        if os.path.isdir(src):
            raise Failure("pip", f"pip's installer staged a directory for {dst}")
        copy = os.path.join(self._side(dst), "stage", os.path.basename(src))
        self.confined.makedirs(os.path.dirname(copy), mode=0o700)
        st = os.lstat(src)
        with open(src, "rb") as f:
            self.confined.write(copy, f.read(), exclusive=True)
        with self.confined.parent(copy) as (fd, name):
            os.chmod(name, stat.S_IMODE(st.st_mode), dir_fd=fd)
            os.utime(name, ns=(st.st_atime_ns, st.st_mtime_ns), dir_fd=fd)
        return copy

    def _check_not_in_the_way(self, path, there, want_dir):
        """Refuses a link where pip's files go (pip would write through it), and a directory
        where a file goes or the reverse (pip refuses those too)."""
        if stat.S_ISLNK(there.st_mode):
            with self.confined.parent(path) as (fd, name):
                target = os.readlink(name, dir_fd=fd)
            raise Failure("target", f"{path} is a symbolic link to {target}, where pip's files go: "
                                    "ensurepip never writes through links; remove it and run ensurepip again")
        if stat.S_ISDIR(there.st_mode) != want_dir:
            raise Failure("target", f"{path} is in the way of pip's "
                                    f"{'directory' if want_dir else 'file'} {os.path.basename(path)} and is "
                                    "not pip's; move it away and run ensurepip again")

    def _keep_foreign_files(self, staged, dst, owned):
        """After dst (a directory) and staged swap, what the old dst holds that is not pip's (not
        owned, not bytecode of an owned source, not replaced by a staged file) moves into the new
        one: pip removes only what its RECORD lists. (Staged are only files and directories.)"""
        for directory, subdirs, names in os.walk(dst):
            links = [d for d in subdirs if os.path.islink(os.path.join(directory, d))]
            for name in sorted(names + links):
                path = os.path.join(directory, name)
                new = os.path.join(staged, os.path.relpath(path, dst))
                if os.path.isfile(new) or path in owned or _is_bytecode_of(path, owned):
                    continue
                if os.path.isdir(new):
                    self._check_not_in_the_way(path, os.lstat(path), want_dir=True)
                self.ops.append({"op": "keep", "src": new, "dst": path})
                self.touched_dirs.add(os.path.dirname(path))
            for path in (os.path.join(directory, name) for name in subdirs):
                if os.path.isfile(os.path.join(staged, os.path.relpath(path, dst))):
                    self._check_not_in_the_way(path, os.lstat(path), want_dir=False)

    def _retire(self, path):
        dst = self._spare(path, os.path.basename(path))
        self.ops.append({"op": "retire", "src": path, "dst": dst})
        self.touched_dirs.add(os.path.dirname(path))

    def plan_install(self, staged, lib_dir, scripts_dir, replaced):
        """replaced: the installed distribution in lib_dir (Target.installed) this install
        replaces, or None."""
        self.confined.makedirs(scripts_dir)
        owned = set(owned_files(replaced.info_dir, self.confined)) if replaced else set()
        for name in staged.scripts:
            self._put(os.path.join(staged.scripts_dir, name), os.path.join(scripts_dir, name), owned)
        new_dist = (os.path.join(staged.lib_dir, staged.dist_info), os.path.join(lib_dir, staged.dist_info))
        if replaced is not None and os.path.normpath(replaced.info_dir) != os.path.normpath(new_dist[1]):
            self._retire(replaced.info_dir)
        for name in staged.packages:
            self._put(os.path.join(staged.lib_dir, name), os.path.join(lib_dir, name), owned)
        self._put(*new_dist, owned)
        if replaced is None:
            return
        covered = {os.path.join(lib_dir, name) for name in staged.lib_entries}
        covered |= {os.path.join(scripts_dir, name) for name in staged.scripts}
        covered.add(replaced.info_dir)
        for path in sorted(owned):
            if not any(path == c or path.startswith(c + os.sep) for c in covered) and self.confined.exists(path):
                self._retire(path)

    def plan_uninstall(self, installed, lib_dir, scripts_dir):
        """Returns the number of files RECORD lists that are there (what the uninstall removes)."""
        files = owned_files(installed.info_dir, self.confined)
        self._retire(installed.info_dir)
        owned = set(files)
        tops = {os.path.join(lib_dir, os.path.relpath(path, lib_dir).split(os.sep, 1)[0])
                for path in files if path.startswith(lib_dir + os.sep)} - {installed.info_dir}
        whole = [top for top in sorted(tops, key=lambda top: top + os.sep)  # as sorted(files) meets them
                 if not self.confined.is_link(top) and os.path.isdir(top) and _wholly_owned(top, owned)]
        for top in whole:
            self._retire(top)
        for path in sorted(files):
            inside = any(path.startswith(w + os.sep) for w in whole)
            if not inside and not path.startswith(installed.info_dir + os.sep) and self.confined.exists(path):
                self._retire(path)
                for pyc in _cached_bytecode(path):
                    self._retire(pyc)
        return sum(1 for path in files if os.path.lexists(path))

    # -- doing ---------------------------------------------------------------------------------

    def commit(self, what):
        """Applies the plan. `what` names the change for messages ("installing pip 23.0.1")."""
        try:
            # What this run wrote is on disk before the journal says to use it (file by file, many
            # at once in the host, src/flushtree.c: syncfs would wait for every other writer too).
            for side in self.sides.values():
                self.confined.makedirs(os.path.join(side, "retired"), mode=0o700)
                with self.confined.directory(side) as fd:
                    host.flush_tree(fd)
                self.confined.fsync_dir(os.path.dirname(side))
            journal = {"version": 2, "identity": self.identity(), "state": "committing", "ops": self.ops}
            tmp = os.path.join(self.path, JOURNAL + ".tmp")
            self.confined.write(tmp, json.dumps(journal).encode("utf-8"))
            self.confined.rename(tmp, os.path.join(self.path, JOURNAL))
            self.confined.fsync_dir(self.path)
        except OSError as e:
            raise from_os_error(e, f"{what}: cannot prepare the change in {self.path}")
        with signals_held():
            try:
                for op in self.ops:
                    _apply(op, self.confined)
                    self.done += 1
                for directory in sorted(self.touched_dirs):
                    self.confined.fsync_dir(directory)
                self.committed = True
            except OSError as e:
                failure = from_os_error(e, f"{what}: step {self.done + 1} of {len(self.ops)} failed")
                try:
                    for op in reversed(self.ops[:self.done + 1]):
                        _undo(op, self.confined)
                    for directory in sorted(self.touched_dirs):
                        self.confined.fsync_dir(directory)
                except OSError as again:
                    self.keep = True
                    raise Failure(failure.kind, f"{failure.message}; undoing it failed too ({again.strerror}): "
                                                f"run ensurepip again to finish the change recorded in {self.path}")
                self.discard()
                raise failure

    def discard(self):
        """Removes the transaction's directories: staged leftovers, or what the change retired.
        The journal goes first, so that an interruption here is not taken for a commit; the
        identity last, so that a leftover is still known for ours."""
        with contextlib.suppress(OSError):
            self.confined.remove_tree(os.path.join(self.path, JOURNAL))
        for side in sorted(set(self.sides.values()) - {self.path}):
            with contextlib.suppress(OSError):
                self.confined.remove_tree(side)
        with contextlib.suppress(OSError):
            for name in self.confined.listdir(self.path):
                if name != IDENTITY:
                    self.confined.remove_tree(os.path.join(self.path, name))
            self.confined.remove_tree(self.path)


def _apply(op, confined):
    kind, src, dst = op["op"], op["src"], op["dst"]
    if kind in ("move", "retire"):
        if confined.exists(src):
            confined.rename(src, dst)
        return
    if kind == "keep":
        if confined.exists(src) and not confined.exists(dst):
            confined.makedirs(os.path.dirname(dst))
            confined.rename(src, dst)
        return
    spare = op["spare"]
    there = confined.lstat(dst)
    if not (there is not None and there.st_ino == op["ino"]):
        if there is not None and confined.exists(src):
            confined.exchange(src, dst, spare)
        elif there is None and confined.exists(src):
            confined.rename(src, dst)  # a three-rename swap stopped after its first rename
        else:
            raise OSError(errno.ENOENT, "a journal step cannot be replayed: the staged copy is gone", src)
    if confined.exists(spare) and not confined.exists(src):
        confined.rename(spare, src)  # the old content belongs where the staged copy was


def _undo(op, confined):
    kind, src, dst = op["op"], op["src"], op["dst"]
    if kind in ("move", "retire", "keep"):
        if confined.exists(dst) and not confined.exists(src):
            confined.rename(dst, src)
        return
    spare = op["spare"]
    there = confined.lstat(dst)
    if there is not None and there.st_ino == op["ino"]:
        if confined.exists(src):
            confined.exchange(src, dst, spare)
        elif confined.exists(spare):
            confined.rename(dst, src)
            confined.rename(spare, dst)
    elif there is None and confined.exists(spare):
        confined.rename(spare, dst)


def pending(lib_dir, scripts_dir):
    """Whether an interrupted run left a transaction behind (cheap: no lock needed to ask)."""
    for directory in (lib_dir, scripts_dir):
        try:
            if any(name.startswith(PREFIX) for name in os.listdir(directory)):
                return True
        except OSError:
            pass
    return False


def _report(path, why):
    if path not in _reported:
        _reported.add(path)
        messages.warn(f"left alone: {path}, which looks like an interrupted ensurepip change, but {why}")


def _journal_problem(journal, txn):
    """None if the journal's steps stay inside the target and belong to this transaction."""
    if journal.get("identity") != txn.identity() or not isinstance(journal.get("ops"), list):
        return "its journal is not this transaction's"
    for op in journal["ops"]:
        if not isinstance(op, dict) or op.get("op") not in ("move", "retire", "swap", "keep"):
            return "its journal has a step ensurepip does not make"
        paths = [op.get("src"), op.get("dst")] + ([op.get("spare")] if op["op"] == "swap" else [])
        for path in paths:
            if not isinstance(path, str) or txn.confined.base_of(path) is None:
                return f"its journal names {path!r}, outside {' and '.join(txn.confined.bases)}"
        if op["op"] == "swap" and not isinstance(op.get("ino"), int):
            return "its journal has a malformed step"
    return None


def recover(lib_dir, scripts_dir):
    """Finishes or clears what an interrupted run of ensurepip left in lib_dir (and beside it in
    scripts_dir); reports and leaves alone anything it cannot identify as such. Call with the
    lock held. Returns the number of transactions finished or cleared."""
    confined = Confined(lib_dir, scripts_dir)
    try:
        names = [n for n in confined.listdir(lib_dir) if n.startswith(PREFIX)]
    except FileNotFoundError:
        names = []
    ours = set()
    for name in sorted(names):
        path = os.path.join(lib_dir, name)
        txn = Transaction(path, confined)
        problem = txn.verify()
        if problem is not None and _holds_nothing(confined, path):
            # Made and not yet identified, or removed but for the directory itself: it holds
            # nothing to obey, and nothing anyone could miss.
            messages.detail("recover", f"removing {path}, an empty transaction directory")
            with contextlib.suppress(OSError):
                confined.remove_tree(path)
            continue
        journal = None
        if problem is None:
            try:
                journal = json.loads(confined.read(os.path.join(path, JOURNAL)))
            except FileNotFoundError:
                journal = None
            except (OSError, ValueError) as e:
                problem = f"its journal is unreadable ({e})"
            if journal is not None and not isinstance(journal, dict):
                problem = "its journal is not this transaction's"
        if problem is None and journal is not None and journal.get("state") == "committing":
            problem = _journal_problem(journal, txn)
        if problem is not None:
            _report(path, problem)
            continue
        ours.add(name)
        side = os.path.join(scripts_dir, name)
        if confined.base_of(side) is not None and confined.exists(side):
            txn.sides[confined.base_of(side)] = side
        if journal is not None and journal.get("state") == "committing":
            messages.detail("recover", f"finishing the change an interrupted run recorded in {path}")
            for op in journal["ops"]:
                _apply(op, confined)
            for directory in sorted({os.path.dirname(op[end]) for op in journal["ops"] for end in ("src", "dst")}):
                confined.fsync_dir(directory)
        else:
            messages.detail("recover", f"removing what an interrupted run staged in {path}")
        txn.discard()
    try:
        for name in confined.listdir(scripts_dir):
            if name.startswith(PREFIX) and name not in ours:
                _report(os.path.join(scripts_dir, name), "no transaction of ensurepip in "
                                                         f"{lib_dir} goes with it")
    except (FileNotFoundError, NotADirectoryError):
        pass
    return len(ours)


def _holds_nothing(confined, path):
    try:
        return set(confined.listdir(path)) <= {IDENTITY + ".tmp"}
    except OSError:
        return False


def owned_files(info_dir, confined):
    """The files an installed distribution's RECORD lists, as absolute paths, limited to the
    target's lib and scripts directories: a RECORD is data, and must not make us touch anything
    else."""
    record = os.path.join(info_dir, "RECORD")
    try:
        text = confined.read(record).decode("utf-8", "surrogateescape")
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM):
            raise from_os_error(e, f"cannot read the installed pip's RECORD {record}")
        raise Failure("target", f"the installed pip has no readable RECORD ({record}: {e.strerror}); "
                                "remove its .dist-info directory by hand, then run ensurepip again")
    paths = (os.path.normpath(os.path.join(os.path.dirname(info_dir), row[0]))
             for row in csv.reader(io.StringIO(text, newline="")) if row and row[0])
    return [path for path in paths if confined.base_of(path) is not None]


def _is_bytecode_of(path, owned):
    directory, name = os.path.split(path)
    if os.path.basename(directory) != "__pycache__" or not name.endswith(".pyc"):
        return False
    return os.path.join(os.path.dirname(directory), name.split(".", 1)[0] + ".py") in owned


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
    """Whether every file (and link) under top is listed, or cached bytecode of a listed .py."""
    for directory, subdirs, names in os.walk(top):
        for name in names + [d for d in subdirs if os.path.islink(os.path.join(directory, d))]:
            path = os.path.join(directory, name)
            if path not in owned and not _is_bytecode_of(path, owned):
                return False
    return True

"""The glue's pure parts, as functions over a temporary tree, in this Python, without root: the
crash-recovery engine (py/transaction.py), the bytecode retargeting (py/bytecode.py) and the
description of a target from its files (py/boot.py).

The glue imports _ensurepip_host (and boot.py ensurepip_manifest), which only the program has:
here they are stand-ins in sys.modules while the module under test is imported. The stand-in's
exchange_at makes the system call the program's makes, renameat2(RENAME_EXCHANGE), through ctypes;
or, in the "three-renames" runs, refuses with EINVAL as a filesystem without it does.
"""

import contextlib
import ctypes
import ctypes.util
import errno
import importlib
import importlib.util
import json
import marshal
import os
import pathlib
import stat
import sys
import types
import zipfile
import zipimport

import pytest

GLUE = pathlib.Path(__file__).resolve().parents[2] / "py"
VERSION = "%d.%d" % sys.version_info[:2]


# --- the stand-ins, and loading the modules ----------------------------------------------------

class Host(types.ModuleType):
    """_ensurepip_host as far as transaction.py and boot.py use it."""

    def __init__(self):
        super().__init__("_ensurepip_host")
        self.lines = []  # (level, tag, text) of every line the glue printed
        self.three_renames = False
        self.exchanges = 0  # done by renameat2
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._renameat2 = getattr(libc, "renameat2", None)

    def log(self, level, tag, text):
        self.lines.append((level, tag, text))

    def progress(self, text):
        pass

    def exchange_at(self, src_dir, src, dst_dir, dst):
        if self.three_renames or self._renameat2 is None:
            raise OSError(errno.EINVAL, "no RENAME_EXCHANGE here")
        if self._renameat2(src_dir, os.fsencode(src), dst_dir, os.fsencode(dst), 2) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), src, None, dst)
        self.exchanges += 1

    def flush_tree(self, dir_fd):
        """src/flushtree.c's flush, one os.fsync after another."""
        for _path, _subdirs, files, fd in os.fwalk(dir_fd=dir_fd):
            for name in files:
                file_fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
                try:
                    os.fsync(file_fd)
                finally:
                    os.close(file_fd)
            os.fsync(fd)

    def warnings(self):
        return [text for level, _tag, text in self.lines if level < 0]


@contextlib.contextmanager
def _stand_ins(**modules):
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def load_glue(name, host):
    """py/NAME.py and what it imports of the glue, as test_bytecode.py loads them: without the
    glue's __init__.py, which needs the program."""
    package = types.ModuleType("glue_under_test")
    package.__path__ = [str(GLUE)]
    try:
        with _stand_ins(_ensurepip_host=host, glue_under_test=package):
            return importlib.import_module("glue_under_test." + name)
    finally:
        for loaded in [n for n in sys.modules if n.startswith("glue_under_test.")]:
            del sys.modules[loaded]


def load_boot(host, sysconfigdata):
    manifest = types.ModuleType("ensurepip_manifest")
    manifest.SYSCONFIGDATA = sysconfigdata
    manifest.EXTENSIONS = {}
    spec = importlib.util.spec_from_file_location("boot_under_test", GLUE / "boot.py")
    module = importlib.util.module_from_spec(spec)
    with _stand_ins(_ensurepip_host=host, ensurepip_manifest=manifest):
        spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def usual_umask():
    """Directories made here (by the tests and by the glue) get 0o755, as the snapshots say."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(params=["renameat2", "three-renames"])
def host(request):
    made = Host()
    made.three_renames = request.param == "three-renames"
    return made


@pytest.fixture
def txn_mod(host):
    return load_glue("transaction", host)


# --- a small target and a staged pip -----------------------------------------------------------

def snapshot(top):
    """Every name beneath top with its type, mode and content (or link target)."""
    seen = {}
    for directory, subdirs, names in os.walk(top):
        for name in subdirs + names:
            path = os.path.join(directory, name)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                what = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                what = ("dir", stat.S_IMODE(st.st_mode))
            else:
                with open(path, "rb") as f:
                    what = ("file", stat.S_IMODE(st.st_mode), f.read())
            seen[os.path.relpath(path, top)] = what
    return seen


def write(path, text, mode=0o644):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


class Target:
    """tmp/target/{lib/python3/site-packages,bin}, optionally with pip 23.0 installed: its
    RECORD lists pip/__init__.py, pip/old_only.py, pip_old_extra.py and the script bin/pip;
    pip/user_added.txt and pip/__pycache__/user.cpython-0.pyc are not pip's."""

    def __init__(self, top, old=False):
        self.top = str(top)
        self.lib = os.path.join(self.top, "lib", "python3", "site-packages")
        self.scripts = os.path.join(self.top, "bin")
        os.makedirs(self.lib)
        os.makedirs(self.scripts)
        self.info_dir = None
        if old:
            self.install_old()

    def install_old(self):
        lib = pathlib.Path(self.lib)
        write(lib / "pip" / "__init__.py", "old = True\n")
        write(lib / "pip" / "old_only.py", "gone after the upgrade\n")
        write(lib / "pip" / "__pycache__" / "old_only.cpython-0.pyc", "bytecode of an owned file\n")
        write(lib / "pip" / "user_added.txt", "a user's own file\n", mode=0o600)
        write(lib / "pip" / "__pycache__" / "user.cpython-0.pyc", "not pip's\n")
        write(lib / "pip_old_extra.py", "listed by the old RECORD only\n")
        write(os.path.join(self.scripts, "pip"), "#!/old/python\n", mode=0o755)
        info = lib / "pip-23.0.dist-info"
        write(info / "METADATA", "Name: pip\nVersion: 23.0\n")
        script = os.path.relpath(os.path.join(self.scripts, "pip"), self.lib)
        rows = ["pip/__init__.py", "pip/old_only.py", "pip_old_extra.py", script,
                "pip-23.0.dist-info/METADATA", "pip-23.0.dist-info/RECORD"]
        write(info / "RECORD", "".join(f"{row},,\n" for row in rows))
        self.info_dir = str(info)

    def installed(self):
        return types.SimpleNamespace(info_dir=self.info_dir, version="23.0") if self.info_dir else None

    def dist_infos(self):
        return sorted(n for n in os.listdir(self.lib) if n.startswith("pip-") and n.endswith(".dist-info"))

    def stage(self, txn):
        """pip 24.0 staged in the transaction, as staging.Staged describes it."""
        lib = pathlib.Path(txn.stage_root) / "lib"
        write(lib / "pip" / "__init__.py", "new = True\n")
        write(lib / "pip" / "_internal" / "main.py", "def main(): pass\n")
        write(lib / "pip-24.0.dist-info" / "METADATA", "Name: pip\nVersion: 24.0\n")
        write(lib / "pip-24.0.dist-info" / "RECORD", "pip/__init__.py,,\n")
        scripts = pathlib.Path(txn.stage_root) / "bin"
        for name in ("pip", "pip3"):
            write(scripts / name, f"#!/new/python\n# {name}\n", mode=0o755)
        return types.SimpleNamespace(lib_dir=str(lib), lib_entries=["pip", "pip-24.0.dist-info"],
                                     scripts_dir=str(scripts), scripts=["pip", "pip3"],
                                     dist_info="pip-24.0.dist-info", packages=["pip"])


def planned_install(txn_mod, target):
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    staged = target.stage(txn)
    txn.plan_install(staged, target.lib, target.scripts, target.installed())
    return txn


def steps(txn, target):
    """The plan as (kind, the path in the target it changes, relative to the target)."""
    return [(op["op"], os.path.relpath(op["src" if op["op"] == "retire" else "dst"], target.top)) for op in txn.ops]


# --- planning ----------------------------------------------------------------------------------

def test_plan_install(txn_mod, tmp_path):
    target = Target(tmp_path / "target")
    txn = planned_install(txn_mod, target)
    assert steps(txn, target) == [("move", "bin/pip"), ("move", "bin/pip3"),
                                  ("move", "lib/python3/site-packages/pip"),
                                  ("move", "lib/python3/site-packages/pip-24.0.dist-info")]
    # A script comes from a copy beside the scripts directory: every step is within one tree.
    for op in txn.ops[:2]:
        assert os.path.dirname(os.path.dirname(op["src"])) == os.path.join(target.scripts, txn.name)
    txn.discard()


def test_plan_upgrade(txn_mod, tmp_path):
    target = Target(tmp_path / "target", old=True)
    txn = planned_install(txn_mod, target)
    lib = "lib/python3/site-packages/"
    assert steps(txn, target) == [
        ("swap", "bin/pip"), ("move", "bin/pip3"),
        # pip counts as absent from here until the new .dist-info is in
        ("retire", lib + "pip-23.0.dist-info"),
        ("swap", lib + "pip"),
        ("keep", lib + "pip/user_added.txt"), ("keep", lib + "pip/__pycache__/user.cpython-0.pyc"),
        ("move", lib + "pip-24.0.dist-info"),
        ("retire", lib + "pip_old_extra.py")]
    txn.discard()


def test_plan_uninstall(txn_mod, tmp_path):
    target = Target(tmp_path / "target", old=True)
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    txn.plan_uninstall(target.installed(), target.lib, target.scripts)
    lib = "lib/python3/site-packages/"
    # pip/ holds files that are not pip's: only its own files go, with their bytecode.
    assert steps(txn, target) == [
        ("retire", lib + "pip-23.0.dist-info"),
        ("retire", "bin/pip"),
        ("retire", lib + "pip/__init__.py"),
        ("retire", lib + "pip/old_only.py"),
        ("retire", lib + "pip/__pycache__/old_only.cpython-0.pyc"),
        ("retire", lib + "pip_old_extra.py")]
    txn.discard()


def test_plan_uninstall_retires_a_wholly_owned_package_whole(txn_mod, tmp_path):
    target = Target(tmp_path / "target", old=True)
    os.unlink(os.path.join(target.lib, "pip", "user_added.txt"))
    os.unlink(os.path.join(target.lib, "pip", "__pycache__", "user.cpython-0.pyc"))
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    txn.plan_uninstall(target.installed(), target.lib, target.scripts)
    lib = "lib/python3/site-packages/"
    assert steps(txn, target) == [("retire", lib + "pip-23.0.dist-info"), ("retire", lib + "pip"),
                                  ("retire", "bin/pip"), ("retire", lib + "pip_old_extra.py")]
    txn.discard()


# --- applying ----------------------------------------------------------------------------------

def watch_steps(monkeypatch, txn_mod, target):
    """The .dist-info directories in site-packages before the first step and after each."""
    seen = [target.dist_infos()]
    apply = txn_mod._apply

    def applying(op, confined):
        apply(op, confined)
        seen.append(target.dist_infos())

    monkeypatch.setattr(txn_mod, "_apply", applying)
    return seen


def test_commit_flushes_every_staged_file_and_directory_before_the_journal(txn_mod, tmp_path, monkeypatch):
    """What the journal will say to put in place is on disk first: every staged file and
    directory is flushed (fsync, on whichever thread) before the journal is written."""
    target = Target(tmp_path / "target")
    txn = planned_install(txn_mod, target)
    staged = {os.stat(os.path.join(d, name)).st_ino for side in txn.sides.values()
              for d, dirs, files in os.walk(side) for name in files + dirs} | \
        {os.stat(side).st_ino for side in txn.sides.values()}
    flushed, at_journal = [], []
    real_fsync, real_write = os.fsync, txn.confined.write
    monkeypatch.setattr(txn_mod.os, "fsync", lambda fd: (flushed.append(os.fstat(fd).st_ino), real_fsync(fd))[1])
    monkeypatch.setattr(txn.confined, "write",
                        lambda path, *args, **kw: (at_journal.append(set(flushed)), real_write(path, *args, **kw))[1])
    txn.commit("installing pip 24.0")
    txn.discard()
    assert at_journal and staged <= at_journal[0]


@pytest.mark.parametrize("old", [False, True], ids=["install", "upgrade"])
def test_commit_puts_everything_in_place(txn_mod, tmp_path, monkeypatch, old):
    target = Target(tmp_path / "target", old=old)
    txn = planned_install(txn_mod, target)
    seen = watch_steps(monkeypatch, txn_mod, target)
    txn.commit("installing pip 24.0")
    txn.discard()
    assert txn.committed
    assert len(seen) == len(txn.ops) + 1
    assert all(len(infos) <= 1 for infos in seen), seen
    assert seen[-1] == ["pip-24.0.dist-info"]
    assert (txn_mod.host.exchanges > 0) == (old and not txn_mod.host.three_renames)
    after = snapshot(target.top)
    lib = "lib/python3/site-packages/"
    expected = {
        "bin": after["bin"], "lib": after["lib"], "lib/python3": after["lib/python3"],
        "lib/python3/site-packages": after["lib/python3/site-packages"],
        "bin/pip": ("file", 0o755, b"#!/new/python\n# pip\n"),
        "bin/pip3": ("file", 0o755, b"#!/new/python\n# pip3\n"),
        lib + "pip": ("dir", 0o755),
        lib + "pip/__init__.py": ("file", 0o644, b"new = True\n"),
        lib + "pip/_internal": ("dir", 0o755),
        lib + "pip/_internal/main.py": ("file", 0o644, b"def main(): pass\n"),
        lib + "pip-24.0.dist-info": ("dir", 0o755),
        lib + "pip-24.0.dist-info/METADATA": ("file", 0o644, b"Name: pip\nVersion: 24.0\n"),
        lib + "pip-24.0.dist-info/RECORD": ("file", 0o644, b"pip/__init__.py,,\n"),
    }
    if old:  # what is not pip's stays, as it was
        expected.update({lib + "pip/user_added.txt": ("file", 0o600, b"a user's own file\n"),
                         lib + "pip/__pycache__": ("dir", 0o755),
                         lib + "pip/__pycache__/user.cpython-0.pyc": ("file", 0o644, b"not pip's\n")})
    assert after == expected


def test_uninstall_commit(txn_mod, tmp_path, monkeypatch):
    target = Target(tmp_path / "target", old=True)
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    txn.plan_uninstall(target.installed(), target.lib, target.scripts)
    seen = watch_steps(monkeypatch, txn_mod, target)
    txn.commit("uninstalling pip 23.0")
    txn.discard()
    assert seen == [["pip-23.0.dist-info"]] + [[]] * len(txn.ops)
    lib = "lib/python3/site-packages/"
    assert sorted(snapshot(target.top)) == ["bin", "lib", "lib/python3", "lib/python3/site-packages",
                                            lib + "pip", lib + "pip/__pycache__",
                                            lib + "pip/__pycache__/user.cpython-0.pyc",
                                            lib + "pip/user_added.txt"]


# --- undoing -----------------------------------------------------------------------------------

def fail_at_step(monkeypatch, txn_mod, step, error, call=1):
    """The Confined rename or exchange that performs step `step` (1-based) raises error at its
    call-th call (a three-rename swap makes three)."""
    apply = txn_mod._apply
    counter = {"step": 0}

    def applying(op, confined):
        counter["step"] += 1
        if counter["step"] != step:
            return apply(op, confined)
        calls = {"n": 0}
        real_rename, real_exchange = confined.rename, confined.exchange

        def failing(real):
            def method(*args):
                calls["n"] += 1
                if calls["n"] == call:
                    raise error
                return real(*args)
            return method

        confined.rename = failing(real_rename)
        if not txn_mod.host.three_renames:
            confined.exchange = failing(real_exchange)
        try:
            return apply(op, confined)
        finally:
            del confined.rename
            if "exchange" in vars(confined):
                del confined.exchange
            assert calls["n"] >= call, "the step made fewer calls than the test means to fail"

    monkeypatch.setattr(txn_mod, "_apply", applying)


UPGRADE_STEPS = 8  # test_plan_upgrade lists them
UNINSTALL_STEPS = 6  # test_plan_uninstall lists them


@pytest.mark.parametrize("step", range(1, UPGRADE_STEPS + 1))
def test_a_failed_upgrade_step_leaves_the_tree_as_it_was(txn_mod, tmp_path, monkeypatch, step):
    target = Target(tmp_path / "target", old=True)
    before = snapshot(target.top)
    txn = planned_install(txn_mod, target)
    assert len(txn.ops) == UPGRADE_STEPS
    fail_at_step(monkeypatch, txn_mod, step, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(txn_mod.Failure) as failed:
        txn.commit("installing pip 24.0")
    assert failed.value.kind == "no-space"
    assert f"step {step} of {UPGRADE_STEPS}" in failed.value.message
    assert not txn.keep and not txn.committed
    assert snapshot(target.top) == before


@pytest.mark.parametrize("step", range(1, UNINSTALL_STEPS + 1))
def test_a_failed_uninstall_step_leaves_the_tree_as_it_was(txn_mod, tmp_path, monkeypatch, step):
    target = Target(tmp_path / "target", old=True)
    before = snapshot(target.top)
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    txn.plan_uninstall(target.installed(), target.lib, target.scripts)
    assert len(txn.ops) == UNINSTALL_STEPS
    fail_at_step(monkeypatch, txn_mod, step, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(txn_mod.Failure):
        txn.commit("uninstalling pip 23.0")
    assert snapshot(target.top) == before


@pytest.mark.parametrize("host", ["three-renames"], indirect=True)
def test_a_swap_failing_half_way_is_undone(txn_mod, tmp_path, monkeypatch):
    """Without RENAME_EXCHANGE a swap is three renames: the second fails (step 4, pip/)."""
    target = Target(tmp_path / "target", old=True)
    before = snapshot(target.top)
    txn = planned_install(txn_mod, target)
    assert txn.ops[3]["op"] == "swap"
    fail_at_step(monkeypatch, txn_mod, 4, OSError(errno.ENOSPC, "No space left on device"), call=2)
    with pytest.raises(txn_mod.Failure):
        txn.commit("installing pip 24.0")
    assert snapshot(target.top) == before


# --- recovery ----------------------------------------------------------------------------------

class Crash(BaseException):
    """The process ending at an instant (what no except clause of the commit catches)."""


def crashed_upgrade(txn_mod, top, monkeypatch, step, call=1):
    target = Target(top, old=True)
    txn = planned_install(txn_mod, target)
    fail_at_step(monkeypatch, txn_mod, step, Crash(), call)
    with pytest.raises(Crash):
        txn.commit("installing pip 24.0")
    monkeypatch.undo()
    return target, txn


def finished_upgrade(txn_mod, top):
    target = Target(top, old=True)
    txn = planned_install(txn_mod, target)
    txn.commit("installing pip 24.0")
    txn.discard()
    return snapshot(target.top)


@pytest.mark.parametrize("step", range(1, UPGRADE_STEPS + 1))
def test_recover_finishes_an_interrupted_upgrade(txn_mod, tmp_path, monkeypatch, step):
    expected = finished_upgrade(txn_mod, tmp_path / "twin")
    target, txn = crashed_upgrade(txn_mod, tmp_path / "target", monkeypatch, step)
    assert txn_mod.pending(target.lib, target.scripts)
    assert txn_mod.recover(target.lib, target.scripts) == 1
    assert snapshot(target.top) == expected
    assert not txn_mod.pending(target.lib, target.scripts)
    assert txn_mod.host.warnings() == []


@pytest.mark.parametrize("host", ["three-renames"], indirect=True)
def test_recover_finishes_a_swap_cut_after_its_first_rename(txn_mod, tmp_path, monkeypatch):
    expected = finished_upgrade(txn_mod, tmp_path / "twin")
    target, _ = crashed_upgrade(txn_mod, tmp_path / "target", monkeypatch, 4, call=2)
    assert not os.path.exists(os.path.join(target.lib, "pip"))  # moved to the spare
    assert txn_mod.recover(target.lib, target.scripts) == 1
    assert snapshot(target.top) == expected


def edit_json(path, change):
    data = json.loads(pathlib.Path(path).read_text())
    change(data)
    pathlib.Path(path).write_text(json.dumps(data))


def test_a_journal_naming_a_path_outside_is_left_alone(txn_mod, tmp_path, monkeypatch):
    target, txn = crashed_upgrade(txn_mod, tmp_path / "target", monkeypatch, 3)
    outside = tmp_path / "outside"
    write(outside / "precious", "not the target's\n")

    def elsewhere(journal):
        journal["ops"][-1]["dst"] = str(outside / "precious")
    edit_json(os.path.join(txn.path, txn_mod.JOURNAL), elsewhere)
    monkeypatch.setattr(txn_mod, "_reported", set())
    before = snapshot(tmp_path)
    assert txn_mod.recover(target.lib, target.scripts) == 0
    assert snapshot(tmp_path) == before
    warnings = txn_mod.host.warnings()
    assert len(warnings) == 2, warnings  # the transaction, and its side directory by the scripts
    assert f"left alone: {txn.path}," in warnings[0] and str(outside / "precious") in warnings[0]


@pytest.mark.parametrize("journal", [[], 1, "committing"])
def test_a_journal_that_is_not_an_object_is_left_alone(txn_mod, tmp_path, monkeypatch, journal):
    target, txn = crashed_upgrade(txn_mod, tmp_path / "target", monkeypatch, 3)
    pathlib.Path(txn.path, txn_mod.JOURNAL).write_text(json.dumps(journal))
    monkeypatch.setattr(txn_mod, "_reported", set())
    before = snapshot(tmp_path)
    assert txn_mod.recover(target.lib, target.scripts) == 0
    assert snapshot(tmp_path) == before
    assert "its journal is not this transaction's" in txn_mod.host.warnings()[0]


def test_a_transaction_of_another_identity_is_left_alone(txn_mod, tmp_path, monkeypatch):
    target, txn = crashed_upgrade(txn_mod, tmp_path / "target", monkeypatch, 3)

    def other_inode(identity):
        identity["self"][1] += 1
    edit_json(os.path.join(txn.path, txn_mod.IDENTITY), other_inode)
    monkeypatch.setattr(txn_mod, "_reported", set())
    before = snapshot(tmp_path)
    assert txn_mod.recover(target.lib, target.scripts) == 0
    assert snapshot(tmp_path) == before
    assert "not made by ensurepip for this directory" in txn_mod.host.warnings()[0]


# --- confinement -------------------------------------------------------------------------------

def outside_tree(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "pip" / "__init__.py", "someone else's\n")
    write(outside / "bin" / "pip3", "someone else's script\n", mode=0o755)
    return outside


@pytest.mark.parametrize("link", ["lib/python3/site-packages/pip", "bin/pip3"])
@pytest.mark.parametrize("old", [False, True], ids=["install", "upgrade"])
def test_a_link_where_pips_files_go_is_refused(txn_mod, tmp_path, link, old):
    outside = outside_tree(tmp_path)
    target = Target(tmp_path / "target", old=old)
    path = os.path.join(target.top, link)
    if os.path.isdir(path):
        os.rename(path, path + ".moved")  # out of the way, to make room for the link
    os.symlink(str(outside / ("bin/pip3" if link.startswith("bin/") else "pip")), path)
    before = snapshot(tmp_path)
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    with pytest.raises(txn_mod.Failure) as refused:
        txn.plan_install(target.stage(txn), target.lib, target.scripts, target.installed())
    txn.discard()
    assert refused.value.kind == "target"
    assert f"{path} is a symbolic link" in refused.value.message
    assert snapshot(tmp_path) == before


def test_uninstall_through_a_link_is_refused(txn_mod, tmp_path):
    """pip/ a link out: uninstalling pip's files beneath it would remove someone else's."""
    outside = outside_tree(tmp_path)
    target = Target(tmp_path / "target", old=True)
    pip_dir = os.path.join(target.lib, "pip")
    os.rename(pip_dir, pip_dir + ".moved")
    os.symlink(str(outside / "pip"), pip_dir)
    before = snapshot(tmp_path)
    txn = txn_mod.Transaction.begin(target.lib, target.scripts)
    with pytest.raises(txn_mod.Failure) as refused:
        txn.plan_uninstall(target.installed(), target.lib, target.scripts)
    txn.discard()
    assert refused.value.kind == "target" and "symbolic link" in refused.value.message
    assert snapshot(tmp_path) == before


def test_confined_refuses_a_path_outside(txn_mod, tmp_path):
    target = Target(tmp_path / "target")
    confined = txn_mod.Confined(target.lib, target.scripts)
    with pytest.raises(txn_mod.Failure):
        confined.rename(os.path.join(target.lib, "x"), str(tmp_path / "elsewhere"))
    with pytest.raises(txn_mod.Failure):
        confined.exists(os.path.join(target.lib, "..", "..", "escaped"))


# --- bytecode: retargeting marshal data --------------------------------------------------------

SOURCE = """
def outer():
    def inner():
        return lambda: 1
    return inner

class Thing:
    def method(self):
        return [x for x in range(3)]
"""


@pytest.fixture(scope="module")
def bytecode_mod():
    return load_glue("bytecode", Host())


def code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from code_objects(const)


@pytest.mark.parametrize("marshal_version", [3, 4])
@pytest.mark.parametrize("placeholder", ["<ensurepip:pip/short.py>", "<ensurepip:pip/" + "long/" * 60 + "x.py>"],
                         ids=["short", "long"])
@pytest.mark.parametrize("filename", ["/v/lib/python3/site-packages/pip/x.py",
                                      "/v/" + "d\u00e9ep/" * 80 + "x.py"], ids=["short", "long"])
def test_retarget_names_the_new_path_in_every_code_object(bytecode_mod, marshal_version, placeholder, filename):
    """marshal version 4 writes short ASCII strings as z/Z and longer as a/A, 3 as u/t; both
    with the FLAG_REF bit, which later code objects refer back to."""
    data = marshal.dumps(compile(SOURCE, placeholder, "exec", dont_inherit=True), marshal_version)
    at = data.find(placeholder.encode())
    type_byte = data[at - 2] if len(placeholder) < 256 and marshal_version >= 4 else data[at - 5]
    assert type_byte & 0x80  # the case this run is about
    retargeted = bytecode_mod._retarget(data, placeholder, filename)
    assert retargeted is not None
    codes = list(code_objects(marshal.loads(retargeted)))
    assert len(codes) >= 6
    assert {code.co_filename for code in codes} == {filename}
    assert placeholder.encode() not in retargeted


def test_retarget_refuses_a_placeholder_found_twice(bytecode_mod):
    placeholder = "<ensurepip:pip/x.py>"
    data = marshal.dumps(compile(SOURCE, placeholder, "exec", dont_inherit=True))
    assert bytecode_mod._retarget(data + data, placeholder, "/v/x.py") is None
    # marshal version 2 has no references: every code object spells its file out
    unshared = marshal.dumps(compile(SOURCE, placeholder, "exec", dont_inherit=True), 2)
    assert unshared.count(placeholder.encode()) > 1
    assert bytecode_mod._retarget(unshared, placeholder, "/v/x.py") is None
    assert bytecode_mod._retarget(data, "<ensurepip:pip/absent.py>", "/v/x.py") is None


@pytest.mark.parametrize("value", [b"<ensurepip:pip/x.py>", "<<ensurepip:pip/x.py>", "<ensurepip:pip/x.py> "],
                         ids=["bytes", "inside-a-longer-string-end", "inside-a-longer-string-start"])
def test_retarget_refuses_a_placeholder_not_where_a_string_starts(bytecode_mod, value):
    data = marshal.dumps((1, value))
    assert b"<ensurepip:pip/x.py>" in data
    assert bytecode_mod._retarget(data, "<ensurepip:pip/x.py>", "/v/x.py") is None


# --- boot: describing a target from its files --------------------------------------------------

@pytest.fixture
def boot():
    return load_boot(Host(), "_sysconfigdata_glue_units_test")


def test_each_module_is_read_from_the_archive_once(boot, tmp_path, monkeypatch):
    """zipimport reads and unmarshals a module for its spec's file name, then again to run it;
    read_once_importer reads it once, and the module, its name and its loader's type are
    zipimport's."""
    archive = tmp_path / "runtime.zip"
    code = compile("ANSWER = 42\n", "<ensurepip:answer.py>", "exec")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("answer.pyc", importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") + bytes(8)
                   + marshal.dumps(code))
    reads = []
    real_get_data = zipimport._get_data
    monkeypatch.setattr(zipimport, "_get_data", lambda *args: (reads.append(args), real_get_data(*args))[1])
    for make_importer, expected_reads in ((zipimport.zipimporter, 2), (boot.read_once_importer, 1)):
        reads.clear()
        spec = make_importer(str(archive)).find_spec("answer")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert (module.ANSWER, module.__file__) == (42, os.path.join(archive, "answer.pyc"))
        assert type(spec.loader) is zipimport.zipimporter
        assert len(reads) == expected_reads, make_importer


def base_install(prefix, landmark="os.py", version=VERSION):
    stdlib = pathlib.Path(prefix) / "lib" / f"python{version}"
    write(stdlib / landmark, "")
    (stdlib / "lib-dynload").mkdir()
    write(pathlib.Path(prefix) / "bin" / f"python{version}", "", mode=0o755)
    return stdlib


@pytest.mark.parametrize("landmark", ["os.py", "os.pyc"])
def test_describe_a_base_installation(boot, tmp_path, landmark):
    prefix = os.path.realpath(tmp_path / "usr")
    stdlib = base_install(prefix, landmark)
    python = os.path.join(prefix, "bin", f"python{VERSION}")
    facts = boot.describe(python, None, None)
    assert facts == {"executable": python, "prefix": prefix, "exec_prefix": prefix, "base_prefix": prefix,
                     "base_exec_prefix": prefix, "stdlib": str(stdlib), "venv": None, "platlibdir": "lib"}


def test_describe_a_venv(boot, tmp_path):
    prefix = os.path.realpath(tmp_path / "usr")
    stdlib = base_install(prefix)
    venv = os.path.realpath(tmp_path / "venv")
    write(os.path.join(venv, "pyvenv.cfg"), f"Home = {prefix}/bin\ninclude-system-site-packages = false\n")
    os.makedirs(os.path.join(venv, "bin"))
    os.symlink(os.path.join(prefix, "bin", f"python{VERSION}"), os.path.join(venv, "bin", "python"))
    python = os.path.join(venv, "bin", "python")
    facts = boot.describe(python, venv, None)
    assert facts == {"executable": python, "prefix": venv, "exec_prefix": venv, "base_prefix": prefix,
                     "base_exec_prefix": prefix, "stdlib": str(stdlib), "venv": venv, "platlibdir": "lib"}


def test_describe_another_version(boot, tmp_path):
    other = "3.%d" % (sys.version_info[1] + 7)
    root = os.path.realpath(tmp_path / "root")
    base_install(os.path.join(root, "usr"), version=other)
    with pytest.raises(boot.Failure) as failed:
        boot.describe(os.path.join(root, "usr", "bin", f"python{other}"), None, root)
    assert failed.value.kind == "target-version"
    assert f"is Python {other}, but this ensurepip embeds Python {VERSION}" in failed.value.message


@pytest.fixture
def root(tmp_path):
    """A --root with a merged /usr: bin -> usr/bin, and usr/bin/python3 -> /usr/bin/python3.X,
    an absolute link naming the root's own file (not this machine's /usr/bin)."""
    top = os.path.realpath(tmp_path / "root")
    base_install(os.path.join(top, "usr"))
    os.symlink("usr/bin", os.path.join(top, "bin"))
    os.symlink(f"/usr/bin/python{VERSION}", os.path.join(top, "usr", "bin", "python3"))
    return top


def test_describe_inside_a_root(boot, root):
    facts = boot.describe(os.path.join(root, "bin", "python3"), None, root)
    usr = os.path.join(root, "usr")
    assert (facts["prefix"], facts["base_prefix"], facts["base_exec_prefix"]) == (usr, usr, usr)
    assert facts["stdlib"] == os.path.join(usr, "lib", f"python{VERSION}")


def test_describe_a_venv_inside_a_root(boot, root):
    venv = os.path.join(root, "opt", "venv")
    write(os.path.join(venv, "pyvenv.cfg"), "home = /usr/bin\n")  # the root's, not this machine's
    facts = boot.describe(os.path.join(venv, "bin", "python"), venv, root)
    assert (facts["prefix"], facts["base_prefix"]) == (venv, os.path.join(root, "usr"))
    assert facts["stdlib"] == os.path.join(root, "usr", "lib", f"python{VERSION}")


def test_describe_does_not_look_above_the_root(boot, tmp_path):
    """A standard library just above the root is not the target's. (Two things see to it:
    _search_up stops at the root, and _where maps every path into the root.)"""
    base_install(os.path.realpath(tmp_path))  # a standard library above the root only
    root = os.path.realpath(tmp_path / "root")
    write(os.path.join(root, "bin", "python3"), "", mode=0o755)
    with pytest.raises(boot.Failure) as failed:
        boot.describe(os.path.join(root, "bin", "python3"), None, root)
    assert failed.value.kind == "target"


# --- boot: finding the target (the --python path, $VIRTUAL_ENV, the default; its version) -------

OTHER = "3.%d" % (sys.version_info[1] + 7)


def find(boot, given, root=None, default="/nonexistent-default-python"):
    """locate() then describe(), as setup() runs them: (python, venv, the root it lies in)."""
    python, venv, inside, source = boot.locate(None if given is None else str(given), root and str(root), default)
    boot.describe(python, venv, inside, source)
    return python, venv, inside


def refusal(boot, given, root=None, kind="target"):
    with pytest.raises(boot.Failure) as failed:
        find(boot, given, root)
    assert failed.value.kind == kind, failed.value.message
    return failed.value.message


@pytest.fixture
def top(tmp_path, monkeypatch):
    """A real directory to make targets in, as the working directory, and no VIRTUAL_ENV."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    return pathlib.Path(os.path.realpath(tmp_path))


def make_venv(path, cfg=None, base=None):
    """A venv as python -m venv makes it (bin/python an executable file here), of base."""
    base = base or path.parent / "base"
    if not (base / "bin").is_dir():
        base_install(base)
    write(path / "pyvenv.cfg", cfg if cfg is not None else f"home = {base}/bin\nversion = {VERSION}.2\n")
    write(path / "bin" / "python", "", mode=0o755)
    (path / "lib" / f"python{VERSION}" / "site-packages").mkdir(parents=True)
    return path


@pytest.mark.parametrize("given, cwd", [("venv", ""), ("venv/", ""), ("venv///", ""), ("venv/bin/python", ""),
                                        ("./venv/../venv/bin/python", ""), ("python", "venv/bin")])
def test_a_venv_is_found_from_its_directory_or_interpreter(boot, top, given, cwd):
    make_venv(top / "venv")
    os.chdir(top / cwd)
    assert find(boot, given) == (str(top / "venv/bin/python"), str(top / "venv"), None)
    assert find(boot, top / cwd / given) == (str(top / "venv/bin/python"), str(top / "venv"), None)


def test_a_venvs_interpreter_is_named_as_given_its_links_kept(boot, top):
    base_install(top / "base")
    write(top / "venv/pyvenv.cfg", f"home = {top}/base/bin\n")
    (top / "venv/bin").mkdir()
    (top / "venv/bin/python").symlink_to(top / f"base/bin/python{VERSION}")
    (top / "venv/bin/python3").symlink_to("python")
    assert find(boot, top / "venv/bin/python3") == (str(top / "venv/bin/python3"), str(top / "venv"), None)
    write(top / f"venv/bin/python{VERSION}", "", mode=0o755)
    assert find(boot, top / f"venv/bin/python{VERSION}")[:2] == (str(top / f"venv/bin/python{VERSION}"),
                                                                str(top / "venv"))


def test_a_venv_with_python3_only_or_a_directory_at_bin_python(boot, top):
    make_venv(top / "venv")
    os.unlink(top / "venv/bin/python")
    write(top / "venv/bin/python3", "", mode=0o755)
    assert find(boot, top / "venv")[0] == str(top / "venv/bin/python3")
    (top / "venv/bin/python").mkdir()  # access(X_OK) allows a directory: a regression once
    assert find(boot, top / "venv")[0] == str(top / "venv/bin/python3")


@pytest.mark.parametrize("what", ["missing", "not-executable", "a-directory"])
def test_a_venv_without_an_interpreter(boot, top, what):
    make_venv(top / "venv")
    os.unlink(top / "venv/bin/python")
    if what == "not-executable":
        write(top / "venv/bin/python", "not a program")
    elif what == "a-directory":
        (top / "venv/bin/python").mkdir()
    message = refusal(boot, top / "venv")
    assert f"the virtual environment {top}/venv has no bin/python" in message


@pytest.mark.parametrize("cfg, version", [("version = 3.99.1\n", "3.99"), ("version = 2.7.18\n", "2.7"),
                                          (f"version = 4.{sys.version_info[1]}.0\n", f"4.{sys.version_info[1]}"),
                                          ("version_info = 3.9.18.final.0\n", "3.9")])
def test_a_venv_of_another_version(boot, top, cfg, version):
    make_venv(top / "venv", cfg)
    for given in (top / "venv", top / "venv/bin/python"):
        message = refusal(boot, given, kind="target-version")
        assert f"{top}/venv is Python {version}, but this ensurepip embeds Python {VERSION}" in message


@pytest.mark.parametrize("line", ["version_info = {}.7.final.0", "implementation = CPython\nversion_info = {}.7",
                                  "version={}.2", "  version   =\t{}.2  \r", "version = {}", "version = {}.0rc1"])
def test_how_venvs_spell_their_version(boot, top, line):
    make_venv(top / "venv", f"home = {top}/base/bin\n" + line.format(VERSION) + "\n")
    assert find(boot, top / "venv")[1] == str(top / "venv")


def test_a_venv_without_a_version_line_is_judged_by_its_home(boot, top):
    make_venv(top / "venv", f"home = {top}/base/bin\n")
    assert find(boot, top / "venv")[1] == str(top / "venv")
    base_install(top / "other", version=OTHER)
    make_venv(top / "venv-other", f"home = {top}/other/bin\n")
    assert f"is Python {OTHER}, but" in refusal(boot, top / "venv-other", kind="target-version")
    (top / "nothing/bin").mkdir(parents=True)
    for name, cfg in (("venv-nothing", f"home = {top}/nothing/bin\n"), ("venv-empty", "")):
        make_venv(top / name, cfg)
        message = refusal(boot, top / name)
        assert f"cannot tell which Python version the virtual environment {top}/{name} is" in message


def test_a_directory_that_is_not_a_venv(boot, top):
    write(top / "plain/bin/python3", "", mode=0o755)
    message = refusal(boot, top / "plain")
    assert f"{top}/plain is a directory but not a virtual environment (it has no pyvenv.cfg)" in message
    assert f"give the interpreter instead, e.g. {top}/plain/bin/python3" in message
    (top / "odd/pyvenv.cfg").mkdir(parents=True)
    assert "pyvenv.cfg" in refusal(boot, top / "odd")


def test_a_path_that_leads_nowhere(boot, top):
    assert refusal(boot, "missing") == f"the python given: {top}/missing does not exist"
    assert refusal(boot, top / "missing/bin/python3").endswith("bin/python3 does not exist")
    (top / "dangling").symlink_to(top / "nowhere")
    assert refusal(boot, top / "dangling") == f"the python given: {top}/dangling does not exist"
    write(top / "afile", "x")
    assert refusal(boot, top / "afile/python3") == \
        f"the python given: cannot reach {top}/afile/python3: {os.strerror(errno.ENOTDIR)}"
    (top / "loop1").symlink_to("loop2")
    (top / "loop2").symlink_to("loop1")
    assert refusal(boot, top / "loop1") == f"the python given: cannot reach {top}/loop1: {os.strerror(errno.ELOOP)}"


def test_not_an_executable_file(boot, top):
    write(top / "bin/python3", "not executable")
    assert refusal(boot, top / "bin/python3") == f"the python given: {top}/bin/python3 is not an executable file"
    assert refusal(boot, "/dev/null") == "the python given: /dev/null is not an executable file"


def test_a_free_threaded_python_is_refused(boot, top):
    make_venv(top / "venvt", f"home = {top}/base/bin\nversion = {VERSION}.2\nexecutable = /usr/bin/python{VERSION}t\n")
    message = refusal(boot, top / "venvt", kind="target-version")
    assert f"free-threaded Python {VERSION}" in message and f"python{VERSION}t -m ensurepip" in message
    base_install(top / "prefix")
    write(top / f"prefix/bin/python{VERSION}t", "", mode=0o755)
    assert "free-threaded" in refusal(boot, top / f"prefix/bin/python{VERSION}t", kind="target-version")
    make_venv(top / "venvtk", f"home = {top}/base/bin\nexecutable = /usr/bin/python{VERSION}tk\n")
    assert find(boot, top / "venvtk")[1] == str(top / "venvtk")


@pytest.mark.parametrize("libdir, landmark", [("lib", "os.py"), ("lib", "os.pyc"), ("lib64", "os.py")])
def test_a_base_installation(boot, top, libdir, landmark):
    write(top / f"prefix/{libdir}/python{VERSION}/{landmark}", "")
    write(top / f"prefix/bin/python{VERSION}", "", mode=0o755)
    assert find(boot, top / f"prefix/bin/python{VERSION}") == (str(top / f"prefix/bin/python{VERSION}"), None, None)


def test_a_base_installation_through_links_keeps_them(boot, top):
    base_install(top / "prefix")
    (top / "prefix/bin/python3").symlink_to(f"python{VERSION}")
    (top / "links").mkdir()
    (top / "links/py").symlink_to(top / "prefix/bin/python3")
    for given in ("prefix/bin/python3", "links/py"):
        assert find(boot, top / given) == (str(top / given), None, None)


def test_a_base_installation_of_several_versions_is_the_wanted_one(boot, top):
    for version in ("3.1", VERSION, OTHER):
        base_install(top / "usr", version=version)
    assert find(boot, top / "usr/bin/python3.1")[0] == str(top / "usr/bin/python3.1")


@pytest.mark.parametrize("prefix", ["prefix", "py[1]*?"])  # once pasted into a glob() pattern
def test_a_base_installation_of_another_version(boot, top, prefix):
    base_install(top / prefix, version=OTHER)
    message = refusal(boot, top / prefix / f"bin/python{OTHER}", kind="target-version")
    assert message.startswith(f"{top}/{prefix}/bin/python{OTHER} is Python {OTHER}, but this ensurepip embeds "
                              f"Python {VERSION}: use an ensurepip built for {OTHER}")


def test_not_a_python_installation(boot, top):
    write(top / "prefix/bin/python3", "", mode=0o755)
    message = refusal(boot, top / "prefix/bin/python3")
    assert message.startswith(f"the python given: {top}/prefix/bin/python3 does not look like a Python installation")
    (top / f"prefix/lib/python{VERSION}").mkdir(parents=True)  # without os.py: no standard library
    assert "does not look like a Python installation" in refusal(boot, top / "prefix/bin/python3")
    # a standard library beside it is not enough: /bin/sh sits in /usr/bin too
    base_install(top / "usr")
    write(top / "usr/bin/sh", "", mode=0o755)
    assert refusal(boot, top / "usr/bin/sh").endswith(f"usr/bin/sh is not a Python interpreter (it is {top}/usr/bin/sh)")


def test_virtual_env_then_the_default(boot, top, monkeypatch):
    make_venv(top / "venv")
    make_venv(top / "other")
    monkeypatch.setenv("VIRTUAL_ENV", str(top / "venv"))
    assert find(boot, None)[1] == str(top / "venv")
    assert find(boot, top / "other")[1] == str(top / "other")
    monkeypatch.setenv("VIRTUAL_ENV", str(top / "gone"))
    assert refusal(boot, None) == f"VIRTUAL_ENV: {top}/gone does not exist"
    for value in ("", None):
        monkeypatch.setenv("VIRTUAL_ENV", value) if value is not None else monkeypatch.delenv("VIRTUAL_ENV")
        assert refusal(boot, None) == "the default target: /nonexistent-default-python does not exist"


def test_an_interpreter_inside_the_root_is_read_there(boot, root, tmp_path):
    """The root's own python, reached through its absolute links, however the root is spelled."""
    python = os.path.join(root, "bin", "python3")
    os.symlink(root, tmp_path / "root-link")
    for given_root in (root, root + "/.", tmp_path / "root-link"):
        assert find(boot, python, given_root) == (python, None, root)
    linked = os.path.join(tmp_path, "root-link", "bin", "python3")
    assert find(boot, linked, tmp_path / "root-link") == (python, None, root)
    base_install(tmp_path / "outside")
    outside = str(tmp_path / "outside" / "bin" / f"python{VERSION}")
    assert find(boot, outside, root) == (outside, None, None)
    assert refusal(boot, outside, tmp_path / "outside" / "bin" / f"python{VERSION}") == \
        f"the root {outside} is not a directory"


def test_resolve_in_root(boot, tmp_path):
    root = str(tmp_path)
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "srv/local").mkdir(parents=True)
    (tmp_path / "usr/local").symlink_to("/srv/local")
    (tmp_path / "usr/lib/up").symlink_to("../../..")
    (tmp_path / "loop").symlink_to("loop")
    assert boot.resolve_in_root(root, "/usr/local/lib/python3/x") == "/srv/local/lib/python3/x"
    assert boot.resolve_in_root(root, "/usr/lib/up/../../etc") == "/etc"
    assert boot.resolve_in_root(None, "/a/./b//c/..") == "/a/b"
    with pytest.raises(OSError) as looped:
        boot.resolve_in_root(root, "/loop/x")
    assert looped.value.errno == errno.ELOOP


def test_sysconfig_data_is_read_never_run(boot, tmp_path):
    stdlib = tmp_path / "stdlib"
    marker = tmp_path / "ran"
    run = f"open({str(marker)!r}, 'w').close()\n"
    write(stdlib / "_sysconfigdata_glue_units_test.py",
          run + "build_time_vars = {'CC': 'cc', 'SIZEOF_VOID_P': 8, 'LIBDIR': '/usr/lib'}\n" + run)
    data = boot._sysconfig_data(str(stdlib), None)
    assert data.__name__ == "_sysconfigdata_glue_units_test"
    assert data.build_time_vars == {"CC": "cc", "SIZEOF_VOID_P": 8, "LIBDIR": "/usr/lib"}
    assert not marker.exists()


def test_sysconfig_data_not_a_literal_is_the_builds_own(boot, tmp_path, monkeypatch):
    stdlib = tmp_path / "stdlib"
    marker = tmp_path / "ran"
    write(stdlib / "_sysconfigdata_glue_units_test.py",
          f"open({str(marker)!r}, 'w').close()\nbuild_time_vars = dict(CC='cc')\n")
    own = types.ModuleType("_sysconfigdata_glue_units_test")
    monkeypatch.setitem(sys.modules, own.__name__, own)
    assert boot._sysconfig_data(str(stdlib), None) is own
    assert not marker.exists()


# --- staging: pip's installer must compile through the bytecode hook --------------------------

def fake_pip_installer(compile_with):
    """Stand-ins for the pip modules staging.py imports: an installer that installs one module
    and byte-compiles it with compile_with(path) when asked to, as pip's calls
    compileall.compile_file."""
    def install_wheel(name, wheel_path, scheme, req_description, pycompile, **_options):
        module = os.path.join(scheme.purelib, "fake", "__init__.py")
        write(module, "VALUE = 1\n")
        write(os.path.join(scheme.purelib, "fake-1.0.dist-info", "RECORD"),
              "fake/__init__.py,,\nfake-1.0.dist-info/RECORD,,\n")
        if pycompile:
            compile_with(module)

    class PipScriptMaker:
        executable = None

        def _get_shebang(self, encoding, post_interp=b"", options=None):
            return b"#!python\n"

    keys = ("platlib", "purelib", "headers", "scripts", "data")
    modules = {name: types.ModuleType(name) for name in (
        "pip", "pip._internal", "pip._internal.models", "pip._internal.models.scheme",
        "pip._internal.operations", "pip._internal.operations.install",
        "pip._internal.operations.install.wheel")}
    modules["pip._internal.models.scheme"].SCHEME_KEYS = keys
    modules["pip._internal.models.scheme"].Scheme = lambda **paths: types.SimpleNamespace(**paths)
    modules["pip._internal.operations.install"].wheel = modules["pip._internal.operations.install.wheel"]
    modules["pip._internal.operations.install.wheel"].install_wheel = install_wheel
    modules["pip._internal.operations.install.wheel"].PipScriptMaker = PipScriptMaker
    return modules


def stage_fake(tmp_path, compile_with):
    host = Host()
    with _stand_ins(**fake_pip_installer(compile_with)):
        staging = load_glue("staging", host)
    bytecode = load_glue("bytecode", host)
    venv = tmp_path / "venv"
    lib = str(venv / "lib" / "site-packages")
    target = types.SimpleNamespace(python="/v/bin/python", python_final="/v/bin/python",
                                   dest={"platlib": lib, "purelib": lib, "headers": str(venv / "include"),
                                         "scripts": str(venv / "bin"), "data": str(venv)})
    hook = bytecode.Bytecode(lambda name: None, lib)
    stage_root = tmp_path / "stage"
    stage_root.mkdir()
    return staging.stage(target, str(stage_root), [("fake", "fake.whl")], hook, None, None), hook


def test_staging_accepts_bytecode_made_through_the_hook(tmp_path):
    import compileall
    staged, hook = stage_fake(tmp_path, lambda path: compileall.compile_file(path, quiet=1))
    assert staged["fake"].dist_info == "fake-1.0.dist-info"
    assert hook.compiled == 1


@pytest.mark.parametrize("compile_with", ["py_compile", "none"])
def test_staging_refuses_bytecode_made_around_the_hook(tmp_path, compile_with):
    """A pip that compiles by other means (here py_compile, or not at all though asked to)
    leaves .pyc files naming the staging directory, or none: the run must fail, not install."""
    import py_compile
    how = {"py_compile": lambda path: py_compile.compile(path, doraise=True), "none": lambda path: None}
    with pytest.raises(Exception) as failed:
        stage_fake(tmp_path, how[compile_with])
    assert type(failed.value).__name__ == "Failure" and failed.value.kind == "pip"
    assert "without ensurepip's bytecode (e.g. fake/" in failed.value.message

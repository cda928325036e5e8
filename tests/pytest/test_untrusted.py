"""Untrusted targets and roots (issue 11): whatever lies inside the target or the root is data,
never an instruction, and nothing outside the target changes.

Every case runs with a directory outside the target (files a crafted target points at) that is
snapshotted before and after: names, types, modes, sizes and contents must be identical. The
module prints how many cases were tried and how many files outside changed."""

import contextlib
import fcntl
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import (ENSUREPIP, PIP_VERSION, PY_VERSION, PYTHON, clone_pip_install, make_venv, pip_version_of,
                      site_packages, tree_state)

TARGET_STATUS = 3
READ_ONLY_STATUS = 14
SYSTEM_STATUS = 9

_tally = {"cases": 0, "changed": 0}


def outside_snapshot(root):
    """Everything about the tree at root that a run could change (root's own mode included)."""
    return {".": oct(os.lstat(root).st_mode), **tree_state(root)}


@pytest.fixture(scope="module", autouse=True)
def closing_count(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n[untrusted] {_tally['cases']} cases tried, {_tally['changed']} files outside the "
              "target changed", file=sys.stderr)


@pytest.fixture
def outside(tmp_path):
    """A tree outside the target: an installed-looking pip, scripts, a precious file, a
    directory. Compared with its snapshot when the test ends."""
    root = tmp_path / "outside"
    (root / "pkg" / "pip" / "_internal").mkdir(parents=True)
    (root / "pkg" / "pip" / "__init__.py").write_text("# not the target's\n")
    (root / "pkg" / "pip" / "_internal" / "main.py").write_text("# not the target's either\n")
    (root / "pkg" / "pip-1.0.dist-info").mkdir()
    (root / "pkg" / "pip-1.0.dist-info" / "METADATA").write_text("Name: pip\nVersion: 1.0\n")
    (root / "pkg" / "pip-1.0.dist-info" / "RECORD").write_text("pip/__init__.py,,\n")
    (root / "bin").mkdir()
    (root / "bin" / "pip3").write_text("#!/bin/sh\necho outside\n")
    os.chmod(root / "bin" / "pip3", 0o755)
    (root / "victim").write_text("precious\n")
    (root / "dir" / "inner").mkdir(parents=True)
    (root / "dir" / "inner" / "file").write_text("keep me\n")
    before = outside_snapshot(root)
    yield root
    after = outside_snapshot(root)
    _tally["cases"] += 1
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    _tally["changed"] += len(changed)
    assert changed == [], f"changed outside the target: {changed}"


def run(*args, env=None, **kwargs):
    full = {k: v for k, v in os.environ.items()
            if not k.startswith(("PIP_", "PYTHON")) and k not in ("VIRTUAL_ENV", "ENSUREPIP_OPTIONS")}
    full.update(env or {})
    return subprocess.run([ENSUREPIP, *map(str, args)], env=full, capture_output=True, text=True, timeout=300,
                          **kwargs)


def one_line(result):
    return len(result.stderr.strip().splitlines()) == 1


@pytest.fixture
def targets(tmp_path, pip_install_template):
    """make(command, root=False) -> (args, site-packages, scripts directory): a venv (or the
    same venv's paths inside a root) prepared for the command: nothing for install, pip 1.0 for
    -U and for "present" (install without -U), the bundled pip for --uninstall."""
    def make(command, root=False):
        env_dir = make_venv(tmp_path / "venv")
        args = ["--python", env_dir]
        dest = env_dir
        root_dir = None
        if root:
            root_dir = tmp_path / "root"
            root_dir.mkdir()
            args += ["--root", root_dir]
            dest = type(env_dir)(str(root_dir) + str(env_dir))
            site_packages(dest).mkdir(parents=True)
            (dest / "bin").mkdir(parents=True)
        if command in ("upgrade", "present"):
            clone_pip_install(pip_install_template("1.0"), env_dir, root=root_dir)
        elif command == "uninstall":
            clone_pip_install(pip_install_template(PIP_VERSION), env_dir, root=root_dir)
        args += {"install": [], "upgrade": ["--upgrade"], "present": [], "uninstall": ["--uninstall"]}[command]
        return args, site_packages(dest), dest / "bin"
    return make


# --- leftover journals ----------------------------------------------------------------------------

def craft_transaction(lib, kind, outside):
    """A .ensurepip-txn-* directory as an image or a copied tree may carry it."""
    txn = lib / ".ensurepip-txn-crafted"
    txn.mkdir()
    if kind == "paths outside":
        journal = {"version": 1, "state": "committing", "sides": [],
                   "ops": [{"op": "move", "src": str(outside / "victim"), "dst": str(outside / "moved")},
                           {"op": "retire", "src": str(outside / "bin" / "pip3"),
                            "dst": str(txn / "retired" / "pip3")}]}
    elif kind == "sides outside":
        journal = {"version": 1, "state": "committing", "ops": [], "sides": [str(outside / "dir")]}
    else:  # a well-formed journal inside the target, of another directory (a copy, or crafted)
        (lib / "user-file").write_text("mine\n")
        identity = {"directory": str(txn), "self": [1, 2], "lib": [3, 4]}
        (txn / "identity.json").write_text(json.dumps(identity))
        journal = {"version": 2, "identity": identity, "state": "committing",
                   "ops": [{"op": "move", "src": str(lib / "user-file"), "dst": str(lib / "moved")}]}
    (txn / "journal.json").write_text(json.dumps(journal))
    return txn


@pytest.mark.parametrize("command", ["install", "upgrade", "present", "uninstall"])
@pytest.mark.parametrize("kind", ["paths outside", "sides outside", "wrong identity"])
def test_crafted_journal_is_reported_and_left_alone(targets, outside, command, kind):
    args, lib, _scripts = targets(command)
    txn = craft_transaction(lib, kind, outside)
    before = tree_state(txn)
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert f"left alone: {txn}" in result.stderr
    assert tree_state(txn) == before
    if kind == "wrong identity":
        assert (lib / "user-file").read_text() == "mine\n" and not (lib / "moved").exists()


def test_own_interrupted_transaction_is_still_finished(tmp_path, outside):
    """The identity check must not lose real recoveries: a run killed inside its commit."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    env_dir = make_venv(tmp_path / "venv")
    twin = tmp_path / "twin"
    shutil.copytree(env_dir, twin, symlinks=True)
    log = tmp_path / "log"
    subprocess.run(["strace", "-f", "-qq", "-o", str(log), "-e", "trace=renameat", ENSUREPIP, "--python", str(twin)],
                   check=True, capture_output=True)
    names = [line.split('"')[1] for line in log.read_text().splitlines() if "renameat(" in line]
    when = names.index("journal.json.tmp") + 3  # the second step of the commit
    killed = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=renameat", "-e",
                             f"inject=renameat:signal=SIGKILL:when={when}", ENSUREPIP, "--python", str(env_dir)],
                            capture_output=True, text=True)
    lib = site_packages(env_dir)
    assert killed.returncode != 0
    assert [n for n in os.listdir(lib) if n.startswith(".ensurepip-txn-")]
    again = run("--python", env_dir)
    assert again.returncode == 0 and "left alone" not in again.stderr, again.stderr
    assert not [n for n in os.listdir(lib) if n.startswith(".ensurepip")]
    assert not [n for n in os.listdir(env_dir / "bin") if n.startswith(".ensurepip")]
    assert PIP_VERSION in pip_version_of(env_dir)[1]


# --- links that lead out --------------------------------------------------------------------------

LEVELS = ["site-packages/pip", "site-packages/pip/_internal", "pip-*.dist-info", "scripts/pip3"]


def plant_link(lib, scripts, level, outside, relative):
    """Replaces the piece of the target at level with a link to the outside tree's copy."""
    if level == "site-packages/pip":
        where, to = lib / "pip", outside / "pkg" / "pip"
    elif level == "site-packages/pip/_internal":
        (lib / "pip").mkdir(exist_ok=True)
        where, to = lib / "pip" / "_internal", outside / "pkg" / "pip" / "_internal"
    elif level == "pip-*.dist-info":
        infos = sorted(lib.glob("pip-*.dist-info"))
        where = infos[0] if infos else lib / f"pip-{PIP_VERSION}.dist-info"
        to = outside / "pkg" / "pip-1.0.dist-info"
    else:
        where, to = scripts / "pip3", outside / "bin" / "pip3"
    if os.path.lexists(where):
        shutil.rmtree(where) if os.path.isdir(where) and not os.path.islink(where) else os.unlink(where)
    os.symlink(os.path.relpath(to, where.parent) if relative else to, where)
    return where


# (A link at the .dist-info on install or uninstall, or at a script on uninstall, was already
# harmless: pip counts as present or of another version, or the link itself is what RECORD lists.)
LINK_CASES = [(command, level) for command in ("install", "upgrade", "uninstall") for level in LEVELS
              if not (level == "pip-*.dist-info" and command != "upgrade")
              and not (level == "scripts/pip3" and command == "uninstall")]


@pytest.mark.parametrize("root", [False, True], ids=["venv", "root"])
@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
@pytest.mark.parametrize("command, level", LINK_CASES)
def test_links_leading_out_are_never_followed(targets, outside, command, level, relative, root):
    args, lib, scripts = targets(command, root=root)
    link = plant_link(lib, scripts, level, outside, relative)
    target = os.readlink(link)
    result = run(*args)
    if result.returncode != 0:
        # Refused: one line naming the link and where it leads, and the target unchanged.
        assert result.returncode == TARGET_STATUS, result.stderr
        assert one_line(result) and "symbolic link" in result.stderr and target in result.stderr, result.stderr
        assert str(link) in result.stderr, result.stderr
    assert os.readlink(link) == target


# --- things in the way ----------------------------------------------------------------------------

def test_directory_at_a_script_path_is_kept(targets, outside):
    args, lib, scripts = targets("install")
    (scripts / "pip3").mkdir()
    (scripts / "pip3" / "notes").write_text("mine\n")
    result = run(*args)
    assert result.returncode == TARGET_STATUS and one_line(result), result.stderr
    assert f"{scripts / 'pip3'} is in the way" in result.stderr
    assert (scripts / "pip3" / "notes").read_text() == "mine\n"
    assert not list(lib.glob("pip*"))


def test_file_at_the_package_path_is_kept(targets, outside):
    args, lib, _scripts = targets("install")
    (lib / "pip").write_text("not a package\n")
    result = run(*args)
    assert result.returncode == TARGET_STATUS and one_line(result), result.stderr
    assert f"{lib / 'pip'} is in the way" in result.stderr
    assert (lib / "pip").read_text() == "not a package\n"


def test_upgrade_keeps_files_a_user_added_to_pip(targets, outside):
    args, lib, _scripts = targets("upgrade")
    (lib / "pip" / "user-notes.txt").write_text("mine\n")
    (lib / "pip" / "mine" / "deeper").mkdir(parents=True)
    (lib / "pip" / "mine" / "deeper" / "data.bin").write_bytes(b"\x00\x01")
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert (lib / "pip" / "user-notes.txt").read_text() == "mine\n"
    assert (lib / "pip" / "mine" / "deeper" / "data.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in lib.glob("pip-*.dist-info")) == [f"pip-{PIP_VERSION}.dist-info"]
    assert PIP_VERSION in pip_version_of(lib.parents[2])[1]


# --- the environment ------------------------------------------------------------------------------

PROBE = "ensurepip_steering_probe"


# Those with an effect on the Python the tests run; tests/unit/test_environ.c checks that every
# steering variable (3.14's _PYTHON_SYSCONFIGDATA_PATH, _PYTHON_PROJECT_BASE, ...) is removed.
@pytest.mark.parametrize("variable", ["_PYTHON_SYSCONFIGDATA_NAME", "DEB_PYTHON_INSTALL_LAYOUT"])
def test_steering_variables_change_nothing(tmp_path, outside, variable):
    """Each installs with the variable set exactly as without, and runs no module of the
    caller's choosing. The target is the system's Python inside a root (where Debian's layout
    variable applies)."""
    probe_dir = tmp_path / "probe"
    probe_dir.mkdir()
    marker = tmp_path / "imported"
    # A module the variable could make sysconfig import: it would leave a marker.
    code = f"open({str(marker)!r}, 'w').close()\nbuild_time_vars = {{}}\n"
    multiarch = subprocess.run([PYTHON, "-c", "import sys,sysconfig; print(sysconfig._get_sysconfigdata_name())"],
                               capture_output=True, text=True, check=True).stdout.strip()
    for name in (PROBE, multiarch):
        (probe_dir / f"{name}.py").write_text(code)
    (probe_dir / "Modules").mkdir()
    (probe_dir / "Modules" / "Setup.local").write_text("")
    values = {"_PYTHON_SYSCONFIGDATA_NAME": PROBE, "_PYTHON_SYSCONFIGDATA_PATH": str(probe_dir),
              "_PYTHON_PROJECT_BASE": str(probe_dir), "_PYTHON_HOST_PLATFORM": "linux-s390x",
              "DEB_PYTHON_INSTALL_LAYOUT": "deb_system", "SETUPTOOLS_USE_DISTUTILS": "local",
              "PYTHONEXECUTABLE": str(outside / "bin" / "pip3"), "__PYVENV_LAUNCHER__": str(outside / "bin" / "pip3"),
              "_PIP_USE_IMPORTLIB_METADATA": "0"}
    states = []
    for name, env in (("plain", {}), ("steered", {variable: values[variable], "PYTHONPATH": str(probe_dir)})):
        root = tmp_path / name
        result = run("--python", PYTHON, "--root", root, env=env)
        assert result.returncode == 0, (variable, result.stderr)
        states.append({path: state for path, state in tree_state(root).items() if not path.endswith(".pyc")})
    assert not marker.exists(), f"{variable} made the run import a module of the caller's choosing"
    assert states[0].keys() == states[1].keys(), variable


# --- the temporary directory ----------------------------------------------------------------------

def test_stale_sweep_goes_by_the_lock_not_the_pid(tmp_path, outside, venv):
    """A directory whose run holds its lock stays, whatever its PID says (another PID namespace);
    one whose lock nobody holds goes, even if its PID is alive."""
    tmp = tmp_path / "shared-tmp"
    tmp.mkdir()
    live = tmp / "ensurepip-999999999-abcdef"  # no such PID here: a run in another namespace
    dead = tmp / f"ensurepip-{os.getpid()}-ghijkl"  # a live PID (this test), but no lock held
    for d in (live, dead):
        d.mkdir(mode=0o700)
        (d / "pip.whl").write_text("x")
    held = os.open(live, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("--python", venv, env={"TMPDIR": str(tmp)})
        assert result.returncode == 0, result.stderr
        assert (live / "pip.whl").exists(), "the sweep removed a live run's directory"
        assert not dead.exists(), "the sweep kept a directory no run holds"
    finally:
        os.close(held)
    assert sorted(os.listdir(tmp)) == [live.name]


@pytest.fixture
def shared_tmpdir():
    """A TMPDIR every user may write to, without the sticky bit (some build hosts share one like
    that), in a directory the user nobody can reach (pytest's own is 0700)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as another user")
    top = tempfile.mkdtemp(prefix="ensurepip-test-", dir="/tmp")
    try:
        os.chmod(top, 0o755)
        tmp = pathlib.Path(top) / "tmp"
        tmp.mkdir()
        os.chmod(tmp, 0o777)
        yield tmp
    finally:
        shutil.rmtree(top)


def as_nobody(script, *args):
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           "sh", "-ec", script, "sh", *map(str, args)], capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def waiting_for_the_lock(env_dir, command, tmpdir):
    """Starts command + ["-v", "--python", env_dir] with TMPDIR=tmpdir while this test holds
    the target's lock, and yields the process once it says it waits for it (its temporary
    directory then exists); the lock is released when the block ends. Its output (stdout and
    stderr) is then left to read from process.stdout."""
    held = os.open(site_packages(env_dir), os.O_RDONLY | os.O_DIRECTORY)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON")) and k != "VIRTUAL_ENV"}
    env["TMPDIR"] = str(tmpdir)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        process = subprocess.Popen([*command, "-v", "--python", str(env_dir)], env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seen = []
        for line in iter(process.stdout.readline, ""):
            seen.append(line)
            if "waiting for another ensurepip" in line:
                break
        else:
            process.wait()
            raise AssertionError("the run did not wait for the lock:\n" + "".join(seen))
        yield process
    finally:
        os.close(held)


def finish(process):
    output = process.stdout.read()
    return process.wait(timeout=300), output


def test_private_directory_swapped_by_another_user_is_left_alone(shared_tmpdir, outside, venv):
    """In a TMPDIR without the sticky bit another user can rename the run's directory and put
    their own in its place: links to files outside, a setup.cfg for pip to read. The run must
    neither follow nor remove what it did not make (it removed the planted directory by name,
    one walk away from following a link swapped in half-way)."""
    with waiting_for_the_lock(venv, [ENSUREPIP], shared_tmpdir) as process:
        (private,) = [n for n in os.listdir(shared_tmpdir) if n.startswith("ensurepip-")]
        attack = as_nobody("""
            cd "$1"; mv "$2" moved-away; mkdir "$2"
            ln -s "$3" "$2/link"; ln -s "$3/victim" "$2/victim"; mkdir "$2/sub"; echo mine > "$2/sub/file"
            printf '[install]\\nprefix = %s\\n' "$3" > "$2/setup.cfg"
            """, shared_tmpdir, private, outside)
        assert attack.returncode == 0, attack.stderr
    status, output = finish(process)
    assert status == 0, output
    planted = shared_tmpdir / private
    assert sorted(os.listdir(planted)) == ["link", "setup.cfg", "sub", "victim"]
    assert (planted / "sub" / "file").read_text() == "mine\n"
    assert os.listdir(shared_tmpdir / "moved-away") == []  # emptied of what the run put there
    assert pip_version_of(venv)[0] == 0


def test_two_pid_namespaces_sharing_tmpdir(tmp_path, outside, venv):
    """Runs in two PID namespaces (containers, CI jobs) share a TMPDIR: the second run's sweep
    must leave the live first run's directory alone. The first runs as PID 2 of its namespace
    (under sh), the second as PID 1 of its own, where no process 2 exists."""
    probe = subprocess.run(["unshare", "-p", "-f", "--mount-proc", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("no PID namespaces here: " + probe.stderr.strip())
    tmp = tmp_path / "shared-tmp"
    tmp.mkdir()
    os.chmod(tmp, 0o1777)
    second = make_venv(tmp_path / "second")
    first = ["unshare", "-p", "-f", "--mount-proc", "sh", "-c", '"$0" "$@"; exit $?', ENSUREPIP]
    with waiting_for_the_lock(venv, first, tmp) as process:
        (live,) = os.listdir(tmp)
        assert live.startswith("ensurepip-2-"), live
        result = subprocess.run(["unshare", "-p", "-f", "--mount-proc", ENSUREPIP, "--python", second],
                                env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)}, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert (tmp / live).is_dir(), "the second run's sweep removed the live first run's directory"
    status, output = finish(process)
    assert status == 0, output
    assert os.listdir(tmp) == []
    assert pip_version_of(venv)[0] == 0 and pip_version_of(second)[0] == 0


def in_private_mounts(script, *args):
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-ec", script, "sh", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def can_mount(tmp_path):
    probe = in_private_mounts('mount -t tmpfs -o size=1m tmpfs "$1"', tmp_path)
    if probe.returncode != 0:
        pytest.skip("mounting needs root: " + probe.stderr.strip())


@pytest.mark.parametrize("sticky", [True, False], ids=["sticky", "not-sticky"])
def test_without_proc_payload_files_only_where_nobody_else_can_replace_them(can_mount, tmp_path, outside, venv,
                                                                            sticky):
    """Without /proc the payloads are files in the run's directory, imported and opened by
    name: in a TMPDIR others may write to without the sticky bit, another user could swap them
    (their code would run in this process), so the run stops there, status 9, one line."""
    tmp = tmp_path / "t"
    tmp.mkdir()
    os.chmod(tmp, 0o1777 if sticky else 0o777)
    before = tree_state(venv)
    result = in_private_mounts(f'''
        mount -t tmpfs tmpfs /proc
        set +e; TMPDIR="$1" "{ENSUREPIP}" --python "$2"; echo "status $?"''', tmp, venv)
    assert os.listdir(tmp) == []
    if sticky:
        assert "status 0" in result.stdout, result.stdout + result.stderr
        assert pip_version_of(venv)[0] == 0
    else:
        assert f"status {SYSTEM_STATUS}" in result.stdout, result.stdout + result.stderr
        assert one_line(result) and f"{tmp} is writable by other users without the sticky bit" in result.stderr
        assert tree_state(venv) == before


def test_read_only_tmpdir_is_the_temporary_directorys_failure(can_mount, tmp_path, outside, venv):
    tmp = tmp_path / "t"
    tmp.mkdir()
    result = in_private_mounts(f'''
        mount -t tmpfs -o ro,size=1m tmpfs "$1"
        set +e; TMPDIR="$1" "{ENSUREPIP}" --python "$2"; echo "status $?"''', tmp, venv)
    assert f"status {SYSTEM_STATUS}" in result.stdout, result.stdout + result.stderr
    assert str(tmp) in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_almost_full_tmpdir_is_enough(can_mount, tmp_path, outside, venv):
    """The payloads are in-memory files: the temporary directory holds nothing of their size."""
    tmp = tmp_path / "t"
    tmp.mkdir()
    result = in_private_mounts(f'''
        mount -t tmpfs -o size=64k tmpfs "$1"
        set +e; TMPDIR="$1" "{ENSUREPIP}" --python "$2"; echo "status $?"''', tmp, venv)
    assert "status 0" in result.stdout, result.stdout + result.stderr


def test_var_tmp_when_tmp_is_unusable(can_mount, outside):
    import tempfile

    base = tempfile.mkdtemp(prefix="ensurepip-test-", dir="/var/tmp")  # not under /tmp, hidden below
    try:
        env_dir = make_venv(os.path.join(base, "venv"))
        program = os.path.join(base, "ensurepip")  # the build may lie under /tmp too (a clone there)
        shutil.copy(ENSUREPIP, program)
        result = in_private_mounts(f'''
            mount -t tmpfs -o ro,size=1m tmpfs /tmp
            set +e; env -u TMPDIR "{program}" --python "$1"; echo "status $?"''', env_dir)
        assert "status 0" in result.stdout, result.stdout + result.stderr
    finally:
        shutil.rmtree(base)


# --- mounts, space, the lock ----------------------------------------------------------------------

@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_scripts_directory_on_a_bind_mount(can_mount, tmp_path, outside, read_only):
    """Same filesystem (same st_dev), another mount: renames across it fail with EXDEV."""
    env_dir = make_venv(tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere-bin"
    shutil.copytree(env_dir / "bin", elsewhere, symlinks=True)
    remount = 'mount -o remount,bind,ro "$2"' if read_only else "true"
    result = in_private_mounts(f'''
        mount --bind "$1" "$2"
        {remount}
        set +e; "{ENSUREPIP}" --python "$3"; echo "status $?"''', elsewhere, env_dir / "bin", env_dir)
    if read_only:
        assert f"status {READ_ONLY_STATUS}" in result.stdout, result.stdout + result.stderr
        assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not list(site_packages(env_dir).glob("pip*"))
    else:
        assert "status 0" in result.stdout, result.stdout + result.stderr
        assert sorted(p.name for p in elsewhere.glob("pip*")) == ["pip3", f"pip{PY_VERSION}"]


def test_refused_run_leaves_site_packages_mtime(can_mount, tmp_path, outside):
    mnt = tmp_path / "small"
    mnt.mkdir()
    result = in_private_mounts(f'''
        mount -t tmpfs -o size=6m tmpfs "$1"
        "{PYTHON}" -m venv --without-pip "$1/venv"
        lib="$1/venv/lib/python{PY_VERSION}/site-packages"
        touch -d 2001-01-01 "$lib"; before=$(stat -c %Y.%Z "$lib")
        set +e; "{ENSUREPIP}" --python "$1/venv"; echo "status $?"; set -e
        [ "$(stat -c %Y.%Z "$lib")" = "$before" ] && echo unchanged''', mnt)
    assert "status 13" in result.stdout, result.stdout + result.stderr
    assert "unchanged" in result.stdout, result.stdout + result.stderr


def test_killed_run_leaves_no_lock_file(targets, outside):
    """Killed when it would remove its lock file (the old scheme had one): nothing stays."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    args, lib, _scripts = targets("present")
    lock = lib / ".ensurepip.lock"
    subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-P", str(lock), "-e", "inject=unlink,unlinkat:signal=SIGKILL",
                    ENSUREPIP, *map(str, args), "--upgrade"], capture_output=True)
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert not [n for n in os.listdir(lib) if n.startswith(".ensurepip")]


def test_unreadable_installed_metadata_is_a_permission_failure(pip_install_template, as_nobody):
    """Issue 12: an existing pip-*.dist-info the user may not read gives 15, not "the glue
    failed: PermissionError" (7)."""
    run, env_dir = as_nobody
    clone_pip_install(pip_install_template("1.0"), env_dir)
    os.chmod(site_packages(env_dir) / "pip-1.0.dist-info", 0o700)
    result = run("--python", env_dir, "--upgrade")
    assert result.returncode == 15, result.stderr
    # pip's own warning about the metadata it cannot read may come first, as under pip;
    # ensurepip's error is one line.
    errors = [line for line in result.stderr.splitlines() if not line.startswith("WARNING: ")]
    assert len(errors) == 1 and "Permission denied" in errors[0], result.stderr

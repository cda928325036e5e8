"""Never half-installed: runs killed at many points (fresh install, upgrade, uninstall), disks
that fill up, filesystems that turn read-only, runs that race for one target. After each fault a
checker classifies the target as "as before", "complete" or "broken"; any "broken" fails.

Faults are placed deterministically, by system call: strace counts the calls of a reference run
and then injects SIGKILL (or an errno) at chosen ones. No timing, no sleeping. Every state a kill
leaves is also read by pip itself (`python -m pip --version`, `pip list`, `pip show pip`, and
`pip uninstall -y pip` on a copy) before ensurepip runs again: each must agree with the metadata
present, and there is never more than one pip-*.dist-info. Where the build embeds setuptools
(3.11 and older), one commit installs both: setuptools is checked the same way at every kill
point (absent, or one .dist-info whose RECORD holds), and "complete" means both."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import (ENSUREPIP, PIP_VERSION, PY_VERSION, SETUPTOOLS_WHEEL, WHEEL, install_with_pip_from_wheel,
                      make_venv, record_hash, rewrite_wheel, site_packages, strace_run, tree_state)

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")

OLD = "1.0"
KILL_POINTS_ACROSS_A_RUN = 16
FAULT_POINTS = "openat,rename,renameat,renameat2,unlink,unlinkat,fsync"
COMMIT_CALLS = ("rename", "renameat", "renameat2", "unlink", "unlinkat", "fsync")
PIP_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PIP_NO_INPUT": "1", "PIP_CONFIG_FILE": "/dev/null"}


def pip_runs(env_dir):
    """The version `python -m pip --version` reports, or None if pip does not run."""
    result = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "--version"],
                            capture_output=True, text=True, env=PIP_ENV)
    match = re.match(r"pip (\S+) from", result.stdout)
    return match.group(1) if result.returncode == 0 and match else None


def record_holds(lib, info, scripts_too):
    """Every file the .dist-info's RECORD lists exists, with its hash where one is given."""
    import csv

    with open(lib / info / "RECORD", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for path, digest, _size in rows:
        full = os.path.normpath(lib / path)
        if not scripts_too and not full.startswith(str(lib) + os.sep):
            continue
        if not os.path.exists(full):
            return False
        if digest:
            with open(full, "rb") as f:
                if record_hash(f.read()) != digest:
                    return False
    return True


def setuptools_problem(lib):
    """None if setuptools is absent (no .dist-info) or complete (one .dist-info whose RECORD
    holds); else what is wrong."""
    infos = sorted(p.name for p in lib.glob("setuptools-*.dist-info"))
    if len(infos) > 1:
        return f"more than one setuptools .dist-info: {infos}"
    if infos and not record_holds(lib, infos[0], scripts_too=True):
        return f"{infos[0]} beside files its RECORD does not describe"
    return None


def setuptools_done(lib):
    """setuptools is there and complete, or the build embeds none."""
    if SETUPTOOLS_WHEEL is None:
        return True
    version = os.path.basename(SETUPTOOLS_WHEEL).split("-")[1]
    return (lib / f"setuptools-{version}.dist-info").is_dir() and setuptools_problem(lib) is None


def classify(env_dir, before_version):
    """("as before" | "complete" | "between" | "broken", notes). before_version: None for a target
    without pip. "As before": the previous pip still imports and runs, with its files as its
    RECORD says (for a target without pip: pip is not installed, by pip's own definition, a
    .dist-info); "complete": the new pip's RECORD holds for every file, scripts included, and
    that pip runs; "between" (an upgrade only): no .dist-info at all while the package
    directories change hands, as in pip's own upgrade, with a pip that runs."""
    lib = site_packages(env_dir)
    infos = sorted(p.name for p in lib.glob("pip-*.dist-info"))
    new, old = f"pip-{PIP_VERSION}.dist-info", f"pip-{before_version}.dist-info"
    running = pip_runs(env_dir)
    notes = [p.name for p in list(lib.iterdir()) + list((env_dir / "bin").iterdir())
             if p.name.startswith(".ensurepip")]
    problem = setuptools_problem(lib)
    if problem is not None:
        return "broken", notes + [problem]
    if new in infos and record_holds(lib, new, scripts_too=True) and running == PIP_VERSION and setuptools_done(lib):
        notes += [i for i in infos if i != new]
        return "complete", notes
    if before_version is None and not infos:
        notes += [p.name for p in lib.iterdir() if p.name == "pip"] + \
                 [p.name for p in (env_dir / "bin").iterdir() if p.name.startswith("pip")]
        return "as before", notes
    if before_version is not None and old in infos and record_holds(lib, old, scripts_too=False) \
            and running == before_version:
        notes += [i for i in infos if i != old]
        return "as before", notes
    if before_version is not None and not infos and running in (before_version, PIP_VERSION):
        return "between", notes
    return "broken", notes + [f"dist-infos {infos}, pip runs as {running}"]


def pip_reads_it(env_dir):
    """None if pip's own commands read the target consistently with the metadata present;
    else what is wrong. `pip uninstall -y pip` runs on a copy, which is thrown away."""
    lib = site_packages(env_dir)
    infos = sorted(p.name for p in lib.glob("pip-*.dist-info"))
    if len(infos) > 1:
        return f"more than one .dist-info: {infos}"
    version = infos[0][len("pip-"):-len(".dist-info")] if infos else None

    def pip(env, *args):
        return subprocess.run([str(env / "bin" / "python"), "-m", "pip", *args], capture_output=True,
                              text=True, env=PIP_ENV, timeout=120)

    if pip(env_dir, "--version").returncode != 0:
        return f"a .dist-info ({infos[0]}) but no pip that runs" if infos else None
    listed = pip(env_dir, "list", "--format=json")
    if listed.returncode != 0:
        return f"pip list failed: {listed.stderr.strip()[-300:]}"
    in_list = {d["name"].lower(): d["version"] for d in json.loads(listed.stdout)}
    if in_list.get("pip") != version:
        return f"pip list says pip {in_list.get('pip')}, the metadata {version}"
    setuptools = sorted(p.name for p in lib.glob("setuptools-*.dist-info"))
    if len(setuptools) > 1:
        return f"more than one setuptools .dist-info: {setuptools}"
    setuptools_version = setuptools[0][len("setuptools-"):-len(".dist-info")] if setuptools else None
    if in_list.get("setuptools") != setuptools_version:
        return f"pip list says setuptools {in_list.get('setuptools')}, the metadata {setuptools_version}"
    shown = pip(env_dir, "show", "pip")
    if (shown.returncode == 0) != bool(infos) or (infos and f"Version: {version}\n" not in shown.stdout):
        return f"pip show pip ({shown.returncode}): {shown.stdout[:200]}{shown.stderr[-200:]}"
    copy = env_dir.parent / (env_dir.name + ".copy")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(env_dir, copy, symlinks=True)
    try:
        removed = pip(copy, "uninstall", "-y", "pip")
        if removed.returncode != 0:
            return f"pip uninstall -y pip failed: {removed.stderr.strip()[-300:]}"
        left = sorted(p.name for p in site_packages(copy).glob("pip*"))
        if infos and left:
            return f"pip uninstall -y pip left {left}"
    finally:
        shutil.rmtree(copy)
    return None


@pytest.fixture(scope="module")
def old_wheel(tmp_path_factory):
    """pip 1.0: the embedded pip's code, saying it is 1.0 (so which pip runs can be told)."""
    def edit(name, data):
        if name == "pip/__init__.py":
            return re.sub(rb'__version__ = "[^"]*"', b'__version__ = "1.0"', data)
        return data
    return rewrite_wheel(WHEEL, tmp_path_factory.mktemp("old"), version=OLD, edit=edit)


class Scenario:
    """A target at a fixed path, restored from a saved copy before each run."""

    def __init__(self, path, args, before_version):
        self.path, self.args, self.before_version = path, args, before_version
        self.saved = path.parent / (path.name + ".saved")
        shutil.copytree(path, self.saved, symlinks=True)

    def reset(self):
        shutil.rmtree(self.path)
        shutil.copytree(self.saved, self.path, symlinks=True)


def make_scenario(kind, tmp_path, old_wheel):
    env_dir = make_venv(tmp_path / "target")
    if kind == "install":
        return Scenario(env_dir, ["--python", env_dir], None)
    install_with_pip_from_wheel(env_dir, old_wheel)
    assert pip_runs(env_dir) == OLD
    if kind == "upgrade":
        return Scenario(env_dir, ["--python", env_dir, "--upgrade"], OLD)
    raise ValueError(kind)


def main_thread_calls(log_text):
    """The calls of the program's first thread in a `strace -f -o` log (each line starts with
    the thread's id). strace counts when=N for each thread on its own, so injection points are
    counted in the thread that installs; the one that writes .pyc files meets them too, or not."""
    lines = log_text.splitlines()
    main = lines[0].split(None, 1)[0]
    return "\n".join(line for line in lines if line.split(None, 1)[0] == main)


def kill_points(log_text):
    """Where to kill: evenly spaced openat calls across the whole run, and, from the journal's
    rename on, every rename, exchange, unlink and fsync of the commit (of the removal of what it
    retired, the first and last few: the target is complete by then)."""
    log_text = main_thread_calls(log_text)
    opens = log_text.count("openat(")
    points = {f"openat:when={max(1, round(i * opens / KILL_POINTS_ACROSS_A_RUN))}"
              for i in range(1, KILL_POINTS_ACROSS_A_RUN + 1)}
    counters = dict.fromkeys(COMMIT_CALLS, 0)
    committing = False
    removals = []
    for line in log_text.splitlines():
        call = re.search(r"\b(" + "|".join(COMMIT_CALLS) + r")\(", line)
        if call is None:
            continue
        name = call.group(1)
        counters[name] += 1
        if name.startswith("rename") and "journal.json" in line:
            committing = True
        if not committing:
            continue
        point = f"{name}:when={counters[name]}"
        if name.startswith("unlink"):
            removals.append(point)
        else:
            points.add(point)
            if name.startswith("rename"):
                points.add(f"{name}:when={counters[name] + 1}")  # right after it, too
    assert committing, "no journal was written in the reference run"
    points.update(removals[:3] + removals[-3:])
    return sorted(points)


@pytest.mark.parametrize("kind", ["install", "upgrade"])
def test_sigkill_anywhere_leaves_as_before_or_complete(kind, tmp_path, old_wheel, base_env, tmpdir_for_run,
                                                     capsys):
    scenario = make_scenario(kind, tmp_path, old_wheel)
    log = tmp_path / "reference.log"
    assert strace_run(scenario.args, base_env, log=log, trace=FAULT_POINTS).returncode == 0
    points = kill_points(log.read_text())
    seen = {}
    broken = []
    for point in points:
        scenario.reset()
        killed = strace_run(scenario.args, base_env, trace=FAULT_POINTS,
                            inject=point.replace(":", ":signal=SIGKILL:", 1))
        state, notes = classify(scenario.path, scenario.before_version)
        seen[state] = seen.get(state, 0) + 1
        if SETUPTOOLS_WHEEL is not None and state in ("as before", "between") and setuptools_done(site_packages(scenario.path)):
            seen["setuptools done, pip not yet"] = seen.get("setuptools done, pip not yet", 0) + 1
        if state == "broken":
            broken.append((point, killed.returncode, notes))
        misread = pip_reads_it(scenario.path)
        if misread:
            broken.append((point, "pip reads it wrong", misread))
        # The next run finishes or repeats the work, and leaves nothing behind.
        after = subprocess.run([ENSUREPIP, *map(str, scenario.args)], env=base_env, capture_output=True,
                               text=True, timeout=300)
        final, final_notes = classify(scenario.path, scenario.before_version)
        if after.returncode != 0 or final != "complete" or final_notes:
            broken.append((point, "next run", after.returncode, after.stderr, final, final_notes))
        assert os.listdir(tmpdir_for_run) == [], f"temporary files left after the run after {point}"
    with capsys.disabled():
        print(f"\n[faults] {kind}: {len(points)} kill points, {2 * len(points)} runs, states seen: "
              + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())), file=sys.stderr)
    assert broken == []
    assert seen.get("as before", 0) > 0 and seen.get("complete", 0) > 0
    # The kill points reach into the two-project commit: setuptools' steps, then pip's.
    assert SETUPTOOLS_WHEEL is None or seen.get("setuptools done, pip not yet", 0) > 0


def test_sigkill_during_uninstall(tmp_path, base_env):
    env_dir = make_venv(tmp_path / "target")
    assert subprocess.run([ENSUREPIP, "--python", str(env_dir)], env=base_env).returncode == 0
    scenario = Scenario(env_dir, ["--python", env_dir, "--uninstall"], PIP_VERSION)
    log = tmp_path / "reference.log"
    assert strace_run(scenario.args, base_env, log=log, trace=FAULT_POINTS).returncode == 0
    renames = len(re.findall(r"\brenameat\(", main_thread_calls(log.read_text())))
    assert renames >= 3
    for when in range(1, renames + 2):
        scenario.reset()
        strace_run(scenario.args, base_env, inject=f"renameat:signal=SIGKILL:when={when}", trace=FAULT_POINTS)
        lib = site_packages(env_dir)
        infos = list(lib.glob("pip-*.dist-info"))
        # Installed and intact, or not installed (its .dist-info goes first); setuptools too.
        if infos:
            assert record_holds(lib, infos[0].name, scripts_too=True), when
        assert setuptools_problem(lib) is None, (when, setuptools_problem(lib))
        assert pip_reads_it(env_dir) is None, (when, pip_reads_it(env_dir))
        after = subprocess.run([ENSUREPIP, "--python", str(env_dir), "--uninstall"], env=base_env,
                               capture_output=True, text=True)
        assert after.returncode == 0, after.stderr
        assert not list(lib.glob("pip*")) and not list((env_dir / "bin").glob("pip*"))
        assert not list(lib.glob("setuptools*")), when  # the journal finishes what pip's removal began
        assert not [p for p in lib.iterdir() if p.name.startswith(".ensurepip")]


@pytest.mark.parametrize("kind", ["install", "upgrade"])
def test_errors_mid_run_roll_back(kind, tmp_path, old_wheel, base_env, tmpdir_for_run):
    """ENOSPC, EIO, EROFS and EACCES injected into the writes and into the commit's renames:
    a distinct status each, and the target exactly as before."""
    scenario = make_scenario(kind, tmp_path, old_wheel)
    before = tree_state(scenario.path)
    log = tmp_path / "reference.log"
    trace = "write,mkdir,renameat,renameat2"
    assert strace_run(scenario.args, base_env, log=log, trace=trace).returncode == 0
    # Count the calls made before the commit's first rename into the target: the one after the
    # journal's.
    counts = {"write": 0, "mkdir": 0, "renameat": 0}
    first_commit_rename = None
    journal_written = False
    for line in main_thread_calls(log.read_text()).splitlines():
        call = re.search(r"\b(write|mkdir|renameat)\(", line)
        if call is None:
            continue
        counts[call.group(1)] += 1
        if call.group(1) == "renameat" and journal_written:
            first_commit_rename = counts["renameat"]
            break
        journal_written = journal_written or (call.group(1) == "renameat" and "journal.json" in line)
    assert first_commit_rename is not None
    writes, mkdirs = counts["write"], counts["mkdir"]
    renames = len(re.findall(r"\brenameat\(", main_thread_calls(log.read_text())))
    cases = [(f"write:error=ENOSPC:when={writes // 2}", 13, "No space left"),
             (f"write:error=ENOSPC:when={writes - 5}", 13, "No space left"),
             (f"mkdir:error=EROFS:when={mkdirs // 2}", 14, "read-only"),
             (f"write:error=EIO:when={writes // 3}", 9, "Input/output error"),
             (f"renameat:error=ENOSPC:when={first_commit_rename}", 13, "No space left"),
             (f"renameat:error=EACCES:when={first_commit_rename + 2}", 15, "Permission denied")]
    assert first_commit_rename + 2 <= renames
    for inject, status, words in cases:
        scenario.reset()
        result = strace_run(scenario.args, base_env, inject=inject, trace=trace)
        assert result.returncode == status, (inject, result.stderr)
        assert words in result.stderr and len(result.stderr.splitlines()) == 1, (inject, result.stderr)
        assert tree_state(scenario.path) == before, inject
        assert os.listdir(tmpdir_for_run) == [], inject


def mount_tmpfs_then(script, *args):
    """Runs a shell script in a private mount namespace; $1 is a fresh tmpfs mount point."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-ec", script, "sh", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def can_mount(tmp_path):
    probe = mount_tmpfs_then('mount -t tmpfs -o size=1m tmpfs "$1"', tmp_path)
    if probe.returncode != 0:
        pytest.skip("mounting a tmpfs needs root: " + probe.stderr.strip())


def test_disk_too_small_is_refused_up_front(can_mount, tmp_path):
    mnt = tmp_path / "small" / "mnt"
    mnt.mkdir(parents=True)
    # The listings go beside "small", whose own listing (the ".." of mnt) they would change.
    result = mount_tmpfs_then(f'''
        mount -t tmpfs -o size=6m tmpfs "$1"
        "{os.environ["ENSUREPIP_PYTHON"]}" -m venv --without-pip "$1/venv"
        ls -laR "$1" > "{tmp_path}/before"
        set +e; "{ENSUREPIP}" --python "$1/venv"; echo "status $?"; set -e
        ls -laR "$1" > "{tmp_path}/after"
        cmp "{tmp_path}/before" "{tmp_path}/after" && echo unchanged''', mnt)
    assert "status 13" in result.stdout, result.stdout + result.stderr
    assert "unchanged" in result.stdout
    assert re.search(r"needs [\d.]+ MiB, [\d.]+ MiB are free", result.stderr), result.stderr


def test_read_only_filesystem_is_refused(can_mount, tmp_path):
    mnt = tmp_path / "ro"
    mnt.mkdir()
    result = mount_tmpfs_then(f'''
        mount -t tmpfs -o size=64m tmpfs "$1"
        "{os.environ["ENSUREPIP_PYTHON"]}" -m venv --without-pip "$1/venv"
        mount -o remount,ro "$1"
        set +e; "{ENSUREPIP}" --python "$1/venv"; echo "status $?"''', mnt)
    assert "status 14" in result.stdout, result.stdout + result.stderr
    assert "read-only" in result.stderr and len(result.stderr.splitlines()) == 1


def test_permission_denied_is_refused(as_nobody):
    run, env_dir = as_nobody
    before = tree_state(env_dir)
    result = run("--python", env_dir)
    assert result.returncode == 15, result.stderr
    assert "Permission denied" in result.stderr and len(result.stderr.splitlines()) == 1
    assert tree_state(env_dir) == before


@pytest.mark.parametrize("kind", ["install", "upgrade"])
def test_concurrent_runs_serialize(kind, tmp_path, old_wheel, base_env):
    scenario = make_scenario(kind, tmp_path, old_wheel)
    runs = [subprocess.Popen([ENSUREPIP, *map(str, scenario.args)], env=base_env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outcomes = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for p in runs]
    assert [code for code, _out, _err in outcomes] == [0] * 8, outcomes
    installs = sum("Successfully installed" in out for _code, out, _err in outcomes)
    assert installs == 1, outcomes
    state, notes = classify(scenario.path, scenario.before_version)
    assert (state, notes) == ("complete", [])


def test_lock_timeout(venv, base_env):
    import fcntl

    lib = site_packages(venv)
    before = tree_state(venv)
    held = os.open(lib, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = subprocess.run([ENSUREPIP, "--python", str(venv), "--lock-timeout", "0.3"], env=base_env,
                                capture_output=True, text=True, timeout=120)
    finally:
        os.close(held)
    assert result.returncode == 16, result.stderr
    assert "gave up waiting after 0.3 s" in result.stderr
    assert tree_state(venv) == before


def test_commit_flushes_its_own_files_not_the_filesystem(venv, base_env, tmp_path):
    """Issue 15: syncfs waits for every writer of the filesystem; the run fsyncs what it wrote
    (every staged file, before the journal) instead, on whichever of its threads."""
    log = tmp_path / "sync.log"
    assert strace_run(["--python", venv], base_env, log=log, trace="syncfs,fsync").returncode == 0
    calls = log.read_text()
    assert "syncfs(" not in calls
    staged = sum(1 for p in site_packages(venv).rglob("*") if p.is_file())
    assert calls.count("fsync(") >= staged

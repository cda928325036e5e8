"""The caller's process, kept: signals (a checking thread that cannot start, SIGPIPE, inherited
ignores, signals handed back, the program ending by its signal), closed standard descriptors,
paths that are not UTF-8 end to end, and the report (absolute root, files removed, written
beside its name and renamed into place). The program and the C library client
(tests/host/library_client.c) both."""

import importlib.util
import json
import os
import pathlib
import re
import resource
import shutil
import signal
import subprocess

import pytest

from conftest import (CLIENT, ENSUREPIP, PIP_VERSION, PY_VERSION, make_venv, pip_scripts, site_packages, strace_run,
                      tree_state)

FAIL_THREADS = os.environ.get("ENSUREPIP_FAIL_THREADS", "")
needs_client = pytest.mark.skipif(not CLIENT, reason="ENSUREPIP_CLIENT is not set")


@pytest.fixture
def strace():
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")


def run_program(args, env, **kwargs):
    return subprocess.run([ENSUREPIP, *args], env=env, capture_output=True, timeout=300, **kwargs)


def run_client(env, *args, **kwargs):
    return subprocess.run([CLIENT, *args], env=env, capture_output=True, timeout=300, **kwargs)


def with_thread_failure(env):
    env = dict(env, LD_PRELOAD=FAIL_THREADS, FAIL_PTHREAD_CREATE="2")
    # The shim comes before a sanitizer build's runtime in the library list.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + " verify_asan_link_order=0"
    return env


def no_leftovers(env_dir, tmpdir_for_run):
    assert not [n for n in os.listdir(site_packages(env_dir)) if n.startswith(".ensurepip")]
    assert os.listdir(tmpdir_for_run) == []


# -- a checking thread that cannot be created ---------------------------------------------------

@needs_client
@pytest.mark.skipif(not FAIL_THREADS, reason="ENSUREPIP_FAIL_THREADS is not set")
def test_library_keeps_the_callers_mask_when_no_thread_can_be_made(venv, base_env):
    result = run_client(with_thread_failure(base_env), "--block", str(int(signal.SIGUSR1)), str(venv), text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check process state: same" in result.stdout
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]


def test_commit_flush_makes_room_when_descriptors_run_short(venv, base_env):
    """With 48 descriptors, fewer than the flush's batch of 256 (src/flushtree.c): when an open
    meets EMFILE, the files gathered so far are flushed and closed, and the walk goes on."""
    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))

    result = run_program(["--python", str(venv)], base_env, text=True, preexec_fn=few_descriptors)
    assert result.returncode == 0, result.stderr
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]


@pytest.mark.skipif(not FAIL_THREADS, reason="ENSUREPIP_FAIL_THREADS is not set")
def test_commit_flushes_on_its_own_thread_when_no_thread_can_be_made(strace, venv, base_env, tmp_path):
    """No thread at all for the whole run: the payload checks, the .pyc writer
    (src/filewriter.c) and the commit's flush (src/flushtree.c) do their work on the calling
    thread, every .pyc is written and every staged file is still flushed."""
    env = dict(with_thread_failure(base_env), FAIL_PTHREAD_CREATE="1000000")
    log = tmp_path / "sync.log"
    assert strace_run(["--python", venv], env, log=log, trace="fsync,clone,clone3").returncode == 0
    calls = log.read_text()
    assert "clone" not in calls
    staged = [p for p in site_packages(venv).rglob("*") if p.is_file()]
    assert calls.count("fsync(") >= len(staged)
    sources = [p for p in staged if p.suffix == ".py"]
    assert sources and all(pathlib.Path(importlib.util.cache_from_source(p)).is_file() for p in sources)
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]


@pytest.mark.skipif(not FAIL_THREADS, reason="ENSUREPIP_FAIL_THREADS is not set")
def test_program_still_stops_on_sigterm_when_no_thread_can_be_made(strace, venv, base_env, tmpdir_for_run):
    before = tree_state(venv)
    result = strace_run(["--python", venv], with_thread_failure(base_env), "fsync", inject="fsync:signal=SIGTERM:when=1")
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert "the target was not changed" in result.stderr
    assert tree_state(venv) == before
    assert os.listdir(tmpdir_for_run) == []


# -- SIGPIPE --------------------------------------------------------------------------------------

def test_reader_gone_is_no_death(venv, base_env, tmp_path, tmpdir_for_run):
    """`ensurepip ... | (exec 0<&-; ...)`: pip's lines meet a pipe nobody reads."""
    report = tmp_path / "report.json"
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([ENSUREPIP, "--python", str(venv), "--report", str(report)], env=base_env,
                                stdout=write_end, stderr=subprocess.PIPE, timeout=300)
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["action"] == "installed" and data["exit_status"] == 0
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]
    no_leftovers(venv, tmpdir_for_run)


# -- inherited ignores ----------------------------------------------------------------------------

def ignore_run_ending():
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def test_nohup_survives_sighup(strace, venv, base_env, tmpdir_for_run):
    result = strace_run(["--python", venv], base_env, "fsync", inject="fsync:signal=SIGHUP:when=1",
                        preexec_fn=ignore_run_ending)
    assert result.returncode == 0, result.stderr
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]
    no_leftovers(venv, tmpdir_for_run)


@needs_client
def test_library_caller_that_ignores_signals_is_never_interrupted(venv, base_env):
    """The client raises SIGTERM in its audit hook, inside the call."""
    result = run_client(base_env, "--ignore-signals", "--raise", str(int(signal.SIGTERM)), str(venv), text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^call \S+: status=0 action=installed", result.stdout, re.M)
    assert "SIGTERM=0" in result.stdout
    assert "check process state: same" in result.stdout


# -- signals handed back --------------------------------------------------------------------------

@needs_client
def test_signal_during_the_call_reaches_the_callers_handler_after_it(venv, base_env):
    before = tree_state(venv)
    result = run_client(base_env, "--expect", "11", "--raise", str(int(signal.SIGTERM)), str(venv), text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "interrupted by signal 15; the target was not changed" in result.stdout
    assert "handled after the call: SIGINT=0 SIGTERM=1 SIGHUP=0" in result.stdout
    assert "check process state: same" in result.stdout
    assert tree_state(venv) == before


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_program_ends_by_the_signal_itself(strace, venv, base_env, name):
    """As CPython does for SIGINT: a shell loop running the program then stops too."""
    result = strace_run(["--python", venv], base_env, "fsync", inject=f"fsync:signal={name}:when=1")
    assert result.returncode == -signal.Signals[name], result.stderr
    assert result.stderr.strip().endswith("the target was not changed")


# -- closed standard descriptors ------------------------------------------------------------------

def closing(*fds):
    def close():
        for fd in fds:
            os.close(fd)
    return close


@pytest.mark.parametrize("fds, with_report", [((0,), False), ((1,), True), ((0, 1, 2), True)],
                         ids=["stdin", "stdout-with-report", "all-with-report"])
def test_program_with_closed_standard_descriptors(venv, base_env, tmp_path, tmpdir_for_run, fds, with_report):
    """Once, stdin closed made Python read a directory as its stdin, and stdout closed put pip's
    lines into the report."""
    report = tmp_path / "report.json"
    result = subprocess.run([ENSUREPIP, "--python", str(venv), *(["--report", str(report)] if with_report else [])],
                            env=base_env, capture_output=True, text=True, timeout=300, preexec_fn=closing(*fds))
    assert result.returncode == 0, result.stderr
    if with_report:
        data = json.loads(report.read_text())  # pip's lines did not go into it
        assert data["action"] == "installed"
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]
    no_leftovers(venv, tmpdir_for_run)


@needs_client
def test_library_with_closed_standard_descriptors_leaves_them_closed(venv, base_env, tmp_path):
    log = tmp_path / "client.log"
    result = run_client(base_env, "--close-std", "--log", str(log), str(venv))
    out = log.read_text()
    assert result.returncode == 0, out
    assert re.search(r"^call \S+: status=0 action=installed", out, re.M)
    assert "check process state: same" in out


@needs_client
def test_repeated_quiet_library_calls_print_nothing(tmp_path, base_env):
    first, second = make_venv(tmp_path / "one"), make_venv(tmp_path / "two")
    result = run_client(base_env, "--quiet", "--uninstall", str(first), str(second), text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_client(base_env, "--quiet", str(first), str(second), text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == \
        ["version"] + ["call", "audit", "handled", "check"] * 2
    assert "Successfully" not in result.stdout


# -- paths that are not UTF-8 ---------------------------------------------------------------------

def latin1_dir(tmp_path, name):
    """A directory whose name is not UTF-8 (b'\\xe9')."""
    path = os.fsencode(tmp_path) + b"/" + name.encode() + b"\xe9"
    os.mkdir(path)
    return path


def test_root_that_is_not_utf8(venv, base_env, tmp_path, tmpdir_for_run):
    root = latin1_dir(tmp_path, "root")
    report = tmp_path / "report.json"
    result = run_program([b"--python", os.fsencode(venv), b"--root", root, b"--report", os.fsencode(report)],
                         base_env)
    assert result.returncode == 0, result.stderr
    lib = root + os.fsencode(site_packages(venv))
    assert os.path.isdir(lib + b"/pip")
    assert lib in result.stdout  # the closing line names the path's own bytes
    data = json.loads(report.read_text())  # valid JSON: the byte is written as \udce9
    assert os.fsencode(data["target"]["root"]) == root
    assert os.fsencode(data["message"]).find(lib) > 0
    assert b"\\udce9" in report.read_bytes()
    again = run_program([b"--python", os.fsencode(venv), b"--root", root, b"-U"], base_env)
    assert again.returncode == 0, again.stderr
    assert b"already installed" in again.stdout
    removed = run_program([b"--python", os.fsencode(venv), b"--root", root, b"--uninstall"], base_env)
    assert removed.returncode == 0, removed.stderr
    assert not os.path.exists(lib + b"/pip")
    assert os.listdir(tmpdir_for_run) == []


def test_venv_under_a_directory_that_is_not_utf8(base_env, tmp_path, tmpdir_for_run):
    # venv itself cannot make one there: made elsewhere and moved.
    plain = make_venv(tmp_path / "plain" / "venv")
    parent = os.fsencode(tmp_path) + b"/d\xe9"
    os.rename(tmp_path / "plain", parent)
    env_dir = parent + b"/venv"
    report = tmp_path / "report.json"
    result = run_program([b"--python", env_dir, b"--report", os.fsencode(report)], base_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert os.fsencode(data["target"]["python"]) == env_dir + b"/bin/python"
    assert [os.fsencode(s) for s in data["scripts"]] == [env_dir + b"/bin/pip3",
                                                         env_dir + f"/bin/pip{PY_VERSION}".encode()]
    pip3 = subprocess.run([env_dir + b"/bin/pip3", b"--version"], capture_output=True, env={"PATH": "/usr/bin:/bin"})
    assert pip3.returncode == 0 and PIP_VERSION.encode() in pip3.stdout, pip3.stderr
    assert run_program([b"--python", env_dir, b"-U"], base_env).returncode == 0
    removed = run_program([b"--python", env_dir, b"--uninstall", b"--report", os.fsencode(report)], base_env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(report.read_text())["files"] == data["files"]
    assert os.listdir(tmpdir_for_run) == []
    del plain


# -- the report -----------------------------------------------------------------------------------

def test_report_root_is_absolute_and_uninstall_counts_files(venv, base_env, tmp_path):
    report = tmp_path / "report.json"
    installed = run_program(["--python", str(venv), "--root", "stage", "--report", str(report)], base_env,
                            cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    data = json.loads(report.read_text())
    assert data["target"]["root"] == str(tmp_path / "stage")
    removed = run_program(["--python", str(venv), "--root", "stage", "--uninstall", "--report", "r2.json"],
                          base_env, cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    gone = json.loads((tmp_path / "r2.json").read_text())
    assert gone["action"] == "uninstalled"
    assert gone["files"] == data["files"] > 0
    assert sorted(os.listdir(tmp_path)) == sorted(["home", "tmp", "venv", "stage", "report.json", "r2.json"])


def test_report_symlink_of_another_user_is_refused(venv, base_env, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a symbolic link owned by another user needs root")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("theirs\n")
    link = tmp_path / "report.json"
    link.symlink_to(elsewhere)
    os.lchown(link, 65534, 65534)
    before = tree_state(venv)
    result = run_program(["--python", str(venv), "--report", str(link)], base_env, text=True)
    assert result.returncode == 17, result.stderr
    assert result.stderr.count("\n") == 1 and "symbolic link owned by another user" in result.stderr
    assert elsewhere.read_text() == "theirs\n" and link.is_symlink()
    assert tree_state(venv) == before


def test_report_replaces_the_previous_one_whole(venv, base_env, tmp_path):
    """Renamed into place: the previous file is never rewritten, so a reader (here a hard link
    to it) sees the previous report or the new one, never part of one."""
    report = tmp_path / "report.json"
    report.write_text("previous\n")
    os.link(report, tmp_path / "reader.json")
    result = run_program(["--python", str(venv), "--report", str(report)], base_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(report.read_text())["action"] == "installed"
    assert (tmp_path / "reader.json").read_text() == "previous\n"
    assert oct(os.stat(report).st_mode & 0o777) == oct(0o666 & ~current_umask())
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".report.json")]


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- messages -------------------------------------------------------------------------------------

def test_message_holds_a_long_path(venv, base_env, tmp_path):
    root = tmp_path
    for i in range(6):
        root = root / (f"{i}" * 200)
    result = run_program(["--python", str(venv), "--root", str(root)], base_env, text=True)
    assert result.returncode == 0, result.stderr
    lib = f"{root}{site_packages(venv)}"
    assert len(lib) > 1024
    assert f"ensurepip: pip {PIP_VERSION} installed into {lib} (scripts: pip3, pip{PY_VERSION})" in result.stdout


@needs_client
def test_library_message_names_no_option(tmp_path, base_env):
    result = run_client(base_env, "--expect", "3", str(tmp_path / "missing"), text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    [message] = re.findall(r"message=(.*)", result.stdout)
    assert "does not exist" in message and "--" not in message


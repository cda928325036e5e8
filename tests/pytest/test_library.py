"""libensurepip through its public header, from a C client (tests/host/library_client.c):
two bootstraps in one process, the process left as it was after each, the audit event."""

import re
import subprocess

import pytest

from conftest import CLIENT, PIP_VERSION, PY_VERSION, PYTHON, make_venv, pip_scripts, pip_version_of, tree_state

pytestmark = pytest.mark.skipif(not CLIENT, reason="ENSUREPIP_CLIENT is not set")


def run_client(base_env, *args):
    return subprocess.run([CLIENT, *map(str, args)], env=base_env, capture_output=True, text=True,
                          timeout=300)


def calls(stdout):
    return re.findall(r"^call (\S+): status=(-?\d+) action=(\S+) pip_exit_code=(-?\d+)", stdout, re.M)


def python_version_info():
    out = subprocess.run([PYTHON, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True,
                         text=True, check=True).stdout.split()
    return tuple(map(int, out))


# CPython 3.12.0 to 3.12.4 crash when initialized a second time in one process
# (python/cpython#122334): there the library refuses the second call instead.
ONE_LIFE_ONLY = (3, 12, 0) <= python_version_info() < (3, 12, 5)


def test_two_targets_in_one_process_both_bootstrapped_and_process_state_restored(tmp_path, base_env):
    first, second = make_venv(tmp_path / "one"), make_venv(tmp_path / "two")
    result = run_client(base_env, first, second)
    assert f"version {PIP_VERSION}\n" in result.stdout
    assert result.stdout.count("check process state: same") == 2
    if ONE_LIFE_ONLY:
        assert calls(result.stdout) == [(str(first), "0", "installed", "0"), (str(second), "8", "none", "-1")]
        assert "python/cpython#122334" in result.stdout
        assert result.stdout.count("audit ensurepip.bootstrap: 1 events, root=None") == 1
        assert pip_scripts(second) == []
        return
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(result.stdout) == [(str(first), "0", "installed", "0"), (str(second), "0", "installed", "0")]
    assert result.stdout.count("audit ensurepip.bootstrap: 1 events, root=None") == 2
    for env_dir in (first, second):
        # The client sets ENSUREPIP_OPTIONS=altinstall in its own environment: the library
        # decides the scripts from its options alone (the default: pipX and pipX.Y).
        assert pip_scripts(env_dir) == sorted(["pip3", f"pip{PY_VERSION}"])
        code, version = pip_version_of(env_dir)
        assert code == 0 and version.startswith(f"pip {PIP_VERSION} from {env_dir}")


def test_audit_event_carries_root(tmp_path, base_env):
    env_dir = make_venv(tmp_path / "venv")
    root = tmp_path / "root"
    result = run_client(base_env, "--root", root, env_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"audit ensurepip.bootstrap: 1 events, root='{root}'" in result.stdout
    assert (root / str(env_dir).lstrip("/") / "bin" / "pip3").is_file()


def test_audit_hook_vetoes_and_nothing_changes(tmp_path, base_env):
    env_dir = make_venv(tmp_path / "venv")
    before = tree_state(env_dir)
    result = run_client(base_env, "--veto", env_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    [(target, status, action, pip_code)] = calls(result.stdout)
    assert (status, action, pip_code) == ("10", "none", "-1")
    assert "vetoed by library_client" in result.stdout
    assert "check process state: same" in result.stdout
    assert tree_state(env_dir) == before


def test_uninstall_through_the_library(tmp_path, base_env):
    env_dir = make_venv(tmp_path / "venv")
    assert run_client(base_env, env_dir).returncode == 0
    result = run_client(base_env, "--uninstall", env_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(result.stdout) == [(str(env_dir), "0", "uninstalled", "0")]
    assert pip_scripts(env_dir) == []

"""A sealed bootstrap: nothing outside the target decides what runs or where it installs, no
network socket is ever opened, and a run that is stopped by a signal cleans up and leaves the
target as it was (or complete, if the signal came during the commit)."""

import base64
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest

from conftest import (ENSUREPIP, PIP_VERSION, PY_VERSION, WHEEL, pip_scripts, pip_version_of,
                      site_packages, strace_run, tree_state)

MARKER_CODE = """
import os
with open(os.path.join({markers!r}, {name!r}), "w") as f:
    f.write("ran")
"""


def plant(directory, name, markers, raise_after=False):
    """A module or package at directory/name that leaves a marker file when imported."""
    code = MARKER_CODE.format(markers=str(markers), name=name.replace("/", "."))
    if raise_after:
        code += "raise SystemExit('hostile code ran: " + name + "')\n"
    path = directory / name
    if name.endswith(".py"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
    else:
        path.mkdir(parents=True, exist_ok=True)
        (path / "__init__.py").write_text(code)
    return path


def installed_files_match_wheel(env_dir):
    """Every file the embedded wheel's RECORD lists is installed with that content."""
    lib = site_packages(env_dir)
    with zipfile.ZipFile(WHEEL) as wheel:
        record = wheel.read(f"pip-{PIP_VERSION}.dist-info/RECORD").decode()
    for path, digest, _size in csv.reader(io.StringIO(record)):
        if not digest:
            continue
        data = (lib / path).read_bytes()
        actual = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert actual == digest, path
    return True


@pytest.fixture
def hostile(tmp_path, base_env):
    """Every place outside the target from which Python or pip could be steered, planted."""
    markers = tmp_path / "markers"
    markers.mkdir()
    evil = tmp_path / "evil"
    pythonpath = evil / "pythonpath"
    for name in ("pip", "ensurepip_glue", "sitecustomize.py", "usercustomize.py", "_ensurepip_host.py"):
        plant(pythonpath, name, markers, raise_after=True)
    userbase = evil / "userbase"
    user_site = userbase / "lib" / f"python{PY_VERSION}" / "site-packages"
    home = evil / "home"
    home_site = home / ".local" / "lib" / f"python{PY_VERSION}" / "site-packages"
    for site in (user_site, home_site):
        for name in ("pip", "sitecustomize.py", "usercustomize.py"):
            plant(site, name, markers, raise_after=True)
        (site / "evil.pth").write_text(f"import os; open(os.path.join({str(markers)!r}, 'pth'), 'w')\n")
    cwd = evil / "cwd"
    for name in ("pip", "optparse.py", "csv.py", "zipfile.py", "sitecustomize.py"):
        plant(cwd, name, markers, raise_after=True)
    (cwd / "setup.cfg").write_text("[install]\nprefix = /nonexistent\n[broken\n")
    shutil.copy(WHEEL, cwd / "pip-99.9-py3-none-any.whl")  # gh-146310: a wheel in the cwd
    startup = plant(evil, "startup.py", markers, raise_after=True)
    pip_target = evil / "pip-target"
    config = evil / "pip.conf"
    config.write_text(f"[global]\nno-install = 1\n[install]\ntarget = {pip_target}\n")
    for conf_dir in (home / ".pip", home / ".config" / "pip", evil / "xdg" / "pip"):
        conf_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(config, conf_dir / ("pip.conf"))
    env = dict(base_env)
    env.update({
        "PYTHONPATH": str(pythonpath), "PYTHONHOME": "/nonexistent", "PYTHONSTARTUP": str(startup),
        "PYTHONINSPECT": "1", "PYTHONUSERBASE": str(userbase), "PYTHONEXECUTABLE": "/bogus/python",
        "__PYVENV_LAUNCHER__": "/bogus/python", "PYTHONWARNINGS": "error", "PYTHONDEVMODE": "1",
        "PYTHONPLATLIBDIR": "bogus", "PYTHONSAFEPATH": "", "HOME": str(home),
        "XDG_CONFIG_HOME": str(evil / "xdg"), "PIP_CONFIG_FILE": str(config),
        "PIP_TARGET": str(pip_target), "PIP_PREFIX": str(pip_target), "PIP_USER": "1",
        "PIP_NO_INSTALL": "1", "PIP_REQUIRE_VIRTUALENV": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/",
        "PIP_FIND_LINKS": str(evil), "PIP_NO_COMPILE": "1", "PIP_ROOT": str(pip_target),
    })
    return {"env": env, "cwd": cwd, "markers": markers, "pip_target": pip_target}


def test_nothing_outside_the_target_steers_the_install(venv, hostile):
    # The target's own .pth files do not run either: the target is data.
    (site_packages(venv) / "target.pth").write_text(
        f"import os; open(os.path.join({str(hostile['markers'])!r}, 'target-pth'), 'w')\n")
    result = subprocess.run([ENSUREPIP, "--python", str(venv)], env=hostile["env"], cwd=hostile["cwd"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(hostile["markers"])) == []
    assert not hostile["pip_target"].exists()
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]
    assert installed_files_match_wheel(venv)
    assert not (site_packages(venv) / "pip-99.9.dist-info").exists()
    code, version = pip_version_of(venv)
    assert code == 0 and version.startswith(f"pip {PIP_VERSION} from {site_packages(venv)}")


def test_a_fake_pip_in_the_target_is_replaced_not_run(venv, base_env, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    plant(site_packages(venv), "pip", markers, raise_after=True)  # no .dist-info: not installed
    result = subprocess.run([ENSUREPIP, "--python", str(venv)], env=base_env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert os.listdir(markers) == []
    assert installed_files_match_wheel(venv)


def test_no_network_namespace_needed(venv, base_env):
    """In a network namespace with no interfaces (not even a working loopback)."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare -n needs CAP_SYS_ADMIN: " + probe.stderr.decode().strip())
    env = dict(base_env, PIP_INDEX_URL="https://pypi.org/simple", PIP_NO_INDEX="0")
    result = subprocess.run(["unshare", "-n", ENSUREPIP, "--python", str(venv)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert installed_files_match_wheel(venv)


def test_no_inet_socket_is_ever_created(venv, base_env, tmp_path):
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    log = tmp_path / "strace.log"
    # Positive control: the same tracing sees a socket that is created.
    control = tmp_path / "control.log"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket", "-o", str(control), "/usr/bin/python3",
                    "-c", "import socket; socket.socket(socket.AF_INET6).close()"], check=True)
    assert re.search(r"socket\(AF_INET6", control.read_text())
    env = dict(base_env, PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_FIND_LINKS="http://127.0.0.1:9/",
               PIP_TRUSTED_HOST="127.0.0.1", PIP_NO_INDEX="false")
    result = strace_run(["--python", venv], env, trace="socket,connect", log=log)
    assert result.returncode == 0, result.stderr
    calls = log.read_text()
    assert not re.search(r"socket\(AF_INET6?,", calls), calls
    assert not re.search(r"connect\(", calls), calls
    assert installed_files_match_wheel(venv)


def test_no_tls_library_is_ever_loaded(venv, base_env, tmp_path):
    """The runtime carries no ssl module: nothing it does needs one, and loading OpenSSL's TLS
    library costs every run its time."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    runtime = zipfile.ZipFile(os.path.join(os.path.dirname(WHEEL), "ensurepip-runtime.zip"))
    assert [n for n in runtime.namelist() if re.fullmatch(r"ssl\.pyc|_ensurepip_ext/_ssl\..*", n)] == []
    # Positive control: the same tracing sees the library when ssl is imported.
    control = tmp_path / "control.log"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", str(control), "/usr/bin/python3",
                    "-c", "import ssl"], check=True)
    assert re.search(r"libssl\.so", control.read_text())
    log = tmp_path / "strace.log"
    result = strace_run(["--python", venv], base_env, trace="openat", log=log)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"libssl\.so", log.read_text())
    assert installed_files_match_wheel(venv)


def test_the_targets_own_code_does_not_run(venv, base_env, tmp_path):
    """A .pth file of the target that would open a network socket: under the target's own python
    it runs; inside ensurepip, which reads the target as data, it does not."""
    outcome = tmp_path / "outcome"
    probe = ("import socket; exec(\"try:\\n socket.socket(socket.AF_INET).close(); r = 'opened'\\n"
             "except PermissionError as e:\\n r = str(e)\\ntry:\\n socket.getaddrinfo('localhost', 80); "
             "r += ' / resolved'\\nexcept PermissionError as e:\\n r += ' / ' + str(e)\\n"
             f"open({str(outcome)!r}, 'w').write(r)\")\n")
    (site_packages(venv) / "probe.pth").write_text(probe)
    result = subprocess.run([ENSUREPIP, "--python", str(venv)], env=base_env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not outcome.exists()
    # Outside ensurepip, the same .pth under the target's own python opens its socket.
    subprocess.run([str(venv / "bin" / "python"), "-c", "pass"], check=True)
    assert outcome.read_text().startswith("opened")


# -- signals --------------------------------------------------------------------------------------

@pytest.fixture
def strace():
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")


@pytest.mark.parametrize("signal_name, status", [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_signal_before_python_starts_cleans_up(strace, venv, base_env, tmpdir_for_run, signal_name, status):
    """The first mkdir is the private temporary directory, made in C."""
    before = tree_state(venv)
    result = strace_run(["--python", venv], base_env, inject=f"mkdir:signal={signal_name}:when=1", trace="mkdir")
    assert result.returncode == 128 - status, result.stderr  # ended by the signal itself (strace too)
    assert result.stderr.strip() == f"ensurepip: interrupted by signal {status - 128}; the target was not changed"
    assert tree_state(venv) == before
    assert os.listdir(tmpdir_for_run) == []


def test_signal_while_pip_stages_cleans_up(strace, venv, base_env, tmpdir_for_run):
    """The first fsync (of a staged file) comes after pip's installer has staged everything,
    before the commit begins."""
    before = tree_state(venv)
    result = strace_run(["--python", venv], base_env, inject="fsync:signal=SIGTERM:when=1", trace="fsync")
    assert result.returncode == -15, result.stderr
    assert "the target was not changed" in result.stderr
    assert tree_state(venv) == before
    assert os.listdir(tmpdir_for_run) == []


def test_signal_during_the_commit_lets_it_finish(strace, tmp_path, venv, base_env, tmpdir_for_run):
    """A signal that arrives while files are being moved into place waits for the last move."""
    # Find, in a traced run on a twin venv, the first rename into the target itself.
    twin = tmp_path / "twin"
    shutil.copytree(venv, twin, symlinks=True)
    log = tmp_path / "renames.log"
    assert strace_run(["--python", twin], base_env, trace="renameat", log=log).returncode == 0
    renames = re.findall(r'renameat\(\d+, "([^"]*)"', log.read_text())
    first_commit = renames.index("journal.json.tmp") + 2  # the step after the journal's rename
    result = strace_run(["--python", venv], base_env, trace="renameat",
                        inject=f"renameat:signal=SIGINT:when={first_commit}")
    assert result.returncode == -2, result.stderr
    assert "after pip was installed" in result.stderr
    assert pip_scripts(venv) == ["pip3", f"pip{PY_VERSION}"]
    code, version = pip_version_of(venv)
    assert code == 0 and PIP_VERSION in version
    assert not [n for n in os.listdir(site_packages(venv)) if n.startswith(".ensurepip")]
    assert os.listdir(tmpdir_for_run) == []


def test_the_program_is_a_position_independent_executable():
    """Run as root over trees other people assembled, the program gets random addresses: an ELF
    of type ET_DYN (3), not a fixed-address ET_EXEC (2)."""
    with open(ENSUREPIP, "rb") as f:
        header = f.read(64)
    assert header[:4] == b"\x7fELF"
    byteorder = "little" if header[5] == 1 else "big"
    assert int.from_bytes(header[16:18], byteorder) == 3

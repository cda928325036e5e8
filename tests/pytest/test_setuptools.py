"""setuptools where the target's CPython bootstraps it: on 3.11 and older `python -m ensurepip`
runs `pip install [--upgrade] setuptools pip` and `ensurepip._uninstall` runs `pip uninstall -y
pip setuptools`, so the program installs the embedded setuptools beside pip, in the same
transaction, with the same bytecode, RECORD and report treatment, and removes it with pip.
A build for 3.12 and newer embeds none and installs pip alone."""

import csv
import json
import os
import subprocess

import pytest

from conftest import (ENSUREPIP, PIP_VERSION, PYTHON, SETUPTOOLS_WHEEL, WHEEL, all_files, check_record,
                      install_with_pip_from_wheel, inspect_bytecode, record_hash, rewrite_wheel, site_packages)

needs_setuptools = pytest.mark.skipif(SETUPTOOLS_WHEEL is None, reason="this build embeds no setuptools (3.12+)")
SETUPTOOLS_VERSION = os.path.basename(SETUPTOOLS_WHEEL).split("-")[1] if SETUPTOOLS_WHEEL else None
TOP_LEVEL = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth")


def dist_infos(site, project):
    return sorted(p.name for p in site.glob(f"{project}-*.dist-info"))


def check_setuptools(site, final_site=None):
    """setuptools complete in site: one .dist-info, every file of it as its RECORD says and
    listed there, every .py with the .pyc Python will use, naming the file's final path."""
    [info] = dist_infos(site, "setuptools")
    with open(site / info / "RECORD", newline="") as f:
        rows = list(csv.reader(f))
    listed = set()
    for name, digest, size in rows:
        path = os.path.normpath(os.path.join(site, name))
        listed.add(path)
        if name != f"{info}/RECORD":
            with open(path, "rb") as f:
                data = f.read()
            assert digest == record_hash(data) and int(size) == len(data), name  # .pyc rows too
    for top in TOP_LEVEL + (info,):
        path = site / top
        for file in all_files(str(path)) if path.is_dir() else [str(path)]:
            assert os.path.normpath(file) in listed, f"not in RECORD: {file}"
    sources = [p for p in listed if p.endswith(".py")]
    final_site = str(final_site or site)
    for source, seen in inspect_bytecode(sources).items():
        assert seen is not None and seen["magic"] and seen["fresh"], source
        assert seen["filenames"] == [os.path.join(final_site, os.path.relpath(source, str(site)))], seen
    return info, len(sources)


def run_report(run, tmp_path, *args):
    report = tmp_path / "report.json"
    result = run(*args, "--report", report)
    return result, json.loads(report.read_text())


@needs_setuptools
def test_installs_setuptools_beside_pip_from_build_time_bytecode(run, venv, tmp_path):
    result, report = run_report(run, tmp_path, "--python", venv, "-vv")
    assert result.returncode == 0, result.stderr
    site = site_packages(venv)
    assert dist_infos(site, "pip") == [f"pip-{PIP_VERSION}.dist-info"]
    check_record(site, f"pip-{PIP_VERSION}.dist-info")
    info, sources = check_setuptools(site)
    assert info == f"setuptools-{SETUPTOOLS_VERSION}.dist-info"
    # Every .pyc, setuptools' too, came from the build's bytecode: none was compiled at run time.
    assert ", 0 compiled now)" in result.stderr
    assert "Installing collected packages: setuptools, pip" in result.stdout
    assert f"Successfully installed pip-{PIP_VERSION} setuptools-{SETUPTOOLS_VERSION}" in result.stdout
    imported = subprocess.run([str(venv / "bin" / "python"), "-c", "import setuptools, pkg_resources; "
                               "print(setuptools.__version__)"], capture_output=True, text=True)
    assert imported.stdout.strip() == SETUPTOOLS_VERSION, imported.stderr
    assert report["action"] == "installed" and report["pip_version"] == PIP_VERSION
    assert report["setuptools"]["version"] == SETUPTOOLS_VERSION
    assert report["setuptools"]["action"] == "installed"
    assert report["setuptools"]["files"] == len(os.listdir(site / info)) + sum(
        len(all_files(str(site / top))) if (site / top).is_dir() else 1 for top in TOP_LEVEL)
    assert report["files"] > report["setuptools"]["files"] > sources


@needs_setuptools
def test_a_missing_setuptools_is_installed_beside_the_pip_already_there(run, venv, tmp_path):
    assert run("--python", venv).returncode == 0
    site = site_packages(venv)
    uninstalled = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", "setuptools"],
                                 capture_output=True, text=True)
    assert uninstalled.returncode == 0 and not dist_infos(site, "setuptools"), uninstalled.stderr
    result, report = run_report(run, tmp_path, "--python", venv)
    assert result.returncode == 0, result.stderr
    assert f"Requirement already satisfied: pip in {site}" in result.stdout
    assert "Installing collected packages: setuptools\n" in result.stdout
    check_setuptools(site)
    assert report["action"] == "already-present"
    assert report["setuptools"]["action"] == "installed"


@needs_setuptools
@pytest.mark.parametrize("upgrade", [False, True], ids=["no-upgrade", "upgrade"])
def test_an_older_setuptools_is_kept_or_upgraded_as_pip_decides(run, venv, tmp_path, upgrade):
    install_with_pip_from_wheel(venv, rewrite_wheel(SETUPTOOLS_WHEEL, tmp_path, "1.0"))
    site = site_packages(venv)
    result, report = run_report(run, tmp_path, "--python", venv, *(["-U"] if upgrade else []))
    assert result.returncode == 0, result.stderr
    if upgrade:
        check_setuptools(site)
        assert "Successfully uninstalled setuptools-1.0" in result.stdout
        assert report["setuptools"]["action"] == "upgraded"
    else:
        assert dist_infos(site, "setuptools") == ["setuptools-1.0.dist-info"]
        assert f"Requirement already satisfied: setuptools in {site} (1.0)" in result.stdout
        assert report["setuptools"]["action"] == "already-present"
    assert report["action"] == "installed"


@needs_setuptools
def test_a_newer_setuptools_is_kept_with_upgrade(run, venv, tmp_path):
    install_with_pip_from_wheel(venv, rewrite_wheel(SETUPTOOLS_WHEEL, tmp_path, "999.0"))
    result = run("--python", venv, "-U")
    assert result.returncode == 0, result.stderr
    assert f"Requirement already satisfied: setuptools in {site_packages(venv)} (999.0)" in result.stdout
    assert dist_infos(site_packages(venv), "setuptools") == ["setuptools-999.0.dist-info"]
    assert dist_infos(site_packages(venv), "pip") == [f"pip-{PIP_VERSION}.dist-info"]


@needs_setuptools
def test_uninstall_removes_setuptools_with_pip(run, venv, tmp_path):
    site = site_packages(venv)
    assert run("--python", venv).returncode == 0
    result, report = run_report(run, tmp_path, "--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert os.listdir(site) == []
    assert f"Successfully uninstalled setuptools-{SETUPTOOLS_VERSION}" in result.stdout
    assert report["action"] == "uninstalled"
    assert report["setuptools"]["action"] == "uninstalled" and report["setuptools"]["files"] > 400


@needs_setuptools
def test_uninstall_without_setuptools_removes_pip_and_says_so(run, venv):
    site = site_packages(venv)
    assert run("--python", venv).returncode == 0
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", "setuptools"], check=True,
                   capture_output=True)
    result = run("--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert "WARNING: Skipping setuptools as it is not installed." in result.stderr
    assert os.listdir(site) == []


@needs_setuptools
@pytest.mark.parametrize("pip_state", ["absent", "another-version"])
def test_uninstall_leaves_setuptools_when_it_leaves_pip(run, venv, tmp_path, pip_state):
    """ensurepip._uninstall runs pip only if the installed pip is the bundled one."""
    site = site_packages(venv)
    assert run("--python", venv).returncode == 0
    if pip_state == "absent":
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", "pip"], check=True,
                       capture_output=True)
    else:
        install_with_pip_from_wheel(venv, rewrite_wheel(WHEEL, tmp_path, version="1.0"))
    result = run("--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    check_setuptools(site)


@needs_setuptools
def test_root_install_names_final_paths(run, venv, tmp_path):
    root = tmp_path / "root"
    result = run("--python", venv, "--root", root)
    assert result.returncode == 0, result.stderr
    final_site = site_packages(venv)
    staged_site = root / str(final_site).lstrip("/")
    check_setuptools(staged_site, final_site)
    assert not dist_infos(final_site, "setuptools")


@needs_setuptools
def test_a_damaged_setuptools_wheel_is_refused_before_the_target_is_touched(run, venv, tmp_path, base_env):
    with open(ENSUREPIP, "rb") as f:
        program = bytearray(f.read())
    with open(SETUPTOOLS_WHEEL, "rb") as f:
        embedded = f.read()
    offset = program.find(embedded)
    assert offset > 0 and program.find(embedded, offset + 1) == -1, "embedded byte for byte, once"
    program[offset + len(embedded) // 2] ^= 0x01
    patched = tmp_path / "ensurepip-patched"
    patched.write_bytes(bytes(program))
    patched.chmod(0o700)
    verify = subprocess.run([str(patched), "--verify"], env=base_env, capture_output=True, text=True)
    assert verify.returncode == 6 and os.path.basename(SETUPTOOLS_WHEEL) + " is corrupt" in verify.stderr
    result = subprocess.run([str(patched), "--python", str(venv)], env=base_env, capture_output=True, text=True)
    assert result.returncode == 6
    assert os.listdir(site_packages(venv)) == []


@pytest.mark.skipif(SETUPTOOLS_WHEEL is not None, reason="this build embeds setuptools (3.11 and older)")
def test_without_setuptools_pip_comes_alone(run, venv, tmp_path):
    result, report = run_report(run, tmp_path, "--python", venv)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(site_packages(venv))) == ["pip", f"pip-{PIP_VERSION}.dist-info"]
    assert report["setuptools"] is None
    assert run("--verify").stdout.count("\n") == 1


FIND_WHEEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build-aux", "find-pip-wheel.py")
# find-pip-wheel.py run by the build's Python with sysconfig's WHEEL_PKG_DIR set to argv[1].
WITH_PKG_DIR = ("import runpy, sys, sysconfig\n"
                "real = sysconfig.get_config_var\n"
                "pkg_dir, script = sys.argv[1], sys.argv[2]\n"
                "sysconfig.get_config_var = lambda name: pkg_dir if name == 'WHEEL_PKG_DIR' else real(name)\n"
                "sys.argv = sys.argv[2:]\n"
                "runpy.run_path(script, run_name='__main__')\n")


def find_wheel(pkg_dir, *args):
    return subprocess.run([PYTHON, "-I", "-c", WITH_PKG_DIR, str(pkg_dir), FIND_WHEEL, *args],
                          capture_output=True, text=True)


@pytest.mark.parametrize("holds", [("pip", "setuptools"), ("pip",)], ids=["both", "pip-only"])
def test_configure_picks_setuptools_where_ensurepip_would(tmp_path, holds):
    """WHEEL_PKG_DIR is used on 3.11 and older only if it holds pip and setuptools, as ensurepip
    decides; 3.12 and newer install no setuptools."""
    for project in holds:
        (tmp_path / f"{project}-99.0-py3-none-any.whl").write_bytes(b"")
    pip, setuptools = find_wheel(tmp_path), find_wheel(tmp_path, "--project", "setuptools")
    if SETUPTOOLS_WHEEL is None:  # a 3.12+ build
        assert pip.stdout.strip() == str(tmp_path / "pip-99.0-py3-none-any.whl")
        assert setuptools.returncode == 2 and setuptools.stdout == "" and "installs no setuptools" in setuptools.stderr
    elif holds == ("pip", "setuptools"):
        assert pip.stdout.strip() == str(tmp_path / "pip-99.0-py3-none-any.whl")
        assert setuptools.stdout.strip() == str(tmp_path / "setuptools-99.0-py3-none-any.whl")
    else:
        assert str(tmp_path) not in pip.stdout + setuptools.stdout

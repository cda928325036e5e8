"""examples/installer.c, built through `pkg-config ensurepip` against the library in the build
tree and run on a fresh venv, so that the example in the README cannot rot."""

import os
import shutil
import subprocess

import pytest

from conftest import PIP_VERSION, pip_scripts

EXAMPLE = os.environ.get("ENSUREPIP_EXAMPLE", "")
PKG_CONFIG_PATH = os.environ.get("ENSUREPIP_PKG_CONFIG_PATH", "")
# A sanitizer build's library needs its runtime loaded first: the example is built with it too.
SANITIZE_FLAGS = os.environ.get("ENSUREPIP_SANITIZE_FLAGS", "").split()

pytestmark = pytest.mark.skipif(not EXAMPLE or not shutil.which("pkg-config") or not shutil.which("cc"),
                                reason="needs make check's ENSUREPIP_EXAMPLE, pkg-config and cc")


@pytest.fixture(scope="module")
def installer(tmp_path_factory):
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "ensurepip"], capture_output=True, text=True,
                           env=dict(os.environ, PKG_CONFIG_PATH=PKG_CONFIG_PATH), check=True).stdout.split()
    assert "-lensurepip" in flags, flags
    program = tmp_path_factory.mktemp("example") / "installer"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *SANITIZE_FLAGS, EXAMPLE, *flags,
                    "-o", str(program)], check=True)
    return program


def test_example_installer_bootstraps_and_reports(installer, venv, base_env):
    result = subprocess.run([str(installer), str(venv)], env=base_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"installer: {venv} has pip {PIP_VERSION} (installed)\n"
    assert result.stderr == ""
    assert pip_scripts(venv)
    again = subprocess.run([str(installer), str(venv)], env=base_env, capture_output=True, text=True, timeout=300)
    assert again.stdout == f"installer: {venv} has pip {PIP_VERSION} (already-present)\n"


def test_example_installer_reports_failure(installer, tmp_path, base_env):
    result = subprocess.run([str(installer), str(tmp_path / "missing")], env=base_env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.startswith(f"installer: no pip for {tmp_path / 'missing'}: the python given: ")
    assert "does not exist" in result.stderr

"""The build's own CPython version, whichever it is (tests/matrix.sh runs this suite for each):
a venv of that version gets that version's bundled pip; a base installation (a copy of the
interpreter's prefix, made for the test) gets pip with shebangs naming the copy; the regular
expressions the build compiled for the run are those this version's re makes."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import PIP_VERSION, PY_VERSION, PYTHON, WHEEL, pip_scripts, site_packages

# Run by the build's Python: every pattern of the runtime archive's ensurepip_patterns, made
# into a pattern object as py/boot.py does, compared with what re.compile makes of it (patterns
# compare by pattern, flags and compiled code; their groups are compared besides).
SAME_AS_RE = """
import _sre, marshal, re, sys, zipfile
data = zipfile.ZipFile(sys.argv[1]).read("ensurepip_patterns.pyc")
namespace = {}
exec(marshal.loads(data[16:]), namespace)
assert namespace["MADE_BY"] == (sys.version, (_sre.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT, _sre.MAXGROUPS)), \
    namespace["MADE_BY"]
for pattern, flags, compiled_flags, code, groups, groupindex, indexgroup in namespace["PATTERNS"]:
    made, expected = _sre.compile(pattern, compiled_flags, code, groups, groupindex, indexgroup), re.compile(pattern, flags)
    assert made == expected and (made.groups, made.groupindex) == (expected.groups, expected.groupindex), pattern
print(len(namespace["PATTERNS"]))
"""


def test_the_builds_regular_expressions_are_this_versions_own(run, venv):
    runtime = os.path.join(os.path.dirname(WHEEL), "ensurepip-runtime.zip")
    checked = subprocess.run([PYTHON, "-I", "-c", SAME_AS_RE, runtime], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert int(checked.stdout) > 50  # pip's import compiles well over a hundred
    result = run("-vvv", "--python", venv)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"\]: {int(checked.stdout)} regular expressions from the build$", result.stderr, re.M), \
        result.stderr


def test_venv_gets_this_versions_bundled_pip(run, venv):
    result = run("--python", venv)
    assert result.returncode == 0, result.stderr
    out = subprocess.run([str(venv / "bin" / f"pip{PY_VERSION}"), "--version"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"pip {PIP_VERSION} from {site_packages(venv)}/pip (python {PY_VERSION})"


def _prefix_info():
    code = ("import sys, sysconfig; print(sys.prefix); print(sysconfig.get_path('stdlib')); "
            "print(sys.executable)")
    prefix, stdlib, executable = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                                                check=True).stdout.split("\n")[:3]
    return prefix, stdlib, os.path.realpath(executable)


def _copy(src, dst):
    """A hard-linked copy where possible (fast, and safe: ensurepip only adds and renames
    files, it never writes into one), else a real one."""
    if subprocess.run(["cp", "-al", src, dst], capture_output=True).returncode != 0:
        shutil.rmtree(dst, ignore_errors=True)
        subprocess.run(["cp", "-a", src, dst], check=True)


@pytest.fixture
def base_copy(tmp_path):
    """A base installation of the build's Python at another prefix, without pip: the
    interpreter under COPY/bin and its standard library under COPY/lib."""
    prefix, stdlib, executable = _prefix_info()
    copy = tmp_path / "base"
    (copy / "bin").mkdir(parents=True)
    lib = copy / os.path.relpath(stdlib, prefix)
    lib.parent.mkdir(parents=True, exist_ok=True)
    _copy(stdlib, str(lib))
    python = copy / "bin" / f"python{PY_VERSION}"
    shutil.copy2(executable, python)
    # The copy is ours to change: no pip inside it, and no EXTERNALLY-MANAGED marker (Debian's).
    for name in os.listdir(lib / "site-packages") if (lib / "site-packages").is_dir() else []:
        if name == "pip" or name.startswith("pip-"):
            path = lib / "site-packages" / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    marker = lib / "EXTERNALLY-MANAGED"
    if marker.exists():
        marker.unlink()
    probe = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != str(copy):
        pytest.skip(f"this Python cannot run from a copy of its prefix: {probe.stdout or probe.stderr}")
    return copy, python


def test_base_installation_gets_pip_with_shebangs_naming_it(run, base_copy):
    copy, python = base_copy
    result = run("--python", python)
    assert result.returncode == 0, result.stderr
    # pip's scheme for a base installation may differ from sysconfig's default (Debian's
    # posix_local puts scripts under local/bin): look for the script anywhere in the copy.
    found = sorted(copy.rglob(f"pip{PY_VERSION}"))
    assert len(found) == 1, found
    script = found[0]
    assert str(script).startswith(str(copy))
    assert script.read_bytes().split(b"\n", 1)[0] == f"#!{python}".encode()
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"pip {PIP_VERSION} from {copy}")
    again = run("--python", python)
    assert again.returncode == 0 and "Requirement already satisfied" in again.stdout


def _other_builds_of_this_version():
    """Other installations of the build's X.Y on this machine (Debian's, pyenv's), by their real
    interpreter files."""
    own = os.path.realpath(PYTHON)
    candidates = [f"/usr/bin/python{PY_VERSION}"]
    pyenv_root = os.path.expanduser("~/.pyenv/versions")
    if os.path.isdir(pyenv_root):
        candidates += [os.path.join(pyenv_root, v, "bin", f"python{PY_VERSION}")
                       for v in sorted(os.listdir(pyenv_root)) if v.startswith(PY_VERSION + ".")]
    return sorted({os.path.realpath(c) for c in candidates if os.path.isfile(c)} - {own})


@pytest.mark.parametrize("other", _other_builds_of_this_version() or [None])
def test_a_venv_of_another_vendors_build_of_this_version(run, tmp_path, other):
    """The target is data: a venv of another build of the same X.Y (Debian's python3.11 for a
    program built against pyenv's, and the reverse; they build different modules into the
    interpreter) gets pip, which then runs under that venv's own python."""
    if other is None:
        pytest.skip(f"no other build of Python {PY_VERSION} on this machine")
    venv = tmp_path / "venv"
    subprocess.run([other, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = run("--python", venv)
    assert result.returncode == 0, result.stderr
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True,
                         text=True, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"pip {PIP_VERSION} from {site_packages(venv)}")


def _end_of_life_pythons():
    """The shared CPython 3.8 and 3.9 builds of this machine (pyenv's), if any."""
    versions = os.path.join(os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv"), "versions")
    found = []
    for name in sorted(os.listdir(versions)) if os.path.isdir(versions) else []:
        minor = ".".join(name.split(".")[:2])
        python = os.path.join(versions, name, "bin", f"python{minor}")
        if minor in ("3.8", "3.9") and os.access(python, os.X_OK):
            found.append(python)
    return found


def test_configure_in_the_source_tree_finds_pytest(tmp_path):
    """./configure && make check in the source tree: pytest's probe runs there, where the
    glue's py/ directory would hide pytest's own py module."""
    source = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    tree = tmp_path / "source"
    # The sources alone: not the build trees or roots the checks make inside a clone.
    shutil.copytree(source, tree, symlinks=True, ignore=lambda directory, names: [
        n for n in names if os.path.realpath(directory) == source
        and (n.startswith("build") and n != "build-aux" or n in (".git", "config.status", "config.log"))])
    result = subprocess.run(["./configure", f"--with-python={PYTHON}"], cwd=tree, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "pytest: /usr/bin/python3 -m pytest" in result.stdout, result.stdout[-2000:]


def test_configure_refuses_end_of_life_pythons(tmp_path):
    pythons = _end_of_life_pythons()
    if not pythons:
        pytest.skip("no CPython 3.8 or 3.9 on this machine")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    if os.path.exists(os.path.join(source, "config.status")):
        pytest.skip("the source tree is configured in place: autoconf builds nowhere else from it")
    for python in pythons:
        build = tmp_path / os.path.basename(python)
        build.mkdir()
        result = subprocess.run([os.path.join(source, "configure"), f"--with-python={python}"], cwd=build,
                                capture_output=True, text=True)
        minor = os.path.basename(python)[len("python"):]
        assert result.returncode != 0
        assert (f"Python {minor} is end-of-life and not supported: build against CPython 3.10 to 3.15"
                in result.stderr), result.stderr[-2000:]

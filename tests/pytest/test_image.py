"""Image builds: --root staging that never consults the live system, scripts that name the final
interpreter (or exactly --script-interpreter), bytecode that names final paths, reproducible
trees under SOURCE_DATE_EPOCH, and the JSON report."""

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess

import pytest

from conftest import (PIP_VERSION, PY_VERSION, SETUPTOOLS_WHEEL, WHEEL, inspect_bytecode, make_venv, pip_scripts,
                      pip_version_of, site_packages, tree_state)

EPOCH = 1700000000


def rooted(root, path):
    return root / str(path).lstrip("/")


# What the build installs: pip, and setuptools where the build's Python's ensurepip does.
PROJECTS = ["pip"] + (["setuptools"] if SETUPTOOLS_WHEEL else [])


def record_rows(lib, project="pip"):
    [info] = lib.glob(f"{project}-*.dist-info")
    with open(info / "RECORD", newline="", encoding="utf-8") as f:
        return info, list(csv.reader(f))


def assert_record_consistent(lib):
    """Every file under the install is listed, every listed file exists with its size and
    sha256 (RECORD itself excepted), and the rows are sorted."""
    info, rows = record_rows(lib)
    listed = {}
    for path, digest, size in rows:
        listed[os.path.normpath(lib / path)] = (digest, size)
    for path, (digest, size) in listed.items():
        if path == str(info / "RECORD"):
            assert digest == "" and size == ""
            continue
        with open(path, "rb") as f:
            data = f.read()
        assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), path
        assert size == str(len(data)), path
    on_disk = set()
    for top in ("pip", info.name):
        for directory, _subdirs, files in os.walk(lib / top):
            on_disk.update(os.path.join(directory, f) for f in files)
    assert on_disk <= set(listed)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def code_filenames(source):
    """(flags of the .pyc header, co_filenames in it) of a source's .pyc, as the build's own
    Python reads it."""
    seen = inspect_bytecode([source])[str(source)]
    assert seen is not None, f"no .pyc for {source}"
    return seen["flags"], set(seen["filenames"])


def test_root_stages_even_when_the_live_target_has_pip(run, venv, tmp_path):
    assert run("--python", venv).returncode == 0  # the live venv has pip now
    live = tree_state(venv)
    root = tmp_path / "root"
    result = run("--python", venv, "--root", root)
    assert result.returncode == 0, result.stderr
    assert "Successfully installed" in result.stdout
    staged = rooted(root, venv)
    assert pip_scripts(staged) == ["pip3", f"pip{PY_VERSION}"]
    assert (staged / "bin" / "pip3").read_bytes().startswith(f"#!{venv}/bin/python\n".encode())
    assert tree_state(venv) == live
    assert_record_consistent(site_packages(staged))
    # A second staging run sees pip inside the root, and only there.
    again = run("--python", venv, "--root", root)
    assert again.returncode == 0 and "Requirement already satisfied" in again.stdout
    assert str(site_packages(staged)) in again.stdout


def test_upgrade_under_root_replaces_what_is_inside_the_root(run, venv, tmp_path):
    root = tmp_path / "root"
    staged = rooted(root, venv)
    assert run("--python", venv, "--root", root).returncode == 0
    lib = site_packages(staged)
    # Make the staged pip look older, consistently (dist-info name and METADATA).
    old = lib / "pip-1.0.dist-info"
    (lib / f"pip-{PIP_VERSION}.dist-info").rename(old)
    metadata = (old / "METADATA").read_text().replace(f"Version: {PIP_VERSION}", "Version: 1.0", 1)
    (old / "METADATA").write_text(metadata)
    record = (old / "RECORD").read_text().replace(f"pip-{PIP_VERSION}.dist-info/", "pip-1.0.dist-info/")
    (old / "RECORD").write_text(record)
    result = run("--python", venv, "--root", root, "-U")
    assert result.returncode == 0, result.stderr
    assert "Successfully uninstalled pip-1.0" in result.stdout
    assert not old.exists() and (lib / f"pip-{PIP_VERSION}.dist-info").is_dir()
    assert not (venv / "lib" / f"python{PY_VERSION}" / "site-packages" / "pip").exists()
    assert_record_consistent(lib)


@pytest.mark.parametrize("with_root", [False, True])
def test_script_interpreter_is_written_exactly(run, venv, tmp_path, with_root):
    args = ["--python", venv, "--default-pip", "--script-interpreter", "/usr/bin/env python3"]
    env_dir = venv
    if with_root:
        args += ["--root", tmp_path / "root"]
        env_dir = rooted(tmp_path / "root", venv)
    result = run(*args)
    assert result.returncode == 0, result.stderr
    for name in pip_scripts(env_dir):
        assert (env_dir / "bin" / name).read_bytes().split(b"\n", 1)[0] == b"#!/usr/bin/env python3"
    assert_record_consistent(site_packages(env_dir))
    if not with_root:
        out = subprocess.run([str(venv / "bin" / "pip3"), "--version"], capture_output=True, text=True,
                             env={"PATH": f"{venv}/bin:/usr/bin:/bin"})
        assert out.returncode == 0 and out.stdout.startswith(f"pip {PIP_VERSION}")


def test_overlong_script_interpreter_is_refused_before_anything_is_written(run, venv, tmpdir_for_run):
    before = tree_state(venv)
    longest_ok = "/" + "x" * 123  # "#!" + 124 bytes + "\n" = 127
    result = run("--python", venv, "--script-interpreter", longest_ok + "y")
    assert result.returncode == 2
    assert "at most 124" in result.stderr and len(result.stderr.splitlines()) == 1
    assert tree_state(venv) == before and os.listdir(tmpdir_for_run) == []
    result = run("--python", venv, "--script-interpreter", longest_ok)
    assert result.returncode == 0, result.stderr
    assert (venv / "bin" / "pip3").read_bytes().startswith(b"#!" + longest_ok.encode() + b"\n")


def test_no_compile_installs_no_bytecode(run, venv):
    result = run("--python", venv, "--no-compile")
    assert result.returncode == 0, result.stderr
    lib = site_packages(venv)
    assert not [p for p in lib.rglob("*.pyc")]
    _info, rows = record_rows(lib)
    assert not [r for r in rows if r[0].endswith(".pyc")]
    assert pip_version_of(venv)[0] == 0


def test_bytecode_names_the_final_path_not_the_root_or_staging(run, venv, tmp_path):
    root = tmp_path / "root"
    result = run("--python", venv, "--root", root)
    assert result.returncode == 0, result.stderr
    lib = site_packages(rooted(root, venv))
    pycs = sorted(lib.rglob("*.pyc"))
    sources = sorted(lib.rglob("*.py"))
    assert len(pycs) == len(sources) > 400
    for source, seen in inspect_bytecode(sources[:50] + sources[-50:]).items():
        final = str(site_packages(venv) / os.path.relpath(source, lib))
        assert seen is not None and seen["filenames"] == [final]
        assert seen["flags"] == 0  # timestamp-based without SOURCE_DATE_EPOCH, as pip makes them
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert str(root).encode() not in data, path
            assert b".ensurepip-txn" not in data, path


def test_source_date_epoch_makes_hash_based_bytecode_and_clamps_mtimes(run, venv, tmp_path):
    root = tmp_path / "root"
    result = run("--python", venv, "--root", root, env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 0, result.stderr
    flags, _names = code_filenames(next(site_packages(rooted(root, venv)).rglob("*.py")))
    assert flags == 0b11  # checked-hash, as py_compile does under SOURCE_DATE_EPOCH
    for path in [root, *root.rglob("*")]:
        assert os.lstat(path).st_mtime <= EPOCH, path


def test_two_staging_roots_give_byte_identical_trees(run, venv, tmp_path):
    trees = []
    for name in ("one", "two"):
        root = tmp_path / name
        result = run("--python", venv, "--root", root, "--script-interpreter", "/usr/bin/env python3",
                     env={"SOURCE_DATE_EPOCH": str(EPOCH)})
        assert result.returncode == 0, result.stderr
        state = tree_state(root)
        mtimes = {rel: os.lstat(root / rel).st_mtime for rel in state}
        trees.append((state, mtimes))
        assert_record_consistent(site_packages(rooted(root, venv)))
    assert trees[0] == trees[1]
    rows = [row for project in PROJECTS for row in record_rows(site_packages(rooted(tmp_path / "one", venv)), project)[1]]
    assert len([v for v in trees[0][0].values() if v[0] == "file"]) == len(rows)  # all of pip (and setuptools), nothing else


def test_bad_source_date_epoch_is_refused(run, venv):
    before = tree_state(venv)
    result = run("--python", venv, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr
    assert tree_state(venv) == before


def test_target_python_inside_the_root(run, tmp_path):
    """A staged system carrying its own python: paths inside the root, names without it. The
    venv's interpreter is a link to its base's absolute path, which names the root's own base
    (here a copy of the build Python's layout), never the build host's."""
    root = tmp_path / "root"
    inner = make_venv(root / "opt" / "app")
    base = os.path.realpath(inner / "bin" / "python")
    rooted(root, base).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, rooted(root, base))
    stdlib = rooted(root, os.path.dirname(os.path.dirname(base))) / "lib" / f"python{PY_VERSION}"
    stdlib.mkdir(parents=True, exist_ok=True)
    (stdlib / "os.py").write_text("raise SystemExit('the root is data: this must never run')\n")
    result = run("--python", inner, "--root", root)
    assert result.returncode == 0, result.stderr
    assert (inner / "bin" / "pip3").read_bytes().startswith(b"#!/opt/app/bin/python\n")
    _flags, names = code_filenames(site_packages(inner) / "pip" / "__init__.py")
    assert names == {f"/opt/app/lib/python{PY_VERSION}/site-packages/pip/__init__.py"}
    assert not (root / str(root).lstrip("/")).exists()


def read_report(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_report_of_an_install(run, venv, tmp_path):
    report = tmp_path / "report.json"
    result = run("--python", venv, "--report", report)
    assert result.returncode == 0, result.stderr
    data = read_report(report)
    with open(WHEEL, "rb") as f:
        wheel_sha256 = hashlib.sha256(f.read()).hexdigest()
    assert data["report_version"] == 1
    assert data["pip_version"] == PIP_VERSION
    assert data["target"] == {"python": f"{venv}/bin/python", "prefix": str(venv),
                              "purelib": str(site_packages(venv)), "scripts": f"{venv}/bin", "root": None}
    assert (data["action"], data["exit_status"], data["pip_exit_code"]) == ("installed", 0, 0)
    assert data["scripts"] == [f"{venv}/bin/pip3", f"{venv}/bin/pip{PY_VERSION}"]
    rows = {project: record_rows(site_packages(venv), project)[1] for project in PROJECTS}
    assert data["files"] == sum(map(len, rows.values()))  # RECORD lists every file, scripts and itself included
    if SETUPTOOLS_WHEEL:
        assert data["setuptools"]["files"] == len(rows["setuptools"])
    else:
        assert data["setuptools"] is None
    assert data["wheel_sha256"] == wheel_sha256
    assert 0 < data["duration_s"] < 300
    again = run("--python", venv, "--report", report)
    assert again.returncode == 0
    data = read_report(report)
    assert (data["action"], data["exit_status"], data["scripts"], data["files"]) == ("already-present", 0, [], 0)


def test_report_is_written_on_failure_and_to_stdout(run, tmp_path):
    fake = tmp_path / "other"
    (fake / "bin").mkdir(parents=True)
    (fake / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.99.0\n")
    python = fake / "bin" / "python"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    result = run("--python", fake, "--report", "-")
    assert result.returncode == 4
    data = json.loads(result.stdout)
    assert (data["action"], data["exit_status"], data["pip_exit_code"]) == ("none", 4, -1)
    assert "3.99" in data["message"]
    assert result.stderr.count("\n") == 1


def test_report_to_stdout_keeps_pips_lines_on_stderr(run, venv):
    result = run("--python", venv, "--report", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "installed"
    assert "Successfully installed" in result.stderr


def test_unwritable_report_is_refused_before_anything_changes(run, venv, tmp_path):
    before = tree_state(venv)
    result = run("--python", venv, "--report", tmp_path / "missing-dir" / "report.json")
    assert result.returncode == 17
    assert "cannot write the report" in result.stderr
    assert tree_state(venv) == before

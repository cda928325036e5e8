"""The target is data: ensurepip imports nothing from the target, a --root or the build machine's
disk (the standard library it runs is the one in the binary), reads the target's layout from its
files, and resolves paths inside a root as the final system will.

The roots here are synthetic: their interpreter is an ELF header of another machine (arm64), and
their standard library holds only planted modules that leave a marker file if anything imports
them. Whatever ensurepip does with such a root, the marker directory must stay empty."""

import json
import os
import shutil
import stat
import subprocess

import pytest

from conftest import ENSUREPIP, PIP_VERSION, PY_VERSION, PYTHON, tree_state, without_setuptools

AARCH64_ELF_HEADER = (b"\x7fELF\x02\x01\x01" + bytes(9) + (2).to_bytes(2, "little")
                      + (183).to_bytes(2, "little") + (1).to_bytes(4, "little") + bytes(40))


def build_python_facts():
    """The build's Python: its standard library directories, its sysconfig data module's name,
    and where its site module looks for site directories under /usr."""
    code = ("import json, site, sys, sysconfig; p = sysconfig.get_paths(); print(json.dumps("
            "[p['stdlib'], p['platstdlib'], sysconfig._get_sysconfigdata_name(), site.getsitepackages(['/usr'])]))")
    out = subprocess.run([PYTHON, "-I", "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


STDLIB, PLATSTDLIB, SYSCONFIGDATA, USR_SITE_DIRS = build_python_facts()

PLANTED = ["os", "site", "sitecustomize", "sysconfig", "codecs", "io", "abc", "zipfile", "json",
           "encodings", "importlib", "email", "csv", "shutil", "tempfile", "compileall", "py_compile",
           "_collections_abc", "typing", "re", "logging"]


def planted_module(markers, name):
    return f"open({str(markers / name)!r}, 'w').close()\n"


def make_foreign_root(root, markers, sources=True):
    """A root filesystem like an arm64 Debian image's, whose every Python file would leave a
    marker in markers if it ran. sources=False: a .pyc-only standard library (Buildroot's
    default), whose landmark is os.pyc."""
    markers.mkdir(parents=True, exist_ok=True)
    bindir = root / "usr" / "bin"
    bindir.mkdir(parents=True)
    python = bindir / f"python{PY_VERSION}"
    python.write_bytes(AARCH64_ELF_HEADER)
    python.chmod(0o755)
    (bindir / "python3").symlink_to(python.name)
    stdlib = root / "usr" / "lib" / f"python{PY_VERSION}"
    (stdlib / "lib-dynload").mkdir(parents=True)
    (stdlib / "lib-dynload" / "_json.cpython-aarch64-linux-gnu.so").write_bytes(AARCH64_ELF_HEADER)
    for name in PLANTED:
        if sources:
            path = stdlib / (name + ".py")
            path.write_text(planted_module(markers, name))
            (stdlib / name).mkdir()
            (stdlib / name / "__init__.py").write_text(planted_module(markers, name + ".__init__"))
        else:
            (stdlib / (name + ".pyc")).write_bytes(b"not bytecode: never to be imported")
    # Read as data (its literal), never imported: the marker line after it must not run.
    (stdlib / (SYSCONFIGDATA + ".py")).write_text(
        "build_time_vars = {'prefix': '/usr', 'exec_prefix': '/usr'}\n"
        + planted_module(markers, SYSCONFIGDATA))
    for site_dir in USR_SITE_DIRS:
        directory = root / site_dir.lstrip("/")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "planted.pth").write_text("import os; " + planted_module(markers, "pth:" + site_dir))
        (directory / "sitecustomize.py").write_text(planted_module(markers, "sitecustomize:" + site_dir))
    return python


def ensurepip(*args, env=None, wrap=(), timeout=300):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    full_env.pop("VIRTUAL_ENV", None)
    full_env.update(env or {})
    return subprocess.run([*wrap, ENSUREPIP, *map(str, args)], capture_output=True, text=True, env=full_env,
                          timeout=timeout)


def read_report(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def installed_dist_infos(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("pip-*.dist-info"))


def test_a_foreign_root_is_staged_without_running_any_of_its_code(tmp_path):
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    report = tmp_path / "report.json"
    result = ensurepip("--python", python, "--root", root, "--report", report)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(markers)) == []
    facts = read_report(report)["target"]
    assert facts["python"] == f"/usr/bin/python{PY_VERSION}"
    lib = root / facts["purelib"].lstrip("/")
    assert (lib / "pip" / "__init__.py").is_file()
    assert (root / facts["scripts"].lstrip("/") / "pip3").read_bytes().startswith(
        f"#!/usr/bin/python{PY_VERSION}\n".encode())
    for args in (["-U"], ["--uninstall"]):
        result = ensurepip("--python", python, "--root", root, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert sorted(os.listdir(markers)) == [], args
    assert installed_dist_infos(root) == []


def test_a_pyc_only_standard_library_is_a_python_installation(tmp_path):
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers, sources=False)
    result = ensurepip("--python", python, "--root", root)
    assert result.returncode == 0, result.stderr
    assert len(installed_dist_infos(root)) == 1
    assert sorted(os.listdir(markers)) == []


def test_merged_usr_root_installs_where_the_final_system_looks(tmp_path):
    """bin -> usr/bin and lib -> usr/lib, as Debian 12 roots have: the prefix is /usr, never the
    root's top (which would put pip in ROOT/local)."""
    root, markers = tmp_path / "root", tmp_path / "markers"
    make_foreign_root(root, markers)
    (root / "bin").symlink_to("usr/bin")
    (root / "lib").symlink_to("usr/lib")
    report = tmp_path / "report.json"
    result = ensurepip("--python", root / "bin" / "python3", "--root", root, "--report", report)
    assert result.returncode == 0, result.stderr
    facts = read_report(report)["target"]
    assert facts["prefix"] == "/usr"
    assert facts["purelib"].startswith("/usr/")
    assert not (root / "local").exists()
    [dist_info] = installed_dist_infos(root)
    assert dist_info.startswith("usr/")


def test_absolute_links_inside_the_root_stay_inside_it(tmp_path):
    """An image tree's absolute link names the image's own directory: files go where the link
    leads inside the root, and nothing is created outside it."""
    first, markers = tmp_path / "first", tmp_path / "markers"
    make_foreign_root(first, markers)
    report = tmp_path / "report.json"
    assert ensurepip("--python", first / "usr/bin/python3", "--root", first, "--report", report).returncode == 0
    purelib = read_report(report)["target"]["purelib"]
    outside = f"/ensurepip-test-outside-{os.getpid()}"
    assert not os.path.lexists(outside)

    root = tmp_path / "root"
    make_foreign_root(root, markers)
    linked = root / purelib.lstrip("/")
    linked.parent.mkdir(parents=True, exist_ok=True)
    if linked.is_dir():
        shutil.rmtree(linked)
    linked.symlink_to(outside + "/site")
    result = ensurepip("--python", root / "usr/bin/python3", "--root", root)
    assert result.returncode == 0, result.stderr
    assert not os.path.lexists(outside)
    assert (root / outside.lstrip("/") / "site" / "pip" / "__init__.py").is_file()
    assert ensurepip("--python", root / "usr/bin/python3", "--root", root, "--uninstall").returncode == 0
    assert not (root / outside.lstrip("/") / "site" / "pip").exists()
    assert not os.path.lexists(outside)


@pytest.mark.skipif("/usr/lib/python3/dist-packages" not in USR_SITE_DIRS,
                    reason="the build's Python has no Debian layout")
def test_the_distributions_pip_inside_the_root_is_seen(tmp_path):
    """Debian's python3-pip lives in usr/lib/python3/dist-packages, on the final system's
    sys.path though not the install scheme's: `pip install pip` there finds it installed."""
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    dist_packages = root / "usr/lib/python3/dist-packages"
    (dist_packages / "pip").mkdir()
    (dist_packages / "pip" / "__init__.py").write_text("")
    info = dist_packages / "pip-99.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pip\nVersion: 99.0\n")
    before = tree_state(root)
    result = ensurepip("--python", python, "--root", root)
    assert result.returncode == 0, result.stderr
    assert "99.0 is already installed in " + str(dist_packages) in result.stdout + result.stderr
    assert without_setuptools(tree_state(root)) == before  # setuptools, where it comes, is not there


def test_another_version_inside_a_root_is_refused_before_anything_changes(tmp_path):
    root = tmp_path / "root"
    bindir = root / "usr" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "python3.99").write_bytes(AARCH64_ELF_HEADER)
    (bindir / "python3.99").chmod(0o755)
    (root / "usr/lib/python3.99").mkdir(parents=True)
    (root / "usr/lib/python3.99/os.py").write_text("")
    before = tree_state(root)
    result = ensurepip("--python", bindir / "python3.99", "--root", root)
    assert result.returncode == 4, result.stderr
    assert "3.99" in result.stderr
    assert tree_state(root) == before


def test_an_empty_root_is_a_usage_error(tmp_path):
    result = ensurepip("--python", PYTHON, "--root", "")
    assert result.returncode == 2
    assert "root" in result.stderr


def can_hide_directories():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not can_hide_directories(), reason="needs root and mount namespaces (unshare -m)")
def test_nothing_is_imported_from_the_build_machines_python(tmp_path):
    """With the build's own standard library hidden under an empty tmpfs, the binary still
    stages a foreign root: everything it imports is in the binary."""
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    hidden = " && ".join(f"mount -t tmpfs none '{d}'" for d in sorted({STDLIB, PLATSTDLIB}))
    script = f"{hidden} && exec \"$@\""
    result = ensurepip("--python", python, "--root", root,
                       wrap=("unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"))
    assert result.returncode == 0, result.stderr
    assert len(installed_dist_infos(root)) == 1
    assert sorted(os.listdir(markers)) == []
    # The same with nothing hidden, so that the test would notice if hiding had failed.
    check = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            f"{hidden} && ls -A '{STDLIB}'"], capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout == ""


# --- what a root's own files may try (a review's findings) ------------------------------------

def test_a_pth_file_cannot_lead_out_of_the_root(tmp_path):
    """".." in a .pth line stops at the root's "/", as on the final system: a pip installed on
    the build host is not taken for the root's."""
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    outside = tmp_path / "outside-site"
    (outside / "pip-99.0.dist-info").mkdir(parents=True)
    (outside / "pip-99.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: pip\nVersion: 99.0\n")
    site_dir = root / USR_SITE_DIRS[0].lstrip("/")
    (site_dir / "escape.pth").write_text("../" * 40 + str(outside).lstrip("/") + "\n")
    result = ensurepip("--python", python, "--root", root)
    assert result.returncode == 0, result.stderr
    assert "99.0" not in result.stdout + result.stderr
    assert len(installed_dist_infos(root)) == 1


@pytest.mark.parametrize("spelling", ["dot", "link"])
def test_the_root_however_spelled_gives_final_paths(tmp_path, spelling):
    root, markers = tmp_path / "root", tmp_path / "markers"
    make_foreign_root(root, markers)
    if spelling == "dot":
        given = f"{root}/."
    else:
        given = tmp_path / "root-link"
        given.symlink_to(root)
    report = tmp_path / "report.json"
    result = ensurepip("--python", root / "usr/bin/python3", "--root", given, "--report", report)
    assert result.returncode == 0, result.stderr
    facts = read_report(report)["target"]
    assert facts["python"] == "/usr/bin/python3" and facts["prefix"] == "/usr"
    scripts = root / facts["scripts"].lstrip("/")
    assert (scripts / "pip3").read_bytes().startswith(b"#!/usr/bin/python3\n")


def test_a_fifo_among_the_targets_data_is_not_read(tmp_path):
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    stdlib = root / f"usr/lib/python{PY_VERSION}"
    (stdlib / (SYSCONFIGDATA + ".py")).unlink()
    os.mkfifo(stdlib / "_sysconfigdata__zz_fifo.py")
    (stdlib / "_sysconfigdata__zz_zero.py").symlink_to("/dev/zero")
    result = ensurepip("--python", python, "--root", root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(markers)) == []


def test_a_link_loop_in_the_root_is_the_targets_failure_or_harmless(tmp_path):
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    dynload = root / f"usr/lib/python{PY_VERSION}/lib-dynload"
    shutil.rmtree(dynload)
    dynload.symlink_to("lib-dynload")
    result = ensurepip("--python", python, "--root", root)
    assert result.returncode in (0, 3), result.stderr
    assert "glue" not in result.stderr and "ensurepip_boot" not in result.stderr


def test_a_lib64_standard_library_is_found(tmp_path):
    """Fedora's and openSUSE's layout: the standard library under lib64."""
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    (root / "usr/lib").rename(root / "usr/lib64")
    (root / "usr/lib").mkdir()
    result = ensurepip("--python", python, "--root", root)
    assert result.returncode == 0, result.stderr
    assert len(installed_dist_infos(root)) == 1


def test_a_base_installation_of_another_vendors_layout_is_refused(tmp_path):
    """Its sysconfig (read as data) defines install schemes this build's does not: this build's
    rules would put pip where that Python never looks."""
    root, markers = tmp_path / "root", tmp_path / "markers"
    python = make_foreign_root(root, markers)
    (root / f"usr/lib/python{PY_VERSION}/sysconfig.py").write_text(
        "_INSTALL_SCHEMES = {'posix_prefix': {}, 'a_vendors_own_scheme': {}}\n"
        + planted_module(markers, "sysconfig-with-schemes"))
    before = tree_state(root)
    result = ensurepip("--python", python, "--root", root)
    assert result.returncode == 3, result.stderr
    assert "another vendor's rules" in result.stderr and "a_vendors_own_scheme only in the target" in result.stderr
    assert tree_state(root) == before
    assert sorted(os.listdir(markers)) == []

"""Black-box tests of what the ensurepip program does to a venv: the scripts it makes, the
installed files, upgrades, uninstalls, --root staging, and a hostile pip environment."""

import csv
import os
import subprocess
import zipfile

import pytest

from conftest import (PIP_VERSION, PY_MAJOR, PY_VERSION, PYTHON, SETUPTOOLS_WHEEL, WHEEL, all_files, check_bytecode,
                      check_record, clone_pip_install, files_containing, make_venv, pip_dist_infos,
                      pip_scripts, pip_version_of, record_hash, rewrite_wheel, shebang,
                      setuptools_entries, site_packages, tree_state, venv_python,
                      without_setuptools as pip_only)

DEFAULT = [f"pip{PY_MAJOR}", f"pip{PY_VERSION}"]
ALTINSTALL = [f"pip{PY_VERSION}"]
DEFAULT_PIP = ["pip", f"pip{PY_MAJOR}", f"pip{PY_VERSION}"]
DIST_INFO = f"pip-{PIP_VERSION}.dist-info"
INSTALLED = f"Successfully installed pip-{PIP_VERSION}"


# What the build installs beside pip: setuptools where its Python's ensurepip does (3.11 and
# older; see test_setuptools.py), nothing on 3.12+.
SETUPTOOLS_ENTRIES = sorted(setuptools_entries())


def setuptools_listed(site):
    """The paths setuptools' RECORD lists, if the build installs setuptools."""
    if not SETUPTOOLS_WHEEL:
        return set()
    [info] = site.glob("setuptools-*.dist-info")
    with open(info / "RECORD", newline="", encoding="utf-8") as f:
        return {os.path.normpath(site / row[0]) for row in csv.reader(f) if row}


def expected_pip_version_line(env_dir):
    return f"pip {PIP_VERSION} from {site_packages(env_dir)}/pip (python {PY_VERSION})"


def assert_pip_runs(env_dir):
    code, out = pip_version_of(env_dir)
    assert code == 0
    assert out == expected_pip_version_line(env_dir)


def assert_pip_works(env_dir, scripts):
    """pip is importable and runnable in the venv, and every script runs it."""
    assert_pip_runs(env_dir)
    for name in scripts:
        script = env_dir / "bin" / name
        assert os.access(script, os.X_OK), name
        assert shebang(script) == f"#!{venv_python(env_dir)}", name
        res = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin"})
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == expected_pip_version_line(env_dir)


def installed_pip_version(env_dir):
    infos = pip_dist_infos(site_packages(env_dir))
    return [i[len("pip-"):-len(".dist-info")] for i in infos]


# --- which scripts, shebangs, pip --version, RECORD -------------------------------------------

@pytest.mark.parametrize("flags,scripts", [([], DEFAULT), (["--altinstall"], ALTINSTALL),
                                           (["--default-pip"], DEFAULT_PIP)],
                         ids=["default", "altinstall", "default-pip"])
def test_fresh_install(run_clean, venv, flags, scripts):
    fresh = set(all_files(venv))
    result = run_clean("--python", venv, *flags)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert pip_dist_infos(site_packages(venv)) == [DIST_INFO]
    assert pip_scripts(venv) == scripts
    listed = check_record(site_packages(venv), DIST_INFO)
    listed_scripts = sorted(os.path.basename(p) for p in listed
                            if os.path.dirname(p) == str(venv / "bin"))
    assert listed_scripts == scripts
    # nothing but what RECORD lists was added (no journal, lock or temporary files left)
    assert set(all_files(venv)) - fresh == listed | setuptools_listed(site_packages(venv))
    assert sorted(os.listdir(site_packages(venv))) == sorted(["pip", DIST_INFO] + SETUPTOOLS_ENTRIES)
    assert check_bytecode(site_packages(venv)) > 400
    # pip runs from its .pyc as they are: running it rewrites nothing
    before = tree_state(venv)
    assert_pip_works(venv, scripts)
    assert pip_version_of(venv, "-I") == (0, expected_pip_version_line(venv))
    assert tree_state(venv) == before


@pytest.mark.parametrize("name", ["python3", f"python{PY_VERSION}"])
def test_shebang_names_the_interpreter_given(run_clean, venv, name):
    """Like `<venv>/bin/pythonX.Y -m ensurepip`: the scripts name the interpreter as given
    (sys.executable), not the symlink's target."""
    result = run_clean("--python", venv / "bin" / name)
    assert result.returncode == 0, result.stderr
    assert pip_scripts(venv) == DEFAULT
    for script in DEFAULT:
        assert shebang(venv / "bin" / script) == f"#!{venv / 'bin' / name}"


def test_venv_path_with_spaces_and_non_ascii(run_clean, tmp_path):
    venv = make_venv(tmp_path / "my venv \u00e9")
    result = run_clean("--python", venv, "--default-pip")
    assert result.returncode == 0, result.stderr
    assert pip_scripts(venv) == DEFAULT_PIP
    code, out = pip_version_of(venv)
    assert code == 0 and out == expected_pip_version_line(venv)
    for name in DEFAULT_PIP:
        res = subprocess.run([str(venv / "bin" / name), "--version"], capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin"})
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == expected_pip_version_line(venv)


def test_same_files_as_pip_installing_itself(run_clean, tmp_path, pip_install_template):
    """The result is what pip's own `pip install pip.whl` makes in a venv (ENSUREPIP_OPTIONS
    unset, so compared with --default-pip): same paths, types, modes and contents, apart from
    the venv's path and pip's direct_url.json (written for a requirement given as a file)."""
    by_pip = pip_install_template(PIP_VERSION)
    by_us = make_venv(tmp_path / "by-ensurepip")
    assert run_clean("--python", by_us, "--default-pip").returncode == 0
    sp = os.path.relpath(site_packages(by_pip), by_pip)
    direct_url, record = f"{sp}/{DIST_INFO}/direct_url.json", f"{sp}/{DIST_INFO}/RECORD"
    theirs, ours = tree_state(by_pip), pip_only(tree_state(by_us))
    assert theirs.pop(direct_url)[0] == "file"
    assert sorted(ours) == sorted(theirs)
    differences = []
    for rel, state in theirs.items():
        mine = ours[rel]
        same = mine[:2] == state[:2]  # type, and mode or link target
        pips = rel.startswith(("bin/pip", f"{sp}/pip/", f"{sp}/{DIST_INFO}/"))
        if same and pips and state[0] == "file" and not rel.endswith(".pyc") and rel != record:
            same = ((by_us / rel).read_bytes().replace(str(by_us).encode(), b"@") ==
                    (by_pip / rel).read_bytes().replace(str(by_pip).encode(), b"@"))
        if not same:
            differences.append(f"{rel}: pip {state}, ensurepip {mine}")
    assert differences == []

    def rows(env_dir):
        lines = (site_packages(env_dir) / DIST_INFO / "RECORD").read_text().splitlines()
        return {line.split(",")[0]: line for line in lines}
    their_rows, our_rows = rows(by_pip), rows(by_us)
    del their_rows[f"{DIST_INFO}/direct_url.json"]
    assert sorted(our_rows) == sorted(their_rows)
    # rows of files with the same content are the same (pip writes no hash for its .pyc; a
    # hash there is fine as long as it is right, which check_record verifies)
    comparable = lambda table: {k: v for k, v in table.items() if "/bin/" not in k and not k.endswith(".pyc")}
    assert comparable(our_rows) == comparable(their_rows)
    check_record(site_packages(by_us), DIST_INFO)


# --- upgrades ---------------------------------------------------------------------------------

@pytest.mark.parametrize("flags,scripts", [(["-U"], DEFAULT), (["--upgrade", "--default-pip"], DEFAULT_PIP),
                                           (["-U", "--altinstall"], ALTINSTALL)],
                         ids=["U", "upgrade-default-pip", "U-altinstall"])
def test_upgrade_replaces_older_pip(run_clean, older_pip_venv, flags, scripts):
    venv = older_pip_venv
    assert installed_pip_version(venv) == ["1.0"]
    # pip 1.0 had files that the new pip has not: they must go with it
    site = site_packages(venv)
    stale = [site / "pip" / "_stale_in_1_0.py", site / "pip" / "_stale_pkg" / "__init__.py"]
    for path in stale:
        path.parent.mkdir(exist_ok=True)
        path.write_text("STALE = True\n")
    # ... but not files outside the environment that a (damaged) RECORD happens to name
    victims = [venv.parent / "victim-relative.txt", venv.parent / "victim-absolute.txt"]
    for victim in victims:
        victim.write_text("not pip's\n")
    with open(site / "pip-1.0.dist-info" / "RECORD", "a") as f:
        for path in stale:
            f.write(f"{os.path.relpath(path, site)},{record_hash(path.read_bytes())},{path.stat().st_size}\n")
        f.write(f"{os.path.relpath(victims[0], site)},,\n{victims[1]},,\n")
    result = run_clean("--python", venv, *flags)
    assert result.returncode == 0, result.stderr
    assert "Successfully uninstalled pip-1.0" in result.stdout
    assert INSTALLED in result.stdout
    assert installed_pip_version(venv) == [PIP_VERSION]
    # pip-1.0's scripts (pip, pip3, pip3.11) went with it; the new install made its own
    assert pip_scripts(venv) == scripts
    assert_pip_works(venv, scripts)
    check_record(site_packages(venv), DIST_INFO)
    assert [p for p in stale if p.exists()] == []
    assert [v.read_text() for v in victims] == ["not pip's\n"] * 2
    assert not (site / "pip" / "_stale_pkg").exists()
    assert sorted(os.listdir(site)) == sorted(["pip", DIST_INFO] + SETUPTOOLS_ENTRIES)


def test_without_upgrade_older_pip_is_kept(run_clean, older_pip_venv):
    before = tree_state(older_pip_venv)
    result = run_clean("--python", older_pip_venv)
    assert result.returncode == 0, result.stderr
    assert f"Requirement already satisfied: pip in {site_packages(older_pip_venv)} (1.0)" in result.stdout
    assert pip_only(tree_state(older_pip_venv)) == pip_only(before)


def test_upgrade_never_downgrades(run_clean, venv, pip_install_template):
    clone_pip_install(pip_install_template("99.0"), venv)
    before = tree_state(venv)
    result = run_clean("--python", venv, "-U")
    assert result.returncode == 0, result.stderr
    assert f"Requirement already satisfied: pip in {site_packages(venv)} (99.0)" in result.stdout
    assert "Successfully installed pip" not in result.stdout and "uninstalled pip" not in result.stdout
    assert installed_pip_version(venv) == ["99.0"]
    assert pip_only(tree_state(venv)) == pip_only(before)


# --- --uninstall ------------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [[], ["--altinstall"], ["--default-pip"]],
                         ids=["default", "altinstall", "default-pip"])
def test_uninstall_restores_the_fresh_venv(run_clean, venv, flags):
    # things that are not pip's, with names like pip's, stay
    (venv / "bin" / "pip-audit").write_text("#!/bin/sh\n")
    (site_packages(venv) / "pipdeptree").mkdir()
    (site_packages(venv) / "pipdeptree" / "__init__.py").write_text("")
    (site_packages(venv) / "pip_other.pth").write_text("")
    fresh = tree_state(venv)
    assert run_clean("--python", venv, *flags).returncode == 0
    result = run_clean("--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert f"Successfully uninstalled pip-{PIP_VERSION}" in result.stdout
    assert tree_state(venv) == fresh


def test_uninstall_then_install_again(run_clean, venv):
    assert run_clean("--python", venv).returncode == 0
    assert run_clean("--python", venv, "--uninstall").returncode == 0
    result = run_clean("--python", venv)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert_pip_works(venv, DEFAULT)


def test_uninstall_removes_pip_installed_by_pip(run_clean, venv, pip_install_template):
    """A pip of the bundled version installed by pip itself (scripts pip, pip3, pip3.X,
    direct_url.json) is removed entirely, as ensurepip._uninstall's `pip uninstall` does."""
    fresh = tree_state(venv)
    clone_pip_install(pip_install_template(PIP_VERSION), venv)
    assert pip_scripts(venv) == DEFAULT_PIP
    result = run_clean("--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert f"Successfully uninstalled pip-{PIP_VERSION}" in result.stdout
    assert tree_state(venv) == fresh


def test_uninstall_keeps_files_outside_the_environment(run_clean, tmp_path, venv):
    """A RECORD naming files outside the venv (pip would say "outside environment") must not
    make --uninstall delete them."""
    assert run_clean("--python", venv).returncode == 0
    victims = [tmp_path / "victim-relative.txt", tmp_path / "victim-absolute.txt"]
    for victim in victims:
        victim.write_text("not pip's\n")
    site = site_packages(venv)
    with open(site / DIST_INFO / "RECORD", "a") as f:
        f.write(f"{os.path.relpath(victims[0], site)},,\n{victims[1]},,\n")
    result = run_clean("--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert pip_dist_infos(site) == []
    assert [v.read_text() for v in victims] == ["not pip's\n"] * 2


@pytest.fixture
def umask_077():
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_modes_follow_the_umask_as_with_pip(run_clean, venv, umask_077):
    """pip creates files and directories per the umask, adds x for all to the files the wheel
    marks executable (Debian's pip 26.2.2 marks two); distlib makes scripts r-x for all."""
    with zipfile.ZipFile(WHEEL) as z:
        marked = {i.filename for i in z.infolist() if (i.external_attr >> 16) & 0o111}
    fresh = tree_state(venv)
    result = run_clean("--python", venv, "--default-pip")
    assert result.returncode == 0, result.stderr
    modes = {}
    for rel, state in tree_state(venv).items():
        if rel not in fresh:
            kind = "script" if rel.startswith("bin/") else state[0]
            if rel.partition("/site-packages/")[2] in marked:
                kind = "marked"
            modes.setdefault(kind, set()).add(oct(state[1]))
    expected = {"dir": {"0o700"}, "file": {"0o600"}, "script": {"0o755"}}
    if marked:
        expected["marked"] = {"0o711"}
    assert modes == expected


def test_uninstall_when_absent(run_clean, venv):
    before = tree_state(venv)
    result = run_clean("--python", venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # python -m ensurepip._uninstall prints nothing at all
    assert "uninstalled" not in result.stdout.lower()
    assert tree_state(venv) == before


def test_uninstall_without_a_readable_record_changes_nothing(run_clean, venv):
    """Refused before anything changes, down to site-packages' mtime (no transaction made)."""
    assert run_clean("--python", venv).returncode == 0
    lib = site_packages(venv)
    [dist_info] = pip_dist_infos(lib)
    os.unlink(os.path.join(lib, dist_info, "RECORD"))
    before, mtime = tree_state(venv), os.stat(lib).st_mtime_ns
    result = run_clean("--python", venv, "--uninstall")
    assert result.returncode != 0
    assert "has no readable RECORD" in result.stderr, result.stderr
    assert tree_state(venv) == before
    assert os.stat(lib).st_mtime_ns == mtime


def test_uninstall_other_version_is_skipped(run_clean, older_pip_venv):
    before = tree_state(older_pip_venv)
    result = run_clean("--python", older_pip_venv, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert ("ensurepip will only uninstall a matching version "
            f"('1.0' installed, '{PIP_VERSION}' available)") in result.stderr
    assert "Successfully uninstalled" not in result.stdout
    assert tree_state(older_pip_venv) == before


# --- --root staging ---------------------------------------------------------------------------

def staged(root, env_dir):
    return root / str(env_dir).lstrip("/")


def assert_staged(root, env_dir, scripts=DEFAULT):
    inside = staged(root, env_dir)
    assert pip_dist_infos(site_packages(inside)) == [DIST_INFO]
    assert pip_scripts(inside) == scripts
    for name in scripts:
        # the scripts name the real interpreter, not the staging copy's path
        assert shebang(inside / "bin" / name) == f"#!{venv_python(env_dir)}"
    outside = [p for p in all_files(root) if not p.startswith(str(inside) + "/")]
    assert outside == []
    assert files_containing(root, str(root).encode()) == []
    listed = check_record(site_packages(inside), DIST_INFO) | setuptools_listed(site_packages(inside))
    assert set(all_files(root)) == listed  # no journal, lock or temporary file left
    check_bytecode(site_packages(inside), site_packages(env_dir))


def test_root_stages_under_root(run_clean, tmp_path, venv):
    root = tmp_path / "stage"
    before = tree_state(venv)
    result = run_clean("--python", venv, "--root", root)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert_staged(root, venv)
    assert tree_state(venv) == before


def test_root_with_default_pip(run_clean, tmp_path, venv):
    root = tmp_path / "stage"
    result = run_clean("--python", venv, "--root", root, "--default-pip")
    assert result.returncode == 0, result.stderr
    assert_staged(root, venv, DEFAULT_PIP)
    assert pip_dist_infos(site_packages(venv)) == []


def test_root_when_the_real_venv_has_pip(run_clean, tmp_path, venv):
    """python/cpython#76097, pypa/pip#3063: a pip in the live target must not stop staging."""
    assert run_clean("--python", venv).returncode == 0
    before = tree_state(venv)
    root = tmp_path / "stage"
    result = run_clean("--python", venv, "--root", root)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert "already satisfied" not in result.stdout
    assert_staged(root, venv)
    assert tree_state(venv) == before


def test_root_upgrade_upgrades_inside_root(run_clean, tmp_path, venv, pip_install_template):
    root = tmp_path / "stage"
    clone_pip_install(pip_install_template("1.0"), venv, root=root)
    assert installed_pip_version(staged(root, venv)) == ["1.0"]
    before_venv = tree_state(venv)
    before_root = tree_state(root)

    result = run_clean("--python", venv, "--root", root)
    assert result.returncode == 0, result.stderr
    assert "Requirement already satisfied" in result.stdout and "(1.0)" in result.stdout
    assert pip_only(tree_state(root)) == pip_only(before_root)

    result = run_clean("--python", venv, "--root", root, "-U")
    assert result.returncode == 0, result.stderr
    assert "Successfully uninstalled pip-1.0" in result.stdout
    assert INSTALLED in result.stdout
    assert installed_pip_version(staged(root, venv)) == [PIP_VERSION]
    assert_staged(root, venv)
    assert tree_state(venv) == before_venv


def test_root_upgrade_ignores_older_pip_in_real_venv(run_clean, tmp_path, older_pip_venv):
    venv = older_pip_venv
    before = tree_state(venv)
    root = tmp_path / "stage"
    result = run_clean("--python", venv, "--root", root, "-U")
    assert result.returncode == 0, result.stderr
    assert "Successfully uninstalled" not in result.stdout
    assert_staged(root, venv)
    assert tree_state(venv) == before


@pytest.mark.parametrize("form", ["relative", "double-slash", "trailing-slash"])
def test_root_path_forms(run_clean, tmp_path, venv, form):
    root = tmp_path / "stage"
    arg, cwd = {"relative": ("stage", tmp_path),
                "double-slash": (f"{tmp_path}//stage//", None),
                "trailing-slash": (f"{root}/", None)}[form]
    result = run_clean("--python", venv, "--root", arg, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert_staged(root, venv)
    assert pip_dist_infos(site_packages(venv)) == []


def test_empty_root_is_refused_not_taken_for_no_root(run_clean, venv):
    """An unset variable in a build script (--root "$ROOTFS") must not act on the build host."""
    before = tree_state(venv)
    result = run_clean("--python", venv, "--root", "")
    assert result.returncode == 2, result.stderr
    assert "root is an empty path" in result.stderr
    assert tree_state(venv) == before


def test_uninstall_with_root_leaves_the_real_venv(run_clean, tmp_path, venv):
    assert run_clean("--python", venv).returncode == 0
    before = tree_state(venv)
    root = tmp_path / "stage"
    result = run_clean("--python", venv, "--root", root, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert "Successfully uninstalled" not in result.stdout
    assert tree_state(venv) == before
    assert all_files(root) == []


def test_uninstall_with_root(run_clean, tmp_path, venv):
    root = tmp_path / "stage"
    assert run_clean("--python", venv, "--root", root).returncode == 0
    before = tree_state(venv)
    result = run_clean("--python", venv, "--root", root, "--uninstall")
    assert result.returncode == 0, result.stderr
    inside = staged(root, venv)
    assert pip_dist_infos(site_packages(inside)) == []
    assert all_files(root) == []
    assert tree_state(venv) == before


def test_root_slash_is_the_system_itself(run_clean, tmp_path, venv):
    """--root / names the live system, as for pip: a .pth file's directory is read where it
    is (it was taken for a path outside the root)."""
    (tmp_path / "extra").mkdir()
    (site_packages(venv) / "extra.pth").write_text(f"{tmp_path / 'extra'}\n")
    result = run_clean("--python", venv, "--root", "/")
    assert result.returncode == 0, result.stderr
    assert pip_version_of(venv)[0] == 0


# --- hostile pip environment ------------------------------------------------------------------

def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


HOSTILE_CONF = "[global]\nno-install = 1\nno-index = false\nindex-url = http://127.0.0.1:9/\n" \
               "[install]\ntarget = {hostile}\nprefix = {hostile}\n"


def _hostile_setup(case, venv, home, hostile, tmp_path):
    """Returns the extra environment of the case, after writing its config files."""
    h = str(hostile)
    if case == "PIP_TARGET":
        return {"PIP_TARGET": h}
    if case == "PIP_PREFIX":
        return {"PIP_PREFIX": h}
    if case == "PIP_ROOT":
        return {"PIP_ROOT": h}
    if case == "PIP_USER":
        return {"PIP_USER": "1"}
    if case == "PIP_INDEX_URL":
        return {"PIP_INDEX_URL": "http://127.0.0.1:9/", "PIP_NO_INDEX": "0", "PIP_FIND_LINKS": h}
    if case == "PIP_REQUIRE_VIRTUALENV":
        return {"PIP_REQUIRE_VIRTUALENV": "1", "PIP_REQUIRE_VENV": "1"}
    if case == "PIP_NO_INSTALL":
        return {"PIP_NO_INSTALL": "1"}
    if case == "PIP_DRY_RUN":
        return {"PIP_DRY_RUN": "1"}
    if case == "PIP_NO_BINARY":
        return {"PIP_NO_BINARY": ":all:"}
    if case == "PIP_QUIET":
        return {"PIP_QUIET": "3"}
    if case == "PIP_CONFIG_FILE":
        conf = tmp_path / "hostile.conf"
        _write(conf, HOSTILE_CONF.format(hostile=h))
        return {"PIP_CONFIG_FILE": str(conf)}
    if case == "home-.pip":
        _write(home / ".pip" / "pip.conf", HOSTILE_CONF.format(hostile=h))
        return {}
    if case == "home-.config":
        _write(home / ".config" / "pip" / "pip.conf", HOSTILE_CONF.format(hostile=h))
        return {}
    if case == "XDG_CONFIG_HOME":
        _write(tmp_path / "xdg" / "pip" / "pip.conf", HOSTILE_CONF.format(hostile=h))
        return {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    if case == "venv-pip.conf":
        _write(venv / "pip.conf", HOSTILE_CONF.format(hostile=h))
        return {}
    raise AssertionError(case)


HOSTILE_CASES = ["PIP_TARGET", "PIP_PREFIX", "PIP_ROOT", "PIP_USER", "PIP_INDEX_URL",
                 "PIP_REQUIRE_VIRTUALENV", "PIP_NO_INSTALL", "PIP_CONFIG_FILE", "home-.pip",
                 "home-.config", "venv-pip.conf"]
# tried only together with the others, to keep the suite short
MORE_HOSTILE_CASES = ["PIP_DRY_RUN", "PIP_NO_BINARY", "PIP_QUIET", "XDG_CONFIG_HOME"]


@pytest.mark.parametrize("case", HOSTILE_CASES)
def test_hostile_pip_settings_are_ignored(run_clean, tmp_path, venv, case):
    home = tmp_path / "home"
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    env = _hostile_setup(case, venv, home, hostile, tmp_path)
    home_before = tree_state(home)
    result = run_clean("--python", venv, env=env)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert pip_dist_infos(site_packages(venv)) == [DIST_INFO]
    assert pip_scripts(venv) == DEFAULT
    assert os.listdir(hostile) == []
    assert tree_state(home) == home_before  # no cache, no user install, no config written
    assert_pip_runs(venv)


def test_all_hostile_settings_at_once_install_and_uninstall(run_clean, tmp_path, venv):
    home = tmp_path / "home"
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    env = {}
    for case in HOSTILE_CASES + MORE_HOSTILE_CASES:
        env.update(_hostile_setup(case, venv, home, hostile, tmp_path))
    fresh = tree_state(venv)
    home_before = tree_state(home)
    result = run_clean("--python", venv, "--default-pip", env=env)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert pip_scripts(venv) == DEFAULT_PIP
    assert_pip_runs(venv)
    result = run_clean("--python", venv, "--uninstall", env=env)
    assert result.returncode == 0, result.stderr
    assert f"Successfully uninstalled pip-{PIP_VERSION}" in result.stdout
    assert tree_state(venv) == fresh
    assert os.listdir(hostile) == []
    assert tree_state(home) == home_before


def test_hostile_root_setting_with_root_option(run_clean, tmp_path, venv):
    """PIP_ROOT and a config's root must not replace (or add to) the --root given."""
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    _write(tmp_path / "home" / ".config" / "pip" / "pip.conf", f"[install]\nroot = {hostile}\n")
    root = tmp_path / "stage"
    result = run_clean("--python", venv, "--root", root, env={"PIP_ROOT": str(hostile)})
    assert result.returncode == 0, result.stderr
    assert_staged(root, venv)
    assert os.listdir(hostile) == []


def _externally_managed_python():
    res = subprocess.run([PYTHON, "-c", "import os, sysconfig; print(os.path.isfile(os.path.join("
                          "sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
                         capture_output=True, text=True, check=True)
    return res.stdout.strip() == "True"


@pytest.mark.skipif(not _externally_managed_python(),
                    reason="only staged against a Python that refuses unstaged installs (PEP 668)")
def test_staging_a_real_installation_with_hostile_settings(run_clean, tmp_path):
    """DESTDIR-style staging of the Python installation itself (not a venv), with
    PIP_REQUIRE_VIRTUALENV and a hostile user config that would refuse or redirect it."""
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    _write(tmp_path / "home" / ".config" / "pip" / "pip.conf",
           f"[global]\nrequire-virtualenv = true\n[install]\ntarget = {hostile}\n")
    root = tmp_path / "destdir"
    result = run_clean("--python", PYTHON, "--root", root,
                       env={"PIP_REQUIRE_VIRTUALENV": "1", "PIP_TARGET": str(hostile)})
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout  # a pip of the real installation does not count (pip#3063)
    infos = [p for p in all_files(root) if p.endswith(f"/{DIST_INFO}/RECORD")]
    assert len(infos) == 1
    site = os.path.dirname(os.path.dirname(infos[0]))
    check_record(site, DIST_INFO)
    scripts = sorted(os.path.basename(p) for p in all_files(root) if "/bin/pip" in p)
    assert scripts == DEFAULT
    for path in all_files(root):
        if "/bin/pip" in path:
            assert shebang(path) == f"#!{PYTHON}"
    assert files_containing(root, str(root).encode()) == []
    assert os.listdir(hostile) == []


def test_working_directory_does_not_matter(run_clean, tmp_path, venv):
    """Files in the current directory that would shadow the stdlib, offer another pip wheel
    (cpython#146310) or configure pip/distutils are not used (cf. bpo-42050)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "optparse.py").write_text("raise SystemExit('optparse shadowed from the cwd')\n")
    (cwd / "pip").mkdir()
    (cwd / "pip" / "__init__.py").write_text("raise SystemExit('pip imported from the cwd')\n")
    (cwd / "setup.cfg").write_text("this is [ not an ini file\n")
    (cwd / "pip.conf").write_text(f"[install]\ntarget = {cwd}\n")
    rewrite_wheel(WHEEL, cwd, version="99.9")
    before = tree_state(cwd)
    result = run_clean("--python", venv, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert INSTALLED in result.stdout
    assert installed_pip_version(venv) == [PIP_VERSION]
    assert tree_state(cwd) == before

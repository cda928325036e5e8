"""Black-box tests of the ensurepip program's command line: options, abbreviations, usage
errors, exit statuses and how the target is chosen."""

import json
import os
import re

import pytest

from conftest import (PIP_VERSION, PY_MAJOR, PY_VERSION, PYTHON, make_fake_venv, make_venv,
                      pip_dist_infos, pip_scripts, shebang, site_packages, tree_state,
                      venv_python)

ALL_OPTIONS = ["-h", "--help", "--version", "-v", "--verbose", "-U", "--upgrade", "--user",
               "--root", "--altinstall", "--default-pip", "--python", "--uninstall",
               # this program's own
               "-q", "--quiet", "--verify", "--script-interpreter", "--no-compile", "--report",
               "--lock-timeout"]
DEFAULT_SCRIPTS = [f"pip{PY_MAJOR}", f"pip{PY_VERSION}"]


def assert_installed(env_dir, scripts=DEFAULT_SCRIPTS):
    assert pip_dist_infos(site_packages(env_dir)) == [f"pip-{PIP_VERSION}.dist-info"]
    assert pip_scripts(env_dir) == scripts
    for name in scripts:
        assert shebang(env_dir / "bin" / name) == f"#!{venv_python(env_dir)}"


def assert_untouched(env_dir, before):
    assert tree_state(env_dir) == before
    assert pip_dist_infos(site_packages(env_dir)) == []


# --- --version and --help ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--version"], ["--vers"], ["-U", "--version"], ["--version", "--user"]])
def test_version_prints_embedded_pip_version(run_clean, venv, args):
    before = tree_state(venv)
    result = run_clean(*args, env={"VIRTUAL_ENV": str(venv)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"pip {PIP_VERSION}\n"
    assert result.stderr == ""
    assert_untouched(venv, before)


def test_version_needs_no_usable_target(run_clean, tmp_path):
    result = run_clean("--version", env={"VIRTUAL_ENV": str(tmp_path / "missing")})
    assert (result.returncode, result.stdout, result.stderr) == (0, f"pip {PIP_VERSION}\n", "")


@pytest.mark.parametrize("flag", ["-h", "--help", "--he"])
def test_help_lists_every_option(run_clean, venv, flag):
    before = tree_state(venv)
    result = run_clean(flag, env={"VIRTUAL_ENV": str(venv)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("usage: ")
    words = set(result.stdout.replace(",", " ").replace("[", " ").replace("]", " ").split())
    missing = [option for option in ALL_OPTIONS if option not in words]
    assert missing == []
    assert_untouched(venv, before)


# --- usage errors -----------------------------------------------------------------------------

USAGE_ERRORS = {
    "unknown-long": (["--bogus"], "--bogus"),
    "unknown-short": (["-x"], "-x"),
    "unknown-short-in-cluster": (["-Ux"], "-x"),
    "ambiguous-v": (["--v"], "--v"),
    "ambiguous-u": (["--u"], "--u"),
    "ambiguous-ver": (["--ver"], "--ver"),  # --version or --verbose, for CPython too
    "root-without-argument": (["--root"], "--root"),
    "python-without-argument": (["--python"], "--python"),
    "flag-with-argument": (["--upgrade=yes"], "--upgrade"),
    "positional": (["pip"], "pip"),
    "positional-after-options": (["-U", "extra"], "extra"),
    "altinstall-default-pip": (["--altinstall", "--default-pip"], "altinstall"),
    "alt-def-abbreviated": (["--alt", "--def"], "altinstall"),
    "uninstall-upgrade": (["--uninstall", "-U"], "--uninstall"),
    "uninstall-upgrade-long": (["--upgrade", "--uninstall"], "--uninstall"),
    "uninstall-altinstall": (["--uninstall", "--altinstall"], "--uninstall"),
    "uninstall-default-pip": (["--default-pip", "--uninstall"], "--uninstall"),
    # options of this program that python -m ensurepip has not
    "quiet-verbose": (["-q", "-v"], "--quiet"),
    "uninstall-no-compile": (["--uninstall", "--no-compile"], "--uninstall"),
    "lock-timeout-not-a-number": (["--lock-timeout", "soon"], "soon"),
    "verify-with-upgrade": (["--verify", "-U"], "--verify"),
}


@pytest.mark.parametrize("args,fragment", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_error_exits_2_with_one_line_and_changes_nothing(run_clean, venv, args, fragment):
    """The target is given through VIRTUAL_ENV: a usage error that went unnoticed would
    install into the venv."""
    before = tree_state(venv)
    result = run_clean(*args, env={"VIRTUAL_ENV": str(venv)})
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert_untouched(venv, before)


OPTION_AS_ARGUMENT = {
    "root-then-altinstall": ["--root", "--altinstall"],
    "root-then-U": ["--root", "-U"],
    "python-then-root": ["--python", "--root"],
}


@pytest.mark.parametrize("args", OPTION_AS_ARGUMENT.values(), ids=OPTION_AS_ARGUMENT.keys())
def test_option_is_not_taken_as_an_argument(run_clean, tmp_path, venv, args):
    """As argparse: 'argument --root: expected one argument', not a root named '--altinstall'
    (getopt alone would take it; a regression test)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before = tree_state(venv)
    result = run_clean(*args, env={"VIRTUAL_ENV": str(venv)}, cwd=cwd)
    assert list(cwd.iterdir()) == []
    assert tree_state(venv) == before
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1


def test_option_like_value_after_equals_is_a_value(run_clean, tmp_path, venv):
    """argparse's way to pass a value that starts with '-': --root=-x."""
    result = run_clean("--python", venv, "--root=-stage", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pip_dist_infos(site_packages(tmp_path / "-stage" / str(venv).lstrip("/"))) == \
        [f"pip-{PIP_VERSION}.dist-info"]
    assert pip_dist_infos(site_packages(venv)) == []


def test_ambiguous_abbreviation_names_the_candidates(run_clean, venv):
    result = run_clean("--v", env={"VIRTUAL_ENV": str(venv)})
    assert result.returncode == 2
    assert "ambiguous" in result.stderr
    assert "--version" in result.stderr and "--verbose" in result.stderr


def test_usage_error_with_pip_installed_changes_nothing(run_clean, venv):
    assert run_clean("--python", venv).returncode == 0
    before = tree_state(venv)
    for args in (["--python", venv, "--uninstall", "--upgrade"], ["--python", venv, "--bogus", "--uninstall"],
                 ["--python", venv, "--uninstall", "x"]):
        result = run_clean(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1
        assert tree_state(venv) == before


# --- abbreviations and verbosity ----------------------------------------------------------------

@pytest.mark.parametrize("args,scripts", [
    (["--alt"], [f"pip{PY_VERSION}"]),
    (["--def"], ["pip", *DEFAULT_SCRIPTS]),
], ids=["alt", "def"])
def test_unambiguous_abbreviations(run_clean, venv, args, scripts):
    result = run_clean("--pyth", venv, *args)
    assert result.returncode == 0, result.stderr
    assert_installed(venv, scripts)


def test_abbreviated_up_upgrades(run_clean, older_pip_venv):
    result = run_clean("--pyth", older_pip_venv, "--up")
    assert result.returncode == 0, result.stderr
    assert f"Successfully installed pip-{PIP_VERSION}" in result.stdout
    assert_installed(older_pip_venv)


def test_abbreviated_us_is_user(run_clean, venv):
    before = tree_state(venv)
    result = run_clean("--pyth", venv, "--us")
    assert result.returncode == 1
    assert "Can not perform a '--user' install" in result.stderr
    assert_untouched(venv, before)


@pytest.mark.parametrize("args", [
    ["--pyth", "{venv}", "--ro", "{root}"], ["--pyth={venv}", "--ro={root}"],
    # --r is --root for CPython's ensurepip, whose only option starting with r it is; this
    # program's --report must not make it ambiguous. --p is this program's alone.
    ["--p", "{venv}", "--r", "{root}"], ["--p={venv}", "--r={root}"],
], ids=["separate", "equals", "r-separate", "r-equals"])
def test_abbreviated_ro_is_root(run_clean, venv, tmp_path, args):
    root = tmp_path / "stage"
    before = tree_state(venv)
    result = run_clean(*(a.format(venv=venv, root=root) for a in args))
    assert result.returncode == 0, result.stderr
    staged = root / str(venv).lstrip("/")
    assert pip_dist_infos(site_packages(staged)) == [f"pip-{PIP_VERSION}.dist-info"]
    assert tree_state(venv) == before


def test_abbreviated_un_is_uninstall(run_clean, venv):
    fresh = tree_state(venv)
    assert run_clean("--python", venv).returncode == 0
    result = run_clean("--pyth", venv, "--un")
    assert result.returncode == 0, result.stderr
    assert tree_state(venv) == fresh


@pytest.mark.parametrize("flags", [["-vv"], ["-v", "-v", "--verbose", "--verb", "-Uvvv"]],
                         ids=["vv", "v-v-verbose-verb-Uvvv"])
def test_verbosity_is_counted_and_accepted(run_clean, venv, flags):
    result = run_clean("--python", venv, *flags)
    assert result.returncode == 0, result.stderr
    assert f"Successfully installed pip-{PIP_VERSION}" in result.stdout
    assert_installed(venv)


def test_v_shows_pips_mode_changes_at_the_final_paths(run_clean, venv):
    """python -m ensurepip -v shows distlib's "changing mode of VENV/bin/pip3 to 755" (pip's -v
    lets vendored libraries speak); the path is the script's, not the staging directory's."""
    result = run_clean("--python", venv, "-v")
    assert result.returncode == 0, result.stderr
    changes = sorted(line.split("changing mode of ", 1)[1] for line in result.stderr.splitlines()
                     if "changing mode of " in line)
    assert changes == sorted(f"{venv}/bin/{name} to 755" for name in DEFAULT_SCRIPTS)
    assert ".ensurepip-txn-" not in "".join(line for line in result.stderr.splitlines() if "[pip]" in line)


def test_v_names_the_programs_own_version_and_version_stays_pips(run_clean, venv):
    result = run_clean("--python", venv, "-v")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^ensurepip\[cli\]: ensurepip \d+\.\d+\.\d+ ", result.stderr, re.M), result.stderr
    version = run_clean("-v", "--version")
    assert (version.returncode, version.stdout, version.stderr) == (0, f"pip {PIP_VERSION}\n", "")


def test_quiet_prints_nothing(run_clean, venv):
    result = run_clean("--python", venv, "-q")
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert_installed(venv)


def test_verbose_gives_more_output(run_clean, tmp_path):
    quiet, loud = make_venv(tmp_path / "quiet"), make_venv(tmp_path / "loud")
    q = run_clean("--python", quiet)
    v = run_clean("--python", loud, "-vv")
    assert q.returncode == v.returncode == 0
    assert len(v.stdout + v.stderr) > len(q.stdout + q.stderr)


# --- exit statuses ----------------------------------------------------------------------------

def test_missing_target_exits_3(run_clean, tmp_path):
    missing = tmp_path / "no-such-venv"
    result = run_clean("--python", missing)
    assert result.returncode == 3, result.stderr
    assert str(missing) in result.stderr
    assert not missing.exists()


def test_missing_virtual_env_exits_3(run_clean, tmp_path):
    missing = tmp_path / "no-such-venv"
    result = run_clean(env={"VIRTUAL_ENV": str(missing)})
    assert result.returncode == 3, result.stderr
    assert str(missing) in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("how", ["dir", "bin/python", "VIRTUAL_ENV"])
def test_other_python_version_exits_4(run_clean, tmp_path, how):
    fake = make_fake_venv(tmp_path / "venv399")
    before = tree_state(fake)
    if how == "VIRTUAL_ENV":
        result = run_clean(env={"VIRTUAL_ENV": str(fake)})
    else:
        result = run_clean("--python", fake if how == "dir" else fake / "bin" / "python")
    assert result.returncode == 4, result.stderr
    assert "3.99" in result.stderr
    assert "must not run" not in result.stderr
    assert tree_state(fake) == before


def test_directory_that_is_not_a_venv_exits_3(run_clean, tmp_path):
    plain = tmp_path / "plain"
    (plain / "bin").mkdir(parents=True)
    before = tree_state(plain)
    result = run_clean("--python", plain)
    assert result.returncode == 3, result.stderr
    assert str(plain) in result.stderr
    assert tree_state(plain) == before


def test_non_python_file_exits_3(run_clean, tmp_path):
    fake = tmp_path / "thing" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    before = tree_state(tmp_path / "thing")
    result = run_clean("--python", fake)
    assert result.returncode == 3, result.stderr
    assert tree_state(tmp_path / "thing") == before


def test_user_inside_venv_exits_1(run_clean, venv):
    before = tree_state(venv)
    result = run_clean("--python", venv, "--user")
    assert result.returncode == 1
    assert "Can not perform a '--user' install" in result.stderr
    assert_untouched(venv, before)


# --- choosing the target ------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["dir", "bin/python", "relative-dir", "relative-bin/python", "dir-slash"])
def test_python_option_forms(run_clean, tmp_path, venv, form):
    arg, cwd = {
        "dir": (str(venv), None),
        "bin/python": (str(venv / "bin" / "python"), None),
        "relative-dir": ("venv", tmp_path),
        "relative-bin/python": (os.path.join("venv", "bin", "python"), tmp_path),
        "dir-slash": (str(venv) + "/", None),
    }[form]
    result = run_clean("--python", arg, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert f"Successfully installed pip-{PIP_VERSION}" in result.stdout
    assert_installed(venv)


def test_virtual_env_is_the_default_target(run_clean, venv):
    result = run_clean(env={"VIRTUAL_ENV": str(venv)})
    assert result.returncode == 0, result.stderr
    assert_installed(venv)


def test_python_option_wins_over_virtual_env(run_clean, tmp_path):
    chosen, other = make_venv(tmp_path / "chosen"), make_venv(tmp_path / "other")
    other_before = tree_state(other)
    result = run_clean("--python", chosen, env={"VIRTUAL_ENV": str(other)})
    assert result.returncode == 0, result.stderr
    assert_installed(chosen)
    assert tree_state(other) == other_before


@pytest.mark.parametrize("virtual_env", [None, ""])
def test_the_builds_python_is_the_default_target(run_clean, tmp_path, virtual_env):
    """Neither --python nor VIRTUAL_ENV (or an empty one): the Python of the build, staged here
    under a --root so that it stays as it is."""
    report = tmp_path / "report.json"
    result = run_clean("--root", tmp_path / "stage", "--report", report,
                       env=None if virtual_env is None else {"VIRTUAL_ENV": virtual_env})
    assert result.returncode == 0, result.stderr
    with open(report, encoding="utf-8") as f:
        target = json.load(f)["target"]
    assert (target["python"], target["root"]) == (PYTHON, str(tmp_path / "stage"))
    assert pip_dist_infos((tmp_path / "stage" / target["purelib"].lstrip("/"))) == [f"pip-{PIP_VERSION}.dist-info"]


def test_python_option_wins_over_bad_virtual_env(run_clean, tmp_path, venv):
    result = run_clean("--python", venv, env={"VIRTUAL_ENV": str(tmp_path / "missing")})
    assert result.returncode == 0, result.stderr
    assert_installed(venv)

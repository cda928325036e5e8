"""CPython's own ensurepip as the test oracle: each scenario makes a target, runs the build's
Python's `python -m ensurepip ARGS` on it, snapshots it, deletes it, makes it again at the same
path and runs `ensurepip --python TARGET ARGS`, snapshots that, and compares: exit status, the
trees (names, modes, contents; .pyc by code object, RECORD by paths and non-.pyc hashes, scripts
with their shebangs), the mode changes -v shows, then pip's own --version, list, check, show -f
pip and uninstall -y pip on each, and the trees after that uninstall.

Every difference found must be listed as deliberate in README.md's table under "Differences from
`python -m ensurepip`" (scenario pattern, aspect); anything else fails the test. setuptools
(which CPython's ensurepip bootstraps on 3.11 and older, and so does the program) is compared
as pip is: in the trees, in pip's own list, and by the uninstall.
"""

import fnmatch
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ENSUREPIP, PIP_VERSION, PY_VERSION, PYTHON, WHEEL, rewrite_wheel, sanitizer_env

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "..", "..", "README.md")
SNAPSHOT = os.path.join(HERE, "oracle_snapshot.py")

# CPython's ensurepip as `python -m ensurepip` runs it, minus Debian's refusal to touch a base
# installation (python3.X-venv's patch): used only for the copies of the base installation.
UNGUARDED_ENSUREPIP = (
    "import sys, ensurepip\n"
    "ensurepip._ensurepip_is_disabled_in_debian_for_system = lambda: None\n"
    "sys.exit(ensurepip._main(sys.argv[1:]))\n")

# What a row of the README's table may name (trees before and after pip's uninstall are `tree`).
ASPECTS = {"exit", "tree", "mode-changes", "pip --version", "pip list", "pip check",
           "pip show -f pip", "pip uninstall -y pip"}

SETUPTOOLS_PARTS = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth")


def _setuptools_entry(rel):
    """The top-level name of setuptools' in a site-packages (or its easy_install script) that
    rel lies in, else None."""
    parts = rel.split(os.sep)
    for before, part in zip(["-packages"] + parts, parts):
        if part.startswith("easy_install") or (
                before.endswith("-packages") and (part in SETUPTOOLS_PARTS or part.startswith("setuptools-"))):
            return part
    return None


def _is_setuptools(rel):
    return _setuptools_entry(rel) is not None


def deliberate_differences():
    """(scenario pattern, aspect, detail or None) rows of the README's table of deliberate
    differences: the aspect cell holds the aspect, then optionally the exact difference
    (`exit` `1 vs 12`), without which any difference in that aspect is accepted."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split("Differences from `python -m ensurepip`", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[1].startswith("`"):
            aspect = re.findall(r"`([^`]+)`", cells[1]) + [None]
            for pattern in re.findall(r"`([^`]+)`", cells[0]):
                rows.append((pattern, aspect[0], aspect[1]))
    return rows


class Scenario:
    def __init__(self, name, args=(), venv_options=(), umask=0o022, odd_path=False, prepare=None,
                 via_virtual_env=False, base=False, marked=False):
        self.name, self.args, self.venv_options, self.umask = name, list(args), list(venv_options), umask
        self.odd_path, self.prepare, self.via_virtual_env = odd_path, prepare, via_virtual_env
        self.base, self.marked = base, marked
        self.uninstall = "--uninstall" in self.args


SCENARIOS = [
    Scenario("default"),
    Scenario("default-pip-umask077", ["--default-pip"], umask=0o077),
    Scenario("altinstall-vv-umask002-odd-path", ["--altinstall", "-vv"], umask=0o002, odd_path=True),
    Scenario("upgrade-over-same", ["-U"], prepare="own"),
    Scenario("older-no-upgrade", [], prepare="older"),
    Scenario("older-upgrade-umask027-odd-path", ["-U"], prepare="older", umask=0o027, odd_path=True),
    Scenario("newer-upgrade-vvv", ["-U", "-vvv"], prepare="newer"),
    Scenario("user-in-venv", ["--user"]),
    Scenario("uninstall", ["--uninstall"], prepare="own"),
    Scenario("system-site-packages", venv_options=["--system-site-packages"]),
    Scenario("copies-virtual-env-v-odd-path", ["-v"], venv_options=["--copies"], via_virtual_env=True,
             odd_path=True),
    Scenario("marked-base-without-pip", base=True, marked=True),
    Scenario("marked-base-with-pip", base=True, marked=True, prepare="older"),
    Scenario("marked-base-user", ["--user"], base=True, marked=True),
    Scenario("base-user", ["--user"], base=True),
]


def _base_prefix():
    code = ("import sys, sysconfig; print(sys.prefix); print(sysconfig.get_path('stdlib')); "
            "print(sys.executable)")
    out = subprocess.run([PYTHON, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    prefix, stdlib, executable = out.split("\n")[:3]
    return prefix, stdlib, os.path.realpath(executable)


class Side:
    """One side of a scenario pair: `cpython` or `ours`."""

    def __init__(self, name, scenario, top):
        self.name, self.scenario, self.top = name, scenario, top
        self.target = os.path.join(top, "target")
        self.home = os.path.join(top, "home")
        self.tmp = os.path.join(top, "tmp")

    @property
    def python(self):
        if self.scenario.base:
            return os.path.join(self.target, "bin", f"python{PY_VERSION}")
        return os.path.join(self.target, "bin", "python")

    def env(self, **extra):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "TMPDIR": self.tmp, "LANG": "C.UTF-8",
               **sanitizer_env(), **extra}
        if "LD_LIBRARY_PATH" in os.environ:
            env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
        return env

    def run(self, args, env=None, check=False):
        umask = self.scenario.umask
        return subprocess.run([str(a) for a in args], env=env or self.env(), capture_output=True, text=True,
                              preexec_fn=lambda: os.umask(umask), check=check, timeout=300)

    def ensurepip(self, args):
        """This side's ensurepip: CPython's (or its _uninstall) or the program."""
        if self.name == "ours":
            if self.scenario.via_virtual_env:
                return self.run([ENSUREPIP, *args], env=self.env(VIRTUAL_ENV=self.target))
            return self.run([ENSUREPIP, "--python", self.python, *args])
        if "--uninstall" in args:
            return self.run([self.python, "-m", "ensurepip._uninstall",
                             *(a for a in args if a != "--uninstall")])
        if self.scenario.base:
            return self.run([self.python, "-c", UNGUARDED_ENSUREPIP, *args])
        return self.run([self.python, "-m", "ensurepip", *args])

    def snapshot(self):
        opaque = [os.path.relpath(self.stdlib, self.target)] if self.scenario.base else []
        trees = {}
        for label, top in (("target", self.target), ("home", self.home)):
            out = self.run([PYTHON, "-I", SNAPSHOT, top, *opaque], check=True).stdout
            trees.update({f"{label}/{rel}": value for rel, value in json.loads(out).items()})
        return trees

    def pip(self, *commands):
        """pip's own commands, run side by side: (status, stdout, stderr) of each."""
        umask = self.scenario.umask
        env = self.env(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
        running = [subprocess.Popen([self.python, "-m", "pip", *args], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.umask(umask))
                   for args in commands]
        results = []
        for process in running:
            out, err = process.communicate(timeout=300)
            results.append((process.returncode, out, err))
        return results


def _make_target(side, relabelled_wheels):
    """The target before the run, at side.target: a venv, or a copy of the base installation."""
    scenario = side.scenario
    for path in (side.home, side.tmp):
        os.makedirs(path)
    if scenario.base:
        prefix, stdlib, executable = _base_prefix()
        side.stdlib = os.path.join(side.target, os.path.relpath(stdlib, prefix))
        os.makedirs(os.path.join(side.target, "bin"))
        os.makedirs(os.path.dirname(side.stdlib), exist_ok=True)
        # Hard links: neither ensurepip writes into an existing file of the standard library.
        # A copy where they cannot be (tools/check.sh puts the tests' files on a tmpfs).
        if side.run(["cp", "-al", stdlib, side.stdlib]).returncode != 0:
            shutil.rmtree(side.stdlib, ignore_errors=True)
            side.run(["cp", "-a", stdlib, side.stdlib], check=True)
        shutil.copy2(executable, side.python)
        site = os.path.join(side.stdlib, "site-packages")
        for name in os.listdir(site) if os.path.isdir(site) else []:
            if name == "pip" or name.startswith("pip-") or _is_setuptools(name):
                path = os.path.join(site, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
        marker = os.path.join(side.stdlib, "EXTERNALLY-MANAGED")
        if os.path.exists(marker):
            os.unlink(marker)
        probe = side.run([side.python, "-c", "import sys; print(sys.prefix)"])
        if probe.returncode != 0 or probe.stdout.strip() != side.target:
            pytest.skip(f"this Python cannot run from a copy of its prefix: {probe.stdout or probe.stderr}")
    else:
        side.run([PYTHON, "-m", "venv", "--without-pip", *scenario.venv_options, side.target], check=True)
    if scenario.prepare in relabelled_wheels:
        # pip itself, run from the embedded wheel, installs pip "1.0" (or "99.0"): the same for both sides
        side.run([side.python, "-I", os.path.join(WHEEL, "pip"), "install", "--no-index", "--no-deps",
                  "--disable-pip-version-check", "-q", relabelled_wheels[scenario.prepare]],
                 env=side.env(PIP_CONFIG_FILE=os.devnull), check=True)
    elif scenario.prepare == "own":
        first = side.ensurepip([])
        assert first.returncode == 0, (side.name, first.stdout, first.stderr)
    if scenario.marked:
        marker = os.path.join(side.stdlib, "EXTERNALLY-MANAGED")
        with open(marker, "w") as f:
            f.write("[externally-managed]\nError=made by test_oracle.py\n")
        os.utime(marker, (0, 0))  # the same on both sides: the standard library is compared by mtime


def _mode_changes(result):
    """What -v shows of distlib's chmod of the scripts, without the speaker's prefix."""
    return sorted(line.split("changing mode of ", 1)[1].strip()
                  for line in (result.stdout + result.stderr).splitlines() if "changing mode of " in line)


def _pip_list(out):
    return sorted(row for row in (line.split() for line in out.splitlines()[2:]) if row)


def _run_side(side, relabelled_wheels):
    _make_target(side, relabelled_wheels)
    result = side.ensurepip(side.scenario.args)
    observed = {"exit": result.returncode, "output": result.stdout + result.stderr}
    observed["tree"] = side.snapshot()
    if any(a.startswith("-v") for a in side.scenario.args):
        observed["mode-changes"] = _mode_changes(result)
    version, listed, check, show = side.pip(["--version"], ["list"], ["check"], ["show", "-f", "pip"])
    observed.update({"pip --version": version, "pip list": (listed[0], _pip_list(listed[1])),
                     "pip check": check, "pip show -f pip": show})
    observed["pip uninstall -y pip"] = side.pip(["uninstall", "-y", "pip"])[0]
    observed["tree after pip uninstall"] = side.snapshot()
    return observed


def _differences(cpython, ours):
    """(aspect, detail) for every aspect in which the two sides differ."""
    found = []
    for aspect in cpython:
        if aspect == "output":
            continue
        a, b = cpython[aspect], ours.get(aspect)
        if a == b:
            continue
        if isinstance(a, dict):
            keys = sorted(set(a) | set(b))
            bad = [k for k in keys if a.get(k) != b.get(k)]
            detail = "; ".join(f"{k}: {a.get(k)} vs {b.get(k)}" for k in bad[:5]) + (
                f" (+{len(bad) - 5} more)" if len(bad) > 5 else "")
        else:
            detail = f"{a!r} vs {b!r}"
        found.append((aspect.split(" ")[0] if aspect.startswith("tree") else aspect, aspect, detail))
    return found


@pytest.fixture(scope="module")
def relabelled_wheels(tmp_path_factory):
    """The embedded wheel claiming an older and a newer version, for the targets prepared so."""
    return {"older": rewrite_wheel(WHEEL, tmp_path_factory.mktemp("older-wheel"), version="1.0"),
            "newer": rewrite_wheel(WHEEL, tmp_path_factory.mktemp("newer-wheel"), version="99.0")}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_same_as_cpythons_ensurepip(scenario, tmp_path, relabelled_wheels):
    top = tmp_path / ("dir with space ü" if scenario.odd_path else "plain")
    observed = {}
    for name in ("cpython", "ours"):
        if top.exists():
            shutil.rmtree(top)
        side = Side(name, scenario, str(top))
        observed[name] = _run_side(side, relabelled_wheels)
    allowed = deliberate_differences()
    unexplained = []
    for key, aspect, detail in _differences(observed["cpython"], observed["ours"]):
        if not any(fnmatch.fnmatchcase(scenario.name, pattern) and key == listed and exact in (None, detail)
                   for pattern, listed, exact in allowed):
            unexplained.append(f"{aspect}: {detail}")
    assert unexplained == [], "\n".join(
        unexplained + ["--- cpython said:", observed["cpython"]["output"],
                       "--- ensurepip said:", observed["ours"]["output"]])


def test_version_is_cpythons(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **sanitizer_env()}
    cpython = subprocess.run([PYTHON, "-I", "-m", "ensurepip", "--version"], capture_output=True, text=True, env=env)
    ours = subprocess.run([ENSUREPIP, "--version"], capture_output=True, text=True, env=env)
    assert (ours.returncode, ours.stdout) == (cpython.returncode, cpython.stdout) == (0, f"pip {PIP_VERSION}\n")


def test_the_table_of_deliberate_differences_is_read():
    rows = deliberate_differences()
    assert rows, "README.md's table under 'Differences from `python -m ensurepip`' is missing or unreadable"
    assert all(aspect in ASPECTS for _pattern, aspect, _detail in rows), rows

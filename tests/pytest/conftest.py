"""Fixtures for the black-box tests of the built ensurepip program and library.

make check passes the build through the environment:
  ENSUREPIP_BIN          the built program
  ENSUREPIP_CLIENT       tests/host/library_client, a C client of the public API
  ENSUREPIP_PYTHON       the Python the build embeds (venvs are made with it)
  ENSUREPIP_PIP_VERSION  the version of the embedded pip wheel
  ENSUREPIP_WHEEL        the embedded wheel, as the build copied it
  ENSUREPIP_SETUPTOOLS_WHEEL  the embedded setuptools wheel (3.11 and older), or empty
"""

import base64
import csv
import hashlib
import io
import os
import shutil
import signal
import stat
import subprocess
import zipfile

import pytest


# A background job of a non-interactive shell (tests/matrix.sh and tests/debian-testing.sh run
# builds that way) starts with SIGINT ignored, and so would every program the tests start: the
# program keeps an inherited ignore, as CPython does, and the tests of SIGINT would see nothing.
# Python's own handler here is reset to the default action in the programs started.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _required(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the tests through `make check`", returncode=2)
    return value


ENSUREPIP = _required("ENSUREPIP_BIN")
CLIENT = os.environ.get("ENSUREPIP_CLIENT", "")
PYTHON = _required("ENSUREPIP_PYTHON")
PIP_VERSION = _required("ENSUREPIP_PIP_VERSION")
WHEEL = _required("ENSUREPIP_WHEEL")
SETUPTOOLS_WHEEL = os.environ.get("ENSUREPIP_SETUPTOOLS_WHEEL") or None
PY_VERSION = subprocess.run([PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                            check=True, capture_output=True, text=True).stdout.strip()
PY_MAJOR = PY_VERSION.split(".")[0]


# Test modules a build leaves out (tests/matrix.sh, tools/check.sh): what cannot differ between
# Pythons or pips runs in the build against the system's Python only, so that the whole run
# stays within CI's time (README, "Python versions" says which build runs what).
SKIPPED_MODULES = set(os.environ.get("ENSUREPIP_SKIP_TESTS", "").split())


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in SKIPPED_MODULES:
            item.add_marker(pytest.mark.skip(reason=f"{item.module.__name__} runs in another build "
                                                    "of the matrix (ENSUREPIP_SKIP_TESTS)"))


# A test's tmp_path goes when the test passes or is skipped, and stays for a failed one (pytest
# 7.3's tmp_path_retention_policy = "failed"; Debian 12 has pytest 7.2). A run of the suite
# leaves about 4.5 GB of venvs and images otherwise, and tools/check.sh puts them on a tmpfs.
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if outcome.get_result().failed:
        item.stash[FAILED] = True


@pytest.fixture
def tmp_path(tmp_path, request):
    yield tmp_path
    if not request.node.stash.get(FAILED, False):
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def tmpdir_for_run(tmp_path):
    """A TMPDIR of the test's own, so that leftovers of a run can be seen."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


@pytest.fixture
def base_env(tmpdir_for_run, tmp_path):
    """The environment runs get: the caller's, without anything that would pick a target or
    configure pip, with a private TMPDIR and HOME."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON")) and k not in ("VIRTUAL_ENV", "ENSUREPIP_OPTIONS")}
    env["TMPDIR"] = str(tmpdir_for_run)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env["HOME"] = str(home)
    return env


# The variables a sanitizer build's runs need (make check sets them): an environment made from
# scratch for a run must carry them, or LeakSanitizer reports libpython's objects as ours.
SANITIZER_VARS = ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS")


def sanitizer_env():
    return {k: os.environ[k] for k in SANITIZER_VARS if k in os.environ}


@pytest.fixture
def as_nobody():
    """(run, venv): run(*args) runs a copy of the program as the user nobody, and venv is a fresh
    venv beside it, both in a directory nobody can reach (pytest's own is 0700). Skips where
    that cannot be: not root, no setpriv, or a program nobody cannot run (a libpython under
    /root, which nobody may not read, makes it exit 127, or 5 if another build is loaded)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as another user")
    import pathlib
    import tempfile

    shared = tempfile.mkdtemp(prefix="ensurepip-test-", dir="/tmp")
    try:
        os.chmod(shared, 0o755)
        program = os.path.join(shared, "ensurepip")
        shutil.copy(ENSUREPIP, program)
        env_dir = make_venv(pathlib.Path(shared) / "venv")
        nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", program]
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": "/tmp", "HOME": "/nonexistent", **sanitizer_env()}

        def run(*args):
            return subprocess.run(nobody + list(map(str, args)), capture_output=True, text=True, env=env)
        probe = run("--python", "/nonexistent")  # status 3: the program runs, as nobody
        if probe.returncode != 3:
            pytest.skip(f"the program does not run as nobody: {probe.stderr.strip()}")
        yield run, env_dir
    finally:
        shutil.rmtree(shared)


def default_run_ending_signals():
    """For a child: SIGINT, SIGTERM and SIGHUP as a shell gives them, whatever the test run
    inherited. Under nohup SIGHUP is ignored, and ensurepip rightly leaves an ignored signal
    alone, so a test of what a signal does would see nothing."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def strace_run(args, env, trace, inject=None, log=None, preexec_fn=default_run_ending_signals):
    """The program run under `strace -f` tracing TRACE (a syscall list) into LOG; INJECT is e.g.
    'syncfs:signal=SIGTERM:when=1'; strace ends the way the program did: by the same signal
    (returncode -N), or with its exit status. LeakSanitizer cannot work under ptrace, so a
    sanitizer build's traced runs go without the leak check (all its other runs keep it)."""
    cmd = ["strace", "-f", "-qq", "-o", str(log) if log else os.devnull, "-e", f"trace={trace}"]
    if inject:
        cmd += ["-e", f"inject={inject}"]
    env = dict(env)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += " detect_leaks=0"
    return subprocess.run(cmd + [ENSUREPIP, *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=preexec_fn)


@pytest.fixture
def run(base_env):
    """run(*args, env=None, cwd=None) -> CompletedProcess of the ensurepip program."""
    def runner(*args, env=None, cwd=None, timeout=300):
        full_env = dict(base_env)
        if env:
            full_env.update(env)
        return subprocess.run([ENSUREPIP, *map(str, args)], env=full_env, cwd=cwd,
                              capture_output=True, text=True, timeout=timeout)
    return runner


def make_venv(path, system_site_packages=False):
    args = [PYTHON, "-m", "venv", "--without-pip"]
    if system_site_packages:
        args.append("--system-site-packages")
    subprocess.run([*args, str(path)], check=True)
    return path


@pytest.fixture
def venv(tmp_path):
    """A fresh venv without pip, made by the embedded Python's own venv module."""
    return make_venv(tmp_path / "venv")


def site_packages(env_dir):
    return env_dir / "lib" / f"python{PY_VERSION}" / "site-packages"


def pip_scripts(env_dir):
    return sorted(p.name for p in (env_dir / "bin").iterdir() if p.name.startswith("pip"))


def venv_python(env_dir):
    return env_dir / "bin" / "python"


def pip_version_of(env_dir, *python_args):
    """`python -m pip --version` of a venv: (returncode, stdout)."""
    result = subprocess.run([str(venv_python(env_dir)), *python_args, "-m", "pip", "--version"],
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    return result.returncode, result.stdout.strip()


def tree_state(root):
    """Everything about a directory tree that a run could change: names, types, modes, sizes,
    contents (hashed) and symlink targets."""
    state = {}
    root = str(root)
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(subdirs + files):
            path = os.path.join(directory, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if stat.S_ISLNK(st.st_mode):
                state[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                state[rel] = ("dir", stat.S_IMODE(st.st_mode))
            else:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                state[rel] = ("file", stat.S_IMODE(st.st_mode), st.st_size, digest)
    return state


def setuptools_entries():
    """The top-level names the embedded setuptools wheel installs (none in a 3.12+ build)."""
    if not SETUPTOOLS_WHEEL:
        return set()
    with zipfile.ZipFile(SETUPTOOLS_WHEEL) as z:
        return {name.split("/", 1)[0] for name in z.namelist()}


def without_setuptools(state):
    """A tree_state without what setuptools installed in any *-packages directory, for tests
    about pip alone (setuptools has its own, test_setuptools.py)."""
    entries = setuptools_entries()

    def is_setuptools(rel):
        parts = rel.split(os.sep)
        return any(parent.endswith("-packages") and part in entries for parent, part in zip(parts, parts[1:]))
    return {rel: value for rel, value in state.items() if not is_setuptools(rel)}


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def rewrite_wheel(source, dest_dir, version=None, edit=None):
    """A copy of the wheel source (pip's, setuptools') claiming another version (dist-info,
    METADATA, RECORD all consistent), or with files changed by edit(name, data) -> data (None
    drops the file). Returns the new wheel's path."""
    project, old_version = os.path.basename(source).split("-")[:2]
    version = version or old_version
    out = os.path.join(str(dest_dir), f"{project}-{version}-py3-none-any.whl")
    old_info, new_info = f"{project}-{old_version}.dist-info/", f"{project}-{version}.dist-info/"
    files = {}
    with zipfile.ZipFile(source) as z:
        for info in z.infolist():
            if info.filename.endswith("/") or info.filename == old_info + "RECORD":
                continue
            name = info.filename.replace(old_info, new_info, 1)
            data = z.read(info)
            if name == new_info + "METADATA":
                data = data.replace(f"Version: {old_version}".encode(), f"Version: {version}".encode(), 1)
            if edit is not None:
                data = edit(name, data)
                if data is None:
                    continue
            files[name] = data
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for name, data in sorted(files.items()):
        writer.writerow([name, record_hash(data), len(data)])
    writer.writerow([new_info + "RECORD", "", ""])
    files[new_info + "RECORD"] = record.getvalue().encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out


def install_with_pip_from_wheel(env_dir, wheel, *extra):
    """Installs a wheel into a venv with pip running from the embedded wheel itself (pip's
    documented `python pip.whl/pip install` mode), independent of ensurepip."""
    subprocess.run([str(venv_python(env_dir)), os.path.join(WHEEL, "pip"), "install", "--no-index",
                    "--no-deps", "--disable-pip-version-check", "-q", *extra, wheel],
                   check=True, env={"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": os.devnull})


@pytest.fixture(scope="session")
def pip_install_template(tmp_path_factory):
    """pip_install_template(version) -> a venv into which pip itself installed the embedded
    wheel relabelled as that version (rewrite_wheel). Made once per session, never changed:
    tests copy it with clone_pip_install() instead of paying for a pip run each."""
    cache = {}

    def make(version):
        if version not in cache:
            base = tmp_path_factory.mktemp(f"pip-{version}-template")
            wheel = WHEEL if version == PIP_VERSION else rewrite_wheel(WHEEL, base, version=version)
            env_dir = make_venv(base / "venv")
            install_with_pip_from_wheel(env_dir, wheel)
            cache[version] = env_dir
        return cache[version]
    return make


def clone_pip_install(template, env_dir, root=None):
    """Puts into env_dir (under root + env_dir's path if root is given, as `pip install --root`
    would) what pip installed into the template venv: pip's package, its dist-info and its
    scripts, with the scripts' shebang (and their RECORD rows) naming env_dir's python. Only the
    .pyc keep naming the template's sources (what a traceback would show)."""
    src_site = site_packages(template)
    dest_env = env_dir if root is None else type(env_dir)(str(root) + str(env_dir))
    dest_site = site_packages(dest_env)
    (dest_env / "bin").mkdir(parents=True, exist_ok=True)
    dest_site.mkdir(parents=True, exist_ok=True)
    infos = []
    for name in os.listdir(src_site):
        if name == "pip" or (name.startswith("pip-") and name.endswith(".dist-info")):
            shutil.copytree(src_site / name, dest_site / name, symlinks=True)
            if name.endswith(".dist-info"):
                infos.append(name)
    old, new = str(venv_python(template)).encode(), str(venv_python(env_dir)).encode()
    rehashed = {}
    for name in pip_scripts(template):
        data = (template / "bin" / name).read_bytes().replace(old, new)
        (dest_env / "bin" / name).write_bytes(data)
        os.chmod(dest_env / "bin" / name, stat.S_IMODE(os.stat(template / "bin" / name).st_mode))
        rehashed[name] = data
    for info in infos:
        record = dest_site / info / "RECORD"
        rows = list(csv.reader(io.StringIO(record.read_text())))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            path = os.path.normpath(os.path.join(str(dest_site), row[0]))
            if os.path.dirname(path) == str(dest_env / "bin") and os.path.basename(path) in rehashed:
                data = rehashed[os.path.basename(path)]
                row = [row[0], record_hash(data), str(len(data))]
            writer.writerow(row)
        record.write_text(out.getvalue())
    return env_dir
@pytest.fixture
def older_pip_venv(venv, pip_install_template):
    """A venv holding pip 1.0 (the embedded pip's code under an older version number), as pip
    itself installs it (pip, pip3, pip3.X scripts; copied from a session-wide template)."""
    clone_pip_install(pip_install_template("1.0"), venv)
    return venv
# --- helpers for test_cli.py and test_install.py ------------------------------------------------
@pytest.fixture
def run_clean(run, tmpdir_for_run):
    """run(), then check that the run (successful or not) left its TMPDIR empty."""
    def runner(*args, **kwargs):
        result = run(*args, **kwargs)
        left = sorted(os.listdir(tmpdir_for_run))
        assert left == [], (f"ensurepip {list(map(str, args))} left {left} in TMPDIR "
                            f"(exit {result.returncode})\nstderr: {result.stderr}")
        return result
    return runner
def make_fake_venv(path, version="3.99.0"):
    """A directory that looks like a venv of another Python version: pyvenv.cfg naming that
    version, and a bin/python (which is not that Python: nothing may run it)."""
    (path / "bin").mkdir(parents=True)
    major_minor = ".".join(version.split(".")[:2])
    (path / "pyvenv.cfg").write_text(f"home = /opt/python{major_minor}/bin\n"
                                     "include-system-site-packages = false\n"
                                     f"version = {version}\n")
    python = path / "bin" / "python"
    python.write_text("#!/bin/sh\necho 'this fake python must not run' >&2\nexit 99\n")
    python.chmod(0o755)
    return path
def pip_dist_infos(directory):
    """Names of the pip-*.dist-info directories in a site-packages."""
    if not os.path.isdir(directory):
        return []
    return sorted(n for n in os.listdir(directory) if n.startswith("pip-") and n.endswith(".dist-info"))
def shebang(path):
    with open(path, "rb") as f:
        return f.readline().rstrip(b"\n").decode()
def files_containing(root, needle):
    """Files (any type, .pyc included) under root whose bytes contain needle (bytes)."""
    found = []
    for directory, _subdirs, files in os.walk(str(root)):
        for name in files:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                if needle in os.readlink(path).encode():
                    found.append(path)
                continue
            with open(path, "rb") as f:
                if needle in f.read():
                    found.append(path)
    return sorted(found)
def all_files(root):
    """Every non-directory under root, as absolute paths."""
    out = []
    for directory, _subdirs, files in os.walk(str(root)):
        out.extend(os.path.join(directory, name) for name in files)
    return sorted(out)
def check_record(site, dist_info):
    """Checks a pip dist-info's RECORD against the files on disk: every row's file exists, its
    size and sha256 match (rows with an empty hash, RECORD itself and pip's .pyc, only need to
    exist), and every file of the pip and dist-info directories is listed. Returns the set of
    absolute paths RECORD lists."""
    site = str(site)
    with open(os.path.join(site, dist_info, "RECORD"), newline="") as f:
        rows = list(csv.reader(f))
    listed = set()
    problems = []
    for row in rows:
        assert len(row) == 3, f"malformed RECORD row {row!r}"
        name, digest, size = row
        path = os.path.normpath(os.path.join(site, name))
        listed.add(path)
        if not os.path.isfile(path):
            problems.append(f"listed but missing: {name}")
            continue
        if digest:
            with open(path, "rb") as fh:
                data = fh.read()
            if record_hash(data) != digest:
                problems.append(f"hash mismatch: {name}")
            if size and int(size) != len(data):
                problems.append(f"size mismatch: {name}")
        elif not (name.endswith(".pyc") or name == f"{dist_info}/RECORD"):
            problems.append(f"no hash for {name}")
    for top in ("pip", dist_info):
        for path in all_files(os.path.join(site, top)):
            if os.path.normpath(path) not in listed:
                problems.append(f"installed but not in RECORD: {os.path.relpath(path, site)}")
    assert problems == [], "\n".join(problems[:30])
    return listed
_INSPECT_PYC = r"""
import importlib.util, json, marshal, os, sys
out = {}
for source in json.load(sys.stdin):
    pyc = importlib.util.cache_from_source(source)
    if not os.path.isfile(pyc):
        out[source] = None
        continue
    with open(pyc, "rb") as f:
        data = f.read()
    with open(source, "rb") as f:
        source_bytes = f.read()
    st = os.stat(source)
    flags = int.from_bytes(data[4:8], "little")
    if flags == 0:
        fresh = (int.from_bytes(data[8:12], "little") == int(st.st_mtime) & 0xFFFFFFFF
                 and int.from_bytes(data[12:16], "little") == st.st_size & 0xFFFFFFFF)
    else:
        fresh = data[8:16] == importlib.util.source_hash(source_bytes)
    names = set()
    def walk(code):
        names.add(code.co_filename)
        for const in code.co_consts:
            if hasattr(const, "co_filename"):
                walk(const)
    walk(marshal.loads(data[16:]))
    out[source] = {"pyc": pyc, "magic": data[:4] == importlib.util.MAGIC_NUMBER, "flags": flags,
                   "fresh": fresh, "filenames": sorted(names)}
json.dump(out, sys.stdout)
"""


def inspect_bytecode(sources):
    """For each .py path, what the build's own Python (whose bytecode format and cache tag the
    .pyc files have) sees of its .pyc: None if there is none, else its path, whether the magic
    is its own, the flags, whether the header matches the source, and every co_filename."""
    import json

    result = subprocess.run([PYTHON, "-I", "-c", _INSPECT_PYC], input=json.dumps(list(map(str, sources))),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def check_bytecode(site, final_site=None):
    """Every .py of the installed pip has its .pyc, which Python will use as it is (its header
    matches the source beside it) and whose code names the source by the path it will have on
    the final system (final_site instead of site, for --root). Returns the number of .pyc."""
    site, final_site = str(site), str(final_site or site)
    problems, count = [], 0
    sources = [p for p in all_files(os.path.join(site, "pip")) if p.endswith(".py")]
    for source, seen in inspect_bytecode(sources).items():
        if seen is None:
            problems.append(f"no .pyc for {source}")
            continue
        count += 1
        if not seen["magic"]:
            problems.append(f"bad magic: {seen['pyc']}")
            continue
        if not seen["fresh"]:
            problems.append(f"stale {'timestamp' if seen['flags'] == 0 else 'hash'} header: {seen['pyc']}")
        want = os.path.join(final_site, os.path.relpath(source, site))
        if seen["filenames"] != [want]:
            problems.append(f"{seen['pyc']} names {seen['filenames']}, not {want}")
    assert problems == [], "\n".join(problems[:20])
    return count

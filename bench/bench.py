"""Benchmark: this ensurepip against its peers, on fresh targets, alternating, in one run.

usage: python3 bench/bench.py [--build [LABEL=]DIR]... [--rounds N] [--json FILE] [--quick]
                              [--installer DIR]

DIR is a configured and built tree (default: ./build, as tools/demo.sh makes it); the benchmark
uses its ensurepip, its wheels (wheels/pip-*.whl, and wheels/setuptools-*.whl where the build
embeds setuptools, as for 3.11 and older) and the Python it was configured with, so it
runs for any CPython of the matrix: Debian 12's python3.11, a pyenv build (configure
--with-python=$(pyenv prefix 3.13.0)/bin/python3.13), or Debian testing's python3.15 in a root
made as tests/debian-testing.sh makes it (build inside the root, run this file there by chroot,
with /proc mounted). Every round runs every case once, in a rotated order, each on a target
made just before, after a sync (neither timed). Targets are kept until the run ends (then the
work directory goes, about 3 GB after 7 rounds): ext4 passes over inodes freed in the last 60 to
300 seconds when it allocates new ones, so deleting each target before the next case made every
file the next case created slower (perf: find_inode_bit in recently_deleted; on this project's
VM, unzip of both wheels 0.13 s alone, 0.7 s in the benchmark's rhythm), a cost the benchmark
made, the same for every case, which hid the differences between them. It prints medians,
min-max and peak RSS, the ratios of ours to each peer, the targets of issue 13 and whether each
is met, throughput with 1, 2, 4 and 8 targets at once, and how time depends on the number of
CPUs; the same figures go to FILE as JSON (default: the first DIR's bench.json).

--build given more than once puts each build's own cases ("ours ... [LABEL]", LABEL defaulting
to DIR's name) into the same rounds, for a before/after comparison on one machine at one time;
the builds must be configured with the same Python, and the peers use the first build's wheels.

Every peer does the work ours does: where the build embeds setuptools, pip from its wheel
installs setuptools and pip (as python -m ensurepip does), and pypa/installer and unzip take
both wheels, one after the other (one shell, `&&`).

pypa/installer (what Yocto and Buildroot install wheels with) is taken from Debian's
python3-installer (--installer, default /usr/lib/python3/dist-packages/installer). It is pure
Python: its package directory alone is copied to a temporary directory and that directory is
the only PYTHONPATH of the run, so the same copy runs under any Python of the matrix without
Debian's other dist-packages. Without it, its cases are left out (and the report says so).

Cases (name: what runs):
  ours                  ensurepip --python VENV
  ours --no-compile     ensurepip --python VENV --no-compile
  ours --root           ensurepip --python PYTHON --root DIR (an empty directory)
  ours --root --no-compile
  pypa/installer        PYTHON -m installer --destdir DIR --prefix /usr/local --compile-bytecode 0
                        WHEEL, for each wheel (level 0 only: the same .pyc files as ours, and what Yocto's
                        python_pep517 class asks for; installer's default adds level 1)
  pypa/installer --no-compile-bytecode
  python -m ensurepip   VENV/bin/python -m ensurepip (pip, and setuptools before 3.12)
  pip from its wheel    VENV/bin/python WHEEL/pip install --no-cache-dir --no-index --find-links DIR
                        [setuptools] pip
  ... --no-compile      the same with --no-compile
  virtualenv            virtualenv -p PYTHON --seeder app-data --no-setuptools --no-wheel
                        --no-periodic-update (only when virtualenv is installed; the first,
                        cache-warming run is not timed)
  floor: unzip          unzip -q WHEEL -d DIR, for each wheel
  floor: compileall     python -m compileall -q -j0 on the unpacked wheels
  --version             of ours, of python -m ensurepip, of pip from its wheel
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DEFAULT_INSTALLER = "/usr/lib/python3/dist-packages/installer"

# Issue 13's targets: (name, ours, peer, at least this many times faster); and the floor's.
SPEEDUP_TARGETS = [
    ("ours >= 4x faster than pip installing its own wheel", "ours", "pip from its wheel", 4.0),
    ("ours >= 5x faster than python -m ensurepip", "ours", "python -m ensurepip", 5.0),
    ("--root >= 2x faster than pypa/installer (bytecode)", "ours --root", "pypa/installer", 2.0),
]
FLOOR_TARGET = 3.0  # ours --no-compile within this many times unzip's time
FLOOR_TARGET_FROM = (3, 15)  # the floor's target applies from this Python on


def run_timed(cmd, env=None, cwd=None):
    """(seconds, peak RSS in KiB) of a command and all it waited for; raises if it fails.
    The filesystems are synced first (untimed): no case pays for writing back what the one
    before it left dirty (ensurepip's commit flushes its filesystem, the others do not)."""
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}): {stderr.strip()[-500:]}")
    return elapsed, usage.ru_maxrss


def configured_python(build):
    makefile = open(os.path.join(build, "Makefile"), encoding="utf-8").read()
    return re.search(r"^PYTHON = (.*)$", makefile, re.M).group(1).strip()


class Case:
    """A command on a fresh target: "venv" (made by venv --without-pip), "dir" (an empty
    directory), "new" (a path that does not exist yet) or None (no target)."""

    def __init__(self, command, target="venv", env=None):
        self.command, self.target, self.env = command, target, env


class Bench:
    def __init__(self, builds, workdir, installer):
        self.builds = []  # (suffix of the case names, ensurepip)
        self.notes = []
        for spec in builds:
            label, _, path = spec.rpartition("=")
            path = os.path.abspath(path)
            ensurepip = os.path.join(path, "ensurepip")
            wheels = glob.glob(os.path.join(path, "wheels", "pip-*.whl"))
            setuptools = glob.glob(os.path.join(path, "wheels", "setuptools-*.whl"))
            if not os.access(ensurepip, os.X_OK) or len(wheels) != 1:
                sys.exit(f"bench: {path} has no built ensurepip and wheels/pip-*.whl: build first "
                         "(sh tools/demo.sh, or configure && make)")
            if not self.builds:
                self.build, self.wheel, self.python = path, wheels[0], configured_python(path)
                self.wheels = setuptools + wheels  # ensurepip's order: setuptools, then pip
            elif configured_python(path) != self.python:
                sys.exit(f"bench: {path} is configured with {configured_python(path)}, not {self.python}: "
                         "compare builds of one Python")
            suffix = f" [{label or os.path.basename(path)}]" if len(builds) > 1 else ""
            self.builds.append((suffix, ensurepip))
        self.version = subprocess.run([self.python, "-c", "import platform; print(platform.python_version())"],
                                      capture_output=True, text=True, check=True).stdout.strip()
        self.workdir = workdir
        self.counter = 0
        self.links = os.path.join(workdir, "links")
        os.makedirs(self.links)
        for wheel in self.wheels:
            shutil.copy(wheel, self.links)
        self.projects = [os.path.basename(w).split("-")[0] for w in self.wheels]
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PIP_", "PYTHON")) and k != "VIRTUAL_ENV"}
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        # A private TMPDIR: what the runs leave there is theirs alone, whatever else cleans /tmp.
        self.env["TMPDIR"] = os.path.join(workdir, "tmp")
        os.mkdir(self.env["TMPDIR"])
        self.installer_env, self.installer_version = self.private_installer(installer)

    def private_installer(self, package):
        """(environment, version) to run pypa/installer's copy under this Python, or (None, None)."""
        if not os.path.isfile(os.path.join(package, "__main__.py")):
            self.notes.append(f"pypa/installer: not found at {package} (apt-get install python3-installer)")
            return None, None
        path = os.path.join(self.workdir, "installer-path")
        shutil.copytree(package, os.path.join(path, "installer"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        env = dict(self.env, PYTHONPATH=path)
        probe = subprocess.run([self.python, "-c", "import installer, sys; print(installer.__version__)"],
                               env=env, capture_output=True, text=True)
        usage = subprocess.run([self.python, "-m", "installer", "--help"], env=env, capture_output=True, text=True)
        if probe.returncode != 0 or "--no-compile-bytecode" not in usage.stdout:
            self.notes.append(f"pypa/installer from {package} does not run under {self.python} "
                              f"with --no-compile-bytecode: {(probe.stderr or usage.stderr).strip()[-200:]}")
            return None, None
        # Compile the copy once, untimed, as Debian's package is compiled when installed.
        subprocess.run([self.python, "-m", "compileall", "-q", path], check=True, stdout=subprocess.DEVNULL)
        return env, probe.stdout.strip()

    def fresh(self, kind="venv"):
        self.counter += 1
        path = os.path.join(self.workdir, f"{kind}{self.counter}")
        if kind == "venv":
            subprocess.run([self.python, "-m", "venv", "--without-pip", path], check=True)
        elif kind == "dir":
            os.mkdir(path)
        return path

    def cases(self, quick):
        pip_from_wheel = lambda venv, *extra: [os.path.join(venv, "bin", "python"), os.path.join(self.wheel, "pip"),
                                               "install", "--no-cache-dir", "--no-index", "--find-links", self.links,
                                               "-q", *extra, *self.projects]
        installer = lambda d, *compile_: each_wheel(
            [self.python, "-m", "installer", "--destdir", d, "--prefix", "/usr/local", *compile_])
        each_wheel = lambda command, *after: ["sh", "-c", " && ".join(
            shlex.join(command + [wheel, *after]) for wheel in self.wheels)]
        cases = {}
        for suffix, ensurepip in self.builds:
            cases["ours" + suffix] = Case(lambda venv, e=ensurepip: [e, "--python", venv])
            cases["ours --no-compile" + suffix] = Case(lambda venv, e=ensurepip: [e, "--python", venv, "--no-compile"])
            cases["ours --root" + suffix] = Case(lambda d, e=ensurepip: [e, "--python", self.python, "--root", d],
                                                 target="dir")
            cases["ours --root --no-compile" + suffix] = Case(
                lambda d, e=ensurepip: [e, "--python", self.python, "--root", d, "--no-compile"], target="dir")
        if self.installer_env:
            cases["pypa/installer"] = Case(lambda d: installer(d, "--compile-bytecode", "0"), "dir", self.installer_env)
            cases["pypa/installer --no-compile-bytecode"] = Case(lambda d: installer(d, "--no-compile-bytecode"),
                                                                 "dir", self.installer_env)
        cases["pip from its wheel"] = Case(lambda venv: pip_from_wheel(venv))
        cases["pip from its wheel --no-compile"] = Case(lambda venv: pip_from_wheel(venv, "--no-compile"))
        cases["floor: unzip"] = Case(lambda d: each_wheel(["unzip", "-q", "-o"], "-d", d), target="new")
        if self.has_stdlib_ensurepip():
            cases["python -m ensurepip"] = Case(lambda venv: [os.path.join(venv, "bin", "python"), "-m", "ensurepip"])
        if shutil.which("virtualenv") and not quick:
            cases["virtualenv app-data"] = Case(
                lambda d: ["virtualenv", "-p", self.python, "--seeder", "app-data", "--no-setuptools", "--no-wheel",
                           "--no-periodic-update", "-q", "--app-data", os.path.join(self.workdir, "app-data"), d],
                target="new")
        return cases

    def has_stdlib_ensurepip(self):
        venv = self.fresh()
        probe = subprocess.run([os.path.join(venv, "bin", "python"), "-c", "import ensurepip; ensurepip.version()"],
                               capture_output=True)
        return probe.returncode == 0

    def compileall_floor(self):
        unpacked = self.fresh("unpacked")
        for wheel in self.wheels:
            subprocess.run(["unzip", "-q", "-o", wheel, "-d", unpacked], check=True)
        return run_timed([self.python, "-m", "compileall", "-q", "-j0", unpacked])

    def version_cases(self):
        venv = self.fresh()
        cases = {f"ours --version{suffix}": [ensurepip, "--version"] for suffix, ensurepip in self.builds}
        cases["pip from its wheel --version"] = [os.path.join(venv, "bin", "python"), os.path.join(self.wheel, "pip"),
                                                 "--version"]
        if self.has_stdlib_ensurepip():
            cases["python -m ensurepip --version"] = [os.path.join(venv, "bin", "python"), "-m", "ensurepip", "--version"]
        return venv, cases


def summarize(samples):
    times = [t for t, _rss in samples]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "peak_rss_kib": max(rss for _t, rss in samples), "runs": len(times)}


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()}, {os.cpu_count()} CPUs ({model})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="append", help="[LABEL=]DIR, repeatable (default: build)")
    parser.add_argument("--rounds", type=int, help="rounds (default 7, with --quick 3)")
    parser.add_argument("--json")
    parser.add_argument("--installer", default=DEFAULT_INSTALLER, help="pypa/installer's package directory")
    parser.add_argument("--quick", action="store_true", help="3 rounds unless --rounds says, no virtualenv, no concurrency sweep")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    workdir = tempfile.mkdtemp(prefix="bench-of-ensurepip-")
    try:
        bench = Bench(args.build or ["build"], workdir, args.installer)
        results = measure(bench, rounds, args.quick)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(bench, results)
    path = args.json or os.path.join(bench.build, "bench.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"\nJSON: {path}")


def measure(bench, rounds, quick):
    cases = bench.cases(quick)
    names = list(cases)
    load_before = os.getloadavg()
    if "virtualenv app-data" in cases:  # warm its app-data cache, untimed
        target = bench.fresh("env")
        run_timed(cases["virtualenv app-data"].command(target))
    samples = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # alternate who goes first
        for name in order:
            case = cases[name]
            target = bench.fresh(case.target)
            samples[name].append(run_timed(case.command(target), env=case.env or bench.env))
    samples["floor: compileall -j0"] = [bench.compileall_floor() for _ in range(rounds)]
    venv, versions = bench.version_cases()
    for name in versions:
        samples[name] = []
    for _ in range(rounds * 2):
        for name, cmd in versions.items():
            samples[name].append(run_timed(cmd, env=bench.env))

    pip_version = re.match(r"pip-([^-]+)-", os.path.basename(bench.wheel)).group(1)
    results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": machine(), "python": bench.python, "python_version": bench.version,
               "wheel": ", ".join(map(os.path.basename, bench.wheels)), "pip_version": pip_version,
               "installer_version": bench.installer_version, "notes": bench.notes,
               "builds": {suffix.strip(" []") or "ours": e for suffix, e in bench.builds},
               "cpus": os.cpu_count(), "rounds": rounds, "load_average_before": load_before,
               "cases": {n: summarize(s) for n, s in samples.items()}}
    if not quick:
        results["concurrency"] = concurrency(bench)
        results["cpus_used"] = cpu_scaling(bench, rounds)
    results["load_average_after"] = os.getloadavg()
    return results


def concurrency(bench):
    """Targets per second with 1, 2, 4 and 8 bootstraps running at once, each its own venv."""
    ensurepip = bench.builds[0][1]
    out = {}
    for n in (1, 2, 4, 8):
        venvs = [bench.fresh() for _ in range(n)]
        start = time.perf_counter()
        procs = [subprocess.Popen([ensurepip, "--python", v], stdout=subprocess.DEVNULL, env=bench.env)
                 for v in venvs]
        if any(p.wait() != 0 for p in procs):
            raise RuntimeError("a concurrent bootstrap failed")
        wall = time.perf_counter() - start
        out[str(n)] = {"wall_s": wall, "targets_per_s": n / wall}
    return out


def cpu_scaling(bench, rounds):
    """Ours with 1 CPU and with all, and the compileall floor with -j1 and -j0: ours ships its
    bytecode built, so it should not care; compiling does."""
    if shutil.which("taskset") is None:
        return {}
    ensurepip = bench.builds[0][1]
    out = {}
    for label, prefix in (("ours, 1 cpu", ["taskset", "-c", "0"]), ("ours, all cpus", [])):
        times = []
        for _ in range(rounds):
            venv = bench.fresh()
            times.append(run_timed(prefix + [ensurepip, "--python", venv], env=bench.env)[0])
        out[label] = statistics.median(times)
    for jobs in ("1", "0"):
        times = []
        for _ in range(rounds):
            unpacked = bench.fresh("unpacked")
            for wheel in bench.wheels:
                subprocess.run(["unzip", "-q", "-o", wheel, "-d", unpacked], check=True)
            times.append(run_timed([bench.python, "-m", "compileall", "-q", f"-j{jobs}", unpacked])[0])
        out[f"compileall -j{jobs}"] = statistics.median(times)
    return out


def targets(results, suffix):
    """Issue 13's targets for one build: [(target, measured, met or None when it does not apply)]."""
    cases = results["cases"]
    out = []
    for name, mine, peer, at_least in SPEEDUP_TARGETS:
        if mine + suffix in cases and peer in cases:
            ratio = cases[peer]["median_s"] / cases[mine + suffix]["median_s"]
            out.append((name, f"{ratio:.1f}x", ratio >= at_least))
        else:
            out.append((name, "not measured", None))
    within = cases["ours --no-compile" + suffix]["median_s"] / cases["floor: unzip"]["median_s"]
    applies = tuple(map(int, results["python_version"].split(".")[:2])) >= FLOOR_TARGET_FROM
    out.append((f"--no-compile within {FLOOR_TARGET:g}x of unzip (target on 3.15)", f"{within:.2f}x",
                within <= FLOOR_TARGET if applies else None))
    return out


def report(bench, results):
    cases = results["cases"]
    print(f"{results['date']}, {results['machine']}\nPython {results['python_version']} ({results['python']}), "
          f"{results['wheel']}, pypa/installer {results['installer_version'] or 'absent'}, "
          f"{results['rounds']} rounds, load average {results['load_average_before'][0]:.2f} before, "
          f"{results['load_average_after'][0]:.2f} after; medians:\n")
    for note in results["notes"]:
        print(f"note: {note}")
    print("| case | median | min-max | peak RSS |\n|---|---|---|---|")
    for name, c in cases.items():
        print(f"| {name} | {c['median_s']:.3f} s | {c['min_s']:.3f}-{c['max_s']:.3f} s "
              f"| {c['peak_rss_kib'] / 1024:.1f} MB |")
    results["ratios"] = {}
    results["targets"] = {}
    for suffix, _ensurepip in bench.builds:
        ratios = {}
        lines = [("pip from its wheel", "ours"), ("pip from its wheel --no-compile", "ours --no-compile"),
                 ("python -m ensurepip", "ours"), ("virtualenv app-data", "ours"),
                 ("pypa/installer", "ours --root"), ("pypa/installer --no-compile-bytecode", "ours --root --no-compile"),
                 ("pip from its wheel --version", "ours --version"),
                 ("python -m ensurepip --version", "ours --version")]
        print(f"\nratios (peer time / ours{suffix}):")
        for peer, mine in lines:
            if peer in cases:
                ratios[f"{peer} / {mine}"] = cases[peer]["median_s"] / cases[mine + suffix]["median_s"]
                print(f"  {peer:38} / {mine:26} {ratios[f'{peer} / {mine}']:6.1f}x")
        within = cases["ours --no-compile" + suffix]["median_s"] / cases["floor: unzip"]["median_s"]
        print(f"  {'ours --no-compile / floor: unzip':65} {within:6.2f}x (lower is better)")
        ratios["ours --no-compile / floor: unzip"] = within
        results["ratios"][suffix.strip(" []") or "ours"] = ratios
        print(f"targets (issue 13), ours{suffix}:")
        checked = targets(results, suffix)
        for name, measured, met in checked:
            verdict = "does not apply" if met is None and measured != "not measured" else \
                ("met" if met else "NOT MET") if met is not None else "-"
            print(f"  {name:62} {measured:>12}  {verdict}")
        results["targets"][suffix.strip(" []") or "ours"] = [
            {"target": n, "measured": m, "met": met} for n, m, met in checked]
    if "concurrency" in results:
        print("\nconcurrent targets: " + ", ".join(
            f"{n}: {c['targets_per_s']:.2f}/s ({c['wall_s']:.2f}s)" for n, c in results["concurrency"].items()))
    if results.get("cpus_used"):
        print("CPUs used: " + ", ".join(f"{k} {v:.3f}s" for k, v in results["cpus_used"].items()))


if __name__ == "__main__":
    main()

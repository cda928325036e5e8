"""Benchmark: this ensurepip against its peers, on fresh targets, alternating, in one run.

usage: python3 bench/bench.py [--build DIR] [--rounds N] [--json FILE] [--quick]

DIR is a configured and built tree (default: ./build, as tools/demo.sh makes it); the benchmark
uses its ensurepip, its wheel (wheels/pip-*.whl) and the Python it was configured with, so it
works for any CPython the project builds against. Every round runs every case once, in a rotated
order, each on a target made just before, after a sync (neither timed). It prints medians, min-max and peak RSS,
the ratios of ours to each peer, throughput with 1, 2, 4 and 8 targets at once, and how time
depends on the number of CPUs; the same figures go to FILE as JSON (default DIR/bench.json).

Cases (name: what runs):
  ours                  ensurepip --python VENV
  ours --no-compile     ensurepip --python VENV --no-compile
  python -m ensurepip   VENV/bin/python -m ensurepip (pip, and setuptools before 3.12)
  pip from its wheel    VENV/bin/python WHEEL/pip install --no-cache-dir --no-index --find-links DIR pip
  ... --no-compile      the same with --no-compile
  virtualenv            virtualenv --seeder app-data --no-setuptools --no-wheel --no-periodic-update
                        (only when virtualenv is installed; the first, cache-warming run is not timed)
  floor: unzip          unzip -q WHEEL -d DIR
  floor: compileall     python -m compileall -q -j0 on the unpacked wheel
  --version             of ours, of python -m ensurepip, of pip from its wheel
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


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


class Bench:
    def __init__(self, build, workdir):
        self.build = os.path.abspath(build)
        self.ensurepip = os.path.join(self.build, "ensurepip")
        wheels = glob.glob(os.path.join(self.build, "wheels", "pip-*.whl"))
        if not os.access(self.ensurepip, os.X_OK) or len(wheels) != 1:
            sys.exit(f"bench: {self.build} has no built ensurepip and wheels/pip-*.whl: build first "
                     "(sh tools/demo.sh, or configure && make)")
        self.wheel = wheels[0]
        makefile = open(os.path.join(self.build, "Makefile"), encoding="utf-8").read()
        self.python = re.search(r"^PYTHON = (.*)$", makefile, re.M).group(1).strip()
        self.version = subprocess.run([self.python, "-c", "import platform; print(platform.python_version())"],
                                      capture_output=True, text=True, check=True).stdout.strip()
        self.workdir = workdir
        self.counter = 0
        self.links = os.path.join(workdir, "links")
        os.makedirs(self.links)
        shutil.copy(self.wheel, self.links)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "VIRTUAL_ENV"}
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    def fresh(self, kind="venv"):
        self.counter += 1
        path = os.path.join(self.workdir, f"{kind}{self.counter}")
        if kind == "venv":
            subprocess.run([self.python, "-m", "venv", "--without-pip", path], check=True)
        return path

    def cleanup(self, path):
        shutil.rmtree(path, ignore_errors=True)

    # Each case: prepare (untimed) -> command to time.
    def cases(self, quick):
        pip_from_wheel = lambda venv, *extra: [os.path.join(venv, "bin", "python"), os.path.join(self.wheel, "pip"),
                                               "install", "--no-cache-dir", "--no-index", "--find-links", self.links,
                                               "-q", *extra, "pip"]
        cases = {
            "ours": lambda venv: [self.ensurepip, "--python", venv],
            "ours --no-compile": lambda venv: [self.ensurepip, "--python", venv, "--no-compile"],
            "pip from its wheel": lambda venv: pip_from_wheel(venv),
            "pip from its wheel --no-compile": lambda venv: pip_from_wheel(venv, "--no-compile"),
            "floor: unzip": lambda d: ["unzip", "-q", self.wheel, "-d", d],
        }
        if self.has_stdlib_ensurepip():
            cases["python -m ensurepip"] = lambda venv: [os.path.join(venv, "bin", "python"), "-m", "ensurepip"]
        if shutil.which("virtualenv") and not quick:
            cases["virtualenv app-data"] = lambda d: ["virtualenv", "--seeder", "app-data", "--no-setuptools",
                                                      "--no-wheel", "--no-periodic-update", "-q",
                                                      "--app-data", os.path.join(self.workdir, "app-data"), d]
        return cases

    def has_stdlib_ensurepip(self):
        venv = self.fresh()
        try:
            probe = subprocess.run([os.path.join(venv, "bin", "python"), "-c", "import ensurepip; ensurepip.version()"],
                                   capture_output=True)
            return probe.returncode == 0
        finally:
            self.cleanup(venv)

    def target_for(self, name):
        if name.startswith("floor: unzip"):
            path = self.fresh("dir")
            return path, path
        if name.startswith("virtualenv"):
            return self.fresh("env"), None
        venv = self.fresh()
        return venv, venv

    def compileall_floor(self):
        unpacked = self.fresh("unpacked")
        subprocess.run(["unzip", "-q", self.wheel, "-d", unpacked], check=True)
        try:
            return run_timed([self.python, "-m", "compileall", "-q", "-j0", unpacked])
        finally:
            self.cleanup(unpacked)

    def version_cases(self):
        venv = self.fresh()
        cases = {"ours --version": [self.ensurepip, "--version"],
                 "pip from its wheel --version": [os.path.join(venv, "bin", "python"), os.path.join(self.wheel, "pip"),
                                                  "--version"]}
        if self.has_stdlib_ensurepip():
            cases["python -m ensurepip --version"] = [os.path.join(venv, "bin", "python"), "-m", "ensurepip", "--version"]
        return venv, cases


def summarize(samples):
    times = [t for t, _rss in samples]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "peak_rss_kib": max(rss for _t, rss in samples), "runs": len(times)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    parser.add_argument("--quick", action="store_true", help="3 rounds, no virtualenv, no concurrency sweep")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    workdir = tempfile.mkdtemp(prefix="ensurepip-bench-")
    try:
        bench = Bench(args.build, workdir)
        results = measure(bench, rounds, args.quick)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(results)
    path = args.json or os.path.join(bench.build, "bench.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"\nJSON: {path}")


def measure(bench, rounds, quick):
    cases = bench.cases(quick)
    names = list(cases)
    if "virtualenv app-data" in cases:  # warm its app-data cache, untimed
        target, _ = bench.target_for("virtualenv app-data")
        run_timed(cases["virtualenv app-data"](target))
        bench.cleanup(target)
    samples = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # alternate who goes first
        for name in order:
            target, arg = bench.target_for(name)
            samples[name].append(run_timed(cases[name](arg if arg else target), env=bench.env))
            bench.cleanup(target)
    samples["floor: compileall -j0"] = [bench.compileall_floor() for _ in range(rounds)]
    venv, versions = bench.version_cases()
    for name in versions:
        samples[name] = []
    for _ in range(rounds * 2):
        for name, cmd in versions.items():
            samples[name].append(run_timed(cmd, env=bench.env))
    bench.cleanup(venv)

    results = {"python": bench.python, "python_version": bench.version, "wheel": os.path.basename(bench.wheel),
               "cpus": os.cpu_count(), "rounds": rounds, "cases": {n: summarize(s) for n, s in samples.items()}}
    if not quick:
        results["concurrency"] = concurrency(bench)
        results["cpus_used"] = cpu_scaling(bench, rounds)
    return results


def concurrency(bench):
    """Targets per second with 1, 2, 4 and 8 bootstraps running at once, each its own venv."""
    out = {}
    for n in (1, 2, 4, 8):
        venvs = [bench.fresh() for _ in range(n)]
        start = time.perf_counter()
        procs = [subprocess.Popen([bench.ensurepip, "--python", v], stdout=subprocess.DEVNULL, env=bench.env)
                 for v in venvs]
        if any(p.wait() != 0 for p in procs):
            raise RuntimeError("a concurrent bootstrap failed")
        wall = time.perf_counter() - start
        out[str(n)] = {"wall_s": wall, "targets_per_s": n / wall}
        for v in venvs:
            bench.cleanup(v)
    return out


def cpu_scaling(bench, rounds):
    """Ours with 1 CPU and with all, and the compileall floor with -j1 and -j0: ours ships its
    bytecode built, so it should not care; compiling does."""
    if shutil.which("taskset") is None:
        return {}
    out = {}
    for label, prefix in (("ours, 1 cpu", ["taskset", "-c", "0"]), ("ours, all cpus", [])):
        times = []
        for _ in range(rounds):
            venv = bench.fresh()
            times.append(run_timed(prefix + [bench.ensurepip, "--python", venv], env=bench.env)[0])
            bench.cleanup(venv)
        out[label] = statistics.median(times)
    for jobs in ("1", "0"):
        times = []
        for _ in range(rounds):
            unpacked = bench.fresh("unpacked")
            subprocess.run(["unzip", "-q", bench.wheel, "-d", unpacked], check=True)
            times.append(run_timed([bench.python, "-m", "compileall", "-q", f"-j{jobs}", unpacked])[0])
            bench.cleanup(unpacked)
        out[f"compileall -j{jobs}"] = statistics.median(times)
    return out


def report(results):
    cases = results["cases"]
    print(f"Python {results['python_version']} ({results['python']}), {results['wheel']}, "
          f"{results['cpus']} CPUs, {results['rounds']} rounds, medians:\n")
    print(f"{'case':36} {'median':>8} {'min-max':>15} {'peak RSS':>10}")
    for name, c in cases.items():
        print(f"{name:36} {c['median_s']:7.3f}s {c['min_s']:6.3f}-{c['max_s']:<6.3f}s "
              f"{c['peak_rss_kib'] / 1024:8.1f}MB")
    ours, ours_nc, ours_v = cases["ours"], cases["ours --no-compile"], cases["ours --version"]
    print("\nratios (peer time / ours):")
    lines = [("pip from its wheel", ours), ("pip from its wheel --no-compile", ours_nc),
             ("python -m ensurepip", ours), ("virtualenv app-data", ours),
             ("pip from its wheel --version", ours_v), ("python -m ensurepip --version", ours_v)]
    ratios = {}
    for peer, mine in lines:
        if peer in cases:
            ratios[peer] = cases[peer]["median_s"] / mine["median_s"]
            print(f"  {peer:36} {ratios[peer]:6.1f}x")
    within = ours_nc["median_s"] / cases["floor: unzip"]["median_s"]
    print(f"  ours --no-compile / floor: unzip      {within:6.2f}x (lower is better)")
    ratios["ours --no-compile / floor: unzip"] = within
    results["ratios"] = ratios
    if "concurrency" in results:
        print("\nconcurrent targets: " + ", ".join(
            f"{n}: {c['targets_per_s']:.2f}/s ({c['wall_s']:.2f}s)" for n, c in results["concurrency"].items()))
    if results.get("cpus_used"):
        print("CPUs used: " + ", ".join(f"{k} {v:.3f}s" for k, v in results["cpus_used"].items()))


if __name__ == "__main__":
    main()

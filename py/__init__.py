"""The Python side of ensurepip (README.md, "How it works", step 7). The host calls run(request)
once, after ensurepip_boot has made the interpreter describe the target. It answers with a dict;
it never raises and never prints a traceback: failures are a kind and a sentence.

request: command ("install" | "uninstall"), wheel (a path only this process can reach),
setuptools_wheel, setuptools_version and setuptools_sha256 (the same for setuptools, or None),
archive (the runtime archive's path), tmpdir (the run's private directory) and tmpdir_fd (it,
open), python, venv and target_root (the target, as ensurepip_boot found it), pip_version (of
the wheel), root (or None), upgrade, user, compile, script_interpreter (or None), lock_timeout.
answer: status ("ok" or a failure kind), action (pip's), message, pip_version, pip_exit_code,
signal, target (paths), scripts (written), files (count, every project's), setuptools (None, or
what became of it: version, action, files), and report: those four as JSON texts, the JSON
report's members the host writes among its own (None before the target is found).
"""

import contextlib
import json
import os
import signal
import types

import _ensurepip_host as host
import ensurepip_manifest as manifest
from pip._vendor.packaging.version import parse

from . import messages, space, transaction
from .bytecode import Bytecode, runtime_bytecode
from .errors import RUN_ENDING_SIGNALS, Failure, Interrupted, from_os_error
from .lock import target_lock
from .staging import stage
from .target import Target


def run(request):
    answer = {"status": "ok", "action": "none", "message": "", "pip_version": "",
              "pip_exit_code": -1, "signal": 0, "scripts": [], "files": 0, "target": None,
              "setuptools": None}
    messages.route_pip_logging()
    _handle_signals(_interrupt)
    # Paths given relative to the caller's directory are resolved now; then the interpreter
    # works in the private temporary directory (the C host returns to the caller's after):
    # nothing in the caller's directory may steer the install (bpo-42050).
    if request["root"]:
        request["root"] = os.path.abspath(request["root"])
    os.chdir(request["tmpdir_fd"])  # not by name: in a TMPDIR others can write, it may name another
    try:
        pending = host.signal()
        if pending:
            raise Interrupted(pending)
        if request["command"] == "install":
            _install(request, answer)
        else:
            _uninstall(request, answer)
    except Interrupted as e:
        answer["status"], answer["signal"] = "interrupted", e.signum
        setuptools = answer["setuptools"] or {}
        if answer["action"] in ("installed", "upgraded", "uninstalled"):
            answer["message"] = f"interrupted by signal {e.signum} after pip was {answer['action']}"
        elif setuptools.get("action") in ("installed", "upgraded"):
            answer["message"] = f"interrupted by signal {e.signum} after setuptools was {setuptools['action']}"
        else:
            answer["action"] = "none"
            answer["message"] = f"interrupted by signal {e.signum}; the target was not changed"
    except Failure as f:
        answer.update(status=f.kind, message=f.message, pip_exit_code=f.pip_exit_code)
        if answer["action"] == "none" and f.kind == "pip":
            answer["action"] = "failed"
    except OSError as e:  # met while reading the target (pip's metadata): its errno says what
        f = from_os_error(e, "cannot read the target")
        answer.update(status=f.kind, message=f.message)
    finally:  # after the work, a signal only needs to reach the host's record
        _handle_signals(lambda signum, frame: host.signal(signum))
    answer["report"] = answer["target"] and _report(answer, request)
    return answer


def _report(answer, request):
    """The JSON report's members the glue knows once it found the target (README.md, "The JSON
    report"), each as JSON text. A path's bytes that are not UTF-8 (surrogateescape) are written
    as \\udcXX, as the host writes its own."""
    setuptools = answer["setuptools"] and dict(answer["setuptools"], wheel_sha256=request["setuptools_sha256"])
    fields = {"target": answer["target"], "scripts": answer["scripts"], "files": answer["files"],
              "setuptools": setuptools}
    return {key: json.dumps(value) for key, value in fields.items()}


def _handle_signals(handler):
    """The run-ending signals the host records go to handler: one the caller ignores (nohup)
    stays ignored."""
    for signum in sorted(RUN_ENDING_SIGNALS):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, handler)


def _interrupt(signum, frame):
    raise Interrupted(signum)


def _make_dirs(path):
    """os.makedirs that returns the directories it created, deepest last."""
    created = []
    while not os.path.isdir(path):
        created.insert(0, path)
        path = os.path.dirname(path)
    for directory in created:
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory)
    return created


def _finish_interrupted_runs(target, request):
    """What an interrupted run left (a journal to finish, staging to clear) comes first: until
    then the target may show a stale .dist-info or unregistered files."""
    if not transaction.pending(target.lib, target.scripts):
        return
    try:
        with target_lock(target.lib, request["lock_timeout"]):
            transaction.recover(target.lib, target.scripts)
    except OSError as e:
        raise from_os_error(e, f"cannot finish what an interrupted run left in {target.lib}")


def _project(name, wheel, version):
    """One project `pip install` is asked for: what is installed now (Target.installed's, or
    None) and what this install replaces (the same, if it lies in the target's site-packages)."""
    return types.SimpleNamespace(name=name, wheel=wheel, version=version, existing=None, replaced=None)


def _look(target, projects, upgrade):
    """Finds what is installed of each project; returns those pip would install: anything
    installed satisfies `pip install` without --upgrade; with --upgrade only a version at least
    the bundled one (pip never downgrades)."""
    for project in projects:
        project.existing = target.installed(project.name)
    return [p for p in projects if p.existing is None or (upgrade and not p.existing.version >= parse(p.version))]


def _install(request, answer):
    messages.detail("glue", "pip's modules imported", level=3)
    target = Target(request["root"], request["user"], request["target_root"])
    answer["target"] = target.describe()
    # What CPython's ensurepip asks pip for, in its order: setuptools (3.11 and older) then pip
    projects = [_project("pip", request["wheel"], request["pip_version"])]
    if request.get("setuptools_wheel"):
        projects.insert(0, _project("setuptools", request["setuptools_wheel"], request["setuptools_version"]))
    # pip's order: the PEP 668 marker first, even when pip is installed already or --user is given
    target.check_externally_managed()
    target.check_user_scheme()
    _finish_interrupted_runs(target, request)
    if not _look(target, projects, request["upgrade"]):
        return _already_present(projects, answer, request["upgrade"])
    _source_date_epoch()  # refuse a bad value before anything changes

    created = []
    answer["action"] = "failed"
    try:
        created = _make_dirs(target.lib) + _make_dirs(target.scripts)
        with target_lock(target.lib, request["lock_timeout"]):
            transaction.recover(target.lib, target.scripts)
            wanted = _look(target, projects, request["upgrade"])  # again: another run may have just installed them
            if not wanted:
                answer["action"] = "none"
                return _already_present(projects, answer, request["upgrade"])
            for project in wanted:
                if project.existing is not None and project.existing.in_lib:
                    project.replaced = project.existing
            _commit_install(request, answer, target, projects, wanted)
    except OSError as e:
        raise from_os_error(e, f"cannot install pip into {target.lib}")
    finally:  # what was made for nothing goes again
        for directory in reversed(created):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
    _clamp_directories(created + [target.lib, target.scripts])

    for project in wanted:
        if project.existing is not None and project.replaced is None:
            messages.say(f"  Not uninstalling {project.name} at {project.existing.location}, "
                         f"outside environment {target.lib}")
        if project.replaced is not None:
            messages.say(f"  Attempting uninstall: {project.name}")
            _say_uninstalled(project.name, project.replaced.version, "    ")
    messages.say("Successfully installed " + " ".join(f"{p.name}-{p.version}" for p in sorted(wanted, key=lambda p: p.name)))


def _commit_install(request, answer, target, projects, wanted):
    pip = projects[-1]
    bytecode = Bytecode(runtime_bytecode(request["archive"]), target.final["purelib"]) if request["compile"] else None
    wheels = [manifest.WHEELS[p.name] for p in wanted]
    prebuilt = [size for wheel in wheels for size in wheel["bytecode"]] if bytecode else []
    need = space.check(target.lib, [size for wheel in wheels for size in wheel["files"]], prebuilt,
                       target.final["purelib"])
    messages.detail("space", f"{need} bytes needed in {target.lib}")
    _say_satisfied(p for p in projects if p not in wanted)
    messages.say("Installing collected packages: " + ", ".join(p.name for p in wanted))
    names = ", ".join(f"{p.name} {p.version}" for p in wanted)
    messages.progress(f"Installing {names}: unpacking")
    if bytecode is not None:
        bytecode.progress = lambda n: n % 25 == 0 and messages.progress(
            f"Installing {names}: bytecode {n}/{len(prebuilt)}")
    with transaction.Transaction.begin(target.lib, target.scripts) as txn:
        staged = stage(target, txn.stage_root, [(p.name, p.wheel) for p in wanted], bytecode,
                       request.get("script_interpreter"), _source_date_epoch())
        files = sum(project.files for project in staged.values())
        messages.detail("stage", f"pip's installer staged {files} files in {txn.stage_root}" + (
            f" ({bytecode.prebuilt} .pyc from build-time bytecode, {bytecode.compiled} compiled now)"
            if bytecode else ""))
        # One project after the other, each in the order that keeps one .dist-info of it at
        # every instant; pip last, as pip's own install orders them.
        for project in wanted:
            txn.plan_install(staged[project.name], target.lib, target.scripts, project.replaced)
        messages.detail("commit", f"{len(txn.ops)} steps, journal in {txn.path}")
        # Filled in now: if a signal cuts in right after the commit, the answer is still true.
        scripts = [name for p in wanted for name in staged[p.name].scripts]
        answer.update(pip_version=pip.version if pip in wanted else str(pip.existing.version), files=files,
                      message=_closing(projects, wanted, target.lib, scripts),
                      scripts=[os.path.join(target.final["scripts"], name) for name in scripts])
        messages.progress(f"Installing {names}: moving it into place")
        try:
            txn.commit("installing " + " and ".join(f"{p.name} {p.version}" for p in wanted))
        finally:
            if txn.committed:
                for project in projects:
                    if project not in wanted:
                        _tell(answer, project, "already-present", str(project.existing.version), 0)
                    else:
                        _tell(answer, project, "upgraded" if project.replaced is not None else "installed",
                              project.version, staged[project.name].files)
                answer["pip_exit_code"] = 0
        messages.detail("commit", "done", level=3)


def _tell(answer, project, action, version, files):
    if project.name == "pip":
        answer.update(action=action, pip_version=version)
    else:
        answer["setuptools"] = {"version": version, "action": action, "files": files}


def _closing(projects, wanted, lib, scripts):
    """The closing line of an install: pip's as it always reads, then what was done with
    setuptools; or, where pip was kept, what was done with setuptools and that pip was there."""
    def done(project):
        if project.replaced is not None:
            return f"{project.name} {project.replaced.version} upgraded to {project.version} in {lib}"
        return f"{project.name} {project.version} installed into {lib}"

    pip = projects[-1]
    if pip in wanted:
        others = "".join(f"; {done(p)}" for p in wanted if p is not pip)
        return f"{done(pip)} (scripts: {', '.join(scripts) or 'none'}){others}"
    return "; ".join(done(p) for p in wanted) + f"; pip {pip.existing.version} is already installed in " \
                                                  f"{pip.existing.location}"


def _source_date_epoch():
    """SOURCE_DATE_EPOCH as reproducible builds define it, or None."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    try:
        epoch = int(value)
    except ValueError:
        epoch = -1
    if epoch < 0:
        raise Failure("usage", f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970")
    return epoch


def _clamp_directories(directories):
    """After the commit, the directories that changed get their
    mtimes clamped too, so that the whole tree is reproducible."""
    epoch = _source_date_epoch()
    if epoch is None:
        return
    for directory in sorted(set(directories)):
        with contextlib.suppress(FileNotFoundError):
            if os.stat(directory).st_mtime > epoch:
                os.utime(directory, (epoch, epoch))


def _say_uninstalled(name, version, indent=""):
    """pip's lines for a distribution it uninstalled (indented as part of an install)."""
    for line in (f"Found existing installation: {name} {version}", f"Uninstalling {name}-{version}:",
                 f"  Successfully uninstalled {name}-{version}"):
        messages.say(indent + line)


def _say_satisfied(projects):
    for project in projects:
        messages.say(f"Requirement already satisfied: {project.name} in {project.existing.location} "
                     f"({project.existing.version})")


def _already_present(projects, answer, upgrade):
    _say_satisfied(projects)
    pip = projects[-1]
    existing, bundled = pip.existing, pip.version
    closing = f"pip {existing.version} is already installed in {existing.location}; nothing to do"
    if not upgrade and existing.version < parse(bundled):
        closing += f" (--upgrade would install {bundled})"
    answer.update(pip_exit_code=0, message=closing)
    for project in projects:
        _tell(answer, project, "already-present", str(project.existing.version), 0)


def _uninstall(request, answer):
    """As ensurepip._uninstall: nothing unless the installed pip is the embedded one; then
    `pip uninstall -y pip setuptools` (3.11 and older; pip alone where the build embeds no
    setuptools), which removes whatever setuptools is installed, in one transaction."""
    target = Target(request["root"], request["user"], request["target_root"])
    answer["target"] = target.describe()
    bundled = request["pip_version"]
    _finish_interrupted_runs(target, request)
    if _bundled_pip(target, bundled, answer) is None:
        return
    answer["action"] = "failed"
    try:
        with target_lock(target.lib, request["lock_timeout"]):
            transaction.recover(target.lib, target.scripts)
            installed = _bundled_pip(target, bundled, answer)  # again: another run may have changed it
            if installed is None:
                return
            removing = [("pip", installed)]
            if request.get("setuptools_version"):
                setuptools = target.installed("setuptools", lib_only=True)
                if setuptools is not None:
                    removing.append(("setuptools", setuptools))
            for _name, dist in removing:  # an unreadable RECORD is refused before anything changes
                transaction.owned_files(dist.info_dir, transaction.Confined(target.lib, target.scripts))
            with transaction.Transaction.begin(target.lib, target.scripts) as txn:
                files = {name: txn.plan_uninstall(dist, target.lib, target.scripts) for name, dist in removing}
                what = " and ".join(f"{name} {dist.version}" for name, dist in removing)
                try:
                    txn.commit(f"uninstalling {what}")
                finally:
                    if txn.committed:
                        answer.update(action="uninstalled", pip_version=bundled, pip_exit_code=0,
                                      files=sum(files.values()), message=f"{what} uninstalled from {target.lib}")
                        if request.get("setuptools_version"):
                            answer["setuptools"] = {"version": None, "action": "not-installed", "files": 0}
                        for name, dist in removing[1:]:
                            answer["setuptools"] = {"version": str(dist.version), "action": "uninstalled",
                                                    "files": files[name]}
    except OSError as e:
        raise from_os_error(e, f"cannot uninstall pip from {target.lib}")
    for name, dist in removing:
        _say_uninstalled(name, dist.version)
    if request.get("setuptools_version") and len(removing) == 1:
        messages.warn("Skipping setuptools as it is not installed.")


def _bundled_pip(target, bundled, answer):
    """The pip installed in the target's site-packages if it is the bundled version; else None,
    with the answer saying why nothing is uninstalled."""
    installed = target.installed("pip", lib_only=True)
    if installed is None:
        answer.update(action="not-installed", pip_exit_code=0,
                      message=f"pip is not installed in {target.lib}; nothing to uninstall")
    elif str(installed.version) != bundled:
        # ensurepip._uninstall's words (3.10+)
        answer.update(action="skipped", pip_version=str(installed.version), pip_exit_code=0,
                      message=f"ensurepip will only uninstall a matching version "
                              f"('{installed.version}' installed, '{bundled}' available)")
    else:
        return installed

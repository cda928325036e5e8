"""The Python side of ensurepip: runs inside the interpreter the C host embeds.

The host calls run(request) once, after ensurepip_boot has made the interpreter describe the
target (this package, pip and the standard library are imported from the runtime archive, the
interpreter's only sys.path entry), with the environment prepared as ensurepip prepares it.
run() decides what to do the way `pip install pip` would, has pip's own installer install the
wheel into a staging directory inside the target, and commits it (transaction.py). It answers with a dict; it never raises
and never prints a traceback: failures are a kind and a sentence.

request: command ("install" | "uninstall"), wheel (a path only this process can reach),
archive (the runtime archive's path), tmpdir (the run's private directory), python, venv and
target_root (the target, as ensurepip_boot found it), pip_version (of the wheel), root (or None), upgrade, user,
verbosity, compile, script_interpreter (or None), lock_timeout.
answer: status ("ok" or a failure kind), action, message, pip_version, pip_exit_code, signal,
target (paths), scripts (written), files (count).
"""

import contextlib
import os
import signal
import sys

import _ensurepip_host as host

from . import messages, space, transaction
from .bytecode import Bytecode, RuntimeArchive
from .errors import RUN_ENDING_SIGNALS, Failure, Interrupted, from_os_error
from .lock import TargetLock
from .staging import stage
from .target import Target


def run(request):
    answer = {"status": "ok", "action": "none", "message": "", "pip_version": "",
              "pip_exit_code": -1, "signal": 0, "scripts": [], "files": 0, "target": None}
    messages.route_pip_logging()
    _raise_on_signals()
    # Paths given relative to the caller's directory are resolved now; then the interpreter
    # works in the private temporary directory (the C host returns to the caller's after):
    # pip's distutils scheme code on 3.8/3.9 reads ./setup.cfg, and nothing in the caller's
    # directory may steer the install (bpo-42050).
    if request["root"]:
        request["root"] = os.path.abspath(request["root"])
    os.chdir(request["tmpdir"])
    try:
        pending = host.pending_signal()
        if pending:
            raise Interrupted(pending)
        if request["command"] == "install":
            _install(request, answer)
        else:
            _uninstall(request, answer)
    except Interrupted as e:
        answer["status"], answer["signal"] = "interrupted", e.signum
        if answer["action"] in ("installed", "upgraded", "uninstalled"):
            answer["message"] = f"interrupted by signal {e.signum} after pip was {answer['action']}"
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
    finally:
        _record_signals()
    return answer


def _raise_on_signals():
    def interrupt(signum, frame):
        raise Interrupted(signum)

    for signum in _signals_taken():
        signal.signal(signum, interrupt)


def _record_signals():
    """After the work, a signal only needs to reach the host's record."""
    def record(signum, frame):
        host.record_signal(signum)

    for signum in _signals_taken():
        signal.signal(signum, record)


def _signals_taken():
    """The run-ending signals the host records: one the caller ignores (nohup) stays ignored."""
    return [signum for signum in sorted(RUN_ENDING_SIGNALS) if signal.getsignal(signum) is not signal.SIG_IGN]


def _satisfied(existing, bundled, upgrade):
    """pip's answer to `pip install [--upgrade] pip`: anything installed satisfies it without
    --upgrade; with --upgrade only a version at least the bundled one (pip never downgrades)."""
    from pip._vendor.packaging.version import parse

    if existing is None:
        return False
    return not upgrade or existing.version >= parse(bundled)


def _make_dirs(path):
    """os.makedirs that returns the directories it created, deepest last."""
    created = []
    while not os.path.isdir(path):
        created.append(path)
        path = os.path.dirname(path)
    for directory in reversed(created):
        try:
            os.mkdir(directory)
        except FileExistsError:
            pass
    return list(reversed(created))


def _remove_if_empty(directories):
    for directory in reversed(directories):
        try:
            os.rmdir(directory)
        except OSError:
            pass


def _finish_interrupted_runs(target, request):
    """What an interrupted run left (a journal to finish, staging to clear) comes first: until
    then the target may show a stale .dist-info or unregistered files."""
    if not transaction.pending(target.lib, target.scripts):
        return
    try:
        with TargetLock(target.lib, request["lock_timeout"]):
            transaction.recover(target.lib, target.scripts)
    except OSError as e:
        raise from_os_error(e, f"cannot finish what an interrupted run left in {target.lib}")


def _install(request, answer):
    messages.detail("glue", "pip's modules imported", level=3)
    target = Target(request["root"], request["user"], request["target_root"])
    answer["target"] = target.describe()
    bundled = request["pip_version"]
    # pip's order: the PEP 668 marker first, even when pip is installed already or --user is given
    target.check_externally_managed()
    target.check_user_scheme()
    _finish_interrupted_runs(target, request)
    existing = target.installed_pip()
    if _satisfied(existing, bundled, request["upgrade"]):
        return _already_present(existing, answer, bundled, request["upgrade"])
    _source_date_epoch()  # refuse a bad value before anything changes

    created = []
    answer["action"] = "failed"
    try:
        created = _make_dirs(target.lib) + _make_dirs(target.scripts)
        with TargetLock(target.lib, request["lock_timeout"]):
            transaction.recover(target.lib, target.scripts)
            existing = target.installed_pip()  # again: another run may have just installed it
            if _satisfied(existing, bundled, request["upgrade"]):
                answer["action"] = "none"
                return _already_present(existing, answer, bundled, request["upgrade"])
            replaced = existing if existing is not None and existing.in_directory(target.lib) else None
            _commit_install(request, answer, target, replaced)
    except OSError as e:
        raise from_os_error(e, f"cannot install pip into {target.lib}")
    finally:
        _remove_if_empty(created)
    _clamp_directories(created + [target.lib, target.scripts])

    if existing is not None and replaced is None:
        messages.say(f"  Not uninstalling pip at {existing.location}, outside environment {target.lib}")
    if replaced is not None:
        old = replaced.version
        messages.say("  Attempting uninstall: pip")
        messages.say(f"    Found existing installation: pip {old}")
        messages.say(f"    Uninstalling pip-{old}:")
        messages.say(f"      Successfully uninstalled pip-{old}")
    messages.say(f"Successfully installed pip-{bundled}")


def _commit_install(request, answer, target, replaced):
    bundled = request["pip_version"]
    bytecode = Bytecode(RuntimeArchive(request["archive"]), target.final["purelib"]) if request["compile"] else None
    need = space.check(target.lib, request["wheel"], bytecode.prebuilt_sizes() if bytecode else [],
                       target.final["purelib"])
    messages.detail("space", f"{need} bytes needed in {target.lib}")
    messages.say("Installing collected packages: pip")
    messages.progress(f"Installing pip {bundled}: unpacking")
    if bytecode is not None:
        total = len(bytecode.prebuilt_sizes())
        bytecode.progress = lambda n: n % 25 == 0 and messages.progress(
            f"Installing pip {bundled}: bytecode {n}/{total}")
    txn = transaction.Transaction.begin(target.lib, target.scripts)
    with _finishing(txn):
        staged = stage(target, txn.stage_root, request["wheel"], bytecode, request.get("script_interpreter"),
                       _source_date_epoch())
        files = staged.count_files()
        messages.detail("stage", f"pip's installer staged {files} files in {txn.stage_root}" + (
            f" ({bytecode.prebuilt} .pyc from build-time bytecode, {bytecode.compiled} compiled now)"
            if bytecode else ""))
        txn.plan_install(staged, target.lib, target.scripts, replaced)
        messages.detail("commit", f"{len(txn.ops)} steps, journal in {txn.path}")
        # Filled in now: if a signal cuts in right after the commit, the answer is still true.
        scripts = ", ".join(staged.scripts) or "none"
        if replaced is not None:
            closing = f"pip {replaced.version} upgraded to {bundled} in {target.lib} (scripts: {scripts})"
        else:
            closing = f"pip {bundled} installed into {target.lib} (scripts: {scripts})"
        answer.update(pip_version=bundled, files=files, message=closing,
                      scripts=[os.path.join(target.final["scripts"], name) for name in staged.scripts])
        messages.progress(f"Installing pip {bundled}: moving it into place")
        try:
            txn.commit(f"installing pip {bundled}")
        finally:
            if txn.committed:
                answer.update(action="upgraded" if replaced is not None else "installed", pip_exit_code=0)
        messages.detail("commit", "done", level=3)


@contextlib.contextmanager
def _finishing(txn):
    """Removes the transaction's directory however its block ends, unless a failed commit could
    not be undone (then the journal must stay for the next run to finish)."""
    try:
        yield txn
    finally:
        if not txn.keep:
            txn.discard()


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
    """After the commit (and the lock file's removal), the directories that changed get their
    mtimes clamped too, so that the whole tree is reproducible."""
    epoch = _source_date_epoch()
    if epoch is None:
        return
    for directory in sorted(set(directories)):
        try:
            if os.stat(directory).st_mtime > epoch:
                os.utime(directory, (epoch, epoch))
        except FileNotFoundError:
            pass


def _already_present(existing, answer, bundled, upgrade):
    from pip._vendor.packaging.version import parse

    messages.say(f"Requirement already satisfied: pip in {existing.location} ({existing.version})")
    closing = f"pip {existing.version} is already installed in {existing.location}; nothing to do"
    if not upgrade and existing.version < parse(bundled):
        closing += f" (--upgrade would install {bundled})"
    answer.update(action="already-present", pip_version=str(existing.version), pip_exit_code=0,
                  message=closing)


def _uninstall(request, answer):
    target = Target(request["root"], request["user"], request["target_root"])
    answer["target"] = target.describe()
    bundled = request["pip_version"]
    _finish_interrupted_runs(target, request)
    installed = target.installed_in_lib()
    if installed is None:
        answer.update(action="not-installed", pip_exit_code=0,
                      message=f"pip is not installed in {target.lib}; nothing to uninstall")
        return
    if str(installed.version) != bundled:
        # ensurepip._uninstall's words (3.10+)
        answer.update(action="skipped", pip_version=str(installed.version), pip_exit_code=0,
                      message=f"ensurepip will only uninstall a matching version "
                              f"('{installed.version}' installed, '{bundled}' available)")
        return
    answer["action"] = "failed"
    try:
        with TargetLock(target.lib, request["lock_timeout"]):
            transaction.recover(target.lib, target.scripts)
            installed = target.installed_in_lib()
            if installed is None or str(installed.version) != bundled:
                answer["action"] = "none"
                return _uninstall(request, answer)
            files = sum(1 for path in transaction.owned_files(installed.info_dir, target.lib, target.scripts)
                        if os.path.lexists(path))
            txn = transaction.Transaction.begin(target.lib, target.scripts)
            with _finishing(txn):
                txn.plan_uninstall(installed, target.lib, target.scripts)
                try:
                    txn.commit(f"uninstalling pip {bundled}")
                finally:
                    if txn.committed:
                        answer.update(action="uninstalled", pip_version=bundled, pip_exit_code=0, files=files,
                                      message=f"pip {bundled} uninstalled from {target.lib}")
    except OSError as e:
        raise from_os_error(e, f"cannot uninstall pip from {target.lib}")
    messages.say(f"Found existing installation: pip {bundled}")
    messages.say(f"Uninstalling pip-{bundled}:")
    messages.say(f"  Successfully uninstalled pip-{bundled}")

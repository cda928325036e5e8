"""py/bytecode.py, in this Python, with a stand-in for the host's writer (src/filewriter.c, whose
own tests are tests/unit/test_filewriter.c): a .pyc made ahead of pip's call is the one
returned, an error writing it reaches pip's call, and nothing outlives writing(): no writer, no
.pyc pip did not ask for."""

import base64
import hashlib
import importlib
import importlib.util
import marshal
import os
import pathlib
import sys
import types
import zipfile

import pytest

GLUE = pathlib.Path(__file__).resolve().parents[2] / "py"


class Writer:
    """The host's writer as the glue sees it, doing each job when it is queued; the jobs of
    every writer are kept for the tests to look at."""
    every = []

    def __init__(self):
        self.jobs = []  # [path, digest or OSError]
        self.stopped = False
        Writer.every.append(self)


class Host(types.ModuleType):
    """_ensurepip_host as far as py/bytecode.py uses it."""

    def __init__(self):
        super().__init__("_ensurepip_host")

    def file_writer(self):
        return Writer()

    def write_file(self, writer, path, data, mode):
        assert not writer.stopped
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            writer.jobs.append([path, hashlib.sha256(data).digest()])
        except OSError as e:
            writer.jobs.append([path, e])
        return len(writer.jobs) - 1

    def written(self, writer, job, path):
        assert not writer.stopped
        done = writer.jobs[job][1]
        if isinstance(done, OSError):
            raise OSError(done.errno, done.strerror, path)
        return done

    def stop_writer(self, writer):
        writer.stopped = True


def load_bytecode_module():
    """py/bytecode.py and what it imports of the glue (errors.py), without the glue's
    __init__.py, which needs the host program."""
    package = types.ModuleType("glue_under_test")
    package.__path__ = [str(GLUE)]
    saved_host = sys.modules.get("_ensurepip_host")
    sys.modules.update(glue_under_test=package, _ensurepip_host=Host())
    try:
        return importlib.import_module("glue_under_test.bytecode")
    finally:
        for name in [n for n in sys.modules if n == "glue_under_test" or n.startswith("glue_under_test.")]:
            del sys.modules[name]
        if saved_host is None:
            del sys.modules["_ensurepip_host"]
        else:
            sys.modules["_ensurepip_host"] = saved_host


class Runtime:
    """A runtime archive holding, as the build makes it, the bytecode of the given sources
    (paths relative to lib), named "<ensurepip:RELATIVE>"."""

    def __init__(self, lib, relatives):
        self.pycs = {}
        for relative in relatives:
            source = (lib / relative).read_bytes()
            code = compile(source, f"<ensurepip:{relative}>", "exec", dont_inherit=True)
            self.pycs[relative[:-3] + ".pyc"] = (importlib.util.MAGIC_NUMBER + (0b01).to_bytes(4, "little")
                                                 + importlib.util.source_hash(source) + marshal.dumps(code))

    def get(self, name):
        return self.pycs.get(name)


@pytest.fixture
def stage(tmp_path):
    lib = tmp_path / "stage" / "lib"
    for relative in ("pkg/a.py", "pkg/b.py", "pkg/c.py", "other/d.py"):
        (lib / relative).parent.mkdir(parents=True, exist_ok=True)
        (lib / relative).write_text(f"NAME = {relative!r}\n")
    return lib


@pytest.fixture
def bytecode(stage, tmp_path, monkeypatch):
    """A Bytecode with build-time bytecode for all but pkg/c.py. Jobs run in the order they
    come: when pip's call for one returns, the ones announced before it are done."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    runtime = Runtime(stage, ["pkg/a.py", "pkg/b.py", "other/d.py"])
    made = load_bytecode_module().Bytecode(runtime.get, str(tmp_path / "final" / "lib"))
    made.set_stage(str(stage))
    return made


def code_in(pyc):
    return marshal.loads(pathlib.Path(pyc).read_bytes()[16:])


def writers_running():
    return [w for w in Writer.every if not w.stopped]


def test_made_ahead_is_what_pip_gets(bytecode, stage, tmp_path):
    source = str(stage / "pkg" / "a.py")
    cfile = importlib.util.cache_from_source(source)
    with bytecode.writing():
        assert len(writers_running()) == 1
        bytecode.source_saved(source)
        bytecode.source_saved(str(stage / "other" / "d.py"))
        assert [path for path, _done in writers_running()[0].jobs] == [
            cfile, importlib.util.cache_from_source(str(stage / "other" / "d.py"))]
        bytecode.compile_file(str(stage / "other" / "d.py"))
        assert bytecode.compile_file(source, force=True, quiet=1) is True
    data = pathlib.Path(cfile).read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert bytecode.written[cfile] == ("sha256=" + digest, str(len(data)))
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert code_in(cfile).co_filename == str(tmp_path / "final" / "lib" / "pkg" / "a.py")
    assert (bytecode.prebuilt, bytecode.compiled) == (2, 0)
    assert not writers_running()


def test_an_error_writing_ahead_reaches_pips_call(bytecode, stage):
    source = str(stage / "pkg" / "b.py")
    blocker = pathlib.Path(importlib.util.cache_from_source(source))
    blocker.mkdir(parents=True)  # a directory where the .pyc must go
    with pytest.raises(IsADirectoryError) as raised:
        with bytecode.writing():
            bytecode.source_saved(source)
            bytecode.source_saved(str(stage / "other" / "d.py"))
            bytecode.compile_file(str(stage / "other" / "d.py"))  # b.py's job has failed
            blocker.rmdir()  # writing it again now would work: the error must be the job's
            bytecode.compile_file(source)
    assert raised.value.filename == str(blocker)
    assert not writers_running()


def test_a_pyc_pip_did_not_ask_for_is_removed(bytecode, stage):
    asked, not_asked = str(stage / "other" / "d.py"), str(stage / "pkg" / "b.py")
    with bytecode.writing():
        bytecode.source_saved(not_asked)
        bytecode.source_saved(asked)
        bytecode.compile_file(asked)
        assert os.path.exists(importlib.util.cache_from_source(not_asked))
    assert os.path.exists(importlib.util.cache_from_source(asked))
    assert not os.path.exists(importlib.util.cache_from_source(not_asked))
    assert list(bytecode.written) == [importlib.util.cache_from_source(asked)]
    assert not writers_running()


def test_without_build_bytecode_it_is_compiled_when_pip_asks(bytecode, stage, tmp_path):
    """Compiling may warn: that happens in pip's thread, under pip's warning filters."""
    source = str(stage / "pkg" / "c.py")
    cfile = importlib.util.cache_from_source(source)
    with bytecode.writing():
        bytecode.source_saved(source)
        bytecode.source_saved(str(stage / "pkg" / "a.py"))
        bytecode.compile_file(str(stage / "pkg" / "a.py"))  # c.py's job, before, is done
        assert not os.path.exists(cfile)
        bytecode.compile_file(source)
    assert list(bytecode.written) == [importlib.util.cache_from_source(str(stage / "pkg" / "a.py")), cfile]
    assert code_in(cfile).co_filename == str(tmp_path / "final" / "lib" / "pkg" / "c.py")
    assert (bytecode.prebuilt, bytecode.compiled) == (1, 1)


def test_outside_the_stage_is_refused(bytecode, tmp_path):
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("")
    with pytest.raises(ValueError, match="not in the staging directory"):
        bytecode.compile_file(str(elsewhere))


def test_build_bytecode_is_read_from_the_runtime_archive(tmp_path):
    archive = tmp_path / "runtime.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("pip/__init__.pyc", b"the build's bytes")
    read = load_bytecode_module().runtime_bytecode(str(archive))
    assert read("pip/__init__.pyc") == b"the build's bytes"
    assert read("pip/missing.pyc") is None

"""py/bytecode.py's writer thread, in this Python: a .pyc made ahead of pip's call is the one
returned, an error making it reaches pip's call, and nothing outlives writing(): no thread, no
.pyc pip did not ask for."""

import base64
import hashlib
import importlib
import importlib.util
import marshal
import os
import pathlib
import signal
import sys
import threading
import types
import zipfile

import pytest

GLUE = pathlib.Path(__file__).resolve().parents[2] / "py"


def load_bytecode_module():
    """py/bytecode.py and what it imports of the glue (errors.py), without the glue's
    __init__.py, which needs the host program."""
    package = types.ModuleType("glue_under_test")
    package.__path__ = [str(GLUE)]
    sys.modules["glue_under_test"] = package
    try:
        return importlib.import_module("glue_under_test.bytecode")
    finally:
        for name in [n for n in sys.modules if n == "glue_under_test" or n.startswith("glue_under_test.")]:
            del sys.modules[name]


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


def writer_threads():
    return [t for t in threading.enumerate() if t.name == "ensurepip-pyc-writer"]


def test_made_ahead_is_what_pip_gets(bytecode, stage, tmp_path):
    source = str(stage / "pkg" / "a.py")
    cfile = importlib.util.cache_from_source(source)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with bytecode.writing():
        assert [t.daemon for t in writer_threads()] == [True]
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask
        bytecode.source_saved(source)
        bytecode.source_saved(str(stage / "other" / "d.py"))
        bytecode.compile_file(str(stage / "other" / "d.py"))
        assert os.path.exists(cfile)  # made before pip asks for it
        assert bytecode.compile_file(source, force=True, quiet=1) is True
    data = pathlib.Path(cfile).read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert bytecode.written[cfile] == ("sha256=" + digest, str(len(data)))
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert code_in(cfile).co_filename == str(tmp_path / "final" / "lib" / "pkg" / "a.py")
    assert (bytecode.prebuilt, bytecode.compiled) == (2, 0)
    assert not writer_threads()
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask


def test_an_error_made_ahead_reaches_pips_call(bytecode, stage):
    source = str(stage / "pkg" / "b.py")
    blocker = stage / "pkg" / "__pycache__"
    blocker.write_text("a file where the cache directory must go")
    with pytest.raises(OSError):
        with bytecode.writing():
            bytecode.source_saved(source)
            bytecode.source_saved(str(stage / "other" / "d.py"))
            bytecode.compile_file(str(stage / "other" / "d.py"))  # b.py's job has failed
            blocker.unlink()  # making it again now would work: the error must be the job's
            bytecode.compile_file(source)
    assert not writer_threads()


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
    assert not writer_threads()


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

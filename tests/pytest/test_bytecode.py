"""py/bytecode.py's writer thread, in this Python: a .pyc made ahead of pip's call is the one
returned, an error making it reaches pip's call, and nothing outlives writing(): no thread, no
.pyc pip did not ask for."""

import importlib.util
import os
import pathlib
import threading

import pytest

GLUE = pathlib.Path(__file__).resolve().parents[2] / "py"


def load_bytecode_module():
    spec = importlib.util.spec_from_file_location("glue_bytecode", GLUE / "bytecode.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NoPrebuilt:
    """A runtime archive without bytecode: every .pyc is compiled from its source."""

    def get(self, name):
        return None


@pytest.fixture
def stage(tmp_path):
    lib = tmp_path / "stage" / "lib"
    (lib / "pkg").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (lib / "pkg" / f"{name}.py").write_text(f"NAME = {name!r}\n")
    return lib


@pytest.fixture
def bytecode(stage, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    made = load_bytecode_module().Bytecode(NoPrebuilt(), str(tmp_path / "final" / "lib"))
    made.set_stage(str(stage))
    return made


def writer_threads():
    return [t for t in threading.enumerate() if t.name == "ensurepip-pyc-writer"]


def test_made_ahead_is_what_pip_gets(bytecode, stage):
    source = str(stage / "pkg" / "a.py")
    with bytecode.writing():
        assert writer_threads()
        bytecode.source_saved(source)
        assert bytecode.compile_file(source, force=True, quiet=1) is True
    cfile = importlib.util.cache_from_source(source)
    data = pathlib.Path(cfile).read_bytes()
    assert bytecode.written == {cfile: data}
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert (bytecode.prebuilt, bytecode.compiled) == (0, 1)
    assert not writer_threads()


def test_an_error_made_ahead_reaches_pips_call(bytecode, stage):
    source = str(stage / "pkg" / "b.py")
    (stage / "pkg" / "__pycache__").write_text("a file where the cache directory must go")
    with pytest.raises(OSError):
        with bytecode.writing():
            bytecode.source_saved(source)
            bytecode.compile_file(source)
    assert bytecode.written == {}
    assert not writer_threads()


def test_a_pyc_pip_did_not_ask_for_is_removed(bytecode, stage):
    asked, not_asked = str(stage / "pkg" / "a.py"), str(stage / "pkg" / "c.py")
    with bytecode.writing():
        bytecode.source_saved(not_asked)
        bytecode.source_saved(asked)
        bytecode.compile_file(asked)  # done in order: the one before is made too
    assert os.path.exists(importlib.util.cache_from_source(asked))
    assert not os.path.exists(importlib.util.cache_from_source(not_asked))
    assert not writer_threads()


def test_a_file_not_announced_is_made_when_asked(bytecode, stage):
    source = str(stage / "pkg" / "c.py")
    with bytecode.writing():
        bytecode.compile_file(source)
    assert list(bytecode.written) == [importlib.util.cache_from_source(source)]


def test_outside_the_stage_is_refused(bytecode, tmp_path):
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("")
    with pytest.raises(ValueError, match="not in the staging directory"):
        bytecode.compile_file(str(elsewhere))

"""The embedded payloads are checked before use: each one's sha256 against the build's. Damage
stops the run with status 6 and a message naming what is corrupt, before the target is touched.
The build checked the wheel against its own RECORD before embedding it (make refuses one that
disagrees), so bytes that still hash to the build's digest are those bytes."""

import hashlib
import os
import stat
import subprocess
import zipfile

import pytest

from conftest import ENSUREPIP, SETUPTOOLS_WHEEL, WHEEL, tree_state

WHEEL_STATUS = 6


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_program(program, *args, env):
    return subprocess.run([str(program), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=300)


def assert_refused_untouched(program, venv, base_env, tmpdir_for_run, *fragments):
    before = tree_state(venv)
    result = run_program(program, "--python", venv, env=base_env)
    assert result.returncode == WHEEL_STATUS, result.stderr
    [line] = result.stderr.splitlines()
    for fragment in fragments:
        assert fragment in line
    assert result.stdout == ""
    assert tree_state(venv) == before
    assert os.listdir(tmpdir_for_run) == []


def test_verify_prints_sha256_and_name_like_sha256sum(run):
    result = run("--verify")
    assert result.returncode == 0, result.stderr
    wheels = [WHEEL] + ([SETUPTOOLS_WHEEL] if SETUPTOOLS_WHEEL else [])
    assert result.stdout == "".join(f"{sha256_file(w)}  {os.path.basename(w)}\n" for w in wheels)


def test_verify_refuses_other_options(run):
    result = run("--verify", "--upgrade")
    assert result.returncode == 2
    assert "--verify" in result.stderr


@pytest.fixture
def patched_binary(tmp_path):
    """patch(edit, payload) -> a copy of the program with edit(bytearray, offset, length) applied
    where the payload (the wheel, or the runtime archive) is embedded."""
    with open(ENSUREPIP, "rb") as f:
        program = bytearray(f.read())

    def patch(edit, payload=WHEEL):
        with open(payload, "rb") as f:
            embedded = f.read()
        offset = program.find(embedded)
        assert offset > 0 and program.find(embedded, offset + 1) == -1, "embedded byte for byte, once"
        data = bytearray(program)
        edit(data, offset, len(embedded))
        path = tmp_path / "ensurepip-patched"
        path.write_bytes(bytes(data))
        path.chmod(stat.S_IRWXU)
        return path
    return patch


def test_embedded_wheel_survives_strip(tmp_path):
    stripped = tmp_path / "ensurepip-stripped"
    subprocess.run(["strip", "-o", str(stripped), ENSUREPIP], check=True)
    with open(WHEEL, "rb") as f:
        assert f.read() in stripped.read_bytes()
    result = subprocess.run([str(stripped), "--verify"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_flipped_byte_is_caught_by_sha256(patched_binary, venv, base_env, tmpdir_for_run):
    def flip(data, offset, length):
        data[offset + length // 2] ^= 0x01
    program = patched_binary(flip)
    result = run_program(program, "--verify", env=base_env)
    assert result.returncode == WHEEL_STATUS
    assert "sha256" in result.stderr and "damaged" in result.stderr
    assert_refused_untouched(program, venv, base_env, tmpdir_for_run, "sha256", os.path.basename(WHEEL))


def test_flipped_byte_in_the_runtime_archive_is_caught_before_python_starts(patched_binary, venv, base_env,
                                                                             tmpdir_for_run):
    """The archive is the interpreter's standard library: damage there must stop the run before
    anything of it is imported."""
    runtime = os.path.join(os.path.dirname(WHEEL), "ensurepip-runtime.zip")

    def flip(data, offset, length):
        data[offset + length // 2] ^= 0x01
    program = patched_binary(flip, runtime)
    result = run_program(program, "--verify", env=base_env)
    assert result.returncode == WHEEL_STATUS
    assert "ensurepip-runtime.zip is corrupt" in result.stderr
    assert_refused_untouched(program, venv, base_env, tmpdir_for_run, "ensurepip-runtime.zip", "sha256")


def test_build_refuses_a_wheel_whose_record_disagrees(tmp_path):
    """mkruntime.py, run by make, will not embed a wheel that every run would refuse."""
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    with zipfile.ZipFile(WHEEL) as src, zipfile.ZipFile(damaged / os.path.basename(WHEEL), "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "pip/__init__.py":
                data += b"\n# changed after RECORD was written\n"
            dst.writestr(info, data)
    mkruntime = os.path.join(os.path.dirname(__file__), "..", "..", "build-aux", "mkruntime.py")
    glue = tmp_path / "glue"
    glue.mkdir()
    boot = tmp_path / "boot.py"
    boot.write_text("")
    result = subprocess.run(["/usr/bin/python3", mkruntime, str(damaged / os.path.basename(WHEEL)), str(glue),
                             str(boot), str(tmp_path / "out.zip")], capture_output=True, text=True)
    assert result.returncode != 0
    assert "refusing" in result.stderr and "pip/__init__.py is" in result.stderr and "RECORD says" in result.stderr
    assert not (tmp_path / "out.zip").exists()

"""The embedded wheel is checked before use: its sha256 as recorded by the build, every zip
entry's CRC-32, every file against the wheel's RECORD. Damage stops the run with status 6 and a
message naming what is corrupt, before the target is touched."""

import hashlib
import os
import shutil
import stat
import subprocess

import pytest

from conftest import ENSUREPIP, WHEEL, tree_state

DAMAGED = os.environ.get("ENSUREPIP_DAMAGED", "")
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
    assert result.stdout == f"{sha256_file(WHEEL)}  {os.path.basename(WHEEL)}\n"


def test_verify_refuses_other_options(run):
    result = run("--verify", "--upgrade")
    assert result.returncode == 2
    assert "--verify" in result.stderr


@pytest.fixture
def patched_binary(tmp_path):
    """patch(edit) -> a copy of the program with edit(bytearray, wheel_offset, wheel_len) applied."""
    with open(ENSUREPIP, "rb") as f:
        program = bytearray(f.read())
    with open(WHEEL, "rb") as f:
        wheel = f.read()
    offset = program.find(wheel)
    assert offset > 0 and program.find(wheel, offset + 1) == -1, "the wheel is embedded byte for byte, once"

    def patch(edit):
        data = bytearray(program)
        edit(data, offset, len(wheel))
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


def test_flipped_byte_with_forged_sha256_is_caught_by_the_zip_checks(patched_binary, venv, base_env,
                                                                     tmpdir_for_run):
    recorded = sha256_file(WHEEL).encode()

    def flip_and_forge(data, offset, length):
        data[offset + length // 3] ^= 0x01
        forged = hashlib.sha256(bytes(data[offset:offset + length])).hexdigest().encode()
        at = data.find(recorded)
        assert at > 0 and data.find(recorded, at + 1) == -1
        data[at:at + len(recorded)] = forged
    program = patched_binary(flip_and_forge)
    result = run_program(program, "--verify", env=base_env)
    assert result.returncode == WHEEL_STATUS
    assert "is corrupt: entry '" in result.stderr  # names the damaged entry
    assert_refused_untouched(program, venv, base_env, tmpdir_for_run, "is corrupt: entry '")


@pytest.mark.skipif(not DAMAGED, reason="ENSUREPIP_DAMAGED is not set")
def test_wheel_whose_record_disagrees_is_refused(venv, base_env, tmpdir_for_run):
    program = os.path.join(DAMAGED, "record-mismatch", "ensurepip")
    result = run_program(program, "--verify", env=base_env)
    assert result.returncode == WHEEL_STATUS
    assert "'pip/__init__.py' is" in result.stderr and "but RECORD says" in result.stderr
    assert_refused_untouched(program, venv, base_env, tmpdir_for_run, "pip/__init__.py", "RECORD")


@pytest.mark.skipif(not DAMAGED, reason="ENSUREPIP_DAMAGED is not set")
def test_truncated_wheel_is_refused(venv, base_env, tmpdir_for_run):
    program = os.path.join(DAMAGED, "truncated", "ensurepip")
    result = run_program(program, "--verify", env=base_env)
    assert result.returncode == WHEEL_STATUS
    assert "unreadable" in result.stderr and "truncated" in result.stderr
    assert_refused_untouched(program, venv, base_env, tmpdir_for_run, "unreadable")
    # --version reads the same wheel, and says so instead of inventing a version.
    result = run_program(program, "--version", env=base_env)
    assert result.returncode == WHEEL_STATUS and result.stdout == ""


def test_build_refuses_a_wheel_whose_record_disagrees(tmp_path):
    """mkruntime.py, run by make, will not embed a wheel that every run would refuse."""
    damaged = tmp_path / "damaged"
    script = os.path.join(os.path.dirname(__file__), "..", "integrity", "damage.py")
    runtime = tmp_path / "runtime.zip"
    runtime.write_bytes(b"")
    subprocess.run(["/usr/bin/python3", script, "record-mismatch", WHEEL, str(runtime), str(damaged)],
                   check=True)
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

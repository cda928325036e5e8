"""Refusing early when the target's filesystem cannot hold pip (and setuptools, where it comes
too): the sizes are known before a byte is written (the wheels' and the prebuilt bytecode's file
sizes)."""

import os
import zipfile

from .errors import Failure

_MARGIN = 1 << 20  # RECORD, scripts, the journal, directory blocks


def _existing(path):
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return path


def _rounded(size, block):
    return (size + block - 1) // block * block


def check(directory, wheel_paths, bytecode_sizes, final_lib):
    """wheel_paths: the wheels to install; bytecode_sizes: the sizes of the prebuilt .pyc files
    that will be installed (none with --no-compile). Returns the bytes needed; raises Failure if
    they are not free."""
    probe = _existing(directory)
    st = os.statvfs(probe)
    block = st.f_frsize or st.f_bsize or 4096
    need = _MARGIN
    files = 16
    for wheel_path in wheel_paths:
        with zipfile.ZipFile(wheel_path) as wheel:
            for info in wheel.infolist():
                if not info.filename.endswith("/"):
                    need += _rounded(info.file_size, block)
                    files += 1
    for size in bytecode_sizes:
        # co_filename grows from a relative to the final absolute path
        need += _rounded(size + len(final_lib) + 64, block)
        files += 2  # the .pyc, and a share of the __pycache__ directories
    free = (st.f_bfree if os.geteuid() == 0 else st.f_bavail) * block
    if free < need:
        raise Failure("no-space", f"not enough space for pip in {directory}: it needs "
                                  f"{_mib(need)} MiB, {_mib(free)} MiB are free; free some space "
                                  "there and run ensurepip again")
    free_inodes = st.f_ffree if os.geteuid() == 0 else st.f_favail
    if st.f_files and free_inodes < files:
        raise Failure("no-space", f"not enough free inodes for pip in {directory}: it needs "
                                  f"{files}, {free_inodes} are free")
    return need


def _mib(n):
    return f"{n / (1 << 20):.1f}"

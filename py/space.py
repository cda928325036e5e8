"""Refusing early when the target's filesystem cannot hold pip (and setuptools, where it comes
too): the sizes are known before a byte is written, at build time (the wheels' and the prebuilt
bytecode's file sizes, in ensurepip_manifest)."""

import os

from .errors import Failure

_MARGIN = 1 << 20  # RECORD, scripts, the journal, directory blocks


def _rounded(size, block):
    return (size + block - 1) // block * block


def check(directory, file_sizes, bytecode_sizes, final_lib):
    """file_sizes: of the files the wheels to install hold; bytecode_sizes: of the prebuilt
    .pyc files that will be installed (none with --no-compile). Returns the bytes needed;
    raises Failure if they are not free."""
    probe = directory
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    st = os.statvfs(probe)
    block = st.f_frsize or st.f_bsize or 4096
    need = _MARGIN + sum(_rounded(size, block) for size in file_sizes)
    files = 16 + len(file_sizes)
    for size in bytecode_sizes:
        # co_filename grows from a relative to the final absolute path
        need += _rounded(size + len(final_lib) + 64, block)
        files += 2  # the .pyc, and a share of the __pycache__ directories
    free = (st.f_bfree if os.geteuid() == 0 else st.f_bavail) * block
    if free < need:
        raise Failure("no-space", f"not enough space for pip in {directory}: it needs {need / (1 << 20):.1f} "
                                  f"MiB, {free / (1 << 20):.1f} MiB are free; free some space there and run "
                                  "ensurepip again")
    free_inodes = st.f_ffree if os.geteuid() == 0 else st.f_favail
    if st.f_files and free_inodes < files:
        raise Failure("no-space", f"not enough free inodes for pip in {directory}: it needs "
                                  f"{files}, {free_inodes} are free")
    return need

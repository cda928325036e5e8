"""Writes the zip archives tests/unit/test_wheelcopy.c reads, made by Python's zipfile, into
the directory given: deflated.zip (members deflated, but one stored, as wheels have them) and
stored.zip (the same members, every one stored: what the copy must be, byte for byte)."""

import os
import sys
import zipfile

MEMBERS = [  # name, data, mode, compression in deflated.zip
    ("pkg/__init__.py", b"", 0o644, zipfile.ZIP_DEFLATED),
    ("pkg/module.py", b"import os\n" * 500 + "# caf\u00e9\n".encode(), 0o644, zipfile.ZIP_DEFLATED),
    ("pkg/data.bin", bytes(range(256)) * 64, 0o644, zipfile.ZIP_STORED),
    ("pkg-1.0.data/scripts/run", b"#!python\nprint('run')\n", 0o755, zipfile.ZIP_DEFLATED),
    ("pkg-1.0.dist-info/RECORD", b"pkg/__init__.py,,\n", 0o644, zipfile.ZIP_DEFLATED),
]


def write(path, stored):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode, compression in MEMBERS:
            info = zipfile.ZipInfo(name, date_time=(2020, 2, 2, 20, 20, 20))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_STORED if stored else compression
            archive.writestr(info, data)
        archive.comment = b"a comment"


os.makedirs(sys.argv[1], exist_ok=True)
write(os.path.join(sys.argv[1], "deflated.zip"), stored=False)
write(os.path.join(sys.argv[1], "stored.zip"), stored=True)

"""A snapshot of a directory tree for test_oracle.py, printed as JSON: relative path -> what the
comparison needs. Run by the build's Python (`python -I oracle_snapshot.py DIR [OPAQUE...]`),
because a .pyc can only be unmarshalled by the version that wrote it.

- directories: their mode; symlinks: their target;
- .pyc: mode, the header's flags word (timestamp or hash based) and a digest of the code object
  unmarshalled and walked recursively, every co_* attribute included (co_filename too, which
  code objects' own == ignores); the source's mtime in the header is not compared;
- RECORD: mode and its rows, with the hash and size of .pyc rows left out (pip writes none);
- other files: mode and sha256 of the contents;
- below an OPAQUE directory (a copied standard library), outside any *-packages directory:
  mode, size and mtime, without reading the file.
"""

import csv
import hashlib
import io
import json
import marshal
import os
import stat
import sys
import types


def code_key(obj):
    if isinstance(obj, types.CodeType):
        skip = {"co_lnotab"} if hasattr(obj, "co_linetable") else set()  # deprecated twin
        return ["code"] + [[name, code_key(getattr(obj, name))] for name in sorted(dir(obj))
                           if name.startswith("co_") and name not in skip and not callable(getattr(obj, name))]
    if isinstance(obj, (tuple, list)):
        return [type(obj).__name__] + [code_key(item) for item in obj]
    if isinstance(obj, frozenset):
        return ["frozenset"] + sorted((code_key(item) for item in obj), key=repr)
    if isinstance(obj, bytes):
        return ["bytes", obj.hex()]
    return [type(obj).__name__, repr(obj)]


def pyc_entry(path, mode):
    with open(path, "rb") as f:
        data = f.read()
    flags = int.from_bytes(data[4:8], "little")
    key = json.dumps(code_key(marshal.loads(data[16:])))
    return ["pyc", mode, flags, hashlib.sha256(key.encode()).hexdigest()]


def record_entry(path, mode):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    rows = sorted([row[0]] + ([] if row[0].endswith(".pyc") else row[1:])
                  for row in csv.reader(io.StringIO(text, newline="")) if row)
    return ["record", mode, rows]


def entry(path, rel, opaque):
    st = os.lstat(path)
    mode = "%o" % stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return ["link", os.readlink(path)]
    if stat.S_ISDIR(st.st_mode):
        return ["dir", mode]
    parts = rel.split(os.sep)
    if any(rel.startswith(o + os.sep) for o in opaque) and not any(p.endswith("-packages") for p in parts):
        return ["opaque", mode, st.st_size, st.st_mtime_ns]
    if rel.endswith(".pyc"):
        return pyc_entry(path, mode)
    if parts[-1] == "RECORD" and parts[-2].endswith(".dist-info"):
        return record_entry(path, mode)
    with open(path, "rb") as f:
        return ["file", mode, hashlib.sha256(f.read()).hexdigest()]


def snapshot(top, opaque):
    tree = {}
    for directory, subdirs, files in os.walk(top):
        for name in subdirs + files:
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, top)
            tree[rel] = entry(path, rel, opaque)
    return tree


if __name__ == "__main__":
    json.dump(snapshot(sys.argv[1], sys.argv[2:]), sys.stdout)

"""Build the runtime archive that ensurepip embeds beside the pip wheel.

Usage: python3.X mkruntime.py WHEEL GLUE_DIR OUTPUT

Run at build time by the Python the project is built against, so the bytecode is that version's.
The archive holds, as sourceless .pyc files (PEP 552 unchecked-hash, legacy layout):
  * every module of the pip wheel, so that importing pip at run time loads bytecode instead of
    compiling some 350 modules from source, and so that the .pyc files installed into the target
    are made from this bytecode instead of compiling 500 files. Their code objects name the file
    "<ensurepip:RELATIVE/PATH.py>", a string the marshal data holds exactly once (later uses are
    references), which the install replaces by the file's final path;
  * the glue package from py/ (ensurepip_glue), which drives pip's installer.
Data files of the wheel (certifi's cacert.pem, ...) are kept as they are. The wheel's
*.dist-info is left out on purpose: a zip on sys.path holding pip's dist-info would count as an
installed pip (pip's importlib metadata backend), and pip would then refuse to install itself.

The entries are stored, not deflated: the install reads some 500 of them straight out of the
archive in memory (py/bytecode.py), and imports need not inflate anything either.
The output is deterministic: sorted entries, fixed timestamps, fixed permissions.
"""

import base64
import csv
import hashlib
import importlib.util
import io
import marshal
import os
import sys
import zipfile

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
PYC_FLAGS_UNCHECKED_HASH = 0b01


def sourceless_pyc(source, filename):
    code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    header = (importlib.util.MAGIC_NUMBER
              + PYC_FLAGS_UNCHECKED_HASH.to_bytes(4, "little")
              + importlib.util.source_hash(source))
    return header + marshal.dumps(code)


def placeholder(name):
    """The co_filename of a pip module in the archive (see py/bytecode.py)."""
    return f"<ensurepip:{name}>"


def retargetable_pyc(source, name):
    data = sourceless_pyc(source, placeholder(name))
    if data.count(placeholder(name).encode("ascii")) != 1:
        raise SystemExit(f"mkruntime: the bytecode of {name} does not name its file exactly once")
    return data


def check_record(wheel):
    """Refuses a wheel whose files disagree with its own RECORD: the build must not embed what
    every run would then refuse."""
    names = {i.filename for i in wheel.infolist() if not i.filename.endswith("/")}
    records = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
    if len(records) != 1:
        return "it has no single .dist-info/RECORD"
    listed = set()
    for row in csv.reader(io.StringIO(wheel.read(records[0]).decode("utf-8"))):
        if not row:
            continue
        path, digest, size = (row + ["", ""])[:3]
        listed.add(path)
        if path == records[0]:
            continue
        if path not in names:
            return f"RECORD lists {path}, which it does not contain"
        data = wheel.read(path)
        algorithm, _, value = digest.partition("=")
        if algorithm != "sha256":
            return f"RECORD gives {path} no sha256 hash"
        if str(len(data)) != size:
            return f"{path} is {len(data)} bytes, RECORD says {size}"
        actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if actual != value:
            return f"{path} does not match its RECORD hash"
    unlisted = sorted(n for n in names - listed if not n.endswith(("RECORD.jws", "RECORD.p7s")))
    if unlisted:
        return f"{unlisted[0]} is not in RECORD"
    return None


def archive_members(wheel_path, glue_dir):
    """Yield (archive name, bytes) for everything the runtime archive holds."""
    with zipfile.ZipFile(wheel_path) as wheel:
        problem = check_record(wheel)
        if problem:
            raise SystemExit(f"mkruntime: refusing {wheel_path}: {problem}")
        for info in wheel.infolist():
            name = info.filename
            if name.endswith("/") or name.split("/", 1)[0].endswith(".dist-info"):
                continue
            data = wheel.read(info)
            if name.endswith(".py"):
                yield name[:-3] + ".pyc", retargetable_pyc(data, name)
            else:
                yield name, data
    for entry in sorted(os.listdir(glue_dir)):
        if entry.endswith(".py") and entry != "importer.py":  # the host runs that one from source
            with open(os.path.join(glue_dir, entry), "rb") as f:
                source = f.read()
            name = "ensurepip_glue/" + entry
            yield name[:-3] + ".pyc", sourceless_pyc(source, name)


def main(wheel_path, glue_dir, output):
    members = sorted(archive_members(wheel_path, glue_dir))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as out:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, output)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n", 2)[1])
    sys.exit(main(*sys.argv[1:]))

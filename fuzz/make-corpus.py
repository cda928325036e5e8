#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (generated, never committed).

    /usr/bin/python3 fuzz/make-corpus.py [--pip-wheel FILE [--pip-dir DIR]] [--cli-dir DIR] WHEEL_DIR

WHEEL_DIR receives seeds for fuzz_wheel: small wheels made here (valid ones, stored and
deflated, and damaged ones: RECORD hash and size mismatches, quoted CSV paths, truncation, a
zip64 end of central directory, an encrypted entry, an empty archive, ...), and with
--pip-wheel the real pip wheel plus damaged copies of it (a byte flipped, truncated), and
small wheels made of its parts (real RECORD rows, a few kB: fast to fuzz). --pip-dir puts the
1.7 MB ones apart, to be replayed rather than mutated.
--cli-dir DIR receives seeds for fuzz_cli: argument vectors, one file each, the arguments
separated by NUL bytes (argv[0] is added by the target).

Only the standard library is used; the output is the same on every run.
"""

import argparse
import base64
import csv
import hashlib
import io
import os
import struct
import sys
import zipfile
import zlib

NAME, VERSION = "pip", "23.0.1"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"

METADATA = (
    "Metadata-Version: 2.1\n"
    f"Name: {NAME}\n"
    f"Version: {VERSION}\n"
    "Summary: The PyPA recommended tool for installing Python packages.\n"
    "Requires-Python: >=3.7\n"
    "\n"
    "pip - The Python Package Installer\n"
    "Version: 0.0.0 (in the body: not a header)\n"
).encode()

WHEEL = (
    "Wheel-Version: 1.0\n"
    "Generator: bdist_wheel (0.38.4)\n"
    "Root-Is-Purelib: true\n"
    "Tag: py3-none-any\n"
    "\n"
).encode()

ENTRY_POINTS = b"[console_scripts]\npip = pip._internal.cli.main:main\npip3 = pip._internal.cli.main:main\n"

INIT = b'__version__ = "23.0.1"\n\n\ndef main(args=None):\n    return 0\n' + b"# padding\n" * 40
MAIN = b"import sys\nfrom pip import main\nsys.exit(main())\n"


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_record(files, lineterminator="\n", extra_rows=(), mutate=None):
    """RECORD text for files (a list of (name, bytes)), as Python's csv module writes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for name, data in files:
        row = [name, record_hash(data), str(len(data))]
        if mutate:
            row = mutate(row)
        writer.writerow(row)
    for row in extra_rows:
        writer.writerow(row)
    writer.writerow([f"{DIST_INFO}/RECORD", "", ""])
    return out.getvalue().encode()


def base_files(name=NAME, version=VERSION, extra=()):
    dist_info = f"{name}-{version}.dist-info"
    return [
        (f"{name}/__init__.py", INIT),
        (f"{name}/__main__.py", MAIN),
        *extra,
        (f"{dist_info}/METADATA", METADATA.replace(b"Name: pip", b"Name: " + name.encode())
         .replace(b"Version: 23.0.1", b"Version: " + version.encode())),
        (f"{dist_info}/WHEEL", WHEEL),
        (f"{dist_info}/entry_points.txt", ENTRY_POINTS),
    ]


def wheel_with_zipfile(files, record, compression=zipfile.ZIP_DEFLATED, force_zip64=False,
                       comment=b"", record_name=f"{DIST_INFO}/RECORD"):
    """A wheel written by zipfile (as bdist_wheel does). A fixed date keeps it reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in list(files) + [(record_name, record)]:
            info = zipfile.ZipInfo(name, date_time=(2023, 2, 17, 0, 0, 0))
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=force_zip64) as f:
                f.write(data)
        zf.comment = comment
    return buf.getvalue()


# A zip writer of our own, for what zipfile will not write: a zip64 end of central directory
# for a small archive, zip64 extra fields in the central directory, flags, odd methods.

class Entry:
    def __init__(self, name, data, method=8, flags=0, crc=None, size=None, csize=None,
                 zip64=False, raw=None, local_name=None):
        self.name = name.encode() if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.flags = flags
        self.crc = zlib.crc32(data) if crc is None else crc
        if raw is not None:
            self.payload = raw
        elif method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            self.payload = c.compress(data) + c.flush()
        else:
            self.payload = data
        self.size = len(data) if size is None else size
        self.csize = len(self.payload) if csize is None else csize
        self.zip64 = zip64
        self.local_name = self.name if local_name is None else local_name


def build_zip(entries, zip64_end=False, comment=b"", version_needed=20):
    out = bytearray()
    central = bytearray()
    for e in entries:
        offset = len(out)
        local_extra = b""
        if e.zip64:
            local_extra = struct.pack("<HHQQ", 1, 16, e.size, e.csize)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if e.zip64 else version_needed, e.flags,
                           e.method, 0, 0x5651, e.crc,
                           0xFFFFFFFF if e.zip64 else e.csize,
                           0xFFFFFFFF if e.zip64 else e.size,
                           len(e.local_name), len(local_extra))
        out += e.local_name + local_extra + e.payload
        extra = b""
        if e.zip64:
            extra = struct.pack("<HHQQQ", 1, 24, e.size, e.csize, offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45 if e.zip64 else version_needed,
                               e.flags, e.method, 0, 0x5651, e.crc,
                               0xFFFFFFFF if e.zip64 else e.csize,
                               0xFFFFFFFF if e.zip64 else e.size,
                               len(e.name), len(extra), 0, 0, 0, 0o644 << 16,
                               0xFFFFFFFF if e.zip64 else offset)
        central += e.name + extra
    cd_offset = len(out)
    out += central
    count = len(entries)
    if zip64_end:
        end64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                           len(central), cd_offset)
        out += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(comment))
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), cd_offset,
                           len(comment))
    out += comment
    return bytes(out)


def wheel_entries(files, record, method=8):
    entries = [Entry(n, d, method=method) for n, d in files]
    entries.append(Entry(f"{DIST_INFO}/RECORD", record, method=method))
    return entries


def wheel_seeds():
    seeds = {}
    files = base_files()
    record = make_record(files)

    # Valid wheels, as zipfile writes them.
    seeds["valid-deflated.whl"] = wheel_with_zipfile(files, record)
    seeds["valid-stored.whl"] = wheel_with_zipfile(files, record, compression=zipfile.ZIP_STORED)
    seeds["valid-comment.whl"] = wheel_with_zipfile(files, record, comment=b"an archive comment")
    seeds["valid-crlf-record.whl"] = wheel_with_zipfile(files, make_record(files, lineterminator="\r\n"))
    # zipfile's force_zip64: zip64 extra fields in the local headers only.
    seeds["valid-force-zip64.whl"] = wheel_with_zipfile(files, record, force_zip64=True)

    # Valid wheels from the hand-made writer: mixed methods, directory entries, zip64.
    mixed = [Entry(n, d, method=(0 if i % 2 else 8)) for i, (n, d) in enumerate(files)]
    mixed.insert(0, Entry("pip/", b"", method=0))
    mixed.append(Entry(f"{DIST_INFO}/RECORD", record, method=0))
    seeds["valid-mixed-dirs.whl"] = build_zip(mixed)
    seeds["zip64-end.whl"] = build_zip(wheel_entries(files, record), zip64_end=True)
    z64 = [Entry(n, d, method=8, zip64=True) for n, d in files]
    z64.append(Entry(f"{DIST_INFO}/RECORD", record, method=0, zip64=True))
    seeds["zip64-extra-fields.whl"] = build_zip(z64, zip64_end=True)

    # Quoted CSV paths in RECORD: commas, quotes, spaces, non-ASCII.
    odd = [("pip/a,b.py", b"x = 1\n"), ('pip/say "hi".py', b"print('hi')\n"),
           ("pip/space name.txt", b"text\n"), ("pip/caf\u00e9.py", b"# utf-8\n")]
    qfiles = base_files(extra=odd)
    seeds["record-quoted-paths.whl"] = wheel_with_zipfile(qfiles, make_record(qfiles))
    # Every field quoted, as some tools write it.
    allq = io.StringIO()
    w = csv.writer(allq, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for n, d in files:
        w.writerow([n, record_hash(d), str(len(d))])
    w.writerow([f"{DIST_INFO}/RECORD", "", ""])
    seeds["record-all-quoted.whl"] = wheel_with_zipfile(files, allq.getvalue().encode())
    # Text after a closing quote, an empty line, a row with too few fields.
    seeds["record-odd-csv.whl"] = wheel_with_zipfile(
        files, record.replace(b"pip/__main__.py,", b'"pip/__main__.py"junk,', 1) + b"\n\n")
    seeds["record-short-row.whl"] = wheel_with_zipfile(files, record + b"pip/__init__.py\n")
    seeds["record-no-final-newline.whl"] = wheel_with_zipfile(files, record.rstrip(b"\n"))
    seeds["record-blank-lines.whl"] = wheel_with_zipfile(files, b"\n" + record.replace(b"\n", b"\n\n", 2))

    # RECORD disagreements.
    seeds["record-hash-mismatch.whl"] = wheel_with_zipfile(
        files, make_record(files, mutate=lambda r: [r[0], r[1][:-4] + "AAAA", r[2]]
                           if r[0].endswith("__init__.py") else r))
    seeds["record-size-mismatch.whl"] = wheel_with_zipfile(
        files, make_record(files, mutate=lambda r: [r[0], r[1], str(int(r[2]) + 1)]
                           if r[0].endswith("WHEEL") else r))
    seeds["record-md5.whl"] = wheel_with_zipfile(
        files, make_record(files, mutate=lambda r: [r[0], "md5=" + r[1][7:], r[2]]))
    seeds["record-lists-missing.whl"] = wheel_with_zipfile(
        files, make_record(files, extra_rows=[["pip/gone.py", record_hash(b""), "0"]]))
    seeds["record-unlisted-file.whl"] = wheel_with_zipfile(
        files + [("pip/extra.py", b"# not in RECORD\n")], record)
    seeds["record-nul.whl"] = wheel_with_zipfile(files, record.replace(b"\n", b"\n\0", 1))
    seeds["record-signed.whl"] = wheel_with_zipfile(
        files + [(f"{DIST_INFO}/RECORD.jws", b"{}")], record)
    # The signature listed in RECORD with an empty hash, as RECORD lists itself.
    seeds["record-lists-signature.whl"] = wheel_with_zipfile(
        files + [(f"{DIST_INFO}/RECORD.p7s", b"0\x82\x01\x00")],
        make_record(files, extra_rows=[[f"{DIST_INFO}/RECORD.p7s", "", ""]]))
    seeds["no-record.whl"] = build_zip([Entry(n, d) for n, d in files])

    # METADATA variations.
    def with_metadata(meta, name="metadata"):
        fs = [(n, meta if n.endswith("/METADATA") else d) for n, d in files]
        seeds[f"metadata-{name}.whl"] = wheel_with_zipfile(fs, make_record(fs))
    with_metadata(METADATA.replace(b"\n", b"\r\n"), "crlf")
    with_metadata(METADATA.replace(b"Version: 23.0.1", b"Version:\t 23.0.1 \t"), "spaces")
    with_metadata(METADATA.replace(b"Version: 23.0.1\n", b""), "no-version")
    with_metadata(METADATA.replace(b"Version: 23.0.1", b"Version: "), "empty-version")
    with_metadata(METADATA.replace(b"Version: 23.0.1", b"Version: " + b"9" * 100), "long-version")
    with_metadata(b"\nVersion: 1.0\n", "empty-headers")
    two = files + [("other-1.0.dist-info/METADATA", METADATA)]
    seeds["two-dist-info.whl"] = wheel_with_zipfile(two, make_record(two))
    longname = base_files(name="p" * 600)
    seeds["long-dist-info-name.whl"] = wheel_with_zipfile(longname, b"", record_name="RECORD")
    nodist = [(n, d) for n, d in files if "dist-info" not in n]
    seeds["no-dist-info.whl"] = wheel_with_zipfile(nodist, b"", record_name="RECORD")

    # Damaged archives.
    good = seeds["valid-deflated.whl"]
    seeds["truncated-half.whl"] = good[: len(good) // 2]
    seeds["truncated-end.whl"] = good[:-5]
    seeds["truncated-central.whl"] = good[: good.rfind(b"PK\x01\x02") + 20] + good[-22:]
    crc = bytearray(good)
    i = crc.find(b"PK\x01\x02")
    crc[i + 16] ^= 0xFF
    seeds["crc-mismatch.whl"] = bytes(crc)
    seeds["encrypted-flag.whl"] = build_zip(
        [Entry("pip/__init__.py", INIT, flags=1)] + wheel_entries(files[1:], record))
    seeds["method-bzip2.whl"] = build_zip(
        [Entry("pip/__init__.py", INIT, method=12, raw=b"BZh9" + bytes(20))] + wheel_entries(files[1:], record))
    seeds["stored-size-differs.whl"] = build_zip(
        [Entry("pip/__init__.py", INIT, method=0, csize=len(INIT) - 1)] + wheel_entries(files[1:], record))
    seeds["deflate-size-lie.whl"] = build_zip(
        [Entry("pip/__init__.py", INIT, size=len(INIT) * 1000)] + wheel_entries(files[1:], record))
    seeds["local-name-differs.whl"] = build_zip(
        [Entry("pip/__init__.py", INIT, local_name=b"pip/__init__.pz")] + wheel_entries(files[1:], record))
    seeds["duplicate-names.whl"] = build_zip(wheel_entries(files + files[:1], record))
    seeds["data-descriptor.whl"] = build_zip(
        [Entry("pip/__init__.py", INIT, flags=8)] + wheel_entries(files[1:], record))
    seeds["multi-part.whl"] = good[:-22] + good[-22:-18] + b"\x01\x00" + good[-16:]
    seeds["zip64-bad-locator.whl"] = build_zip(wheel_entries(files, record), zip64_end=True)[:-42] \
        + b"\0" * 20 + build_zip(wheel_entries(files, record), zip64_end=True)[-22:]

    # Empty and minimal archives.
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w"):
        pass
    seeds["empty.zip"] = empty.getvalue()
    seeds["empty-zip64.zip"] = build_zip([], zip64_end=True)
    seeds["one-empty-file.zip"] = build_zip([Entry("a", b"", method=0)])
    seeds["not-a-zip.txt"] = b"this is not a zip archive\n"
    return seeds


def pip_subset_seeds(path):
    """Small wheels made of real parts of the pip wheel: its .dist-info files and a few small
    modules, with their rows taken as they are from its RECORD (so real hashes and real CSV),
    a few kilobytes each, so that fuzzing them stays fast."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        record_name = f"{dist_info}/RECORD"
        rows = {}
        for line in zf.read(record_name).decode("utf-8").splitlines(keepends=True):
            name = next(csv.reader([line]), [""])[0]
            rows[name] = line
        infos = {i.filename: i for i in zf.infolist()}
        meta = [n for n in names if n.startswith(dist_info + "/") and n != record_name
                and infos[n].file_size < 4096]
        modules = sorted((n for n in names if n.endswith(".py") and not n.startswith(dist_info)),
                         key=lambda n: (infos[n].file_size, n))
        empty = [n for n in modules if infos[n].file_size == 0]
        small = [n for n in modules if infos[n].file_size > 0]
        seeds = {}
        for label, picked in (("small", empty[:2] + small[:2]), ("more", small[2:10])):
            chosen = [n for n in meta if n.endswith("/METADATA") or n.endswith("/WHEEL")] \
                if label == "small" else meta
            chosen = chosen + picked
            record = "".join(rows[n] for n in chosen if n in rows) + rows.get(record_name, f"{record_name},,\n")
            for method, mname in ((zipfile.ZIP_DEFLATED, "deflated"), (zipfile.ZIP_STORED, "stored")):
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", compression=method) as out:
                    for n in chosen:
                        info = zipfile.ZipInfo(n, date_time=infos[n].date_time)
                        info.compress_type = method
                        info.external_attr = infos[n].external_attr
                        out.writestr(info, zf.read(n))
                    info = zipfile.ZipInfo(record_name, date_time=infos[record_name].date_time)
                    info.compress_type = method
                    out.writestr(info, record.encode("utf-8"))
                seeds[f"pip-part-{label}-{mname}.whl"] = buf.getvalue()
    return seeds


def pip_wheel_seeds(path):
    with open(path, "rb") as f:
        data = f.read()
    base = os.path.basename(path)
    seeds = {base: data}
    end = data.rfind(b"PK\x05\x06")
    central = data.find(b"PK\x01\x02")

    def flipped(pos):
        b = bytearray(data)
        b[pos] ^= 0x01
        return bytes(b)

    seeds["pip-flip-data.whl"] = flipped(len(data) // 3)
    if central > 0:
        seeds["pip-flip-central.whl"] = flipped(central + 24)    # an uncompressed size
    if end > 0:
        seeds["pip-flip-end.whl"] = flipped(end + 16)            # the directory offset
    seeds["pip-truncated-half.whl"] = data[: len(data) // 2]
    seeds["pip-truncated-1.whl"] = data[:-1]
    return seeds


def cli_seeds():
    longs = ["--help", "--version", "--verbose", "--quiet", "--upgrade", "--user", "--altinstall",
             "--default-pip", "--uninstall", "--verify", "--no-compile"]
    with_arg = {"--root": "/tmp/root", "--python": "/usr/bin/python3",
                "--script-interpreter": "/usr/bin/env python3", "--report": "-",
                "--lock-timeout": "30"}
    vectors = [[]]
    vectors += [[o] for o in longs]
    for o, a in with_arg.items():
        vectors += [[o, a], [f"{o}={a}"], [o], [f"{o}="]]
    vectors += [
        ["-h"], ["-v"], ["-vvv"], ["-vvvq"], ["-q"], ["-U"], ["-Uv"], ["-x"], ["-"], ["--"],
        ["--", "--user"], ["-v", "-v", "-v"],
        ["--lock-timeout=1e309"], ["--lock-timeout=-1"], ["--lock-timeout=nan"], ["--lock-timeout", "0x10"],
        ["--lock-timeout=1e9"], ["--lock-timeout=12abc"], ["--lock-timeout="],
        ["--up"], ["--u"], ["--us"], ["--un"], ["--ver"], ["--verb"], ["--veri"], ["--de"], ["--scr=x"],
        ["--no"], ["--rep", "out.json"], ["--py=/x"], ["--help=1"], ["--user=yes"], ["--bogus"],
        ["--root", "/r", "--user", "--upgrade", "--default-pip"],
        ["--altinstall", "--default-pip"],
        ["--uninstall", "--upgrade"], ["--uninstall", "--root=/r", "--user", "-v"],
        ["--verify", "-v"], ["--verify", "--user"], ["--verify", "-q"],
        ["--version", "--bogus"], ["-q", "--verbose"],
        ["--python", ""], ["--report", ""], ["--script-interpreter", " python"],
        ["--script-interpreter", "/usr/bin/python3\n"], ["--script-interpreter", "/" + "p" * 130],
        ["--no-compile", "--script-interpreter=/usr/bin/python3", "--report=/tmp/r.json", "-U"],
        ["extra"], ["--user", "extra", "more"], ["extra", "--user"],
        ["--root"], ["--python"],
        ["\udcff\udcfe"], ["--\udcff"], ["-\x01"], ["--user\n"], ["-\n"],
    ]
    return {f"cli-{i:03d}": "\0".join(v).encode("utf-8", "surrogateescape") for i, v in enumerate(vectors)}


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    return len(seeds)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("wheel_dir", help="directory for the fuzz_wheel seeds")
    p.add_argument("--pip-wheel", metavar="FILE", help="the real pip wheel: add it and damaged copies")
    p.add_argument("--pip-dir", metavar="DIR",
                   help="put the pip wheel and its damaged copies (about 1.7 MB each) here instead "
                        "of in WHEEL_DIR; the small wheels made of its parts stay in WHEEL_DIR")
    p.add_argument("--cli-dir", metavar="DIR", help="directory for the fuzz_cli seeds")
    args = p.parse_args()

    seeds = wheel_seeds()
    big = {}
    if args.pip_wheel:
        seeds.update(pip_subset_seeds(args.pip_wheel))
        big = pip_wheel_seeds(args.pip_wheel)
        if not args.pip_dir:
            seeds.update(big)
    n = write(args.wheel_dir, seeds)
    print(f"make-corpus.py: {n} fuzz_wheel seeds in {args.wheel_dir}"
          + (f" (with parts of {os.path.basename(args.pip_wheel)})" if args.pip_wheel else ""))
    if big and args.pip_dir:
        n = write(args.pip_dir, big)
        print(f"make-corpus.py: {n} fuzz_wheel seeds (the pip wheel, damaged copies) in {args.pip_dir}")
    if args.cli_dir:
        n = write(args.cli_dir, cli_seeds())
        print(f"make-corpus.py: {n} fuzz_cli seeds in {args.cli_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Imports pip and the glue straight from the runtime archive in the program's memory.

The C host runs this file first (it is embedded as source, beside the archive) and calls
install() with a read-only memoryview of the archive, which stays where the binary has it: no
7 MB file is written to disk for every run, and no file is opened for every module. The
archive's members are stored, not deflated (build-aux/mkruntime.py): a module's bytecode is a
slice of the view, unmarshalled and run.

Modules get __file__ = "<ensurepip>/pip/...": they come from no file. Nothing pip's installer
runs reads a data file next to its modules; a package's data files are still served, to
importlib.resources and pkgutil, through get_data() and get_resource_reader().
"""

import io
import marshal
import struct
import sys
from importlib.machinery import ModuleSpec

ORIGIN = "<ensurepip>"
_HEADER_SIZE = 16  # .pyc header: magic, flags, and hash or mtime and size


class RuntimeArchive:
    """The members of a zip archive held in memory, by name: (offset, size) of stored data."""

    def __init__(self, data):
        self.data = data
        self.members = {}
        end = bytes(data[-22:])
        if end[:4] != b"PK\x05\x06":
            raise ImportError("the runtime archive has no end of central directory record")
        count, size, offset = struct.unpack_from("<HII", end, 10)
        pos = offset
        for _ in range(count):
            (sig, method, csize, usize, name_len, extra_len, comment_len, local) = struct.unpack_from(
                "<I6xH8xIIHHH8xI", data, pos)
            if sig != 0x02014B50 or method != 0 or csize != usize:
                raise ImportError("the runtime archive is not a zip of stored members")
            name = bytes(data[pos + 46:pos + 46 + name_len]).decode("utf-8")
            local_name_len, local_extra_len = struct.unpack_from("<HH", data, local + 26)
            start = local + 30 + local_name_len + local_extra_len
            self.members[name] = (start, usize)
            pos += 46 + name_len + extra_len + comment_len

    def get(self, name):
        where = self.members.get(name)
        if where is None:
            return None
        start, size = where
        return self.data[start:start + size]

    def sizes(self, prefix, suffix):
        return [size for name, (_start, size) in self.members.items()
                if name.startswith(prefix) and name.endswith(suffix)]


class _Resources:
    """importlib.abc.ResourceReader for a package in the archive."""

    def __init__(self, archive, directory):
        self._archive, self._directory = archive, directory

    def open_resource(self, resource):
        data = self._archive.get(f"{self._directory}/{resource}")
        if data is None:
            raise FileNotFoundError(resource)
        return io.BytesIO(data)

    def resource_path(self, resource):
        raise FileNotFoundError(resource)

    def is_resource(self, name):
        return f"{self._directory}/{name}" in self._archive.members

    def contents(self):
        prefix = self._directory + "/"
        return sorted({n[len(prefix):].split("/", 1)[0] for n in self._archive.members if n.startswith(prefix)})


class Importer:
    """A meta path finder and loader for the modules in the archive."""

    def __init__(self, archive):
        self.archive = archive

    def _member(self, fullname):
        base = fullname.replace(".", "/")
        if base + "/__init__.pyc" in self.archive.members:
            return base + "/__init__.pyc", True
        if base + ".pyc" in self.archive.members:
            return base + ".pyc", False
        return None, False

    def find_spec(self, fullname, path=None, target=None):
        member, is_package = self._member(fullname)
        if member is None:
            return None
        spec = ModuleSpec(fullname, self, origin=f"{ORIGIN}/{member[:-1]}", is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [f"{ORIGIN}/{member.rsplit('/', 1)[0]}"]
        return spec

    def create_module(self, spec):
        return None

    def get_code(self, fullname):
        member, _is_package = self._member(fullname)
        if member is None:
            raise ImportError(f"no module named {fullname!r} in the runtime archive", name=fullname)
        return marshal.loads(self.archive.get(member)[_HEADER_SIZE:])

    def exec_module(self, module):
        exec(self.get_code(module.__spec__.name), module.__dict__)

    def is_package(self, fullname):
        return self._member(fullname)[1]

    def get_source(self, fullname):
        return None

    def get_data(self, path):
        name = path[len(ORIGIN) + 1:] if path.startswith(ORIGIN + "/") else path
        data = self.archive.get(name)
        if data is None:
            raise OSError(f"{path} is not in the runtime archive")
        return bytes(data)

    def get_resource_reader(self, fullname):
        if not self.is_package(fullname):
            return None
        return _Resources(self.archive, fullname.replace(".", "/"))


def install(view):
    """Puts the archive's modules first on sys.meta_path; returns the Importer."""
    importer = Importer(RuntimeArchive(view))
    sys.meta_path.insert(0, importer)
    return importer

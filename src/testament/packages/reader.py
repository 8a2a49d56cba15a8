"""Reading a package's files, from a directory or from a ``.zip``, with the guards a stranger's file needs.

Standard library only (the stand-alone verifier uses it). A zip is read in place, never unpacked: its
names are checked first (no absolute path, no ``..``, no backslash, no duplicate, one top-level
directory), and an entry whose declared size is out of all proportion to its compressed size, or a
whole archive that declares more than :data:`MAX_TOTAL` bytes, is refused before anything is inflated
(a zip bomb). A directory's files are walked without following symbolic links: a link is reported,
never read. Files are read in chunks, so memory stays bounded whatever their size.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1 << 20
MAX_RATIO = 200  # inflated bytes a compressed byte may declare; plain text rarely passes 20
MAX_TOTAL = 1 << 44  # 16 TiB declared in one archive
MAX_SMALL = 64 << 20  # a tag or metadata file read whole (checkpoint, proofs, manifests)


class Unreadable(Exception):
    """The package cannot be read at all (not a directory or a zip, or not readable)."""


class Unsafe(Exception):
    """The package holds a path or an entry that must not be trusted (zip-slip, zip bomb, a link)."""

    def __init__(self, what: str, name: str) -> None:
        super().__init__(what)
        self.what, self.name = what, name


class Reader(Protocol):
    def names(self) -> list[str]: ...

    def size(self, name: str) -> int: ...

    def open(self, name: str) -> BinaryIO: ...

    def close(self) -> None: ...


def open_package(path: Path) -> Reader:
    """A reader for the bag at ``path``: a directory, or a zip holding one top-level directory."""
    try:
        info = path.stat()
    except OSError as exc:
        raise Unreadable(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        return DirectoryReader(path)
    if zipfile.is_zipfile(path):
        return ZipReader(path)
    raise Unreadable(f"{path} is neither a directory nor a zip archive")


def read_small(reader: Reader, name: str) -> bytes:
    """A whole file that should be small; refuse one that is not."""
    size = reader.size(name)
    if size > MAX_SMALL:
        raise Unsafe(f"too large for a {name.rsplit('/', 1)[-1]} file", name)
    with reader.open(name) as handle:
        return handle.read(size)  # what the listing says, not MAX_SMALL: read(n) reserves n bytes


def chunks(reader: Reader, name: str) -> Iterator[bytes]:
    with reader.open(name) as handle:
        while block := handle.read(CHUNK):
            yield block


class DirectoryReader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._sizes: dict[str, int] | None = None

    def names(self) -> list[str]:
        return sorted(self._walk())

    def _walk(self) -> dict[str, int]:
        if self._sizes is not None:
            return self._sizes
        sizes: dict[str, int] = {}
        for folder, dirs, files in os.walk(self.root, onerror=_raise_unreadable):
            for name in [*dirs, *files]:
                full = Path(folder, name)
                relative = full.relative_to(self.root).as_posix()
                info = full.lstat()
                if stat.S_ISLNK(info.st_mode):
                    raise Unsafe("a symbolic link, which a package never holds", relative)
                if name in files:
                    if not stat.S_ISREG(info.st_mode):
                        raise Unsafe("not a regular file", relative)
                    sizes[relative] = info.st_size
        self._sizes = sizes
        return sizes

    def size(self, name: str) -> int:
        return self._walk()[name]

    def open(self, name: str) -> BinaryIO:
        return (self.root / name).open("rb")

    def close(self) -> None:
        pass


def _raise_unreadable(error: OSError) -> None:
    raise Unreadable(f"cannot read {error.filename}: {error.strerror}")


class ZipReader:
    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise Unreadable(f"cannot read the zip archive {path}: {exc}") from None
        self._entries: dict[str, zipfile.ZipInfo] = {}
        self._check()

    def _check(self) -> None:
        tops: set[str] = set()
        folders: set[str] = set()
        lowered: set[str] = set()
        total = 0
        for info in self._zip.infolist():
            name = info.filename
            parts = name.split("/")
            if name.startswith("/") or "\\" in name or ".." in parts or ":" in parts[0]:
                raise Unsafe("a path that leaves the package (zip-slip)", name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise Unsafe("a symbolic link, which a package never holds", name)
            tops.add(parts[0])
            total += info.file_size
            if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Unsafe(
                    f"declares {info.file_size} bytes from {info.compress_size} (a zip bomb)", name
                )
            relative = "/".join(parts[1:]).rstrip("/")
            if info.is_dir():
                folders.add(relative)
                continue
            if not relative:
                raise Unsafe("a file in place of the package's own directory", name)
            if relative in self._entries or relative.lower() in lowered:
                raise Unsafe(
                    "a name that appears twice in the archive (or differs only in case)", name
                )
            self._entries[relative] = info
            lowered.add(relative.lower())
        clash = folders & set(self._entries)
        if clash:
            raise Unsafe("a directory with the name of a file", sorted(clash)[0])
        if total > MAX_TOTAL:
            raise Unsafe(f"declares {total} bytes in all (a zip bomb)", "the archive")
        if len(tops) != 1:
            raise Unsafe("a package archive holds exactly one top-level directory", "the archive")

    def names(self) -> list[str]:
        return sorted(self._entries)

    def size(self, name: str) -> int:
        return self._entries[name].file_size

    def open(self, name: str) -> BinaryIO:
        return self._zip.open(self._entries[name])  # type: ignore[return-value]

    def close(self) -> None:
        self._zip.close()

"""Writing a bag, as a directory or as one ``.zip``, out of sight until it is whole.

A directory is written under a hidden temporary name beside the target, a zip to a hidden temporary
file; both are flushed to disk and then renamed to the target, which must not exist
(``renameat2(RENAME_NOREPLACE)``). A failure at any point removes what was written, so a package is
either whole at its path or absent. Files are written from iterators of chunks: an original of any
size passes through in bounded memory. Zip entries are stored, not compressed (originals are mostly
compressed media already), under one top-level directory named after the package.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from testament.errors import Conflict, InvalidInput
from testament.packages import bag, layout
from testament.vault.fileio import WritebackAhead, move_new, sync_filesystem


def check_target(out: Path) -> None:
    """Refuse, before anything is read or recorded, a target that exists or cannot be written."""
    if os.path.lexists(out):
        raise Conflict(
            "the package's path already exists", where=str(out), hint="name a new path with --out"
        )
    if not out.parent.is_dir():
        raise InvalidInput(
            "the folder to write the package in does not exist", where=str(out.parent)
        )
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise InvalidInput(
            "the folder to write the package in is not writable", where=str(out.parent)
        )


class BagWriter:
    """Payload files with their SHA-256 and size, then the tag files, then one rename into place."""

    def __init__(self, out: Path, *, zipped: bool, top: str) -> None:
        self.out = out
        self.digests: dict[str, str] = {}  # payload path -> SHA-256
        self.octets = 0
        self._temporary = out.with_name(f".{out.name}.partial-{secrets.token_hex(6)}")
        self._zip: zipfile.ZipFile | None = None
        self._top = top
        if zipped:
            self._zip = zipfile.ZipFile(self._temporary, "x", zipfile.ZIP_STORED, allowZip64=True)
        else:
            self._temporary.mkdir()

    def add(self, path: str, data: Iterable[bytes], *, sha256: str | None = None) -> str:
        """Write a payload file; ``sha256`` when it is already known (an original), else hashed."""
        hasher = None if sha256 is not None else hashlib.sha256()
        size = 0
        with self._open(path) as handle:
            # The disk starts writing a large file back while the next chunks are read and
            # decrypted, so the final flush finds little left (as the vault's ingest does).
            writeback = WritebackAhead(handle.fileno()) if self._zip is None else None
            try:
                for block in data:
                    handle.write(block)
                    size += len(block)
                    if writeback is not None:
                        writeback.wrote(len(block))
                    if hasher is not None:
                        hasher.update(block)
            finally:
                if writeback is not None:
                    handle.flush()
                    writeback.stop()
        digest = hasher.hexdigest() if hasher is not None else str(sha256)
        self.digests[path] = digest
        self.octets += size
        return digest

    def add_text(self, path: str, text: str) -> str:
        return self.add(path, [text.encode("utf-8")])

    def _open(self, path: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(f"{self._top}/{path}", "w", force_zip64=True)
        target = self._temporary / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("xb")

    def finish(self, info: dict[str, str]) -> None:
        """Write bagit.txt, bag-info.txt (with Payload-Oxum), the profile and both manifests."""
        fields = info | {"Payload-Oxum": f"{self.octets}.{len(self.digests)}"}
        tags = {
            "bagit.txt": bag.BAGIT_TXT,
            "bag-info.txt": bag.bag_info_text(fields),
            bag.MANIFEST: bag.manifest_text(self.digests.items()),
            layout.PROFILE_TAG_FILE: profile_text(),
        }
        for name, text in tags.items():
            self._write_tag(name, text)
        listed = ((name, bag.sha256_text(text)) for name, text in tags.items())
        self._write_tag(bag.TAG_MANIFEST, bag.manifest_text(listed))

    def _write_tag(self, name: str, text: str) -> None:
        with self._open(name) as handle:
            handle.write(text.encode("utf-8"))

    def flush(self) -> None:
        """Make every byte written so far durable (before the package is recorded as disclosed)."""
        if self._zip is not None:
            handle = self._zip.fp
            if handle is not None:
                handle.flush()
                os.fsync(handle.fileno())
        else:
            sync_filesystem(self._temporary)

    def commit(self) -> None:
        """Close a zip (its central directory), then give the whole package its name; the target
        must still not exist."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
            with self._temporary.open("rb") as handle:
                os.fsync(handle.fileno())
        move_new(self._temporary, self.out)

    def discard(self) -> None:
        """Remove what was written (nothing, once :meth:`commit` gave it its name)."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._temporary.is_dir():
            shutil.rmtree(self._temporary, ignore_errors=True)
        else:
            self._temporary.unlink(missing_ok=True)


def profile_text() -> str:
    return (Path(__file__).parent / "profile.json").read_text(encoding="utf-8")

"""Reading key files: the one place that refuses a key file other users can read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from testament.errors import InvalidInput, NotFound, PermissionDenied

MAX_KEY_FILE = 16 * 1024


def read_secret(path: Path, what: str, *, missing_hint: str) -> bytes:
    """The bytes of a key file that only its owner can access (mode 0600 or stricter).

    ``what`` names the key in messages ("the log signing key"); the key itself never appears in one.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NotFound(f"{what} is missing", where=str(path), hint=missing_hint) from None
    except PermissionError:
        raise PermissionDenied(f"{what} cannot be read", where=str(path)) from None
    except OSError as exc:
        raise InvalidInput(f"{what} cannot be opened: {exc.strerror}", where=str(path)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InvalidInput(f"{what} is not a regular file", where=str(path))
        if mode & 0o077:
            raise PermissionDenied(
                f"{what} is accessible to group or others (mode {mode & 0o777:o})",
                where=str(path),
                hint=f"run `chmod 600 {path}`",
            )
        data = os.read(fd, MAX_KEY_FILE + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_KEY_FILE:
        raise InvalidInput(f"{what} is too large to be a key file", where=str(path))
    return data

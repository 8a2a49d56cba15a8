"""The rejects file of an import run with ``--skip-invalid``: every refused row, with why.

The file has the input's format, so a user can correct it and import it again: a TimeMap JSON array, a
CSV with the input's header, or JSON Lines. Each rejected row carries ``testament_error`` (for CSV, two
extra columns ``testament_row`` and ``testament_error``). Rows are written as they are refused, to a
temporary file beside the target that :meth:`Rejects.keep` renames into place once the import commits,
so a failed import leaves no rejects file behind.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

from testament.errors import InvalidInput

FORMATS = ("timemap", "csv", "jsonl")


def _describe(row: int, error: InvalidInput) -> dict[str, Any]:
    return {"row": row, "error": error.what, "where": error.where, "fields": dict(error.errors)}


class Rejects:
    """Writes rejected rows of ``fmt`` to ``path`` (kept only when :meth:`keep` is called)."""

    def __init__(self, path: Path, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(fmt)
        self.path = path
        self.fmt = fmt
        self.count = 0
        self.header: list[str] = []
        self._partial = path.with_name(path.name + ".partial")
        self._out: TextIO | None = None
        self._csv: Any = None

    def _open(self) -> TextIO:
        if self._out is None:
            try:
                self._out = self._partial.open("w", encoding="utf-8", newline="")
            except OSError as exc:
                raise InvalidInput(
                    f"cannot write the rejects file: {exc.strerror}",
                    where=str(self.path),
                    hint="name a writable place with --rejects PATH",
                ) from None
            if self.fmt == "timemap":
                self._out.write("[")
            elif self.fmt == "csv":
                self._csv = csv.writer(self._out)
                self._csv.writerow([*self.header, "testament_row", "testament_error"])
        return self._out

    def add(self, row: int, raw: object, error: InvalidInput) -> None:
        out = self._open()
        self.count += 1
        if self.fmt == "csv":
            cells = [str(c) for c in raw] if isinstance(raw, list) else [str(raw)]
            self._csv.writerow([*cells, row, f"{error.where}: {error.what}"])
            return
        record = dict(raw) if isinstance(raw, dict) else {"testament_rejected": raw}
        record["testament_error"] = _describe(row, error)
        text = json.dumps(record, sort_keys=True, ensure_ascii=False)
        if self.fmt == "timemap":
            out.write(("\n" if self.count == 1 else ",\n") + text)
        else:
            out.write(text + "\n")

    def keep(self) -> Path | None:
        """Close the file and move it into place; None when nothing was rejected."""
        if self._out is None:
            return None
        if self.fmt == "timemap":
            self._out.write("\n]\n")
        self._out.close()
        self._out = None
        self._partial.replace(self.path)
        return self.path

    def discard(self) -> None:
        """Close and remove the temporary file (the import did not commit)."""
        if self._out is not None:
            self._out.close()
            self._out = None
        self._partial.unlink(missing_ok=True)

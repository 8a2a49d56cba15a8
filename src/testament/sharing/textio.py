"""UTF-8 text from a byte stream in bounded memory, with diagnoses that name the byte and line at fault.

Files come from other tools, so a stray Latin-1 byte is common. :class:`Utf8Text` decodes a chunk at a
time and refuses the file at the first byte that is not UTF-8, naming its offset (from 0) and its line
(from 1). A leading byte order mark is dropped, as spreadsheet programs write one.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

from testament.errors import InvalidInput

CHUNK = 1 << 20
BOM = "\ufeff"


class Utf8Text:
    """Decode ``stream`` as UTF-8; ``name`` names the file in diagnoses."""

    def __init__(self, stream: IO[bytes], name: str, *, chunk_size: int = CHUNK) -> None:
        self.stream = stream
        self.name = name
        self.chunk_size = chunk_size
        self.size = 0  # bytes decoded so far: the file's size once the text is read to its end

    def chunks(self) -> Iterator[str]:
        """The text, in pieces of about ``chunk_size`` characters."""
        pending = b""
        offset = 0  # bytes decoded before ``pending``
        lines = 0  # newlines decoded so far
        first = True
        while True:
            raw = self.stream.read(self.chunk_size)
            final = not raw
            data = pending + raw
            try:
                text, used = codecs.utf_8_decode(data, "strict", final)
            except UnicodeDecodeError as exc:
                raise self._error(data, exc, offset, lines) from None
            pending = data[used:]
            offset += used
            self.size = offset
            lines += text.count("\n")
            if first and text:
                text = text.removeprefix(BOM)
                first = False
            if text:
                yield text
            if final:
                return

    def lines(self, max_chars: int | None = None) -> Iterator[str]:
        """The text line by line, each with its ``\\n`` (a ``\\r\\n`` ending keeps its ``\\r``).

        The last line lacks its ``\\n`` when the file does not end with one (it may be cut short: see
        :meth:`truncated`). A line longer than ``max_chars`` is refused before it is all in memory.
        """
        rest = ""
        number = 1
        for chunk in self.chunks():
            parts = (rest + chunk).split("\n")
            rest = parts.pop()
            for part in parts:
                yield part + "\n"
            number += len(parts)
            if max_chars is not None and len(rest) > max_chars:
                raise InvalidInput(
                    f"line {number} is longer than {max_chars:,} characters",
                    where=f"{self.name}: line {number}",
                    hint="a line holds one record; this file is not in the expected format",
                )
        if rest:
            yield rest

    def truncated(self, line: int, start: int, inside: str) -> InvalidInput:
        """:func:`truncated` for this file, once it has been read to its end."""
        return truncated(self.name, self.size, line, start, inside)

    def _error(self, data: bytes, exc: UnicodeDecodeError, offset: int, lines: int) -> InvalidInput:
        at = offset + exc.start
        line = lines + data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return InvalidInput(
            f"the file is not UTF-8 text: byte 0x{bad} at offset {at} (line {line}) cannot be decoded",
            where=f"{self.name}: byte {at}, line {line}",
            hint="save the file as UTF-8 (most spreadsheet programs offer 'CSV UTF-8'), then import it again",
        )


def truncated(name: str, size: int, line: int, start: int, inside: str) -> InvalidInput:
    """The diagnosis of a file cut short: it ends at byte ``size`` inside ``inside`` (such as "event
    7"), which begins on ``line`` at byte ``start``. Nothing of it is imported."""
    return InvalidInput(
        f"the file is truncated: it ends at byte {size:,} inside {inside}, "
        f"which begins on line {line} at byte {start:,}",
        where=f"{name}: line {line}, byte {start}",
        hint="the file was cut short (an interrupted download or copy) and nothing was imported: "
        "fetch or export it again, whole, and import that",
    )

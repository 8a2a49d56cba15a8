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
            lines += text.count("\n")
            if first and text:
                text = text.removeprefix(BOM)
                first = False
            if text:
                yield text
            if final:
                return

    def lines(self) -> Iterator[str]:
        """The text line by line, each with its ``\\n`` (a ``\\r\\n`` ending keeps its ``\\r``)."""
        rest = ""
        for chunk in self.chunks():
            parts = (rest + chunk).split("\n")
            rest = parts.pop()
            for part in parts:
                yield part + "\n"
        if rest:
            yield rest

    def _error(self, data: bytes, exc: UnicodeDecodeError, offset: int, lines: int) -> InvalidInput:
        at = offset + exc.start
        line = lines + data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return InvalidInput(
            f"the file is not UTF-8 text: byte 0x{bad} at offset {at} (line {line}) cannot be decoded",
            where=f"{self.name}: byte {at}, line {line}",
            hint="save the file as UTF-8 (most spreadsheet programs offer 'CSV UTF-8'), then import it again",
        )

"""The elements of a top-level JSON array, one at a time, without reading the whole file.

TimeMap files are one JSON array of events. :func:`elements` keeps only a window of the text in memory
(about a chunk, or one element if an element is larger) and decodes each element with the standard
library's decoder, so a file of a million events needs no more memory than one of a thousand. Each
element is decoded within the limits of :mod:`testament.domain.boundedjson` (nesting, numbers), and a
file that ends inside an element is reported as truncated, naming the line and byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from testament.domain import boundedjson
from testament.errors import InvalidInput
from testament.sharing.textio import truncated

MAX_ELEMENT = 64 << 20  # characters: a larger element is not a TimeMap event
_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9.eE+-]*")
_TOO_DEEP = f"nests arrays and objects more than {boundedjson.MAX_DEPTH} levels deep"


class _Window:
    """A sliding window over the text that tracks line numbers."""

    def __init__(self, chunks: Iterator[str], name: str, size: Callable[[], int]) -> None:
        self.chunks = chunks
        self.name = name
        self.size = size  # bytes read so far: the file's size at its end
        self.text = ""
        self.pos = 0
        self.eof = False
        self._mark = 0  # position up to which newlines are counted in ``_line``
        self._line = 1

    def line(self, pos: int | None = None) -> int:
        """The line (from 1) of ``pos`` (default: the current position), which must not precede the last."""
        target = self.pos if pos is None else pos
        return self._line + self.text.count("\n", self._mark, target)

    def advance_mark(self) -> None:
        self._line = self.line()
        self._mark = self.pos

    def more(self) -> bool:
        """Read the next chunk (dropping what was consumed); False at the end of the file."""
        if self.eof:
            return False
        self.advance_mark()
        self.text = self.text[self.pos :]
        self._mark = self.pos = 0
        try:
            self.text += next(self.chunks)
        except StopIteration:
            self.eof = True
            return False
        return True

    def peek(self) -> str:
        """The next character that is not whitespace, without consuming it ('' at the end)."""
        while True:
            match = _SPACE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def error(self, what: str, pos: int | None = None) -> InvalidInput:
        at = self.pos if pos is None else pos
        line = self.line(at)
        column = at - self.text.rfind("\n", 0, at)
        return InvalidInput(
            f"the file is not a JSON array of events: {what} at line {line}, column {column}",
            where=f"{self.name}: line {line}",
            hint="check the file is complete (not truncated) and valid JSON",
        )

    def cut_short(self, inside: str) -> InvalidInput:
        """The file ends (the window holds its end) inside what begins at the current position."""
        start = self.size() - len(self.text[self.pos :].encode("utf-8", "surrogatepass"))
        return truncated(self.name, self.size(), self.line(), start, inside)


def _value(window: _Window, row: int) -> Any:
    while True:
        window.peek()
        try:
            value, end = boundedjson.DECODER.raw_decode(window.text, window.pos)
        except json.JSONDecodeError as exc:
            if len(window.text) - window.pos > MAX_ELEMENT:
                raise window.error(exc.msg, exc.pos) from None
            if not window.more():
                if boundedjson.ran_out(window.text, exc):
                    raise window.cut_short(f"element {row}") from None
                raise window.error(exc.msg, exc.pos) from None
            continue
        except RecursionError:
            raise window.error(f"element {row} {_TOO_DEEP}") from None
        except ValueError as exc:  # a number out of range, NaN or Infinity
            raise window.error(str(exc)) from None
        if boundedjson.too_deep(window.text[window.pos : end]):
            raise window.error(f"element {row} {_TOO_DEEP}")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and _NUMBER_TAIL.fullmatch(window.text, end) and window.more():
            continue  # a number at the end of the window may go on in the next chunk
        window.pos = end
        return value


def elements(
    chunks: Iterator[str], name: str, size: Callable[[], int] = lambda: 0
) -> Iterator[tuple[int, int, Any]]:
    """(position from 1, line, value) of each element of the array the text holds.

    ``size`` tells how many bytes of the file have been read (for naming the byte where it ends).
    """
    window = _Window(chunks, name, size)
    if window.peek() != "[":
        raise window.error("expected '[' (a TimeMap file is one JSON array)")
    window.pos += 1
    row = 0
    if window.peek() == "]":
        window.pos += 1
    else:
        while True:
            row += 1
            window.peek()
            window.advance_mark()
            line = window.line()
            yield row, line, _value(window, row)
            separator = window.peek()
            if separator == "":
                raise window.cut_short(f"the array, after element {row}")
            window.pos += 1
            if separator == "]":
                break
            if separator != ",":
                raise window.error("expected ',' or ']' after an element", window.pos - 1)
    if window.peek() != "":
        raise window.error("unexpected text after the array")

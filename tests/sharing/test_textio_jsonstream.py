"""Reading text and JSON arrays in bounded memory: the same result whatever the chunk size."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.errors import InvalidInput
from testament.sharing.importers.jsonstream import elements
from testament.sharing.textio import Utf8Text

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


def _text(data: bytes, chunk: int = 7) -> Utf8Text:
    return Utf8Text(io.BytesIO(data), "f.json", chunk_size=chunk)


@given(st.text(), st.integers(min_value=1, max_value=9))
def test_any_text_decodes_the_same_in_any_chunk_size(text: str, chunk: int) -> None:
    data = text.encode("utf-8", "surrogatepass")
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert "".join(_text(data, chunk).chunks()) == expected.removeprefix("\ufeff")
    assert "".join(_text(data, chunk).lines()) == expected.removeprefix("\ufeff")


def test_invalid_utf8_is_refused_naming_its_byte_offset_and_line() -> None:
    data = "first line\nсецонд\n".encode() + b"caf\xe9 au lait\n"
    with pytest.raises(InvalidInput) as caught:
        list(_text(data, chunk=4).chunks())
    offset = data.index(b"\xe9")
    assert caught.value.where == f"f.json: byte {offset}, line 3"
    assert "0xe9" in caught.value.what


def test_a_truncated_multibyte_character_at_the_end_is_refused() -> None:
    data = "Київ".encode()[:-1]
    with pytest.raises(InvalidInput, match="line 1"):
        list(_text(data).chunks())


def test_a_byte_order_mark_is_dropped_and_lines_keep_their_endings() -> None:
    data = b"\xef\xbb\xbfa,b\r\nc,d\n\ne"
    assert list(_text(data, chunk=3).lines()) == ["a,b\r\n", "c,d\n", "\n", "e"]


@settings(max_examples=200)
@given(st.lists(JSON, max_size=8), st.integers(min_value=1, max_value=13), st.booleans())
def test_array_elements_match_json_loads_whatever_the_chunking(
    values: list[Any], chunk: int, indent: bool
) -> None:
    text = json.dumps(values, indent=1 if indent else None)
    found = list(elements(_text(text.encode(), chunk).chunks(), "f.json"))
    assert [value for _, _, value in found] == json.loads(text)
    assert [row for row, _, _ in found] == list(range(1, len(values) + 1))


def test_element_lines_are_where_each_element_starts() -> None:
    text = '[\n {"id": 1},\n\n {"id": 2,\n  "x": [1,\n 2]},\n 3\n]\n'
    found = list(elements(_text(text.encode(), 5).chunks(), "f.json"))
    assert [(row, line) for row, line, _ in found] == [(1, 2), (2, 4), (3, 7)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": 1}', "expected '\\['"),
        ('[{"id": 1}, {"id": 2', "line 1"),
        ("[1 2]", "expected ',' or '\\]'"),
        ("[1] [2]", "unexpected text after the array"),
        ("[NaN]", "NaN is not a JSON number"),
        ('[{"id": 1},\n{"id": }]', "line 2"),
        ("", "expected '\\['"),
    ],
)
def test_a_file_that_is_not_a_json_array_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        list(elements(_text(text.encode(), 3).chunks(), "f.json"))


def test_an_empty_array_has_no_elements() -> None:
    assert list(elements(_text(b" [ ] ").chunks(), "f.json")) == []

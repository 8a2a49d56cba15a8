"""A testimony's recording is never found by its file name or note: they may name the survivor
(docs/search.md, "What is searchable"). Other evidence is found by both. On both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from testament.custody import ingest
from testament.custody.instance import Instance
from testament.documentation import search
from testament.search.base import SearchQuery
from tests.services.test_testimony import CASE, assess, everything_stored, take, world

__all__ = ["world"]  # the fixture, shared with the testimony tests


def _found(instance: Instance, words: str) -> list[str]:
    return [hit.doc_id for hit in search.search(instance, SearchQuery(words)).hits]


def test_a_recording_leaves_the_index_by_name_and_note_once_a_testimony_cites_it(
    instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    recording = tmp_path / "petrenko-halyna-cellar.wav"
    recording.write_bytes(b"RIFF" + b"\x00" * 400)
    item = (
        ingest.ingest(
            instance, [recording], case_name=CASE, source_note="copied from Halyna's phone"
        )
        .results[0]
        .item_id
    )
    assert _found(instance, "petrenko cellar") == [item]  # until it is known to be an account
    take(instance, world["person"], assess(instance, world["person"]), account=None,
         summary=None, recording_item_id=item)  # fmt: skip
    for rebuilt in (False, True):
        if rebuilt:
            search.reindex(instance)
        for words in ("petrenko", "halyna", "cellar", "phone"):
            assert _found(instance, words) == [], words
        stored = everything_stored(instance).lower()
        assert "petrenko" not in stored and "halyna" not in stored

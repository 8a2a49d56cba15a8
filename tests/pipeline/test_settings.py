"""The processing and capture settings: read, defaulted, and refused by name when wrong."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from testament.config import load_settings
from testament.errors import InvalidInput
from testament.pipeline import registry


def test_defaults_and_values_from_the_environment(tmp_path: Path) -> None:
    plain = load_settings({"TESTAMENT_HOME": str(tmp_path)})
    assert (plain.processing, plain.duplicate_max_distance, plain.capture_allow_private) == (
        True, 31, False,
    )  # fmt: skip
    assert (plain.capture_timeout_s, plain.archive_max_depth, plain.c2pa_trust_anchors) == (
        60,
        3,
        None,
    )
    chosen = load_settings(
        {
            "TESTAMENT_HOME": str(tmp_path),
            "TESTAMENT_PROCESSING": "false",
            "TESTAMENT_DUPLICATE_MAX_DISTANCE": "0",
            "TESTAMENT_CAPTURE_ALLOW_PRIVATE": "1",
            "TESTAMENT_PROCESSING_TIMEOUT_S": "5",
            "TESTAMENT_PROCESSING_MEMORY_MB": "256",
        }
    )
    assert not chosen.processing and chosen.capture_allow_private
    assert chosen.duplicate_max_distance == 0
    assert (
        registry.limits(chosen).timeout_s == 5
        and registry.limits(chosen).memory_bytes == 256 * 1024**2
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DUPLICATE_MAX_DISTANCE", "257"),
        ("DUPLICATE_MAX_DISTANCE", "-1"),
        ("PROCESSING", "perhaps"),
        ("PROCESSING_MEMORY_MB", "8"),
        ("CAPTURE_TIMEOUT_S", "0"),
        ("CAPTURE_ALLOW_PRIVATE", "sometimes"),
    ],
)
def test_a_wrong_value_is_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_settings({"TESTAMENT_HOME": str(tmp_path), f"TESTAMENT_{name}": value})
    assert caught.value.where == f"TESTAMENT_{name}"


def test_trust_anchors_must_be_a_readable_file_of_certificates(tmp_path: Path) -> None:
    base = load_settings({"TESTAMENT_HOME": str(tmp_path)})
    empty = tmp_path / "anchors.pem"
    empty.write_text("not a certificate\n")
    for path in (empty, tmp_path / "missing.pem"):
        with pytest.raises(InvalidInput) as caught:
            registry.extractors(replace(base, c2pa_trust_anchors=path))
        assert caught.value.where == "TESTAMENT_C2PA_TRUST_ANCHORS"


def test_archives_are_not_unpacked_at_the_deepest_level(tmp_path: Path) -> None:
    base = load_settings({"TESTAMENT_HOME": str(tmp_path), "TESTAMENT_ARCHIVE_MAX_DEPTH": "1"})
    assert "archive" in {e.kind for e in registry.extractors(base, depth=0)}
    assert "archive" not in {e.kind for e in registry.extractors(base, depth=1)}

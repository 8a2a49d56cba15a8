"""Tests that keep the docs honest: settings, commands, event types and verification steps."""

from __future__ import annotations

import importlib.util
import inspect
import re
from dataclasses import fields
from pathlib import Path

from testament.config import Settings
from testament.custody import verification
from testament.domain.custody import (
    EVENT_TYPE_DESCRIPTIONS,
    LOCAL_TYPES,
    PREMIS_CODES,
    CustodyEventType,
    event_type_uri,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for setting in fields(Settings):
        assert f"`{setting.name}`" in text, setting.name
        assert f"`TESTAMENT_{setting.name.upper()}`" in text, setting.name


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "cli.md").read_text() == module.render(), "run `make docs`"


def test_every_custody_event_type_is_described_and_documented() -> None:
    text = (DOCS / "custody-events.md").read_text()
    for member in CustodyEventType:
        assert member in EVENT_TYPE_DESCRIPTIONS, member
        assert (member in LOCAL_TYPES) != (member in PREMIS_CODES), member
        row = f"| `{member.value}` |"
        assert row in text, member
        uri = event_type_uri(member)
        if member in LOCAL_TYPES:
            assert uri.startswith("urn:testament:event-type:")
        else:
            assert f"PREMIS `{PREMIS_CODES[member]}`" in text
            assert uri.endswith("/" + PREMIS_CODES[member])
        assert EVENT_TYPE_DESCRIPTIONS[member] in text, member


def test_verification_steps_match_the_spec() -> None:
    text = (DOCS / "verification.md").read_text()
    documented = {int(n): title for n, title in re.findall(r"^(\d+)\. \*\*(.+?)\.\*\*", text, re.M)}
    assert documented.keys() == verification.STEPS.keys()
    for number, title in verification.STEPS.items():
        assert documented[number].lower() == title.lower(), number
        function = next(
            f
            for name, f in inspect.getmembers(verification, inspect.isfunction)
            if name.startswith(f"step{number}_")
        )
        assert (function.__doc__ or "").startswith(f"({number})"), function.__name__

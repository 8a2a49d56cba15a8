"""The vendored browser assets are exactly the npm packages' files (scripts/vendor-assets re-checks them
against the registry); every file the pages load is among them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "testament" / "web"
VENDOR = WEB / "static" / "vendor"


def test_vendored_files_match_the_manifest() -> None:
    manifest = json.loads((VENDOR / "vendor.json").read_text())
    listed = set()
    for folder, meta in manifest.items():
        assert meta["integrity"].startswith("sha512-") and meta["licence"]
        for name, digest in meta["sha256"].items():
            path = VENDOR / folder / name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path
            listed.add(path)
    on_disk = {p for p in VENDOR.rglob("*") if p.is_file() and p.name != "vendor.json"}
    assert on_disk == listed


def test_pages_load_nothing_from_elsewhere() -> None:
    for template in (WEB / "templates").glob("*.html"):
        text = template.read_text()
        for url in re.findall(r'(?:src|href)="([^"{]+)"', text):
            assert url.startswith("/"), f"{template.name} loads {url}"

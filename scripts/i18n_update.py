"""Extract the pages' messages and merge them into each catalogue (`make i18n`).

New messages arrive untranslated; ``tests/web/test_i18n.py`` then fails until someone translates them.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "testament" / "web" / "locale"


def template() -> Catalog:
    with tempfile.TemporaryDirectory() as scratch:
        pot = Path(scratch) / "messages.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
             "--no-location", "--omit-header", "-o", str(pot), str(ROOT)],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        with pot.open("rb") as handle:
            return read_po(handle)


# Babel writes these placeholders into every header; they name nobody and would only mislead.
PLACEHOLDERS = ("Report-Msgid-Bugs-To:", "PO-Revision-Date:", "Last-Translator:")


def main() -> None:
    pot = template()
    for path in sorted(LOCALE.glob("*.po")):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=path.stem)
        catalogue.update(pot, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        buffer = io.BytesIO()
        write_po(buffer, catalogue, omit_header=False, no_location=True, width=100)
        lines = buffer.getvalue().decode().splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(tuple(f'"{p}' for p in PLACEHOLDERS))]
        path.write_text("".join(kept).replace("Project-Id-Version:  ", "Project-Id-Version: "))
        missing = [m.id for m in catalogue if m.id and not m.string]
        print(f"{path.name}: {len(catalogue)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    main()

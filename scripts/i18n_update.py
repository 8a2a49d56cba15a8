"""Extract the pages' messages and merge them into each catalogue (`make i18n`).

New messages arrive untranslated; ``tests/web/test_i18n.py`` then fails until someone translates them.
Every ``locale/<code>.po`` is updated; ``scripts/i18n_update.py ar`` updates only the languages named.
To add a language, write a ``<code>.po`` holding only its header (``Language:`` and ``Plural-Forms:``)
and run this: every message arrives in it untranslated.
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


def main(languages: list[str]) -> None:
    pot = template()
    paths = sorted(LOCALE.glob("*.po"))
    unknown = sorted(set(languages) - {path.stem for path in paths})
    if unknown:
        sys.exit(
            f"no catalogue {', '.join(unknown)} in {LOCALE.relative_to(ROOT)}: write its header first"
        )
    for path in paths:
        if languages and path.stem not in languages:
            continue
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
    main(sys.argv[1:])

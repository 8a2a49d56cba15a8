"""The shipped taxonomy is consistent, and the lint catches each kind of mistake a reviewer could make."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testament import locale
from testament.taxonomy import loader
from testament.taxonomy.lint import LANGUAGES, REVIEW_STATES, lint

EXPECTED_VOCABULARIES = {
    "incident-types", "target-object-types", "weapon-systems", "incident-status",
    "sensitivity-labels", "date-precision", "incident-relations", "person-roles",
    "degrees-of-involvement", "source-types", "verification-status",
    "conflict-characterisation", "casualty-categories",
    "consent-purposes", "recipient-classes", "data-scopes",
    "vulnerability-flags", "risk-decisions", "knowledge-sources", "training-topics",
    "support-areas", "need-urgency", "referral-status",
}  # fmt: skip


def test_shipped_taxonomy_is_consistent() -> None:
    taxonomy = loader.load()
    assert lint(taxonomy) == []
    assert {v.code for v in taxonomy.vocabularies} == EXPECTED_VOCABULARIES
    assert len(taxonomy.crimes) >= 30


def test_every_element_is_marked_for_legal_review() -> None:
    taxonomy = loader.load()
    elements = [e for c in taxonomy.crimes for e in c.elements]
    elements += [e for c in taxonomy.contexts for e in c.elements]
    assert elements and all(e.review in REVIEW_STATES for e in elements)
    # Nothing has been reviewed by a lawyer yet; a change to "reviewed" must be deliberate.
    assert {e.review for e in elements} == {"paraphrase-pending-legal-review"}


def test_conflict_applicability() -> None:
    taxonomy = loader.shipped()
    attack_objects = taxonomy.crime("WC-ATT-CIVOBJ")
    murder = taxonomy.crime("CAH-MURDER")
    assert attack_objects is not None and murder is not None
    assert attack_objects.applies_to("IAC") and not attack_objects.applies_to("NIAC")
    assert murder.applies_to("IAC") and murder.applies_to("NIAC")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(loader.DATA, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_lint_catches_a_duplicate_crime_code(copy: Path) -> None:
    _edit(copy / "rome_statute.yaml", "code: CAH-EXTERM", "code: CAH-MURDER")
    assert "rome_statute.yaml: duplicate crime code CAH-MURDER" in lint(loader.load(copy))


def test_lint_catches_a_dangling_context(copy: Path) -> None:
    _edit(copy / "rome_statute.yaml", "context: [CTX-CAH]", "context: [CTX-NOPE]")
    problems = lint(loader.load(copy))
    assert any("dangling context reference CTX-NOPE" in p for p in problems)


def test_lint_catches_a_missing_ukrainian_label(copy: Path) -> None:
    _edit(copy / "rome_statute.yaml", 'uk: "Винищування"', 'uk: ""')
    assert "rome_statute.yaml crime CAH-EXTERM: missing uk label" in lint(loader.load(copy))


def test_lint_catches_a_missing_arabic_label(copy: Path) -> None:
    _edit(copy / "rome_statute.yaml", 'ar: "الإبادة"', 'ar: " "')
    assert "rome_statute.yaml crime CAH-EXTERM: missing ar label" in lint(loader.load(copy))


def test_lint_requires_a_label_in_every_language_of_the_pages() -> None:
    assert set(LANGUAGES) == set(locale.LANGUAGES)


def test_lint_catches_a_war_crime_without_its_conflict_context(copy: Path) -> None:
    _edit(copy / "rome_statute.yaml", "context: [CTX-WC-IAC]\n", "context: []\n")
    assert any("lacks CTX-WC-IAC" in p for p in lint(loader.load(copy)))


def test_lint_catches_an_unreviewed_marker_removed(copy: Path) -> None:
    _edit(copy / "rome_statute.yaml", "review: paraphrase-pending-legal-review", "review: ok")
    assert any("review must be one of" in p for p in lint(loader.load(copy)))


def test_lint_catches_vocabulary_mistakes(copy: Path) -> None:
    vocab = copy / "vocabularies" / "incident-status.yaml"
    text = vocab.read_text(encoding="utf-8")
    text += (
        "  - code: orphan\n"
        '    label: {en: "Orphan"}\n'
        "    parent: nowhere\n"
        "    suggests: [NO-SUCH-CRIME]\n"
        "  - code: orphan\n"
        '    label: {en: "Again", uk: "Знову"}\n'
    )
    vocab.write_text(text, encoding="utf-8")
    problems = lint(loader.load(copy))
    where = "vocabularies/incident-status.yaml"
    assert f"{where}: duplicate term code orphan" in problems
    assert f"{where} term orphan: missing uk label" in problems
    assert f"{where} term orphan: missing ar label" in problems
    assert f"{where} term orphan: dangling parent nowhere" in problems
    assert f"{where} term orphan: suggests unknown crime NO-SUCH-CRIME" in problems


def test_a_broken_file_is_diagnosed_not_a_crash(copy: Path) -> None:
    (copy / "rome_statute.yaml").write_text("crimes: [unclosed", encoding="utf-8")
    from testament.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        loader.load(copy)
    assert caught.value.where == str(copy / "rome_statute.yaml")


def test_taxonomy_lint_command(tmp_path: Path, copy: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "testament.cli.main", "taxonomy", "lint"]
    ok = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert ok.returncode == 0 and "The taxonomy is consistent" in ok.stdout, ok.stderr
    _edit(copy / "rome_statute.yaml", "context: [CTX-CAH]", "context: [CTX-NOPE]")
    bad = subprocess.run([*command, "--dir", str(copy)], capture_output=True, text=True,
                         check=False, timeout=120)  # fmt: skip
    assert bad.returncode == 1
    assert "dangling context reference CTX-NOPE" in bad.stderr
    missing = subprocess.run([*command, "--dir", str(tmp_path / "none")], capture_output=True,
                             text=True, check=False, timeout=120)  # fmt: skip
    assert missing.returncode == 3 and "no rome_statute.yaml" in missing.stderr

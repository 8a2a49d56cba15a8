"""`testament report …`: a report written to a file or standard output, and bad input named."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from testament.custody.instance import Instance
from testament.documentation import evidence
from tests.conftest import SQLITE_ONLY, Cli
from tests.patterns.conftest import sample
from tests.patterns.test_reports import TITLE, dossier_world

__all__ = ["dossier_world", "sample"]  # the fixtures
pytestmark = SQLITE_ONLY


def test_a_dossier_is_written_with_its_checkpoint_told(
    cli: Cli, instance: Instance, dossier_world: dict[str, Any], tmp_path: Path
) -> None:
    incident = dossier_world["incident"]
    out = tmp_path / "dossier.pdf"
    made = cli("report", "dossier", incident, "--format", "pdf", "-o", str(out), check=True)
    assert out.read_bytes().startswith(b"%PDF")
    assert "log size" in made.stderr and "root" in made.stderr
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert TITLE in text and evidence.show(instance, dossier_world["item"]).sha256 in text
    told = cli("report", "dossier", incident, "--format", "html", "-o", "-", "--json")
    page, _, line = told.stdout.rpartition("</html>")
    assert page.startswith("<!DOCTYPE html>") and TITLE in page
    described = json.loads(line)
    assert described["media_type"] == "text/html; charset=utf-8"
    assert described["parameters"] == {
        "report": "dossier", "incident": incident, "format": "html", "language": "en",
    }  # fmt: skip
    assert described["checkpoint"]["size"] > 0


def test_the_proof_chart_and_a_pattern_report_are_written(
    cli: Cli, instance: Instance, sample: dict[str, str], tmp_path: Path
) -> None:
    chart = tmp_path / "chart.html"
    cli("report", "proof-chart", "--case", "Patterns", "--format", "html", "-o", str(chart),
        check=True)  # fmt: skip
    assert "Proof chart: Patterns" in chart.read_text(encoding="utf-8")
    out = tmp_path / "patterns.pdf"
    cli("report", "patterns", "--case", "Patterns", "--area", "Kharkiv", "--from", "2022-03-01",
        "--to", "2022-03-31", "-o", str(out), check=True)  # fmt: skip
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert sample["K1"] in text and "--area UA.KK --from 2022-03-01 --to 2022-03-31" in text


def test_each_report_is_written_in_the_language_asked_for(
    cli: Cli, instance: Instance, sample: dict[str, str], tmp_path: Path
) -> None:
    dossier = cli("report", "dossier", sample["K1"], "--lang", "uk", "--format", "html", "-o", "-",
                  check=True).stdout  # fmt: skip
    assert "Досьє інциденту" in dossier and "Incident dossier" not in dossier
    chart = tmp_path / "chart.pdf"
    cli("report", "proof-chart", "--case", "Patterns", "--lang", "uk", "-o", str(chart), check=True)
    text = "".join(page.extract_text() for page in PdfReader(chart).pages)
    assert "Схема доказів: Patterns" in text and "--lang uk" in text
    patterns = cli("report", "patterns", "--case", "Patterns", "--from", "2022-03-01", "--to",
                   "2022-03-31", "--lang", "uk", "--format", "html", "-o", "-", check=True).stdout  # fmt: skip
    assert "Звіт про закономірності" in patterns and "Incidents per month" not in patterns
    assert re.search(
        r"Атак на захищені об’єкти: \d+; адміністративних одиниць: 1; 100% з них", patterns
    )
    english = cli("report", "proof-chart", "--case", "Patterns", "--lang", "en", "--format",
                  "html", "-o", "-", check=True).stdout  # fmt: skip
    assert "Proof chart: Patterns" in english and "Схема доказів" not in english


def test_bad_input_is_a_diagnosis_not_a_traceback(
    cli: Cli, instance: Instance, sample: dict[str, str], tmp_path: Path
) -> None:
    out = str(tmp_path / "r.pdf")
    cases = {
        ("dossier", sample["K1"], "--format", "docx", "-o", out): "'docx' is not a report format",
        ("dossier", "00000000-0000-7000-8000-000000000000", "-o", out): "no incident has this ID",
        ("patterns", "--case", "Patterns", "--from", "2022-05-01", "--to", "2022-04-01",
         "-o", out): "the period starts (2022-05-01) after it ends (2022-04-01)",
        ("patterns", "--case", "Patterns", "--from", "2022-02-30", "--to", "2022-04-01",
         "-o", out): "'2022-02-30' is not a date",
        ("patterns", "--case", "Patterns", "--area", "Atlantis", "--from", "2022-01-01",
         "--to", "2022-04-01", "-o", out): "no area of level 1 is called 'Atlantis'",
        ("proof-chart", "--case", "Nowhere", "-o", out): "Nowhere",
        ("proof-chart", "--case", "Patterns", "--lang", "de", "-o", out): "use one of en, uk",
    }  # fmt: skip
    for args, said in cases.items():
        result = cli("report", *args)
        assert result.returncode != 0, args
        assert said in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not Path(out).exists()

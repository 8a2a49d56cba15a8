"""The synthetic Syrian demo (demo/README.md): its generator gives the same bytes for the same seed and
the committed file is its output; the file imports through `testament import jsonl` into a case of the
situation Syria, once; and Syria and Ukraine compare side by side as docs/patterns.md's worked example
says, on both databases. The Ukrainian side is the committed Bellingcat sample (demo/)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from scipy.spatial.distance import jensenshannon

from testament.api.app import create_app
from testament.custody.instance import Instance
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "syria_demo.py"
SYRIA = ROOT / "demo" / "syria-synthetic.jsonl"
UKRAINE = ROOT / "demo" / "bellingcat-civharm-sample.json"
VOCABULARIES = ROOT / "src" / "testament" / "taxonomy" / "vocabularies"
SYRIA_CASE = "Syria demo (synthetic)"
MARK = "Synthetic demo record (scripts/syria_demo.py); it describes no real event or person."
FIELDS = {"type": "types", "target": "targets", "weapon": "weapons"}
# docs/patterns.md, "Worked example: Syria and Ukraine side by side": field → (distance, labels,
# Syria's values, Syria's incidents without, Ukraine's values, Ukraine's incidents without).
DOCUMENTED = {
    "as-recorded": {
        "type": (None, 17, 427, 0, 0, 25),
        "target": (0.816134, 21, 223, 31, 20, 5),
        "weapon": (0.799964, 13, 199, 41, 23, 3),
    },
    "broadest": {
        "type": (None, 13, 427, 0, 0, 25),
        "target": (0.583932, 12, 209, 31, 20, 5),
        "weapon": (0.772121, 10, 199, 41, 23, 3),
    },
}
VOCABULARY_OF = {"types": "incident-types", "targets": "target-object-types",
                 "weapons": "weapon-systems"}  # fmt: skip
TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app


def generated(*args: str) -> bytes:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def test_the_generator_gives_the_same_bytes_and_the_committed_file_is_its_output() -> None:
    first = generated()
    assert first == generated("--seed", "2012"), "the default seed is 2012, and a run is repeatable"
    assert first == SYRIA.read_bytes(), (
        "regenerate: scripts/syria_demo.py > demo/syria-synthetic.jsonl"
    )
    assert generated("--seed", "7") != first
    lines = records(SYRIA)
    kinds = Counter(line["kind"] for line in lines)
    assert kinds["incident"] == 240 and kinds["source"] == 24
    assert kinds["person"] == 8 and kinds["unit"] == 4
    for line in lines:
        if line["kind"] in ("incident", "source", "person", "unit"):
            assert MARK in line["data"]["description"], line
    years = {line["data"]["occurred_from"][:4] for line in lines if line["kind"] == "incident"}
    assert years == {"2012", "2013", "2014", "2015", "2016"}


def test_the_generator_refuses_too_few_incidents() -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--incidents", "3"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "--incidents: give at least 10" in done.stderr


def load_both(cli: Cli) -> None:
    """The two situations and their cases, loaded as scripts/demo-data loads them."""
    cli("situation", "create", "Ukraine", "--conflict", "international", check=True)
    cli("situation", "create", "Syria", "--conflict", "non-international", check=True)
    cli("gazetteer", "load", str(ROOT / "demo" / "ukraine-adm1.geojson"), "--level", "1",
        "--name-field", "NAME_1", "--alt-names-field", "VARNAME_1", "--situation", "Ukraine",
        check=True)  # fmt: skip
    cli("case", "create", "Demo case", "--situation", "Ukraine", check=True)
    cli("case", "create", SYRIA_CASE, "--situation", "Syria", check=True)
    cli("import", "timemap", str(UKRAINE), "--case", "Demo case", "--suffix-duplicates", check=True)
    cli("import", "jsonl", str(SYRIA), "--case", SYRIA_CASE, check=True)


def terms_of(vocabulary: str) -> list[dict[str, Any]]:
    found = yaml.safe_load((VOCABULARIES / f"{vocabulary}.yaml").read_text(encoding="utf-8"))
    terms: list[dict[str, Any]] = found["terms"]
    return terms


def compared_as(field: str, terms: str) -> dict[str, str]:
    """Code → the label it is compared as: itself as recorded, else the top of its chain of
    parents, read straight from the vocabulary's YAML."""
    parents = {t["code"]: t.get("parent") for t in terms_of(VOCABULARY_OF[field])}
    tops = {}
    for code in parents:
        top = code
        while terms == "broadest" and parents[top]:
            top = parents[top]
        tops[code] = top
    return tops


def syria_counts(field: str, terms: str) -> Counter[str]:
    """Each label's incidents, read straight from the file."""
    incidents = [line["data"] for line in records(SYRIA) if line["kind"] == "incident"]
    label = compared_as(field, terms)
    return Counter(x for data in incidents for x in {label[code] for code in data[field]})


def ukraine_counts(field: str, terms: str) -> Counter[str]:
    """Each label's incidents, read straight from the TimeMap file through the vocabularies' own
    `timemap` labels (docs/import-export.md, "TimeMap"). The file gives no incident types."""
    if field == "types":
        return Counter()
    key = {"targets": "Type of area affected", "weapons": "Weapon System"}[field]
    label = compared_as(field, terms)
    codes = {
        name.casefold(): label[t["code"]]
        for t in terms_of(VOCABULARY_OF[field])
        for name in t.get("timemap") or ()
    }
    events = json.loads(UKRAINE.read_text(encoding="utf-8"))
    return Counter(
        code
        for event in events
        for code in {codes[f["value"].casefold()] for f in event["filters"] if f["key"] == key}
    )


def distance(first: Counter[str], second: Counter[str]) -> float | None:
    if not first or not second:
        return None
    labels = sorted(set(first) | set(second))
    p, q = ([c[label] for label in labels] for c in (first, second))
    return round(float(jensenshannon(p, q, base=2)), 6)


def check_figures(result: dict[str, Any], terms: str) -> None:
    """Every row and distribution as computed from the two files, and as documented."""
    assert result["parameters"]["terms"] == terms
    for row in result["rows"]:
        field = FIELDS[row["field"]]
        syria, ukraine = syria_counts(field, terms), ukraine_counts(field, terms)
        assert row["distance"] == distance(syria, ukraine), row
        assert row["labels"] == len(set(syria) | set(ukraine))
        assert (row["first_incidents"], row["second_incidents"]) == (240, 25)
        assert (row["first_values"], row["second_values"]) == (syria.total(), ukraine.total())
        figures = (row["distance"], row["labels"], row["first_values"], row["first_without"],
                   row["second_values"], row["second_without"])  # fmt: skip
        assert figures == DOCUMENTED[terms][row["field"]], (terms, row["field"])
        sides = result["distributions"][row["field"]]
        assert {d[row["field"]]: d["first"] for d in sides if d["first"]} == dict(syria)
        assert {d[row["field"]]: d["second"] for d in sides if d["second"]} == dict(ukraine)


def test_syria_and_ukraine_compare_as_the_worked_example_says(instance: Instance, cli: Cli) -> None:
    load_both(cli)
    listed = [
        json.loads(line) for line in cli("case", "list", "--json", check=True).stdout.splitlines()
    ]
    assert {(c["name"], c["situation"], c["incidents"]) for c in listed} == {
        ("Demo case", "Ukraine", 25), (SYRIA_CASE, "Syria", 240),
    }  # fmt: skip
    pair = ("--situation", "Syria", "--situation", "Ukraine")
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for terms in ("as-recorded", "broadest"):
            done = cli(
                "analyze", "compare", *pair, "--terms", terms, "--format", "json", check=True
            )
            result = json.loads(done.stdout)
            compared = [(c["situation"], c["cases"]) for c in result["scope"]["compared"]]
            assert compared == [("Syria", [SYRIA_CASE]), ("Ukraine", ["Demo case"])]
            check_figures(result, terms)
            asked = http.get(f"/situations/compare?situation=Syria&situation=Ukraine&terms={terms}")
            assert asked.status_code == 200, asked.text
            assert asked.json()["analysis"]["rows"] == result["rows"]
        bad = http.get("/situations/compare?situation=Syria&situation=Ukraine&terms=narrowest")
        assert bad.status_code == 422 and "as-recorded, broadest" in bad.text
    by_area = cli("analyze", "counts", "--situation", "Syria", "--by", "area", "--format", "json",
                  check=True)  # fmt: skip
    counted = json.loads(by_area.stdout)
    assert counted["scope"]["area_method"] == "nearest-place", "no boundaries of Syria are loaded"
    governorates = {row["area"]: row["count"] for row in counted["rows"]}
    assert len(governorates) == 13 and sum(governorates.values()) == 230
    assert governorates["Aleppo"] == 43 and len(counted["unplaced"]) == 10
    plain = cli("analyze", "compare", *pair, check=True)
    assert "field=target  distance=0.816134  labels=21" in plain.stdout
    wrong = cli("analyze", "compare", *pair, "--terms", "narrowest")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert "'narrowest' is not a way to compare terms" in wrong.stderr
    assert "where: --terms" in wrong.stderr


def test_the_file_imports_once_keeps_its_records_and_is_refused_elsewhere(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    load_both(cli)
    again = cli("import", "jsonl", str(SYRIA), "--case", SYRIA_CASE, check=True)
    assert "incidents: 0 created, 0 updated, 240 unchanged" in again.stdout
    assert "links created: 0" in again.stdout
    exported = tmp_path / "syria.jsonl"
    cli("export", "jsonl", "--case", SYRIA_CASE, "--out", str(exported), check=True)
    key = lambda line: json.dumps(line, sort_keys=True)  # noqa: E731 - a sort key
    written = [{k: v for k, v in line.items() if k != "areas"} for line in records(exported)]
    assert sorted(written, key=key) == sorted(records(SYRIA), key=key), "no record changed"
    elsewhere = cli("import", "jsonl", str(SYRIA), "--case", "Another case")
    assert elsewhere.returncode != 0
    assert "belongs to another case in this home" in elsewhere.stderr
    assert "syria-synthetic.jsonl: line 2" in elsewhere.stderr
    names = cli("case", "list", "--json", check=True).stdout
    assert "Another case" not in names, "a refused import creates nothing, not even its case"

"""`testament gazetteer` end to end: load, reload, list, locate, and a bad file's diagnosis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY

SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)
LOAD = ("gazetteer", "load", str(SAMPLE), "--level", "1", "--name-field", "NAME_1")


def test_load_list_locate_and_a_bad_file(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    first = cli(*LOAD, "--alt-names-field", "VARNAME_1", check=True)
    assert "Loaded 4 level-1 area(s) from ukraine-adm1-sample.geojson: 4 added" in first.stdout
    again = json.loads(cli(*LOAD, "--alt-names-field", "VARNAME_1", "--json", check=True).stdout)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert again["dataset"].startswith("ukraine-adm1-sample.geojson sha256:")

    listed = cli("gazetteer", "list", "--level", "1", check=True).stdout.splitlines()
    assert "1  UA.KC  Kiev City  (Kyiv)" in listed and len(listed) == 4
    as_json = [
        json.loads(line)
        for line in cli("gazetteer", "list", "--json", check=True).stdout.splitlines()
    ]
    assert [area["code"] for area in as_json] == ["UA.KC", "UA.KK", "UA.KS", "UA.KV"]

    assert cli("gazetteer", "locate", "49.99", "36.23", check=True).stdout == "1  UA.KK  Kharkiv\n"
    swapped = cli("gazetteer", "locate", "36.23", "49.99", check=True)
    assert swapped.stdout.startswith("approximate  IR  Qazvin  (Iran; nearest GeoNames place ")
    assert "lies in Kharkiv; were latitude and longitude swapped?" in swapped.stderr
    southern = cli("gazetteer", "locate", "-33.9", "18.4", check=True)
    assert "The point lies in no loaded area." in southern.stderr
    assert southern.stdout.startswith("approximate  ZA  Western Cape  (South Africa; nearest ")
    at_sea = cli("gazetteer", "locate", "35.0", "18.0", "--json", check=True)
    assert at_sea.stdout == "" and "No GeoNames place lies within 100 km" in at_sea.stderr

    bad = tmp_path / "bad.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}'
    )
    failed = cli("gazetteer", "load", str(bad), "--level", "1", "--name-field", "NAME_1")
    assert failed.returncode == 2
    assert "error: features[0] has no 'NAME_1' property holding a name" in failed.stderr
    assert f"where: {bad}: features[0]" in failed.stderr


SYRIA = SAMPLE.parent / "syria-adm1-sample.geojson"


def test_areas_of_two_situations_in_two_scripts(cli: Any) -> None:
    """Syria's governorates with Arabic and other names, beside Ukraine's oblasts; --situation keeps
    them apart, and an unknown situation is refused by name."""
    cli("init", check=True)
    cli("situation", "create", "Syria", "--conflict", "non-international", check=True)
    cli("situation", "create", "Ukraine", "--conflict", "international", check=True)
    cli(*LOAD, "--alt-names-field", "VARNAME_1", "--situation", "Ukraine", check=True)
    syria = (
        "gazetteer", "load", str(SYRIA), "--level", "1", "--name-field", "ADM1_EN",
        "--alt-names-field", "ADM1_AR", "--alt-names-field", "ADM1_ALT",
        "--code-field", "ADM1_PCODE", "--situation", "Syria",
    )  # fmt: skip
    loaded = cli(*syria, check=True)
    assert "Loaded 4 level-1 area(s) from syria-adm1-sample.geojson into Syria: 4 added" in (
        loaded.stdout
    )
    listed = cli("gazetteer", "list", "--situation", "Syria", check=True).stdout.splitlines()
    assert "1  SY02  Aleppo  (حلب, Halab, Alep, Haleb)  [Syria]" in listed and len(listed) == 4
    assert len(cli("gazetteer", "list", check=True).stdout.splitlines()) == 8
    inside = cli("gazetteer", "locate", "36.2", "37.15", "--situation", "Syria", check=True)
    assert inside.stdout == "1  SY02  Aleppo\n"
    elsewhere = cli("gazetteer", "locate", "36.2", "37.15", "--situation", "Ukraine", check=True)
    assert elsewhere.stdout.startswith("approximate  SY  Aleppo  (Syria; nearest GeoNames place")
    unknown = cli(*syria[:-1], "Atlantis")
    assert unknown.returncode != 0 and "no situation is called 'Atlantis'" in unknown.stderr
    assert "where: --situation" in unknown.stderr

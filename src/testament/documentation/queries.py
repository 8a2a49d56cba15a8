"""The SQL of evidence links and assessments, legal qualification, the proof chart, the gazetteer and
search filters: SQLAlchemy Core statements over ``testament.storage.tables``.

The use cases (``evidence``, ``legal``, ``proof_chart``, ``gazetteer``, ``search``) keep their
transactions and their rules; these functions run one statement each in the caller's transaction and
answer with plain values or rows as mappings. (Incidents, sources, units and people keep theirs in
``repository``.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, delete, func, insert, or_, select, update

from testament.domain.legal import REJECTED
from testament.storage import tables
from testament.storage.tables import admin_area, incident, incident_area

# --- Evidence items, their links and assessments --------------------------------------------------------

ITEM_FIELDS = (
    "id", "case_id", "original_name", "sha256", "size", "media_type", "source_note", "ingested_at",
    "duplicate",
)  # fmt: skip


def item(conn: Connection, item_id: str) -> dict[str, Any] | None:
    """An evidence item's fields (:data:`ITEM_FIELDS`), or None."""
    t = tables.evidence_item
    row = conn.execute(
        select(*(t.c[name] for name in ITEM_FIELDS)).where(t.c.id == item_id)
    ).first()
    return None if row is None else dict(row._mapping)


def live_item_link(conn: Connection, item_id: str, incident_id: str) -> str | None:
    """The ID of the live link between an item and an incident, if there is one."""
    t = tables.item_incident
    found = conn.execute(
        select(t.c.id).where(
            t.c.item_id == item_id, t.c.incident_id == incident_id, t.c.deleted_at.is_(None)
        )
    ).scalar()
    return None if found is None else str(found)


def linked_items(conn: Connection, item_ids: Collection[str], incident_id: str) -> set[str]:
    """Those of the items with a live link to the incident, in one query."""
    t = tables.item_incident
    rows = conn.execute(
        select(t.c.item_id).where(
            t.c.item_id.in_(item_ids), t.c.incident_id == incident_id, t.c.deleted_at.is_(None)
        )
    )
    return {str(row.item_id) for row in rows}


def item_links(conn: Connection, item_id: str) -> list[RowMapping]:
    """An item's live links to incidents, oldest first."""
    links = tables.item_incident
    query = select(links).where(links.c.item_id == item_id, links.c.deleted_at.is_(None))
    return list(conn.execute(query.order_by(links.c.created_at)).mappings())


def item_assessments(conn: Connection, item_id: str) -> list[RowMapping]:
    """An item's live assessments, by the day assessed, then as recorded."""
    marks = tables.assessment
    query = select(marks).where(marks.c.item_id == item_id, marks.c.deleted_at.is_(None))
    ordered = query.order_by(marks.c.assessed_on, marks.c.created_at, marks.c.id)
    return list(conn.execute(ordered).mappings())


def live_external_id(conn: Connection, item_id: str, scheme: str) -> str | None:
    """The ID of the item's live external identifier of ``scheme``, if there is one."""
    t = tables.item_external_id
    found = conn.execute(
        select(t.c.id).where(t.c.item_id == item_id, t.c.scheme == scheme, t.c.deleted_at.is_(None))
    ).scalar()
    return None if found is None else str(found)


def item_external_ids(conn: Connection, item_id: str) -> list[RowMapping]:
    """An item's live external identifiers, by scheme."""
    t = tables.item_external_id
    query = select(t).where(t.c.item_id == item_id, t.c.deleted_at.is_(None))
    return list(conn.execute(query.order_by(t.c.scheme, t.c.id)).mappings())


# Derivatives made for people to look at (docs/processing.md): shown on their parent, not listed.
VIEWING_COPIES = ("thumbnail", "keyframe", "preview")


def case_items(
    conn: Connection,
    case_id: str | None,
    *,
    limit: int,
    offset: int,
    copies: bool = True,
    media: str | None = None,
    linked: bool | None = None,
    tag: str | None = None,
) -> list[dict[str, Any]]:
    """A page of a case's evidence items, newest first, each with how many incidents it is linked to;
    ``copies=False`` leaves out the thumbnails, keyframes and page previews processing made; ``media``
    keeps images, videos, audio or documents (any other type); ``linked`` those linked or not; ``tag``
    (a tag's case-folded form) those that carry it."""
    t, links, derived = tables.evidence_item, tables.item_incident, tables.item_derivative
    counted = (
        select(func.count())
        .where(links.c.item_id == t.c.id, links.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    query = select(
        t.c.id, t.c.original_name, t.c.media_type, t.c.size, t.c.sha256, t.c.ingested_at,
        t.c.duplicate, counted.label("incidents"),
    ).where(t.c.case_id == case_id)  # fmt: skip
    if not copies:
        copy = select(derived.c.item_id).where(
            derived.c.item_id == t.c.id, derived.c.role.in_(VIEWING_COPIES)
        )
        query = query.where(~copy.exists())
    if media is not None:
        query = query.where(_media_is(t.c.media_type, media))
    if linked is not None:
        query = query.where(counted > 0 if linked else counted == 0)
    if tag is not None:
        query = query.where(_tagged(t.c.id, tag))
    rows = conn.execute(
        query.order_by(t.c.ingested_at.desc(), t.c.id.desc()).limit(limit).offset(offset)
    ).all()
    return [dict(r._mapping) for r in rows]


def _tagged(item_id: Any, folded: str) -> Any:
    """Whether the item carries the live tag compared as ``folded``."""
    tag = tables.record_tag
    return (
        select(tag.c.id)
        .where(tag.c.target_id == item_id, tag.c.target_kind == "item")
        .where(tag.c.deleted_at.is_(None), tag.c.folded == folded)
        .exists()
    )


FAMILIES = ("image", "video", "audio")


def _media_is(column: Any, media: str) -> Any:
    """Whether a media type is of the kind ``media``: a family (``image/…``), or a document (none)."""
    if media in FAMILIES:
        return column.like(f"{media}/%")
    return ~or_(*(column.like(f"{family}/%") for family in FAMILIES))


def item_labels(conn: Connection, item_ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """Item ID → its ``id``, ``original_name``, ``media_type`` and ``size``."""
    t = tables.evidence_item
    rows = conn.execute(
        select(t.c.id, t.c.original_name, t.c.media_type, t.c.size).where(
            t.c.id.in_(sorted(item_ids))
        )
    ).all()
    return {row.id: dict(row._mapping) for row in rows}


def item_details(conn: Connection, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Item ID → what tells it apart in a list: ``media_type`` and ``size``."""
    t = tables.evidence_item
    rows = conn.execute(select(t.c.id, t.c.media_type, t.c.size).where(t.c.id.in_(item_ids)))
    return {row.id: {"media_type": row.media_type, "size": row.size} for row in rows}


def source_details(conn: Connection, source_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Source ID → what tells it apart in a list: ``url``, ``reference`` and ``published_at``."""
    t = tables.source
    rows = conn.execute(
        select(t.c.id, t.c.url, t.c.reference, t.c.published_at).where(t.c.id.in_(source_ids))
    )
    return {
        row.id: {"url": row.url, "reference": row.reference, "published_at": row.published_at}
        for row in rows
    }


def cases_of(conn: Connection, kind: str, record_ids: Collection[str]) -> dict[str, str]:
    """Record ID → case ID, for evidence items (``item``), incidents (``incident``) or sources
    (``source``); an ID that is none of them is left out."""
    table = {"item": tables.evidence_item, "incident": tables.incident}.get(kind, tables.source)
    query = select(table.c.id, table.c.case_id).where(table.c.id.in_(record_ids))
    return {str(row.id): str(row.case_id) for row in conn.execute(query)}


def item_case(conn: Connection, item_id: str) -> str | None:
    """The case of an evidence item, or None when there is no such item."""
    t = tables.evidence_item
    found = conn.execute(select(t.c.case_id).where(t.c.id == item_id)).scalar()
    return None if found is None else str(found)


# --- Legal qualification and the proof chart ----------------------------------------------------------


def qualified_codes(conn: Connection, incident_id: str) -> dict[str, str]:
    """Crime code → ID of the live qualifications of an incident."""
    q = tables.qualification
    rows = conn.execute(
        select(q.c.crime_code, q.c.id).where(
            q.c.incident_id == incident_id, q.c.deleted_at.is_(None)
        )
    )
    return {str(r.crime_code): str(r.id) for r in rows}


def rejected_codes(conn: Connection, incident_id: str) -> set[str]:
    """The crime codes whose suggestion an analyst rejected for an incident (withdrawn or not)."""
    q = tables.qualification
    rows = conn.execute(
        select(q.c.crime_code).where(q.c.incident_id == incident_id, q.c.status == REJECTED)
    ).scalars()
    return {str(code) for code in rows}


def live_element_links(conn: Connection, incident_id: str, crime_code: str) -> list[str]:
    """IDs of the live element links made under an incident's qualification, by ID."""
    link = tables.element_link
    linked = conn.execute(
        select(link.c.id)
        .where(
            link.c.incident_id == incident_id,
            link.c.crime_code == crime_code,
            link.c.deleted_at.is_(None),
        )
        .order_by(link.c.id)
    ).scalars()
    return [str(i) for i in linked]


def same_element_link(conn: Connection, values: Mapping[str, Any]) -> str | None:
    """The live element link with the same item, incident, crime, element and stance, if any."""
    link = tables.element_link
    same = ("item_id", "incident_id", "crime_code", "element_id", "stance")
    found = conn.execute(
        select(link.c.id).where(
            *(link.c[name] == values[name] for name in same), link.c.deleted_at.is_(None)
        )
    ).scalar()
    return None if found is None else str(found)


def case_name(conn: Connection, case_id: str) -> str:
    """The name of a case that exists."""
    return str(
        conn.execute(select(tables.case.c.name).where(tables.case.c.id == case_id)).scalar_one()
    )


def case_qualifications(conn: Connection, case_id: str) -> set[tuple[str, str]]:
    """(incident ID, crime code) of every live qualification on a live incident of the case."""
    q, i = tables.qualification, tables.incident
    rows = conn.execute(
        select(q.c.incident_id, q.c.crime_code)
        .join(i, i.c.id == q.c.incident_id)
        .where(i.c.case_id == case_id, i.c.deleted_at.is_(None), q.c.deleted_at.is_(None))
    )
    return {(str(r.incident_id), str(r.crime_code)) for r in rows}


def case_element_links(conn: Connection, case_id: str) -> list[RowMapping]:
    """The live element links on the case's live incidents, each with its item's ``sha256``."""
    link, i, item = tables.element_link, tables.incident, tables.evidence_item
    query = (
        select(link, item.c.sha256)
        .join(i, i.c.id == link.c.incident_id)
        .join(item, item.c.id == link.c.item_id)
        .where(i.c.case_id == case_id, i.c.deleted_at.is_(None), link.c.deleted_at.is_(None))
    )
    return list(conn.execute(query).mappings())


def case_item_sources(conn: Connection, case_id: str) -> dict[tuple[str, str], set[str]]:
    """(item ID, incident ID) → the sources its live links to the incident name."""
    ii, i = tables.item_incident, tables.incident
    rows = conn.execute(
        select(ii.c.item_id, ii.c.incident_id, ii.c.source_id)
        .join(i, i.c.id == ii.c.incident_id)
        .where(i.c.case_id == case_id, ii.c.deleted_at.is_(None), ii.c.source_id.is_not(None))
    )
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        found[(str(r.item_id), str(r.incident_id))].add(f"source:{r.source_id}")
    return found


# --- Search filters ------------------------------------------------------------------------------------


def case_named(conn: Connection, name: str) -> str | None:
    """The ID of the case with this name (or ID), or None."""
    case = tables.case
    found = conn.execute(
        select(case.c.id).where(or_(case.c.name == name, case.c.id == name))
    ).scalar()
    return None if found is None else str(found)


def area_names(conn: Connection) -> list[tuple[Any, ...]]:
    """Every area as (id, code, name, alternative names)."""
    area = tables.admin_area
    columns = (area.c.id, area.c.code, area.c.name, area.c.alt_names)
    return [tuple(row) for row in conn.execute(select(*columns))]


def unit_names(conn: Connection) -> list[tuple[Any, ...]]:
    """Every live unit as (id, id, name, aliases)."""
    unit = tables.unit
    columns = (unit.c.id, unit.c.id, unit.c.name, unit.c.aliases)
    live = select(*columns).where(unit.c.deleted_at.is_(None))
    return [tuple(row) for row in conn.execute(live)]


# --- The gazetteer ----------------------------------------------------------------------------------


def _situated(*columns: Any) -> Any:
    """A select of admin_area columns with the name of the area's situation (None: shared)."""
    s = tables.situation
    return select(*columns, s.c.name.label("situation")).select_from(
        admin_area.outerjoin(s, s.c.id == admin_area.c.situation_id)
    )


def situation_named(conn: Connection, name: str) -> str | None:
    """The ID of the live situation with this name, or None."""
    s = tables.situation
    query = select(s.c.id).where(s.c.name == name, s.c.deleted_at.is_(None))
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def case_situation_name(conn: Connection, case_id: str) -> str | None:
    """The name of the live situation a case is in, or None."""
    s, cs = tables.situation, tables.case_situation
    query = (
        select(s.c.name)
        .join(cs, cs.c.situation_id == s.c.id)
        .where(cs.c.case_id == case_id, s.c.deleted_at.is_(None))
    )
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def areas_of_level(conn: Connection, level: int, situation_id: str | None) -> list[RowMapping]:
    """The stored areas of a level in one situation (None: the shared areas), every column."""
    query = select(admin_area).where(
        admin_area.c.level == level,
        admin_area.c.situation_id.is_(None)
        if situation_id is None
        else admin_area.c.situation_id == situation_id,
    )
    return list(conn.execute(query).mappings())


def update_area(conn: Connection, area_id: int, values: Mapping[str, Any]) -> None:
    conn.execute(update(admin_area).where(admin_area.c.id == area_id).values(**values))


def insert_areas(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    conn.execute(insert(admin_area), list(rows))


def area_outlines(conn: Connection) -> list[RowMapping]:
    """Every area's ID, level, code, names, situation and outline (WKB), by level and code."""
    a = admin_area
    query = _situated(a.c.id, a.c.level, a.c.code, a.c.name, a.c.alt_names, a.c.geometry)
    return list(conn.execute(query.order_by(a.c.level, a.c.code, a.c.id)).mappings())


def stored_areas(
    conn: Connection, level: int | None, situation: str | None = None
) -> list[RowMapping]:
    """The stored areas (all levels, or one), every column and the situation's name, by level and
    code; with ``situation``, only that situation's areas and the shared ones."""
    query = _situated(admin_area).order_by(admin_area.c.level, admin_area.c.code, admin_area.c.id)
    if level is not None:
        query = query.where(admin_area.c.level == level)
    if situation is not None:
        query = query.where(
            or_(tables.situation.c.name == situation, admin_area.c.situation_id.is_(None))
        )
    return list(conn.execute(query).mappings())


def area_name_rows(conn: Connection) -> list[RowMapping]:
    """Every area's ID, level, code, name, alternative names and situation's name."""
    a = admin_area
    return list(
        conn.execute(_situated(a.c.id, a.c.level, a.c.code, a.c.name, a.c.alt_names)).mappings()
    )


def level_outlines(conn: Connection, level: int, situation: str | None = None) -> list[RowMapping]:
    """The code, name and outline (WKB) of the areas of a level, by name; with ``situation``, only
    that situation's areas and the shared ones."""
    a = admin_area
    query = _situated(a.c.code, a.c.name, a.c.geometry).where(a.c.level == level)
    if situation is not None:
        query = query.where(or_(tables.situation.c.name == situation, a.c.situation_id.is_(None)))
    return list(conn.execute(query.order_by(a.c.name)).mappings())


def clear_incident_areas(conn: Connection, incident_ids: Sequence[str] | None = None) -> None:
    """Forget the areas of these incidents (None: of every incident)."""
    statement = delete(incident_area)
    if incident_ids is not None:
        statement = statement.where(incident_area.c.incident_id.in_(incident_ids))
    conn.execute(statement)


def insert_incident_areas(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    conn.execute(insert(incident_area), list(rows))


# Each incident with its case's live situation (None: its case is in none).
_POINTS = (
    select(
        incident.c.id,
        incident.c.latitude,
        incident.c.longitude,
        incident.c.area_id,
        tables.situation.c.name.label("situation"),
    )
    .select_from(
        incident.outerjoin(
            tables.case_situation, tables.case_situation.c.case_id == incident.c.case_id
        ).outerjoin(
            tables.situation,
            and_(
                tables.situation.c.id == tables.case_situation.c.situation_id,
                tables.situation.c.deleted_at.is_(None),
            ),
        )
    )
    .where(incident.c.deleted_at.is_(None))
)


def incident_points(conn: Connection, incident_ids: Sequence[str]) -> list[RowMapping]:
    """The coordinates and given area of these live incidents."""
    return list(conn.execute(_POINTS.where(incident.c.id.in_(incident_ids))).mappings())


def incident_points_after(conn: Connection, last: str | None, limit: int) -> list[RowMapping]:
    """The coordinates and given area of the next ``limit`` live incidents by ID after ``last``."""
    query = _POINTS.order_by(incident.c.id).limit(limit)
    if last is not None:
        query = query.where(incident.c.id > last)
    return list(conn.execute(query).mappings())


def item_provenance(conn: Connection, item_id: str) -> list[dict[str, Any]]:
    """The partners' packages an item was imported from, oldest first (never their entries)."""
    t = tables.package_provenance
    rows = conn.execute(
        select(
            t.c.package_id, t.c.partner_origin, t.c.quarantined, t.c.failed_step, t.c.imported_at
        )
        .where(t.c.item_id == item_id)
        .order_by(t.c.imported_at, t.c.id)
    ).mappings()
    return [dict(r) | {"quarantined": bool(r["quarantined"])} for r in rows]


# --- Where an item is used (documentation/item_uses.py) -----------------------------------------------


def item_incident_uses(
    conn: Connection, item_id: str, case_ids: Collection[str] | None
) -> list[RowMapping]:
    """The live incidents an item is linked to, with the link's relevance, oldest link first; only
    incidents of ``case_ids`` (None: any case)."""
    links, inc = tables.item_incident, tables.incident
    query = (
        select(links.c.id, links.c.incident_id, links.c.relevance, inc.c.title)
        .join(inc, inc.c.id == links.c.incident_id)
        .where(links.c.item_id == item_id, links.c.deleted_at.is_(None), inc.c.deleted_at.is_(None))
    )
    if case_ids is not None:
        query = query.where(inc.c.case_id.in_(case_ids))
    return list(conn.execute(query.order_by(links.c.created_at, links.c.id)).mappings())


def item_element_uses(
    conn: Connection, item_id: str, case_ids: Collection[str] | None
) -> list[RowMapping]:
    """The item's live element links, each with its incident's title, by crime and incident;
    only incidents of ``case_ids`` (None: any case)."""
    link, inc = tables.element_link, tables.incident
    query = (
        select(link.c.id, link.c.incident_id, link.c.crime_code, link.c.element_id)
        .add_columns(link.c.stance, link.c.confidence, link.c.note, inc.c.title)
        .join(inc, inc.c.id == link.c.incident_id)
        .where(link.c.item_id == item_id, link.c.deleted_at.is_(None), inc.c.deleted_at.is_(None))
    )
    if case_ids is not None:
        query = query.where(inc.c.case_id.in_(case_ids))
    ordered = query.order_by(link.c.crime_code, inc.c.title, link.c.id)
    return list(conn.execute(ordered).mappings())


def disclosures_naming(conn: Connection, case_id: str, sha256: str) -> list[RowMapping]:
    """The case's ``disclosure`` events whose detail names the digest, oldest first (the caller reads
    the detail: a package's event lists its originals by digest)."""
    e = tables.custody_event
    query = select(e.c.log_index, e.c.occurred_at, e.c.detail).where(
        e.c.event_type == "disclosure",
        e.c.case_id == case_id,
        e.c.detail.contains(f'"{sha256}"', autoescape=True),
    )
    return list(conn.execute(query.order_by(e.c.log_index)).mappings())


def requests_of_packages(conn: Connection, package_ids: Collection[str]) -> dict[str, str]:
    """The sharing request each of these packages was built for, by package ID (those that had one)."""
    t = tables.package_request
    rows = conn.execute(
        select(t.c.package_id, t.c.id).where(t.c.package_id.in_(list(package_ids)))
    ).all()
    return {str(package): str(request) for package, request in rows}

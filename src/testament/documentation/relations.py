"""Relations between incidents as the incident page shows and edits them: both ways round, another
incident of the case picked by its ID or by words of its title, and a relation removed (a new
version, with its custody event, as every deletion of a record is).

Relating itself is :func:`testament.documentation.incidents.relate` (the vocabulary
``incident-relations``; an incident is never related to itself or to one of another case).
"""

from __future__ import annotations

from dataclasses import dataclass

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import incidents, relation_queries
from testament.documentation.search_results import RelatedIncident
from testament.domain.access import Action
from testament.domain.results import Result
from testament.errors import InvalidInput, NotFound
from testament.storage.engine import read_transaction

CHOICES = 200  # incidents offered to pick from; others are found by their ID or title words


@dataclass(frozen=True)
class Choice(Result):
    """An incident of the case offered to relate to."""

    id: str
    title: str


def related(instance: Instance, incident_id: str) -> list[RelatedIncident]:
    """The incident's live relations, those it names and those naming it, oldest first."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="incident", record_id=incident_id)
        rows = relation_queries.both_ways(conn, incident_id)
    return [
        RelatedIncident(
            relation_id=row["id"],
            relation=row["relation"],
            other_id=row["other_id"],
            other_title=row["title"],
            outgoing=row["outgoing"],
            note=row["note"],
        )
        for row in rows
    ]


def choices(instance: Instance, incident_id: str) -> list[Choice]:
    """Incidents of the same case to offer (the most recently written, this one left out)."""
    with read_transaction(instance.engine) as conn:
        case_id = policy.require(
            conn, instance, Action.READ, kind="incident", record_id=incident_id
        )
        found = relation_queries.recent_of_case(conn, str(case_id), CHOICES + 1)
    return [Choice(i, title) for i, title in found if i != incident_id][:CHOICES]


def relate_to(
    instance: Instance, incident_id: str, other: str, relation: str, note: str = ""
) -> str:
    """Relate the incident to another of its case, given by ID or by words of its title (which must
    find exactly one); returns the relation's ID."""
    wanted = other.strip()
    if not wanted:
        raise InvalidInput("say which incident to relate to", where="other")
    with read_transaction(instance.engine) as conn:  # refused before any title is looked for
        case_id = policy.require(
            conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id
        )
        found = relation_queries.case_incidents_matching(conn, str(case_id), wanted, 3)
    if wanted in found:
        found = [wanted]
    if not found:
        raise NotFound(
            f"no incident of this case has the ID or a title with {wanted[:80]!r}", where="other"
        )
    if len(found) > 1:
        raise InvalidInput(
            f"several incidents of this case have {wanted[:80]!r} in their title",
            where="other",
            hint="give more of the title, or the incident's ID",
        )
    return incidents.relate(instance, incident_id, found[0], relation, note)


def unrelate(instance: Instance, relation_id: str) -> int:
    """Remove a relation between two incidents (its versions stay); returns its new version."""
    with recording(instance) as conn:
        policy.require(
            conn, instance, Action.DOCUMENT, kind="incident-relation", record_id=relation_id
        )
        history.current(conn, "incident-relation", relation_id)  # a removed one is not found
        return history.delete(conn, "incident-relation", relation_id, agent_id=acting_agent(conn))

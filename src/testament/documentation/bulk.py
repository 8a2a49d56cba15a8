"""Bulk work on documentation: link many evidence items to one incident in one transaction.

Tags in bulk are :mod:`testament.documentation.tags`'s (each of its use cases takes many records);
assignment and review states are the review capability's. Like them, this is all or nothing: every
item is asked of the policy and checked before anything is written; if one is refused, missing or of
another case than the incident, nothing is written and the error names it.
"""

from __future__ import annotations

from collections.abc import Sequence

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import queries
from testament.documentation.results import BulkOutcome
from testament.documentation.tags import targets_of
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import lock_log


def link_items(
    instance: Instance,
    item_ids: Sequence[str],
    incident_id: str,
    relevance: str,
    *,
    case: str | None = None,
) -> BulkOutcome:
    """Link each item to an incident of its case, with one relevance note; items already linked to it
    are left as they are. All or nothing (with ``case``, every item must be of that case)."""
    note = clean_text(relevance, "the relevance", "relevance", required=True)
    with recording(instance) as conn:
        try:
            incident_case = policy.require(
                conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id
            )
        except NotFound:
            raise NotFound("no incident has this ID", where=incident_id) from None
        history.current(conn, "incident", incident_id)
        cases = targets_of(conn, instance, "item", item_ids, Action.DOCUMENT, case=case)
        for item_id, case_id in cases.items():
            if case_id != incident_case:
                raise InvalidInput(
                    "the evidence item and the incident are in different cases",
                    where=f"item {item_id}, incident {incident_id}",
                    hint="link an item only to an incident of its own case",
                )
        lock_log(conn)  # no constraint backs the check for existing links: it holds until commit
        linked = queries.linked_items(conn, list(cases), incident_id)
        new = [item_id for item_id in cases if item_id not in linked]
        rows = [
            {"item_id": i, "incident_id": incident_id, "source_id": None, "relevance": note}
            for i in new
        ]
        history.create_many(conn, "item-incident", rows, agent_id=acting_agent(conn))
        if new:
            indexing.refresh(conn, "item", new)
        return BulkOutcome("link", "item", tuple(new), tuple(i for i in cases if i in linked))

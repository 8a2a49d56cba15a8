"""Search hits with snippets: the words around what matched, marked (docs/search.md, "Snippets").

Only the fields a reader of the hit's case may read are cut from, through the policy, and an evidence
item is shown by its title alone (as the index has it: a testimony's recording by type and digest).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import search, snippet_queries
from testament.documentation.search_results import Snippet, SnippetHit
from testament.domain.access import Action
from testament.search import snippets
from testament.search.base import SearchHit, SearchQuery
from testament.search.query import parse
from testament.storage.engine import read_transaction


def with_snippets(instance: Instance, hits: Sequence[SearchHit], text: str) -> list[SnippetHit]:
    """The hits described (:func:`search.described`), each with a snippet of its text marking the
    words ``text`` (the query) matched."""
    described = search.described(instance, hits)
    clauses = parse(SearchQuery(text=text)).clauses
    wanted: dict[str, list[str]] = defaultdict(list)
    for hit in hits:
        wanted[hit.kind].append(hit.doc_id)
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        fields = {
            (kind, record_id): found
            for kind, ids in wanted.items()
            for record_id, found in snippet_queries.texts(conn, kind, ids, readable).items()
        }
    found = []
    for hit, shown in zip(hits, described, strict=True):
        texts = fields.get((hit.kind, hit.doc_id), [hit.title])
        parts = next((p for p in (snippets.snippet(x, clauses) for x in texts) if p), None)
        found.append(SnippetHit(**vars(shown) | {"snippet": Snippet(parts) if parts else None}))
    return found

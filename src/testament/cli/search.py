"""`testament search QUERY` (with facets), saved searches (`save`, `saved`, `delete-saved`) and
`testament search reindex`."""

from __future__ import annotations

from typing import Any

import click

from testament.cli.output import json_line
from testament.config import load_settings
from testament.documentation import facets, saved_searches
from testament.documentation import search as service
from testament.documentation.search_results import SearchFacets
from testament.domain.display import shown
from testament.domain.results import plain
from testament.search.base import CANDIDATE_CAP, KINDS, SearchQuery, SearchResults
from testament.startup import open_home


class _DefaultQuery(click.Group):
    """A group whose first argument, unless it names a subcommand, is the start of a query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in {"-h", "--help"}:
            args = ["query", *args]
        return super().parse_args(ctx, args)


@click.group("search", cls=_DefaultQuery)
def search_group() -> None:
    """Full-text search over incidents, sources, people and evidence notes.

    `testament search QUERY [OPTIONS]` is short for `testament search query QUERY [OPTIONS]`.
    Names match across scripts and transliterations: Харків, Kharkiv and Kharkov find the same records.
    """


# Words like -school are exclusions, not options: unknown options are kept as words, and the command
# has no short options (not even -h) that click could find inside such a word.
@search_group.command(
    "query", context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]}
)
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--case", multiple=True, help="Only this case (name or ID). Repeatable.", metavar="NAME"
)
@click.option(
    "--kind", multiple=True, help="Only this kind of record. Repeatable.", type=click.Choice(KINDS)
)
@click.option("--from", "date_from", metavar="DATE", help="Only records dated on or after DATE.")
@click.option("--to", "date_to", metavar="DATE", help="Only records dated on or before DATE.")
@click.option(
    "--area",
    multiple=True,
    help="Only incidents in this administrative area (any spelling, or its code). Repeatable.",
    metavar="NAME",
)
@click.option(
    "--type",
    multiple=True,
    help="Only incidents of this type (vocabulary code). Repeatable.",
    metavar="CODE",
)
@click.option(
    "--target",
    multiple=True,
    help="Only incidents with this target type (vocabulary code). Repeatable.",
    metavar="CODE",
)
@click.option(
    "--weapon",
    multiple=True,
    help="Only incidents with this weapon system (vocabulary code). Repeatable.",
    metavar="CODE",
)
@click.option("--status", metavar="CODE", help="Only incidents with this status (vocabulary code).")
@click.option(
    "--unit",
    multiple=True,
    help="Only incidents involving this unit (name, alias or ID). Repeatable.",
    metavar="NAME",
)
@click.option(
    "--facet",
    "chosen",
    multiple=True,
    metavar="KEY:VALUE",
    help="Only records with this facet value (type, target, weapon, area, status, year, assignee), "
    "e.g. type:shelling. Repeatable: each must hold.",
)
@click.option(
    "--facets", "show_facets", is_flag=True, help="Also count the facets of the incidents matched."
)
@click.option("--limit", default=20, show_default=True, help="Hits per page.")
@click.option("--offset", default=0, show_default=True, help="Hits to skip (the next page).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per hit, then a summary line.")
def query(words: tuple[str, ...], **options: Any) -> None:
    """Find records matching all the WORDS: "a phrase" in quotes, word* for a prefix, -word to exclude.

    DATE is YYYY-MM-DD, YYYY-MM or YYYY. Date ranges overlap: an incident dated March 2022 matches
    --from 2022-03-15. Hits are ranked by relevance among the newest matches (see docs/search.md).
    """
    wanted = SearchQuery(
        text=" ".join(words),
        kinds=options["kind"],
        date_from=options["date_from"],
        date_to=options["date_to"],
        types=options["type"],
        targets=options["target"],
        weapons=options["weapon"],
        status=options["status"],
        limit=options["limit"],
        offset=options["offset"],
    )
    filters = service.Filters(cases=options["case"], areas=options["area"], units=options["unit"])
    chosen = facets.parse(options["chosen"])
    inst = open_home(load_settings())
    try:
        results = service.search(inst, wanted, filters, chosen)
        counted = (
            service.facets_of_search(inst, wanted, filters, chosen)
            if options["show_facets"]
            else None
        )
    finally:
        inst.close()
    _print(results, as_json=options["as_json"])
    if counted is not None:
        _print_facets(counted, as_json=options["as_json"])


def _print_facets(counted: SearchFacets, *, as_json: bool) -> None:
    if as_json:
        json_line({"facets": plain(counted.facets), "incidents": counted.incidents,
                   "capped": counted.capped})  # fmt: skip
        return
    click.echo(f"Facets of the {counted.incidents} incident(s) matched:")
    for facet in counted.facets:
        shown = ", ".join(
            f"{v.name or v.value} ({v.incidents}){' *' if v.chosen else ''}" for v in facet.values
        )
        more = f" and {facet.more} more" if facet.more else ""
        click.echo(f"  {facet.key}: {shown}{more}")


def _print(results: SearchResults, *, as_json: bool) -> None:
    for hit in results.hits:
        if as_json:
            json_line(hit.as_json())
        else:
            when = hit.occurred_from[:10] if hit.occurred_from else "-"
            click.echo(f"{hit.kind:<8}  {when:<10}  {shown(hit.title)}  [{hit.doc_id}]")
    if as_json:
        json_line({"summary": True, "count": len(results.hits), "capped": results.capped})
        return
    if not results.hits:
        click.echo("No records match.", err=True)
    if results.capped:
        click.echo(
            f"Ranked among the {CANDIDATE_CAP:,} newest matches only; add words or filters to "
            "reach older records.",
            err=True,
        )


@search_group.command("save")
@click.argument("name")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--facet", "chosen", multiple=True, metavar="KEY:VALUE", help="A facet value. Repeatable."
)
@click.option("--from", "date_from", metavar="DATE", help="Only records dated on or after DATE.")
@click.option("--to", "date_to", metavar="DATE", help="Only records dated on or before DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the saved search as one JSON line.")
def save(name: str, words: tuple[str, ...], **options: Any) -> None:
    """Save a search under NAME, for the account you act as (testament --as USER)."""
    inst = open_home(load_settings())
    try:
        made = saved_searches.save(inst, name, " ".join(words), options["chosen"],
                                   date_from=options["date_from"], date_to=options["date_to"])  # fmt: skip
    finally:
        inst.close()
    if options["as_json"]:
        json_line(made)
        return
    click.echo(f"Saved {made.name!r} [{made.id}]")


@search_group.command("saved")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per saved search.")
def saved(as_json: bool) -> None:
    """List your saved searches (of the account you act as)."""
    inst = open_home(load_settings())
    try:
        found = saved_searches.saved(inst)
    finally:
        inst.close()
    for one in found:
        if as_json:
            json_line(one)
            continue
        narrowed = " ".join(f"--facet {f}" for f in one.facets)
        click.echo(f"{shown(one.name)}: {shown(one.query)} {narrowed}  [{one.id}]".rstrip())
    if not found and not as_json:
        click.echo("No saved searches.", err=True)


@search_group.command("delete-saved")
@click.argument("search_id")
def delete_saved(search_id: str) -> None:
    """Delete one of your saved searches by its ID (see `testament search saved`)."""
    inst = open_home(load_settings())
    try:
        saved_searches.delete(inst, search_id)
    finally:
        inst.close()
    click.echo(f"Deleted {search_id}")


@search_group.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON line.")
def reindex(as_json: bool) -> None:
    """Rebuild the search index from the documentation records (it is derived data)."""
    inst = open_home(load_settings())
    try:
        report = service.reindex(inst)
    finally:
        inst.close()
    if as_json:
        json_line(report)
        return
    counts = ", ".join(f"{n} {kind}(s)" for kind, n in report.counts.items())
    click.echo(f"Reindexed {counts}")

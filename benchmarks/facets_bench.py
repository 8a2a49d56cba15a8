"""The incident list with facets at 100k incidents (docs/search.md, "Facets"; goal: p95 under 150 ms
server time), beside the plain list of the same case in the same run.

A SQLite home under ``benchmarks/scratch/facets-home`` (reused between runs) gets the administrative
areas and a generated TimeMap file imported as the import benchmark makes them, so types, targets,
weapons, areas and years are spread as in real data. Each sample asks the use case the page calls
(:func:`testament.documentation.facets.incident_page`: a page of 100, the total and every facet's
counts) for one of its first ten pages, unnarrowed or narrowed as a reader would narrow it; the baseline is
:func:`testament.documentation.incidents.list_for_case`, the plain page of 100 with no facets. Narrowed
by two values or by dates, the case's facet columns are kept between samples as between requests (the
log does not grow); the first read after a write, which builds them, is timed on its own.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import WORK, median, percentile, report

MS = 1000.0
PAGES = 10  # each sample reads one of the first ten pages (the list's next-page links)
SQL_SAMPLES = 10  # the slow path before the columns, for comparison in the same run


def _home(count: int) -> Any:
    from benchmarks import import_bench
    from testament.config import load_settings
    from testament.custody import instance as instance_service
    from testament.documentation import gazetteer
    from testament.transfer import imports

    home = WORK / f"facets-home-{count}"
    ready = home / "bench-ready"
    settings = load_settings({"TESTAMENT_HOME": str(home)})
    if not ready.exists():
        import shutil

        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        instance_service.init(settings)
        opened = instance_service.open_instance(settings)
        try:
            if import_bench.AREAS.exists():
                gazetteer.load(
                    opened, import_bench.AREAS, level=1, name_field="NAME_1",
                    alt_names_field="VARNAME_1",
                )  # fmt: skip
            options = imports.ImportOptions(suffix_duplicates=True, namespace="timemap:bench")
            imports.import_timemap(opened, import_bench.generate_file(count), "bench", options)
        finally:
            opened.close()
        ready.write_text("ok\n")
    return instance_service.open_instance(settings)


def _timed(call: Callable[[], Any], samples: int) -> list[float]:
    found = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        found.append(time.perf_counter() - start)
    return found


def _cold(inst: Any) -> None:
    """A narrowed page with no columns kept: what the first reader after a write waits."""
    from testament.documentation import facet_columns, facets

    facet_columns.forget()
    facets.incident_page(inst, "bench", limit=101, date_from="2022-06-01")


def _in_sql(inst: Any, chosen: tuple[tuple[str, str], ...] | None, offset: int) -> None:
    """The same page, total and counts grouped in SQL (the path before the columns): two values
    chosen, or (``None``) the date range."""
    from testament.custody import policy
    from testament.documentation import facets
    from testament.documentation.facet_queries import Narrowing
    from testament.domain.access import Action
    from testament.storage.engine import read_transaction

    only = Narrowing(chosen) if chosen else Narrowing(date_from="2022-06-01")
    with read_transaction(inst.engine) as conn:
        cid = str(policy.require(conn, inst, Action.READ, case="bench"))
        facets.in_sql(conn, cid, only, limit=101, offset=offset)


def incident_list(count: int = 100_000, samples: int = 40) -> dict[str, float]:
    if not __import__("benchmarks.import_bench").import_bench.REAL.exists():
        print("\n== facets: skipped (the TimeMap sample the generator needs is not there)")
        return {}
    from testament.documentation import facets, incidents

    inst = _home(count)
    rng = random.Random(7)
    try:
        everything = facets.incident_page(inst, "bench", limit=1)
        common = {f.key: f.values[0].value for f in everything.facets if f.values}
        narrowings: dict[str, tuple[tuple[str, str], ...]] = {"none": ()}
        for key in ("type", "status", "area", "year"):
            if key in common:
                narrowings[f"{key}:{common[key]}"] = ((key, common[key]),)
        if "year" in common and "area" in common:
            narrowings["area and year"] = (("area", common["area"]), ("year", common["year"]))
        narrowed = facets.incident_page(inst, "bench", limit=1, date_from="2022-06-01")
        print(
            "facets:", ", ".join(f"{f.key} ({len(f.values) + f.more})" for f in everything.facets)
        )

        def offset(total: int = count) -> int:
            return 100 * rng.randrange(0, max(1, min(PAGES, total // 100)))

        base = _timed(
            lambda: incidents.list_for_case(inst, "bench", limit=101, offset=offset()), samples
        )
        rows = [("plain list, page of 100, no facets (baseline) p50/p95",
                 f"{median(base) * MS:8.1f} / {percentile(base, 0.95) * MS:8.1f} ms")]  # fmt: skip
        every: list[float] = []
        for name, chosen in narrowings.items():
            shown = facets.incident_page(inst, "bench", chosen, limit=1).total
            took = _timed(
                lambda chosen=chosen, shown=shown: facets.incident_page(  # type: ignore[misc]
                    inst, "bench", chosen, limit=101, offset=offset(shown)
                ),
                samples,
            )
            every += took
            rows.append((f"  with facets, narrowed by {name} ({shown:,} incidents) p50/p95",
                         f"{median(took) * MS:8.1f} / {percentile(took, 0.95) * MS:8.1f} ms"))  # fmt: skip
        took = _timed(
            lambda: facets.incident_page(
                inst, "bench", limit=101, offset=offset(narrowed.total), date_from="2022-06-01"
            ),
            samples,
        )
        every += took
        rows.append((f"  with facets, from 2022-06-01 on ({narrowed.total:,} incidents) p50/p95",
                     f"{median(took) * MS:8.1f} / {percentile(took, 0.95) * MS:8.1f} ms"))  # fmt: skip
        before: list[tuple[str, tuple[tuple[str, str], ...] | None]] = [
            ("from 2022-06-01 on", None)
        ]
        if "area and year" in narrowings:
            before.insert(0, ("area and year", narrowings["area and year"]))
        for name, only in before:
            slow = _timed(lambda only=only: _in_sql(inst, only, offset()), SQL_SAMPLES)  # type: ignore[misc]
            rows.append((f"  before: {name} grouped in SQL, as before the columns p50/p95",
                         f"{median(slow) * MS:8.1f} / {percentile(slow, 0.95) * MS:8.1f} ms"))  # fmt: skip
        cold = _timed(lambda: _cold(inst), 3)
        rows.append(("  the first narrowed read after a write (columns built) p50/max",
                     f"{median(cold) * MS:8.1f} / {max(cold) * MS:8.1f} ms"))  # fmt: skip
        ratio = percentile(every, 0.95) / percentile(base, 0.95)
        rows += [
            ("list with facets, all samples p50/p95 (goal: p95 < 150 ms)",
             f"{median(every) * MS:8.1f} / {percentile(every, 0.95) * MS:8.1f} ms"),
            ("  p95 ratio to the plain list", f"{ratio:8.1f}x"),
        ]  # fmt: skip
    finally:
        inst.close()
    report(f"Incident list with facets at {count:,} incidents (SQLite, in process)", rows)
    return {"p95_ms": percentile(every, 0.95) * MS, "baseline_p95_ms": percentile(base, 0.95) * MS}


if __name__ == "__main__":
    import sys

    incident_list(count=int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

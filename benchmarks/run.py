"""`make bench`: every benchmark, each beside its baseline from the same run.

Options: --quick (small sizes, for a smoke run), --only startup,ingest,items,appends,proofs,writes,gazetteer,search,import,web,facets,packages,phash,duplicates,processing,captures,patterns,timeline.
Large inputs are generated under benchmarks/scratch/ (ignored by git) and reused between runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import (
    capture_bench,
    facets_bench,
    gazetteer_bench,
    import_bench,
    ingest_bench,
    log_bench,
    package_bench,
    patterns_bench,
    phash_bench,
    processing_bench,
    search_bench,
    startup_bench,
    timeline_bench,
    web_bench,
    write_bench,
)
from benchmarks.common import WORK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--only",
        default="startup,ingest,items,appends,proofs,writes,gazetteer,search,import,web,facets,packages,"
        "phash,duplicates,processing,captures,patterns,timeline",
    )
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    WORK.mkdir(parents=True, exist_ok=True)  # a fresh clone has no scratch folder yet
    quick = args.quick
    if "startup" in chosen:
        startup_bench.startup(reps=5 if quick else 20)
    if "ingest" in chosen:
        ingest_bench.large_files(total_mib=64 if quick else 1024, count=4, reps=3)
    if "items" in chosen:
        ingest_bench.small_files(count=500 if quick else 10_000, reps=3)
    if "appends" in chosen:
        log_bench.appends(total=4096 if quick else 65_536)
    if "proofs" in chosen:
        sizes = [10_000] if quick else [1_000_000, 10_000_000]
        log_bench.pymerkle_persisted(size=10_000 if quick else 100_000, count=100)
        log_bench.proofs(
            sizes, count=200 if quick else 2000, pymerkle_max=10_000 if quick else 1_000_000
        )
    if "writes" in chosen:
        write_bench.writers(per_writer=25 if quick else 60, reps=1 if quick else 3)
    if "gazetteer" in chosen:
        gazetteer_bench.points(count=10_000 if quick else 100_000)
        gazetteer_bench.assign(count=10_000 if quick else 100_000)
    if "search" in chosen:
        search_bench.queries(size=20_000 if quick else None)
    if "import" in chosen:
        import_bench.real_file()
        import_bench.generated(count=10_000 if quick else None)
    if "web" in chosen:
        web_bench.requests_per_second(reps=1 if quick else 3)
        web_bench.list_and_map(count=5_000 if quick else 100_000)
        web_bench.upload(total_mib=64 if quick else 1024, reps=1 if quick else 3)
    if "timeline" in chosen:
        timeline_bench.timeline(count=5_000 if quick else 100_000, reps=5 if quick else 15)
    if "packages" in chosen:
        package_bench.create_and_verify(total_mib=64 if quick else 1024, reps=1 if quick else 3)
    _pipeline(chosen, quick)


def _pipeline(chosen: set[str], quick: bool) -> None:
    """Capture and processing (docs/processing.md), and the incident list with facets."""
    if "facets" in chosen:
        facets_bench.incident_list(count=10_000 if quick else 100_000)
    if "phash" in chosen:
        phash_bench.images_per_second(count=40 if quick else 200, reps=3 if quick else 5)
    if "duplicates" in chosen:
        phash_bench.queries(sizes=(100_000,) if quick else (1_000_000, 10_000_000))
    if "processing" in chosen:
        processing_bench.ingest_with_processing(count=20 if quick else 200, reps=1 if quick else 3)
    if "captures" in chosen:
        capture_bench.captures_per_minute(count=8 if quick else 24, reps=1 if quick else 3)
    if "patterns" in chosen:
        patterns_bench.analyses(count=100_000 if quick else 1_000_000, reps=1 if quick else 3)
        patterns_bench.end_to_end(count=10_000 if quick else 100_000)


if __name__ == "__main__":
    main()

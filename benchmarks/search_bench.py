"""Search benchmark: index build rate and query latency at 1M incident-like documents (docs/search.md).

The corpus: titles of 6-12 words and bodies of about 100 words (log-normal lengths, 15 to 600 words),
words drawn Zipf(1.1) from a 100,000-word vocabulary whose most frequent ranks are the words of the real
Bellingcat civilian-harm descriptions (in their real frequency order) and whose tail is synthetic; one
place name per document in Cyrillic or in one of its Latin spellings. It is generated from a fixed seed,
so the tantivy baseline indexes exactly the same words (their transliteration keys, so both engines see
the same terms with the same frequencies).

Queries, each timed end to end through the SQLite backend's `search` (parse, key, capped ranking):
rare terms (10 to 100 matching documents per million), mid terms (0.5% to 2%), two mid terms ANDed, and
common terms (in more than 30% of documents), ranked. tantivy answers the same queries, top 20 by BM25.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, WORK, percentile, report
from testament.search.base import CANDIDATE_CAP, SearchDocument, SearchQuery
from testament.search.sqlite_fts import SqliteSearchIndex
from testament.search.translit import key_text
from testament.storage import migrate
from testament.storage.engine import make_engine, read_transaction, write_transaction

DATASET = ROOT.parent / "shared" / "datasets" / "bellingcat-civharm-2024-06-02.json"
VOCABULARY = 100_000
BATCH = 10_000
SEED = 20260601
PLACES = [
    ("Харків", "Kharkiv", "Kharkov"),
    ("Київ", "Kyiv", "Kiev"),
    ("Миколаїв", "Mykolaiv", "Nikolaev"),
    ("Херсон", "Kherson", "Kherson"),
    ("Запоріжжя", "Zaporizhzhia", "Zaporozhye"),
    ("Бахмут", "Bakhmut", "Bakhmut"),
    ("Маріуполь", "Mariupol", "Mariupol"),
    ("Чернігів", "Chernihiv", "Chernigov"),
]
FOLDER = WORK / "search"


def _real_words() -> list[str]:
    """Words of the Bellingcat descriptions, most frequent first (empty when the dataset is absent)."""
    if not DATASET.exists():
        return []
    events = json.loads(DATASET.read_text(encoding="utf-8"))
    counts = Counter(
        word
        for event in events
        for text in [
            event.get("description", ""),
            *(s.get("description", "") for s in event.get("sources", [])),
        ]
        for word in text.lower().split()
        if word.isalpha()
    )
    return [word for word, _ in counts.most_common()]


def _vocabulary() -> list[str]:
    real = _real_words()
    syllables = ["ka", "ro", "vi", "ne", "sto", "lu", "mi", "dar", "pol", "zen", "tri", "ho", "vel"]
    rnd = random.Random(SEED)
    synthetic = set()
    while len(real) + len(synthetic) < VOCABULARY:
        word = "".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 5)))
        if word not in real:
            synthetic.add(word)
    return real + sorted(synthetic)


class Corpus:
    """Deterministic documents: the same seed gives the same documents, for both engines."""

    def __init__(self) -> None:
        self.words = _vocabulary()
        weights = [1 / (rank**1.1) for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def _text(self, rnd: random.Random, count: int) -> str:
        return " ".join(rnd.choices(self.words, cum_weights=self.cumulative, k=count))

    def documents(self, size: int) -> Iterator[SearchDocument]:
        rnd = random.Random(SEED)
        for n in range(size):
            length = min(600, max(15, int(rnd.lognormvariate(math.log(100), 0.6))))
            place = rnd.choice(PLACES)[rnd.randrange(3)]
            yield SearchDocument(
                doc_id=f"{n:036d}",
                kind="incident",
                case_id="00000000-0000-4000-8000-000000000001",
                title=self._text(rnd, rnd.randint(6, 12)),
                body=self._text(rnd, length),
                names=(place,),
                occurred_from=f"2022-{1 + n % 12:02d}-{1 + n % 28:02d}",
                status="reported",
                types=("shelling",),
            )


def _build_sqlite(corpus: Corpus, size: int) -> tuple[Path, float | None]:
    db = FOLDER / f"search-{size}.db"
    if db.exists():
        return db, None
    FOLDER.mkdir(parents=True, exist_ok=True)
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    migrate.upgrade(engine)
    index = SqliteSearchIndex()
    elapsed = 0.0
    documents = corpus.documents(size)
    while batch := list(itertools.islice(documents, BATCH)):  # generated outside the timing
        start = time.perf_counter()
        with write_transaction(engine) as connection:
            index.upsert(connection, batch)
        elapsed += time.perf_counter() - start
    start = time.perf_counter()
    with write_transaction(engine) as connection:
        index.optimize(connection)
    rate = size / (elapsed + time.perf_counter() - start)
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(db)
    return db, rate


def _build_tantivy(corpus: Corpus, size: int) -> tuple[Any, float | None]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("names", stored=False)
    builder.add_text_field("title", stored=False)
    builder.add_text_field("body", stored=False)
    schema = builder.build()
    folder = FOLDER / f"tantivy-{size}"
    rate = None
    if not (folder / "complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        index = tantivy.Index(schema, path=str(folder))
        writer = index.writer(heap_size=512_000_000, num_threads=2)
        elapsed = 0.0
        documents = corpus.documents(size)
        while batch := list(itertools.islice(documents, BATCH)):  # generated and keyed untimed
            keyed = [
                (key_text(" ".join(d.names)), key_text(d.title), key_text(d.body)) for d in batch
            ]
            start = time.perf_counter()
            for names, title, body in keyed:
                writer.add_document(tantivy.Document(names=names, title=title, body=body))
            elapsed += time.perf_counter() - start
        start = time.perf_counter()
        writer.commit()
        writer.wait_merging_threads()
        rate = size / (elapsed + time.perf_counter() - start)
        (folder / "complete").touch()
    index = tantivy.Index(schema, path=str(folder))
    index.reload()
    return index, rate


def _document_frequencies(corpus: Corpus, sample: int) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for doc in itertools.islice(corpus.documents(sample), sample):
        counts.update(set(key_text(" ".join([*doc.names, doc.title, doc.body])).split()))
    return {word: n / sample for word, n in counts.items()}


def _pick(frequencies: dict[str, float], low: float, high: float, count: int) -> list[str]:
    found = sorted(w for w, f in frequencies.items() if low <= f <= high and len(w) > 2)
    return random.Random(SEED).sample(found, min(count, len(found)))


def query_sets(corpus: Corpus, size: int) -> dict[str, list[str]]:
    """Query texts per class, chosen by document frequency in a sample of the corpus."""
    frequencies = _document_frequencies(corpus, min(size, 50_000))
    floor = 1 / min(size, 50_000)
    mid = _pick(frequencies, 0.005, 0.02, 40)
    return {
        "rare": _pick(frequencies, floor, max(floor, 100 / 1_000_000), 20),
        "mid": mid[:20],
        "two-term AND": [f"{a} {b}" for a, b in itertools.pairwise(mid[20:])][:20]
        or [f"{a} {b}" for a, b in itertools.pairwise(mid)],
        "common (ranked)": _pick(frequencies, 0.3, 1.0, 10),
    }


def _time_sqlite(db: Path, texts: list[str], reps: int) -> tuple[list[float], int]:
    engine = make_engine(f"sqlite:///{db}")
    index = SqliteSearchIndex()
    timings, capped = [], 0
    with read_transaction(engine) as connection:
        for text in texts:  # warm the page cache for these terms
            index.search(connection, SearchQuery(text))
        for _ in range(reps):
            for text in texts:
                start = time.perf_counter()
                results = index.search(connection, SearchQuery(text))
                timings.append((time.perf_counter() - start) * 1000)
                capped += results.capped
    engine.dispose()
    return timings, capped


def _time_tantivy(index: Any, texts: list[str], reps: int) -> list[float]:
    searcher = index.searcher()
    timings = []
    queries = [index.parse_query(key_text(t), ["names", "title", "body"]) for t in texts]
    for query in queries:
        searcher.search(query, 20)
    for _ in range(reps):
        for query in queries:
            start = time.perf_counter()
            searcher.search(query, 20)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def _ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):7.2f} ms   p95 {percentile(values, 0.95):7.2f} ms"


def queries(size: int | None = None, reps: int = 5) -> dict[str, float]:
    size = size or int(os.environ.get("TESTAMENT_BENCH_SEARCH_DOCS", "1000000"))
    corpus = Corpus()
    db, sqlite_rate = _build_sqlite(corpus, size)
    tantivy_index, tantivy_rate = _build_tantivy(corpus, size)
    rows = [
        ("corpus", f"{size:,} documents; vocabulary {len(corpus.words):,} words"),
        ("SQLite FTS5 database", f"{db.stat().st_size / 1e6:,.0f} MB"),
        ("index build, testament SQLite FTS5 (keying included)", _rate(sqlite_rate)),
        ("index build, tantivy (given the keys, 2 threads)", _rate(tantivy_rate)),
    ]
    figures: dict[str, float] = {}
    for name, texts in query_sets(corpus, size).items():
        ours, capped = _time_sqlite(db, texts, reps)
        theirs = _time_tantivy(tantivy_index, texts, reps)
        ratio = percentile(ours, 0.95) / max(percentile(theirs, 0.95), 1e-6)
        rows.append((f"{name} ({len(texts)} queries x {reps}), testament", _ms(ours)))
        rows.append((f"{name}, tantivy top 20", _ms(theirs)))
        note = f", {capped} of {len(ours)} capped at {CANDIDATE_CAP:,}" if capped else ""
        rows.append((f"{name}, p95 ratio to tantivy", f"{ratio:7.1f}x{note}"))
        figures[f"{name}_p95_ms"] = percentile(ours, 0.95)
        figures[f"{name}_tantivy_p95_ms"] = percentile(theirs, 0.95)
    report(f"Search at {size:,} documents (goals: p95 <= 50 ms; common <= 10x tantivy)", rows)
    return figures


def _rate(rate: float | None) -> str:
    return "(built in an earlier run)" if rate is None else f"{rate:10,.0f} docs/s"

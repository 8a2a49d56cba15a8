"""Near-duplicates (issue 16): PDQ hashing of JPEGs against decoding the same JPEGs alone, and the
near-duplicate query of `HashIndex` against a bare FAISS `IndexBinaryFlat` range search on the same hashes.

The photos are generated once under benchmarks/scratch/ (photo-like: a smooth scene, discs and sensor
noise, 1600x1200, JPEG quality 90) and reused. The hashes are uniform random 256-bit values with planted
near-duplicates of each query at known distances, some within the threshold and some just beyond it, so
the exact answer is known and recall and precision are checked against it (and against FAISS).

Run alone: `python -m benchmarks.phash_bench [--quick] [--images N] [--sizes 1000000,10000000]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import WORK, median, percentile, report
from testament.pipeline.extractors.base import Limits
from testament.pipeline.extractors.phash import PerceptualHashExtractor
from testament.pipeline.similarity import DEFAULT_MAX_DISTANCE, HashIndex

# The distances of the near-duplicates planted for each query: the first five are within the threshold.
PLANTED = (0, 5, 16, 30, 31, 32, 40, 64)


def _photo(seed: int, width: int = 1600, height: int = 1200) -> Image.Image:
    rng = np.random.default_rng(seed)
    scene = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    pixels = np.asarray(scene.resize((width, height), Image.Resampling.BICUBIC)).astype(np.int16)
    rows, cols = np.mgrid[0:height, 0:width]
    for _ in range(12):
        x, y, r = rng.integers(0, width), rng.integers(0, height), rng.integers(40, 300)
        pixels[(cols - x) ** 2 + (rows - y) ** 2 < r * r] = rng.integers(0, 256, 3)
    pixels += rng.normal(0, 12, pixels.shape).astype(np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _photos(count: int) -> list[Path]:
    folder = WORK / "phash-photos"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{seed:04d}.jpg" for seed in range(count)]
    for seed, path in enumerate(paths):
        if not path.exists():
            _photo(seed).save(path, quality=90)
    return paths


def _timed(paths: Sequence[Path], work: Callable[[Path], object]) -> float:
    start = time.perf_counter()
    for path in paths:
        work(path)
    return time.perf_counter() - start


def images_per_second(count: int = 200, reps: int = 5) -> dict[str, float]:
    """PDQ hashing (the extractor, reduced decode) against Pillow's plain full decode of the same files."""
    paths = _photos(count)
    extractor = PerceptualHashExtractor()
    limits = Limits()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)

        def decode(path: Path) -> object:
            with Image.open(path) as image:
                return image.convert("RGB")

        def phash(path: Path) -> object:
            return extractor.extract(path, work, limits)

        _timed(paths, decode)  # the files into the page cache, the libraries warm
        base, cand = [], []
        for _ in range(reps):
            # Alternate every ten files, so a burst of load on the machine hits both sides alike.
            base.append(0.0)
            cand.append(0.0)
            for i in range(0, len(paths), 10):
                base[-1] += _timed(paths[i : i + 10], decode)
                cand[-1] += _timed(paths[i : i + 10], phash)
    ratio = median(base) / median(cand)
    report(
        f"Perceptual hashing, {count} JPEGs of 1600x1200 (median of {reps}, interleaved)",
        [
            ("Pillow decode alone (open + convert RGB)", f"{count / median(base):8.1f} images/s"),
            ("PDQ hash (phash extractor)", f"{count / median(cand):8.1f} images/s"),
            ("  images/s against decoding alone (goal >= 0.8x)", f"{ratio:8.2f}x"),
        ],
    )
    return {"phash_ratio": ratio}


def _plant(codes: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, list[set[int]]]:
    """``count`` random queries, each with near-duplicates planted in ``codes`` at PLANTED
    distances; returns the queries and, for each, the rows within the threshold."""
    rng = np.random.default_rng(seed)
    queries = rng.integers(0, 256, (count, 32), dtype=np.uint8)
    rows = rng.choice(len(codes), size=(count, len(PLANTED)), replace=False)
    expected = []
    for query, targets in zip(queries, rows, strict=True):
        within = set()
        for distance, row in zip(PLANTED, targets.tolist(), strict=True):
            bits = np.unpackbits(query)
            flip = rng.choice(256, size=distance, replace=False)
            bits[flip] ^= 1
            codes[row] = np.packbits(bits)
            if distance <= DEFAULT_MAX_DISTANCE:
                within.add(row)
        expected.append(within)
    return queries, expected


def _query_size(size: int, count: int) -> list[tuple[str, str]]:
    codes = np.random.default_rng(size).integers(0, 256, (size, 32), dtype=np.uint8)
    queries, expected = _plant(codes, count, seed=size + 1)
    joined = codes.tobytes()
    values = [joined[i : i + 32] for i in range(0, len(joined), 32)]
    start = time.perf_counter()
    index = HashIndex()
    index.add(np.arange(size), values)
    built = time.perf_counter() - start
    del values, joined
    start = time.perf_counter()
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    flat_built = time.perf_counter() - start
    ours, theirs, found_ours, found_flat = [], [], [], []
    for query in queries:
        start = time.perf_counter()
        found_ours.append(index.search(query.tobytes(), DEFAULT_MAX_DISTANCE, limit=1000))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        _, _, labels = flat.range_search(
            query[None, :], DEFAULT_MAX_DISTANCE + 1
        )  # radius is strict
        theirs.append(time.perf_counter() - start)
        found_flat.append(set(labels.tolist()))
    recall, precision = _accuracy([{key for key, _ in hits} for hits in found_ours], expected)
    flat_recall, _ = _accuracy(found_flat, expected)
    p95, flat_p95 = percentile(ours, 0.95), percentile(theirs, 0.95)
    return [
        (f"{size:,} hashes: build, HashIndex / IndexBinaryFlat", f"{built:7.2f} / {flat_built:.2f} s"),
        ("  IndexBinaryFlat range_search p95 (median)",
         f"{flat_p95 * 1e3:8.2f} ms ({median(theirs) * 1e3:.2f} ms)"),
        ("  HashIndex.search p95 (median)", f"{p95 * 1e3:8.2f} ms ({median(ours) * 1e3:.2f} ms)"),
        ("  p95 against IndexBinaryFlat (goal <= 1.2x)", f"{p95 / flat_p95:8.3f}x"),
        (f"  recall / precision within {DEFAULT_MAX_DISTANCE} bits (goal 1.0)",
         f"{recall:.3f} / {precision:.3f} (IndexBinaryFlat recall {flat_recall:.3f})"),
    ]  # fmt: skip


def _accuracy(found: list[set[int]], expected: list[set[int]]) -> tuple[float, float]:
    hits = sum(len(f & e) for f, e in zip(found, expected, strict=True))
    return hits / max(1, sum(map(len, expected))), hits / max(1, sum(map(len, found)))


def queries(sizes: Sequence[int] = (1_000_000, 10_000_000), count: int = 500) -> None:
    """p95 of one near-duplicate query at each size, against IndexBinaryFlat on the same hashes."""
    rows: list[tuple[str, str]] = []
    for size in sizes:
        rows += _query_size(size, count)
    report(
        f"Near-duplicate query, max distance {DEFAULT_MAX_DISTANCE} of 256 bits, "
        f"{count} queries each with {len(PLANTED)} planted near-duplicates (interleaved)",
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--images", type=int, help="how many JPEGs to hash (default 200)")
    parser.add_argument("--sizes", help="index sizes, comma-separated (default 1000000,10000000)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    images = args.images or (40 if args.quick else 200)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    images_per_second(count=images, reps=3 if args.quick else 5)
    queries(sizes or ([100_000] if args.quick else [1_000_000, 10_000_000]))


if __name__ == "__main__":
    main()

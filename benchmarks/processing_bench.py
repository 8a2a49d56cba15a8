"""Ingest with processing on, against ingest alone (issue 16): extraction runs off the hash path.

Both sides ingest the same real JPEG photos into a fresh home, interleaved. "Ingest alone" turns
processing off (``TESTAMENT_PROCESSING=false``). "With processing" leaves it on and runs a
``testament worker`` beside the ingest from before it starts, so metadata, thumbnails, perceptual hashes
and OCR compete with the ingest for the machine; only the ingest is timed (goal: at least 0.9 times the
MB/s of ingest alone). The time the worker then takes to finish the backlog is reported on its own, as
items processed per second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from benchmarks.common import TESTAMENT, WORK, fresh_dir, median, report, run, testament_env

MIB = 1024 * 1024


def _photos(folder: Path, count: int) -> list[Path]:
    """Photo-like JPEGs (noise, gradients, shapes), about 0.5 MB each; made once and reused."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"photo-{n:04}.jpg"
        paths.append(path)
        if path.exists():
            continue
        image = Image.effect_noise((1600, 1200), 40 + n % 30).convert("RGB")
        draw = ImageDraw.Draw(image)
        for k in range(6):
            x, y = (n * 37 + k * 211) % 1400, (n * 53 + k * 97) % 1000
            draw.rectangle((x, y, x + 180, y + 140), fill=((n * 40 + k * 30) % 256, k * 40, 120))
        image.save(path, "JPEG", quality=90)
    return paths


def _ingest(source: Path, home: Path, *, processing: bool) -> tuple[float, float]:
    """Seconds the ingest took, and seconds until every job was done (0 without processing)."""
    fresh_dir(home)
    env = testament_env(home, TESTAMENT_PROCESSING="true" if processing else "false")
    run([*TESTAMENT, "init"], env=env)
    worker = None
    if processing:
        worker = subprocess.Popen(
            [*TESTAMENT, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    os.sync()
    start = time.perf_counter()
    try:
        ingest = run([*TESTAMENT, "ingest", str(source), "--case", "bench"], env=env)
        if worker is None:
            return ingest, 0.0
        while _waiting(env):
            time.sleep(0.5)
        return ingest, time.perf_counter() - start
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=60)


def _waiting(env: dict[str, str]) -> bool:
    done = subprocess.run(
        [*TESTAMENT, "jobs", "--json"], env=env, capture_output=True, text=True, check=True
    )
    return any(
        '"state": "queued"' in line or '"state": "running"' in line
        for line in done.stdout.splitlines()
    )


def ingest_with_processing(count: int = 200, reps: int = 3) -> dict[str, float]:
    source = WORK / f"photos-{count}"
    photos = _photos(source, count)
    total_mb = sum(p.stat().st_size for p in photos) / MIB
    alone, along, backlog = [], [], []
    for _ in range(reps):
        alone.append(_ingest(source, WORK / "processing-home", processing=False)[0])
        seconds, finished = _ingest(source, WORK / "processing-home", processing=True)
        along.append(seconds)
        backlog.append(finished)
    base, cand = total_mb / median(alone), total_mb / median(along)
    report(
        f"Ingest of {count} photos ({total_mb:.0f} MB) with processing, against ingest alone "
        f"(median of {reps}, interleaved)",
        [
            ("ingest alone (processing off)", f"{base:8.1f} MB/s  ({median(alone):.2f} s)"),
            ("ingest with a worker processing", f"{cand:8.1f} MB/s  ({median(along):.2f} s)"),
            ("  ratio (goal >= 0.9x)", f"{cand / base:8.2f}x"),
            (
                "every item processed after",
                f"{median(backlog):8.2f} s  ({count / median(backlog):.1f} items/s)",
            ),
        ],
    )
    return {"ratio": cand / base}

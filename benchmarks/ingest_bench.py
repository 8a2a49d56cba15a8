"""Ingest throughput: `testament ingest` against `openssl dgst -sha256 F && cp F D && sync` (G2).

Both read the same page-cached files in the same run, interleaved. Encryption is on (the default).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    TESTAMENT,
    WORK,
    fresh_dir,
    median,
    report,
    run,
    testament_env,
)

MIB = 1024 * 1024
_MEMORY = Path("/dev/shm")  # noqa: S108 - a memory filesystem, where Linux has one; homes in it come from mkdtemp


def _make_files(folder: Path, count: int, size: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    block = os.urandom(min(size, 4 * MIB))
    for n in range(count):
        path = folder / f"f{n:05}.bin"
        files.append(path)
        if path.exists() and path.stat().st_size == size:
            continue
        with path.open("wb") as handle:
            written = 0
            while written < size:
                chunk = block[: size - written]
                # Vary each block so files and blocks never deduplicate.
                handle.write(n.to_bytes(4, "big") + written.to_bytes(8, "big") + chunk[12:])
                written += len(chunk)
    return files


def _baseline(files: list[Path], dest: Path) -> float:
    fresh_dir(dest)
    script = " && ".join(
        f"openssl dgst -sha256 '{f}' > /dev/null && cp '{f}' '{dest}/' && sync '{dest / f.name}'"
        for f in files
    )
    return run(script)


def _baseline_many(source: Path, dest: Path) -> float:
    fresh_dir(dest)
    os.sync()  # the removal of the last run's copy is not this run's work (nor the next one's)
    script = (
        f"cd '{source}' && find . -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null"
        f" && cp -r . '{dest}/' && sync -f '{dest}'"
    )
    return run(script)


def _floor(source: Path, dest: Path) -> float:
    """The least the vault's rules ask of a file, in plain Python with no database (architecture 2).

    Read it, hash it, seal it with AES-256-GCM under a fresh data key wrapped by a store key, write the
    object and its key record as two temporary files, rename both into place, and flush the filesystem
    once. What ingest spends beyond this is its own code and its records; what this spends beyond the
    baseline is the store's layout (two new files and two renames a blob, against one copy).
    """
    import hashlib
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    fresh_dir(dest)
    for part in ("tmp", "objects", "keys"):
        (dest / part).mkdir()
    os.sync()
    wrapping = AESGCM(secrets.token_bytes(32))
    start = time.perf_counter()
    for path in sorted(source.iterdir()):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        key, nonce = secrets.token_bytes(32), secrets.token_bytes(12)
        sealed, record = AESGCM(key).encrypt(nonce, data, None), wrapping.encrypt(nonce, key, None)
        blob, wrapped = dest / "tmp" / f"{digest}.blob", dest / "tmp" / f"{digest}.key"
        blob.write_bytes(sealed)
        wrapped.write_bytes(record)
        wrapped.rename(dest / "keys" / digest)
        blob.rename(dest / "objects" / digest)
    run(f"sync -f '{dest}'")
    return time.perf_counter() - start


def _testament(source: Path, home: Path) -> float:
    fresh_dir(home)
    env = testament_env(home)
    run([*TESTAMENT, "init"], env=env)
    os.sync()  # as in the baseline: the last run's removal is flushed before the clock starts
    return run([*TESTAMENT, "ingest", str(source), "--case", "bench"], env=env)


def _library(source: Path, home: Path) -> float:
    """The same ingest through the service API in this process: no interpreter start-up or imports."""
    from testament.config import load_settings
    from testament.custody import ingest, instance

    fresh_dir(home)
    settings = load_settings({"TESTAMENT_HOME": str(home)})
    instance.init(settings)
    opened = instance.open_instance(settings)
    os.sync()  # as for the command: the last run's removal is flushed before the clock starts
    try:
        start = time.perf_counter()
        ingest.ingest(opened, [source], case_name="bench")
        return time.perf_counter() - start
    finally:
        opened.close()


def large_files(total_mib: int = 1024, count: int = 4, reps: int = 3) -> dict[str, float]:
    source = WORK / f"large-{count}x{total_mib // count}M"
    files = _make_files(source, count, total_mib // count * MIB)
    _baseline(files, WORK / "large-dest")  # warm the page cache: both sides read cached files
    base, cand, lib = [], [], []
    for _ in range(reps):
        base.append(_baseline(files, WORK / "large-dest"))
        cand.append(_testament(source, WORK / "large-home"))
        lib.append(_library(source, WORK / "large-home"))
    base_rate = total_mib / median(base)
    cand_rate, lib_rate = total_mib / median(cand), total_mib / median(lib)
    report(
        f"Ingest, {count} files, {total_mib} MiB in all (median of {reps}, interleaved)",
        [
            ("openssl dgst + cp + sync", f"{base_rate:8.1f} MB/s  ({median(base):.2f} s)"),
            (
                "testament ingest command (encrypted)",
                f"{cand_rate:8.1f} MB/s  ({median(cand):.2f} s)",
            ),
            ("  ratio (goal >= 1.0x)", f"{cand_rate / base_rate:8.2f}x"),
            (
                "ingest service, in process (encrypted)",
                f"{lib_rate:8.1f} MB/s  ({median(lib):.2f} s)",
            ),
            ("  ratio", f"{lib_rate / base_rate:8.2f}x"),
        ],
    )
    return {"ingest_mb_s": cand_rate, "baseline_mb_s": base_rate, "ratio": cand_rate / base_rate}


def small_files(count: int = 10_000, size: int = 10 * 1024, reps: int = 3) -> dict[str, float]:
    """Items/s of the whole command and of the ingest service in process, against the baseline.

    The in-process figure leaves out the interpreter's start-up and imports, so the two together say
    how much of the gap is per file and how much is the command's fixed cost.
    """
    source = WORK / f"small-{count}x{size}"
    _make_files(source, count, size)
    base, cand, lib, least, cpu = [], [], [], [], []
    for _ in range(reps):
        base.append(_baseline_many(source, WORK / "small-dest"))
        least.append(_floor(source, WORK / "small-floor"))
        cand.append(_testament(source, WORK / "small-home"))
        os.sync()  # the command's own writes are not the next measurement's work
        lib.append(_library(source, WORK / "small-home"))
        if _MEMORY.is_dir():  # the same ingest with its home in memory: what it costs the CPU
            memory = Path(tempfile.mkdtemp(prefix="testament-bench-", dir=_MEMORY))
            try:
                cpu.append(_library(source, memory / "home"))
            finally:
                shutil.rmtree(memory)
    base_rate, cand_rate, lib_rate = count / median(base), count / median(cand), count / median(lib)
    floor_rate = count / median(least)
    report(
        f"Ingest, {count} files of {size // 1024} KiB (median of {reps}, interleaved)",
        [
            ("openssl dgst + cp + sync (one process each)", f"{base_rate:8.0f} items/s"),
            ("testament ingest (encrypted, durable)", f"{cand_rate:8.0f} items/s"),
            ("ratio (goal >= 0.3x)", f"{cand_rate / base_rate:8.2f}x"),
            ("ingest service, in process", f"{lib_rate:8.0f} items/s"),
            ("  ratio", f"{lib_rate / base_rate:8.2f}x"),
            ("the store's floor: two files and two renames a blob", f"{floor_rate:8.0f} items/s"),
            ("  floor against the baseline", f"{floor_rate / base_rate:8.2f}x"),
            ("  ingest service against the floor", f"{lib_rate / floor_rate:8.2f}x"),
            *(
                [
                    (
                        "ingest service, home in memory (its CPU cost)",
                        f"{count / median(cpu):8.0f} items/s",
                    )
                ]
                if cpu
                else []
            ),
        ],
    )
    return {
        "items_s": cand_rate,
        "floor_ratio": floor_rate / base_rate,
        "baseline_items_s": base_rate,
        "ratio": cand_rate / base_rate,
        "library_ratio": lib_rate / base_rate,
    }

"""Helpers for the benchmarks: interleaved timing of whole processes and in-process percentiles."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "scratch"
TESTAMENT = [sys.executable, "-m", "testament.cli.main"]


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run(command: Sequence[str] | str, env: dict[str, str] | None = None) -> float:
    """Run a command to completion; return its wall time in seconds. Fails loudly on error."""
    start = time.perf_counter()
    subprocess.run(
        command,
        shell=isinstance(command, str),
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.perf_counter() - start


def interleave(
    reps: int, baseline: Callable[[], float], candidate: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Run baseline and candidate alternately ``reps`` times each (the machine is noisy)."""
    base, cand = [], []
    for _ in range(reps):
        base.append(baseline())
        cand.append(candidate())
    return base, cand


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def testament_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESTAMENT_")}
    env["TESTAMENT_HOME"] = str(home)
    env.update(extra)
    return env


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    sys.stdout.flush()

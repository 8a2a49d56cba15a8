"""CLI start-up: `testament --help`, a group's help and a simple command, against `python -c pass`.

Baseline, run on the same machine in the same run, interleaved: the bare interpreter, `python -c pass`,
which is the least any Python command can cost. Each command is a whole new process, timed from start
to exit; peak memory is the child's maximum resident set size (getrusage RUSAGE_CHILDREN, read in a
small wrapper process so that each command is measured alone). Goal: `testament --help` under 0.25 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import WORK, fresh_dir, interleave, median, report, run, testament_env

# Runs the command given as arguments, then prints its peak resident set size in KiB.
_PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(peak // 1024 if sys.platform == 'darwin' else peak)\n"  # macOS counts bytes, Linux KiB
)


def _testament() -> str:
    """The `testament` entry point beside this interpreter (the virtual environment's), else on PATH."""
    beside = Path(sys.executable).parent / "testament"
    if beside.exists():
        return str(beside)
    found = shutil.which("testament")
    if found is None:
        raise SystemExit("startup benchmark: no `testament` command; run `make install`")
    return found


def peak_rss_mib(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return int(out.strip()) / 1024


def startup(reps: int = 20) -> dict[str, float]:
    testament = _testament()
    env = testament_env(fresh_dir(WORK / "startup-home"))
    subprocess.run([testament, "init"], check=True, env=env, stdout=subprocess.DEVNULL)
    bare = [sys.executable, "-c", "pass"]
    commands = {
        "help": ("testament --help (goal < 250 ms)", [testament, "--help"]),
        "group_help": ("testament case --help", [testament, "case", "--help"]),
        "command": ("testament case list (an empty home)", [testament, "case", "list"]),
    }
    base_rss = peak_rss_mib(bare, env)
    everything: list[float] = []
    rows: list[tuple[str, str]] = []
    results: dict[str, float] = {}
    for key, (label, command) in commands.items():
        base, times = interleave(
            reps, lambda: run(bare, env), lambda command=command: run(command, env)
        )
        everything += base
        rss = peak_rss_mib(command, env)
        rows += [
            (label, f"{median(times) * 1e3:8.1f} ms  {rss:6.1f} MiB peak RSS"),
            (
                "  ratio to python -c pass (time, memory)",
                f"{median(times) / median(base):8.1f}x  {rss / base_rss:6.1f}x",
            ),
        ]
        results[f"{key}_ms"] = median(times) * 1e3
        results[f"{key}_rss_mib"] = rss
    rows.insert(
        0, ("python -c pass", f"{median(everything) * 1e3:8.1f} ms  {base_rss:6.1f} MiB peak RSS")
    )
    report(
        f"CLI start-up, whole processes (median of {reps}, each interleaved with python -c pass)",
        rows,
    )
    return results

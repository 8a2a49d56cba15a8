"""Evidence packages: `package create` against `cp -r` + `sync`, `package verify` against `openssl dgst`
and `bagit.py --validate`, and the peak memory of each (G11; docs/packages.md).

The originals are ingested once into a home that is kept between runs; each run makes a new package of
all of them. Create and verify run as whole `testament` processes, so their peak RSS is theirs alone.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from benchmarks.common import TESTAMENT, WORK, fresh_dir, median, report, run, testament_env
from benchmarks.ingest_bench import MIB, _make_files

AUDIENCE = ["--for", "icc-otp", "--purpose", "criminal-investigation", "--recipient", "Bench"]


def _home(source: Path) -> tuple[Path, dict[str, str]]:
    home = WORK / f"package-home-{source.name}"
    env = testament_env(home)
    if not (home / "ready").exists():
        fresh_dir(home)
        run([*TESTAMENT, "init"], env=env)
        run([*TESTAMENT, "ingest", str(source), "--case", "bench"], env=env)
        (home / "ready").write_text("")
    run([*TESTAMENT, "init"], env=env)  # a home kept from an earlier run is upgraded first
    return home, env


def _peak(command: list[str], env: dict[str, str]) -> int:
    """Peak RSS (KiB) of ``command`` alone, measured by a wrapper process that runs only it."""
    wrapper = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [TESTAMENT[0], "-c", wrapper, *command], env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def create_and_verify(total_mib: int = 1024, count: int = 16, reps: int = 3) -> dict[str, float]:
    source = WORK / f"package-{count}x{total_mib // count}M"
    _make_files(source, count, total_mib // count * MIB)
    home, env = _home(source)
    key = home / "log.key"
    key.write_text(subprocess.run([*TESTAMENT, "log", "key"], env=env, check=True,
                                  capture_output=True, text=True).stdout)  # fmt: skip
    out = WORK / "package-out"
    copy = WORK / "package-copy"
    base, make, check, digest, bagit_times = [], [], [], [], []
    for _ in range(reps):
        fresh_dir(copy)
        os.sync()
        base.append(run(f"cp -r '{source}' '{copy}/' && sync -f '{copy}'"))
        fresh_dir(out)
        os.sync()
        package = out / "package"
        make.append(run([*TESTAMENT, "package", "create", "--case", "bench", *AUDIENCE,
                         "--out", str(package)], env=env))  # fmt: skip
        originals = package / "data" / "originals"
        digest.append(run(f"find '{originals}' -type f -print0 | xargs -0 openssl dgst -sha256 "
                          "> /dev/null"))  # fmt: skip
        check.append(run([*TESTAMENT, "package", "verify", str(package), "--trust-key", str(key)],
                         env=env))  # fmt: skip
        bagit_times.append(
            run([TESTAMENT[0], "-m", "bagit", "--validate", "--quiet", str(package)])
        )
    package = out / "package"
    create_peak = _peak([*TESTAMENT, "package", "create", "--case", "bench", *AUDIENCE, "--out",
                         str(out / "peak")], env)  # fmt: skip
    verify_peak = _peak(
        [*TESTAMENT, "package", "verify", str(package), "--trust-key", str(key)], env
    )
    create_ratio = median(make) / median(base)
    verify_ratio = median(digest) / median(check)
    bagit_ratio = median(bagit_times) / median(check)
    report(
        f"Packages, {count} originals, {total_mib} MiB in all (median of {reps}, interleaved)",
        [
            ("cp -r + sync", f"{median(base):8.2f} s"),
            ("testament package create", f"{median(make):8.2f} s"),
            ("  time against cp -r + sync (goal <= 1.2x)", f"{create_ratio:8.2f}x"),
            ("openssl dgst -sha256 over the originals", f"{median(digest):8.2f} s"),
            ("testament package verify (every step)", f"{median(check):8.2f} s"),
            ("  throughput against openssl (goal >= 0.9x)", f"{verify_ratio:8.2f}x"),
            ("bagit.py --validate", f"{median(bagit_times):8.2f} s"),
            ("  verify's throughput against bagit.py (goal >= 2.5x)", f"{bagit_ratio:8.2f}x"),
            (
                "peak RSS, create / verify (goal < 150 MB)",
                f"{create_peak / 1024:6.1f} / {verify_peak / 1024:6.1f} MiB",
            ),
        ],
    )
    return {"create_ratio": create_ratio, "verify_ratio": verify_ratio, "bagit_ratio": bagit_ratio}

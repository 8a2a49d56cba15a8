"""Faults with real processes: an unreadable file, a write failure mid-file, and SIGKILL mid-ingest."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from testament.custody.instance import open_instance
from testament.storage.engine import read_transaction
from testament.storage.tables import evidence_item

from ..conftest import TESTAMENT

# Root reads any file; drop the capabilities that let it, so "unreadable" means unreadable.
NO_DAC = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


def _item_count(settings: Any) -> int:
    opened = open_instance(settings)
    try:
        with read_transaction(opened.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(evidence_item)).scalar_one())
    finally:
        opened.close()


def _verify_passes(cli: Any) -> None:
    result = cli("verify", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["ok"] is True


def test_unreadable_file_is_rejected_and_the_rest_ingested(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "locked.bin").write_bytes(b"secret")
    (folder / "locked.bin").chmod(0)
    (folder / "open.bin").write_bytes(b"public")
    prefix = NO_DAC if os.geteuid() == 0 else ()
    result = cli("ingest", str(folder), "--case", "C", "--json", prefix=prefix)
    assert result.returncode == 1
    lines = {Path(x["path"]).name: x for x in map(json.loads, result.stdout.splitlines())}
    assert lines["locked.bin"]["status"] == "rejected"
    assert "Permission denied" in lines["locked.bin"]["reason"]
    assert lines["open.bin"]["status"] == "stored"
    assert "rejected" in result.stderr
    assert _item_count(cli.settings) == 1
    _verify_passes(cli)


def test_write_failure_mid_file_leaves_nothing(cli: Any, tmp_path: Path) -> None:
    """The kernel refuses to grow a file past RLIMIT_FSIZE (EFBIG): a real I/O error mid-write."""
    cli("init", check=True)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(8 * 1024 * 1024))

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (3 * 1024 * 1024, 3 * 1024 * 1024))

    result = subprocess.run(
        [*TESTAMENT, "ingest", str(big), "--case", "C"],
        capture_output=True,
        text=True,
        env=cli.env(),
        preexec_fn=limit,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    assert "File too large" in result.stderr
    vault = cli.settings.vault_dir
    assert list((vault / "tmp").iterdir()) == []
    assert [p for p in (vault / "objects").rglob("*") if p.is_file()] == []
    assert _item_count(cli.settings) == 0
    _verify_passes(cli)


def test_sigkill_mid_ingest_then_verify_and_resume(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    folder = tmp_path / "thousand"
    folder.mkdir()
    for n in range(1000):
        (folder / f"f{n:04}.bin").write_bytes(os.urandom(64) + n.to_bytes(4, "big"))
    env = cli.env({"TESTAMENT_LOG_BATCH_SIZE": "50"})
    process = subprocess.Popen(
        [*TESTAMENT, "ingest", str(folder), "--case", "C", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    for seen, _line in enumerate(process.stdout, start=1):
        if seen >= 300:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    process.stdout.close()
    assert process.stderr is not None
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    done = _item_count(cli.settings)
    assert 300 <= done < 1000, done
    _verify_passes(cli)

    rerun = cli("ingest", str(folder), "--case", "C", "--json", check=True)
    statuses = [json.loads(line)["status"] for line in rerun.stdout.splitlines()]
    assert statuses.count("already-ingested") == done
    assert statuses.count("stored") == 1000 - done
    assert _item_count(cli.settings) == 1000
    _verify_passes(cli)


def test_two_ingests_at_once_are_serialised(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for n in range(120):
            (folder / f"{n}.bin").write_bytes(os.urandom(100))
        (folder / "shared.bin").write_bytes(b"the same content in both folders")
        folders.append(folder)
    env = cli.env({"TESTAMENT_LOG_BATCH_SIZE": "10"})
    runs = [
        subprocess.Popen(
            [*TESTAMENT, "ingest", str(f), "--case", "New case", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for f in folders
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    statuses = [json.loads(line)["status"] for out, _ in outputs for line in out.splitlines()]
    assert statuses.count("stored") == 241 and statuses.count("linked") == 1
    assert _item_count(cli.settings) == 242
    _verify_passes(cli)


def test_ctrl_c_mid_ingest_leaves_no_staged_files(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(3000):
        (folder / f"{n}.bin").write_bytes(os.urandom(500))
    # As at a terminal: a test runner started in the background ignores SIGINT, and a child would
    # inherit that; a handled signal is reset to its default in the child instead.
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [*TESTAMENT, "ingest", str(folder), "--case", "C", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env({"TESTAMENT_LOG_BATCH_SIZE": "400"}),
        )
    finally:
        signal.signal(signal.SIGINT, ignored)
    tmp = cli.settings.vault_dir / "tmp"
    # Wait until a batch is being staged, polling in this process (a subprocess per poll is too slow
    # on a loaded machine to see the window), then interrupt at once.
    deadline = time.monotonic() + 120
    while not (tmp.exists() and len(list(tmp.iterdir())) > 20):
        assert process.poll() is None, "the ingest finished before a batch was seen staged"
        assert time.monotonic() < deadline, "no batch was staged within two minutes"
        time.sleep(0.002)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp.iterdir()) == []
    _verify_passes(cli)


def test_non_utf8_file_names_are_recorded_escaped(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    folder = tmp_path / "cp1251"
    folder.mkdir()
    # "Звіт.txt" written in Windows-1251, as old archives from the region often are.
    odd = os.fsdecode(bytes(folder) + b"/" + "Звіт".encode("cp1251") + b".txt")
    Path(odd).write_bytes(b"report")
    result = cli("ingest", str(folder), "--case", "C", "--json", check=True)
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert line["status"] == "stored" and line["path"].endswith("\\xc7\\xe2\\xb3\\xf2.txt")
    _verify_passes(cli)


def test_bad_text_and_homes_are_diagnosed(cli: Any, tmp_path: Path) -> None:
    cli("init", check=True)
    (tmp_path / "f").write_text("x")
    bad = os.fsdecode(b"case \xff")
    result = subprocess.run(
        [*TESTAMENT, "ingest", str(tmp_path / "f"), "--case", bad],
        capture_output=True,
        env=cli.env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and b"not valid UTF-8" in result.stderr
    home_file = tmp_path / "home-is-a-file"
    home_file.write_text("x")
    result = cli(
        "init",
        extra_env={
            "TESTAMENT_HOME": str(home_file),
            "TESTAMENT_DATABASE_URL": f"sqlite:///{home_file}/t.db",
        },
    )
    assert result.returncode == 2 and "cannot create the Testament home" in result.stderr
    result = cli("log", "entry", "99999999999999999999")
    assert result.returncode == 3 and "not in the custody log" in result.stderr

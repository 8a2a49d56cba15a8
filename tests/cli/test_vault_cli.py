"""`testament vault clean-tmp` after a real crash: an upload's writer killed while it streams."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY

# The code path of `POST /api/cases/{case}/evidence`: a body that keeps arriving, streamed into the
# vault's staging area by ingest_stream, in a process that is then killed.
SLOW_UPLOAD = """
import time
from testament.config import load_settings
from testament.custody import ingest
from testament.custody.instance import open_instance

class Body:
    name = "request body"
    def readable(self):
        return True
    def readinto(self, buffer):
        time.sleep(0.05)
        buffer[:] = bytes(len(buffer))
        return len(buffer)

instance = open_instance(load_settings())
ingest.ingest_stream(instance, Body(), name="video.mp4", case_name="C", recorded_as="upload:video.mp4")
"""


def _kill_mid_upload(cli: Cli) -> Path:
    tmp = cli.settings.vault_dir / "tmp"
    writer = subprocess.Popen([sys.executable, "-c", SLOW_UPLOAD], env=cli.env())
    try:
        deadline = time.monotonic() + 60
        while not [p for p in tmp.iterdir() if p.suffix == ".blob" and p.stat().st_size > 65536]:
            assert writer.poll() is None, "the upload ended before it was killed"
            assert time.monotonic() < deadline, "the upload never started writing"
            time.sleep(0.02)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    (partial,) = [p for p in tmp.iterdir() if p.suffix == ".blob"]
    assert partial.name.startswith(f"{writer.pid}.")
    return partial


def test_a_partial_upload_is_reported_kept_and_removed_only_on_request(
    cli: Cli, tmp_path: Path
) -> None:
    cli("init", check=True)
    partial = _kill_mid_upload(cli)
    size = partial.stat().st_size

    verified = cli("verify", check=True)
    assert f"note (8) blob fixity: 1 partial file(s), {size:,} bytes" in verified.stdout
    assert partial.name in verified.stdout and "testament vault clean-tmp" in verified.stdout

    listed = cli("vault", "clean-tmp", check=True)
    assert f"{partial.name}  {size:,} bytes" in listed.stdout and "stale (process" in listed.stdout
    assert "Nothing was removed" in listed.stdout
    (tmp_path / "later.txt").write_text("a later file")
    cli("ingest", str(tmp_path / "later.txt"), "--case", "C", check=True)
    assert partial.exists()

    cleaned = cli("vault", "clean-tmp", "--yes", "--json", check=True)
    *files, summary = [json.loads(line) for line in cleaned.stdout.splitlines()]
    assert [(f["name"], f["size"], f["stale"], f["removed"]) for f in files] == [
        (partial.name, size, True, True)
    ]
    assert summary["removed"] == 1 and summary["log_index"] is not None
    assert not partial.exists()
    entry = json.loads(cli("log", "entry", str(summary["log_index"]), check=True).stdout)
    assert entry["type"] == "deletion"
    assert entry["detail"]["files"] == [{"name": partial.name, "size": size}]

    again = cli("verify", check=True)
    assert "vault tmp" not in again.stdout and "Verification passed" in again.stdout
    assert cli("vault", "clean-tmp", check=True).stdout == "No stale files in vault/tmp.\n"

"""`testament serve` runs a worker beside the web application: what is ingested while it runs is
processed without any other command (issue 16, part 1)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from testament.config import HASH_PROFILE_DEFAULT
from testament.custody import ingest
from testament.custody.instance import Instance
from testament.pipeline import service
from tests.conftest import TESTAMENT, settings_env
from tests.pipeline.test_processing import photo


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_processes_what_is_ingested_while_it_runs(instance: Instance, tmp_path: Path) -> None:
    # serve refuses the test suite's password hashing; the default costs nothing here (no sign-in).
    env = settings_env(replace(instance.settings, password_hashing=HASH_PROFILE_DEFAULT))
    server = subprocess.Popen(
        [*TESTAMENT, "serve", "--port", str(_free_port())],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        (item,) = (
            r.item_id
            for r in ingest.ingest(instance, [photo(tmp_path / "a.jpg")], case_name="K").results
        )
        deadline = time.monotonic() + 120
        while service.progress(instance).done < 1 and time.monotonic() < deadline:
            assert server.poll() is None, "the server stopped"
            time.sleep(0.2)  # polls the job's state; the deadline only bounds a broken worker
    finally:
        server.terminate()
        server.communicate(timeout=30)
    found = service.item_processing(instance, item)
    assert found.jobs[0].state == "done"
    assert {"type", "metadata", "preview"} <= {e.kind for e in found.extractions}
    assert json.dumps(found.suggested_location) == "null"  # no GPS in this photo

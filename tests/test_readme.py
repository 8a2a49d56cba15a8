"""The README's quick start, run as a newcomer would: every command in it, from the project's root.

`make run` must set up, load the demo and serve a page with the one-time link to create the first
administrator; `make test` must set up and run tests (here on one small file, since this test is itself
part of the suite that `make test` runs).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def quick_start_commands() -> list[str]:
    text = README.read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the README's quick start has no code block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def newcomer_env(home: Path) -> dict[str, str]:
    """The caller's environment less what an enclosing `make` passes down, with a fresh home."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.pop("TESTAMENT_DATABASE_URL", None)
    env["TESTAMENT_HOME"] = str(home)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_quick_start_is_make_run_then_make_test() -> None:
    assert quick_start_commands() == ["make run", "make test"]


@pytest.mark.slow
def test_make_run_loads_the_demo_and_serves_the_first_admin_link(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=newcomer_env(tmp_path / "home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    link = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "/setup?token=" in line:
                link.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert link.wait(240), "make run printed no setup link:\n" + "".join(output)
        printed = "".join(output)
        assert 'Demo data loaded into the case "Demo case".' in printed
        url = re.search(r"http://127\.0\.0\.1:\d+/setup\?token=\S+", printed)
        assert url and f":{port}/" in url.group()
        page = fetch(url.group())
        assert "<form" in page and "password" in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def fetch(url: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
                body: str = response.read().decode()
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_make_test_sets_up_and_runs_the_tests(tmp_path: Path) -> None:
    args = "-q -p no:cacheprovider tests/test_hypothesis_profiles.py"
    done = subprocess.run(
        ["make", "test", f"PYTEST_ARGS={args}", "TEST_WORKERS=0"],
        cwd=ROOT,
        env=newcomer_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\d+ passed", done.stdout, re.M), done.stdout

"""The web application under load, each figure beside a baseline from the same run.

- Requests/s of a small authenticated JSON endpoint (``GET /api/auth/me`` with an API token) against a bare
  ASGI app answering the same size of JSON, both on uvicorn with the same flags, loaded from a second
  process on loopback (target at least 0.2x).
- p50/p95 of a page of the incident list and of the map's data at 100k incidents, against the bare SQL
  query and ``json.dumps`` of the same rows.
- Upload of a 1 GiB file through HTTP against ``testament ingest`` of the same file (target at least 0.5x).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from benchmarks.common import (
    TESTAMENT,
    WORK,
    fresh_dir,
    median,
    percentile,
    report,
    run,
    testament_env,
)

MIB = 1024 * 1024
PORT = 8971
LOADGEN = """
import http.client, sys, threading, time
host, port, path, token, seconds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6])
counts = [0] * threads
def worker(n):
    connection = http.client.HTTPConnection(host, port)
    headers = {"Authorization": "Bearer " + token} if token != "-" else {}
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        counts[n] += 1
pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
[t.start() for t in pool]; [t.join() for t in pool]
print(sum(counts) / seconds)
"""
BARE_APP = """
import json
BODY = json.dumps({"ok": True, "via": "token", "scope": "read", "user": {"id": 1, "username": "bench",
    "organisation": None, "is_admin": False, "disabled": False, "roles": {}}}).encode()
async def app(scope, receive, send):
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": BODY})
"""


@contextmanager
def _server(command: list[str], env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{PORT}/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def _load(path: str, token: str, seconds: float = 8.0, threads: int = 8) -> float:
    out = subprocess.run(
        [sys.executable, "-c", LOADGEN, "127.0.0.1", str(PORT), path, token, str(seconds), str(threads)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def _home(name: str) -> tuple[Path, dict[str, str]]:
    home = fresh_dir(WORK / name)
    env = testament_env(home)
    run([*TESTAMENT, "init"], env)
    return home, env


def _site_command(home: Path) -> list[str]:
    code = (
        "import sys, uvicorn; from testament.config import load_settings; "
        "from testament.custody.instance import open_instance; "
        "from testament.server import create_server; from testament.http import auth; "
        "s = load_settings(); i = open_instance(s); "
        f"uvicorn.run(create_server(i, api_token=auth.ensure_token(s.home)), host='127.0.0.1', port={PORT}, "
        "log_level='warning', access_log=False)"
    )
    return [sys.executable, "-c", code]


def _token(env: dict[str, str], username: str, scope: str = "read") -> str:
    run(
        [*TESTAMENT, "user", "create", username],
        env | {"TESTAMENT_PASSWORD": "correct horse battery staple"},
    )
    out = subprocess.run(
        [*TESTAMENT, "user", "token", "create", username, "--name", "bench", "--scope", scope],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def requests_per_second(reps: int = 3) -> dict[str, float]:
    home, env = _home("web-rps")
    token = _token(env, "bench")
    bare_file = WORK / "bare_app.py"
    bare_file.write_text(BARE_APP)
    bare_cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(WORK), "bare_app:app",
                "--port", str(PORT), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    bare, ours = [], []
    for _ in range(reps):
        with _server(bare_cmd, os.environ.copy()):
            bare.append(_load("/", "-"))
        with _server(_site_command(home), env):
            ours.append(_load("/api/auth/me", token))
    ratio = median(ours) / median(bare)
    report(
        "Web: requests/s of an authenticated JSON endpoint (uvicorn, 1 worker, 8 connections)",
        [
            ("bare ASGI app, same JSON (baseline)", f"{median(bare):10.0f} requests/s"),
            ("GET /api/auth/me with an API token", f"{median(ours):10.0f} requests/s"),
            ("  ratio (target >= 0.2x)", f"{ratio:10.3f}x"),
        ],
    )
    return {"rps": median(ours), "baseline_rps": median(bare), "ratio": ratio}


def list_and_map(count: int = 100_000, samples: int = 60) -> dict[str, float]:
    from benchmarks import import_bench

    home, env = _home("web-list")
    source = import_bench.generate_file(count)
    run(
        [*TESTAMENT, "import", "timemap", str(source), "--case", "bench", "--suffix-duplicates"],
        env,
    )
    token = _token(env, "bench")
    run([*TESTAMENT, "user", "grant", "bench", "--case", "bench", "--role", "viewer"], env)
    database = home / "testament.db"
    with _server(_site_command(home), env):
        client = httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=120,
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        listing, geo = [], []
        for _ in range(samples):
            offset = random.randrange(0, count - 100)
            start = time.perf_counter()
            got = client.get(
                "/api/incidents", params={"case": "bench", "limit": 100, "offset": offset}
            )
            listing.append(time.perf_counter() - start)
            assert got.status_code == 200 and len(got.json()["items"]) == 100
        for _ in range(max(5, samples // 10)):
            start = time.perf_counter()
            got = client.get("/api/cases/bench/map")
            geo.append(time.perf_counter() - start)
            assert got.status_code == 200
        features = got.json()["total"]
        # What the page then asks for: Ukraine in view at zoom 6, and, zoomed in, a city-sized view
        # around a random incident.
        country, clusters = [], 0
        for _ in range(max(5, samples // 10)):
            start = time.perf_counter()
            got = client.get("/api/cases/bench/map", params={"bbox": "22,44,41,53", "zoom": 6})
            country.append(time.perf_counter() - start)
            clusters = len(got.json()["features"])
        events = json.loads(source.read_bytes())
        zoomed, shown = [], []
        for _ in range(samples):
            event = random.choice(events)
            lat, lon = float(event["latitude"]), float(event["longitude"])
            view = {"bbox": f"{lon - 0.6},{lat - 0.3},{lon + 0.6},{lat + 0.3}", "zoom": 10}
            start = time.perf_counter()
            got = client.get("/api/cases/bench/map", params=view)
            zoomed.append(time.perf_counter() - start)
            assert got.status_code == 200
            shown.append(got.json()["total"])
    connection = sqlite3.connect(database)
    base_list, base_geo = [], []
    for _ in range(samples):
        offset = random.randrange(0, count - 100)
        start = time.perf_counter()
        rows = connection.execute(
            "SELECT id, title, occurred_from, occurred_to, status, place_text, latitude, longitude, "
            "sensitivity FROM incident WHERE case_id = (SELECT id FROM \"case\" WHERE name = 'bench') "
            "AND deleted_at IS NULL ORDER BY occurred_from, id LIMIT 100 OFFSET ?",
            (offset,),
        ).fetchall()
        json.dumps(rows)
        base_list.append(time.perf_counter() - start)
    for _ in range(max(5, samples // 10)):
        start = time.perf_counter()
        rows = connection.execute(
            "SELECT id, title, occurred_from, status, latitude, longitude FROM incident "
            "WHERE latitude IS NOT NULL"
        ).fetchall()
        json.dumps([{"type": "Feature", "id": r[0], "geometry": {"type": "Point",
                     "coordinates": [r[5], r[4]]}, "properties": {"title": r[1]}} for r in rows])  # fmt: skip
        base_geo.append(time.perf_counter() - start)
    connection.close()
    ms = 1000.0
    report(
        f"Web: incident list and map data at {count:,} incidents (HTTP, API token)",
        [
            ("list page of 100, bare SQL + json (baseline) p50/p95",
             f"{median(base_list) * ms:8.1f} / {percentile(base_list, 0.95) * ms:8.1f} ms"),
            ("GET /api/incidents page of 100 p50/p95",
             f"{median(listing) * ms:8.1f} / {percentile(listing, 0.95) * ms:8.1f} ms"),
            (f"map data, {features:,} points, bare SQL + json (baseline) p50/p95",
             f"{median(base_geo) * ms:8.1f} / {percentile(base_geo, 0.95) * ms:8.1f} ms"),
            ("GET /api/cases/bench/map, whole case, no view p50/p95",
             f"{median(geo) * ms:8.1f} / {percentile(geo, 0.95) * ms:8.1f} ms"),
            (f"  Ukraine in view at zoom 6 ({clusters:,} clusters) p50/p95",
             f"{median(country) * ms:8.1f} / {percentile(country, 0.95) * ms:8.1f} ms"),
            (f"  a zoomed-in view (zoom 10, median {median(shown):,.0f} incidents) p50/p95",
             f"{median(zoomed) * ms:8.1f} / {percentile(zoomed, 0.95) * ms:8.1f} ms"),
        ],
    )  # fmt: skip
    return {
        "list_p95_ms": percentile(listing, 0.95) * ms,
        "list_baseline_p95_ms": percentile(base_list, 0.95) * ms,
        "map_p95_ms": percentile(geo, 0.95) * ms,
        "map_country_p95_ms": percentile(country, 0.95) * ms,
        "map_zoomed_p95_ms": percentile(zoomed, 0.95) * ms,
        "map_baseline_p95_ms": percentile(base_geo, 0.95) * ms,
    }


def upload(total_mib: int = 1024, reps: int = 3) -> dict[str, float]:
    source = WORK / "upload-source.bin"
    WORK.mkdir(parents=True, exist_ok=True)
    if not source.exists() or source.stat().st_size != total_mib * MIB:
        block = os.urandom(4 * MIB)
        with source.open("wb") as handle:
            for n in range(total_mib // 4):
                handle.write(n.to_bytes(8, "big") + block[8:])
    base, ours = [], []
    for rep in range(reps):
        home, env = _home("web-ingest")
        base.append(run([*TESTAMENT, "ingest", str(source), "--case", "bench"], env))
        home, env = _home("web-upload")
        token = _token(env, "bench", scope="write")
        run([*TESTAMENT, "case", "create", "bench"], env)
        run([*TESTAMENT, "user", "grant", "bench", "--case", "bench", "--role", "documenter"], env)
        with _server(_site_command(home), env):

            def chunks() -> Iterator[bytes]:
                with source.open("rb") as handle:
                    while block := handle.read(4 * MIB):
                        yield block

            start = time.perf_counter()
            got = httpx.post(
                f"http://127.0.0.1:{PORT}/api/cases/bench/evidence",
                params={"filename": f"upload-{rep}.bin"},
                content=chunks(),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Length": str(total_mib * MIB),
                },
                timeout=600,
            )
            ours.append(time.perf_counter() - start)
            assert got.status_code == 201, got.text
    ratio = median(base) / median(ours)
    report(
        f"Web: upload of a {total_mib} MiB file through HTTP against `testament ingest`",
        [
            ("testament ingest (baseline)", f"{total_mib / median(base):10.1f} MiB/s"),
            ("POST /api/cases/C/evidence", f"{total_mib / median(ours):10.1f} MiB/s"),
            ("  ratio (target >= 0.5x)", f"{ratio:10.3f}x"),
        ],
    )
    return {
        "upload_mib_s": total_mib / median(ours),
        "ingest_mib_s": total_mib / median(base),
        "ratio": ratio,
    }

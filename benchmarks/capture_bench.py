"""Web capture throughput: captures per minute of localhost pages with 4 worker processes against 1.

Each capture starts its own Chromium, records the page and its images into a WARC, takes a full-page
screenshot and writes a WACZ, as a capture job does. The page is served on 127.0.0.1 by a threaded
server in this process. Each worker process warms up with one capture first (imports, first Chromium
start) so that only steady-state captures are timed. The two runs alternate ``reps`` times and the
medians are reported, with the scaling ratio (4 workers / 1 worker; 4.0 would be linear).

    python benchmarks/capture_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import multiprocessing
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import WORK, fresh_dir, median, report

IMAGES = 6


def _png(number: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), (number * 40 % 256, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def _site() -> dict[str, tuple[str, bytes]]:
    images = "".join(f"<p>Paragraph {n}.</p><img src='/image-{n}.png'>" for n in range(IMAGES))
    html = f"<!doctype html><html><head><title>Bench</title></head><body><h1>Bench</h1>{images}</body></html>"
    files = {"/page": ("text/html", html.encode())}
    files.update({f"/image-{n}.png": ("image/png", _png(n)) for n in range(IMAGES)})
    return files


def _serve(files: dict[str, tuple[str, bytes]]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def do_GET(self) -> None:
            content_type, body = files.get(self.path, ("text/plain", b"not found"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/page"


def _capture_one(url: str, work: str) -> bool:
    from testament.pipeline.capture import CaptureOptions, capture

    result = capture(url, Path(work), CaptureOptions(allow_private=True, download_media=False))
    return result.complete


def _batch(
    pool: concurrent.futures.ProcessPoolExecutor, url: str, folder: Path, count: int
) -> float:
    """Run ``count`` captures on ``pool``; return captures per minute."""
    fresh_dir(folder)
    started = time.perf_counter()
    done = list(pool.map(_capture_one, [url] * count, [str(folder / str(n)) for n in range(count)]))
    elapsed = time.perf_counter() - started
    assert all(done), "every benchmark capture is complete"
    return count / elapsed * 60


def captures_per_minute(count: int = 24, reps: int = 3) -> None:
    """Captures per minute with 1 and with 4 worker processes, ``count`` captures a run."""
    server, url = _serve(_site())
    folder = WORK / "capture"
    spawn = multiprocessing.get_context("spawn")
    one, four = [], []
    try:
        with (
            concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as single,
            concurrent.futures.ProcessPoolExecutor(4, mp_context=spawn) as pool,
        ):
            _batch(single, url, folder, 1)
            _batch(pool, url, folder, 4)
            for _ in range(reps):
                one.append(_batch(single, url, folder, count))
                four.append(_batch(pool, url, folder, count))
    finally:
        server.shutdown()
        server.server_close()
    report(
        f"Web capture of a localhost page with {IMAGES} images ({count} captures a run, median of {reps}, "
        f"{os.cpu_count()} CPUs)",
        [
            ("1 worker", f"{median(one):.1f} captures/min"),
            ("4 workers", f"{median(four):.1f} captures/min"),
            ("scaling (4 / 1)", f"{median(four) / median(one):.2f}x (linear would be 4.00x)"),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="8 captures a run, one run each")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.quick:
        captures_per_minute(count=8, reps=1)
    else:
        captures_per_minute()


if __name__ == "__main__":
    main()

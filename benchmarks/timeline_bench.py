"""The case page's timeline at 100k incidents, drawn in a real browser (Debian's Chromium through
Playwright), measured by the Performance API (docs/map-timeline.md, docs/benchmarks.md).

Figures, all from one page in one run:

- the first drawing's ``timeline-draw`` measure (``performance.mark``/``measure`` around ``draw()`` in
  ``static/timeline.js``): the goal is under 1 s; and the time from the page's navigation start to the
  end of that drawing (the page's HTML, the spans asked of the server, sent as JSON and parsed, the
  drawing), when the page is first opened and when it is reloaded (as choosing dates does: the server
  keeps the spans until the custody log grows);
- redrawing the whole case, median of ``reps``, against the baseline in the same page: the same canvas
  drawing each incident as its own rectangle (``drawEachIncident``, the simple way to draw them), each
  followed by a one-pixel ``getImageData`` so that the canvas has really been painted before the clock
  stops; the ratio is baseline / ours;
- a zoomed-in drawing (a month in view: each incident drawn on its own lane).

A third of the generated incidents are made vague (their month, drawn as a range) so that both kinds of
mark are drawn.
"""

from __future__ import annotations

import shutil
import sqlite3
from typing import Any

from benchmarks.common import TESTAMENT, WORK, median, report, run, testament_env

MEASURE = """async (reps) => {
  const { timeline, drawEachIncident } = window.testamentTimeline;
  const ctx = timeline.canvas.getContext("2d");
  const flushed = (draw) => { const t0 = performance.now(); draw(); ctx.getImageData(0, 0, 1, 1);
                              return performance.now() - t0; };
  const ours = [], each = [], measured = [], zoomed = [];
  for (let i = 0; i < reps; i += 1) {
    ours.push(flushed(() => timeline.draw()));
    measured.push(performance.getEntriesByName("timeline-draw").at(-1).duration);
    each.push(flushed(() => drawEachIncident(timeline)));
  }
  const whole = timeline.view.slice();
  const middle = Math.round((whole[0] + whole[1]) / 2);
  for (let i = 0; i < reps; i += 1) {
    timeline.view = [middle, middle + 30];
    zoomed.push(flushed(() => timeline.draw()));
  }
  const inMonth = Number(timeline.element.dataset.inView);
  timeline.view = whole;
  timeline.draw();
  return { ours, each, measured, zoomed, inMonth };
}"""


TIMES = """() => ({
  draw: performance.getEntriesByName("timeline-draw")[0].duration,
  done: performance.getEntriesByName("timeline-draw-end")[0].startTime,
  fetch: performance.getEntriesByName("timeline-fetch")[0].duration,
  html: performance.getEntriesByType("navigation")[0].responseEnd,
})"""


def _vague_thirds(database: str) -> None:
    """Make every third incident known only to its month (a range of its days)."""
    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "UPDATE incident SET date_precision = 'month', "
            "occurred_from = substr(occurred_from, 1, 7) || '-01', "
            "occurred_to = date(substr(occurred_from, 1, 7) || '-01', '+1 month', '-1 day') "
            "WHERE rowid % 3 = 0 AND occurred_from IS NOT NULL"
        )
    connection.close()


def _open_case(browser: Any, base: str) -> Any:
    page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(180_000)
    page.goto("/login")
    page.fill("input[name=username]", "bench")
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    page.goto("/cases/bench")
    page.wait_for_selector("#timeline[data-ready=true]")
    return page


def timeline(count: int = 100_000, reps: int = 15) -> dict[str, float] | None:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("\n== Timeline in the browser: skipped (Debian's chromium is not installed)")
        return None
    from playwright.sync_api import sync_playwright

    from benchmarks import import_bench
    from benchmarks.web_bench import PORT, _home, _server, _site_command, _token

    home = WORK / f"timeline-{count}"
    env = testament_env(home)
    if not (home / "ready").exists():  # the home is built once and reused, like the other inputs
        home, env = _home(home.name)
        source = import_bench.generate_file(count)
        run(
            [
                *TESTAMENT,
                "import",
                "timemap",
                str(source),
                "--case",
                "bench",
                "--suffix-duplicates",
            ],
            env,
        )
        _token(env, "bench")
        run([*TESTAMENT, "user", "grant", "bench", "--case", "bench", "--role", "viewer"], env)
        _vague_thirds(str(home / "testament.db"))
        (home / "ready").touch()
    flags = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with _server(_site_command(home), env), sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, headless=True, args=flags)
        page = _open_case(browser, f"http://127.0.0.1:{PORT}")
        drawn = int(page.get_attribute("#timeline", "data-drawn") or "0")
        first = page.evaluate(TIMES)
        # Choosing dates reloads the page: the spans come from the server's memory this time.
        page.reload()
        page.wait_for_selector("#timeline[data-ready=true]")
        again = page.evaluate(TIMES)
        found = page.evaluate(MEASURE, reps)
        browser.close()
    ours, each = median(found["ours"]), median(found["each"])
    ratio = each / ours
    report(
        f"Timeline in the browser: {drawn:,} incidents drawn on one canvas (Chromium, Performance API)",
        [
            ("first drawing ('timeline-draw' measure; goal < 1000 ms)", f"{first['draw']:8.1f} ms"),
            ("page opened: navigation start to first drawing done", f"{first['done']:8.1f} ms"),
            ("  of which the page's HTML (navigation timing's responseEnd)", f"{first['html']:8.1f} ms"),
            ("  of which the spans asked, computed, sent and parsed", f"{first['fetch']:8.1f} ms"),
            ("page reloaded (dates chosen): navigation start to drawing done", f"{again['done']:8.1f} ms"),
            ("  of which the spans (kept by the server)", f"{again['fetch']:8.1f} ms"),
            ("  of which the drawing", f"{again['draw']:8.1f} ms"),
            ("redraw, each incident its own rectangle (baseline), median", f"{each:8.1f} ms"),
            ("redraw, per pixel column (ours), median", f"{ours:8.1f} ms"),
            ("  'timeline-draw' measure alone, median", f"{median(found['measured']):8.1f} ms"),
            ("  ratio baseline / ours", f"{ratio:8.1f}x"),
            (f"zoomed to a month ({found['inMonth']:,} in view), median",
             f"{median(found['zoomed']):8.1f} ms"),
        ],
    )  # fmt: skip
    return {
        "first_draw_ms": first["draw"],
        "loaded_ms": first["done"],
        "reloaded_ms": again["done"],
        "redraw_ms": ours,
        "baseline_ms": each,
        "ratio": ratio,
    }


if __name__ == "__main__":
    timeline()

"""Accessibility in a real browser: axe-core (vendored, MPL-2.0) run on the page as the reader sees it.

``assert_accessible(page)`` loads axe from the site's own ``/static`` (so the pages' content policy
applies to it as to every other script), runs the WCAG 2.0, 2.1 and 2.2 A and AA rules and fails on any
violation of impact "serious" or "critical", naming the rule, the help text and the elements.
``tab_to(page, selector)`` moves the focus with the Tab key alone until it reaches an element, as a
keyboard-only reader must; ``assert_every_form_control_is_reachable(page)`` walks a whole page that way.
"""

from __future__ import annotations

import json
from typing import Any

AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = frozenset({"serious", "critical"})
TAB_LIMIT = 200


def violations(page: Any, *, within: str | None = None) -> list[dict[str, Any]]:
    """axe's serious and critical violations on ``page`` (or inside the element ``within``)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async ([context, tags]) => {
            const result = await window.axe.run(context || document,
                {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }""",
        [within, TAGS],
    )
    return [v for v in found if v["impact"] in BLOCKING]


def assert_accessible(page: Any, *, within: str | None = None) -> None:
    """Fail if axe finds a serious or critical WCAG A/AA violation on the page as it is now."""
    found = violations(page, within=within)
    assert not found, f"{page.url}: " + json.dumps(found, ensure_ascii=False, indent=1)


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the element ``selector`` has the focus (fails if it never does)."""
    target = page.locator(selector).first
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key on {page.url}")


MARK_CONTROLS = """() => {
    const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
        && getComputedStyle(e).visibility !== "hidden";
    const found = [...document.querySelectorAll(
        "main form input:not([type=hidden]), main form select, main form textarea, main form button")]
        .filter((e) => !e.disabled && shown(e));
    found.forEach((e, i) => e.setAttribute("data-keyboard-check", String(i)));
    return found.map((e) => e.name || e.id || e.textContent.trim().slice(0, 40) || e.type);
}"""
FOCUSED = """() => { const e = document.activeElement;
    return e && e.hasAttribute("data-keyboard-check") ? Number(e.dataset.keyboardCheck) : -1; }"""


def assert_every_form_control_is_reachable(page: Any) -> int:
    """Walk the page with the Tab key alone and fail unless every visible, enabled control of every
    form in ``main`` took the focus on the way (so each form can be filled and sent from the
    keyboard: a focused field takes typing, a focused button takes Enter). How many there were."""
    names: list[str] = page.evaluate(MARK_CONTROLS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    reached: set[int] = set()
    for _ in range(2 * len(names) + TAB_LIMIT):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(FOCUSED))
        if len(reached - {-1}) == len(names):
            return len(names)
    missed = [names[i] for i in range(len(names)) if i not in reached]
    raise AssertionError(f"{page.url}: never reached with the Tab key: {missed}")

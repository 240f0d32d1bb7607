"""Accessibility audit for the browser tests: axe-core (the copy bundled by axe-playwright-python) on a page and
on every map inside it, with each violation sorted into what the course renders and what JupyterLab renders.

What the course renders: cell outputs (tables, widgets, quizzes, statement cards), rendered markdown (the lessons'
text) and the maps (each in its own iframe). Everything else on the page (menus, toolbars, the file browser,
prompts) is JupyterLab's or nbgrader's, reported separately and left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

SERIOUS = ("serious", "critical")
#: Where the course's own rendering lives on a JupyterLab page.
COURSE_PARTS = (
    ".jp-OutputArea-output, .jp-RenderedMarkdown, .jp-RenderedHTMLCommon"  # JupyterLab
    ", .output_subarea, .text_cell_render, .rendered_html"  # nbconvert's classic pages: feedback, formgrader
)


#: Violations that come from a page template's markup or CSS around the course's content, not from the content:
#: nbconvert's heading anchors ("¶", Bootstrap's link colour, no underline) and the classic template's scrolling
#: <pre> for printed text, and Bootstrap 3's caption grey (#777 on white, 4.47:1; the sanitizer removes the course's
#: inline colour from outputs on those pages), on nbgrader's feedback and formgrader pages. (rule, CSS selector)
TEMPLATE = (
    ("link-in-text-block", "a.anchor-link"),
    ("scrollable-region-focusable", ".output_subarea pre, pre"),
    ("color-contrast", ".output_subarea caption, .rendered_html caption"),
)


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def _run(frame) -> list[dict]:
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.evaluate(_axe_script())
    found = frame.evaluate("() => axe.run(document, {resultTypes: ['violations'], iframes: false})")
    return found["violations"]


def _entry(violation: dict, node: dict, where: str) -> dict:
    return {
        "rule": violation["id"],
        "impact": node.get("impact") or violation.get("impact"),
        "help": violation["help"],
        "where": where,
        "target": node["target"],
        "html": node["html"][:300],
        "why": node.get("failureSummary", "")[:400],
    }


def audit(page, name: str, artifacts: Path, whole_page_is_ours: bool = False) -> dict[str, list[dict]]:
    """Run axe on ``page`` and in each of its frames; return ``{"course": [...], "other": [...]}`` and write
    ``artifacts/axe/<name>.json``. ``whole_page_is_ours``: a page the course writes entirely (a feedback file)."""
    report: dict[str, list[dict]] = {"course": [], "other": []}
    for violation in _run(page.main_frame):
        for node in violation["nodes"]:
            selector = node["target"][-1] if isinstance(node["target"][-1], str) else node["target"][-1][-1]
            template = [css for rule, css in TEMPLATE if rule == violation["id"]]
            ours = whole_page_is_ours or page.evaluate(
                "([sel, parts, template]) => { const el = document.querySelector(sel);"
                " return !!(el && el.closest(parts) && !template.some(css => el.matches(css))); }",
                [selector, COURSE_PARTS, template],
            )
            report["course" if ours else "other"].append(_entry(violation, node, "page"))
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        try:
            if not frame.locator(".leaflet-container").count():
                continue
            found = _run(frame)
        except Exception as err:  # a frame that went away while the page re-rendered
            report["other"].append({"rule": "frame-not-audited", "impact": "minor", "why": str(err)[:200]})
            continue
        for violation in found:
            for node in violation["nodes"]:
                report["course"].append(_entry(violation, node, "map"))
    out = artifacts / "axe" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


def serious(entries: list[dict]) -> list[str]:
    """The serious and critical ones, one line each (rule, impact, where, element)."""
    return [
        f"{e['rule']} ({e['impact']}, {e['where']}): {e['html'][:160]}"
        for e in entries
        if e.get("impact") in SERIOUS
    ]

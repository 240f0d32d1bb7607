"""Accessibility, in headless Chromium: axe-core over every lesson after Run All, the self-study page and the released
problem sets (0 serious or critical violations in what the course renders; JupyterLab's own are written to the
report and left alone), and keyboard-only use of the widgets (reach every control with Tab, operate it with keys).

The reports are in test-artifacts/browser/axe/<page>.json ("course" and "other"); the feedback page and the
formgrader's submission view are audited in tests/test_browser.py, where they are made.
"""

from __future__ import annotations

import json
import re

import pytest
from a11y import audit, serious
from conftest import ROOT
from test_browser import ARTIFACTS, run_all

pytestmark = pytest.mark.browser

LESSONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
PROBLEM_SETS = sorted(
    p.relative_to(ROOT).as_posix() for p in (ROOT / "assignments" / "release").glob("*/*.ipynb")
)


def _open(page, lab, path: str) -> None:
    page.goto(lab.url(f"lab/tree/{path}"))
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=60_000)


def _summary(name: str, report: dict) -> None:
    counts = {part: {} for part in report}
    for part, entries in report.items():
        for e in entries:
            key = f"{e['rule']} ({e['impact']})"
            counts[part][key] = counts[part].get(key, 0) + 1
    path = ARTIFACTS / "axe" / "summary.json"
    summary = json.loads(path.read_text()) if path.exists() else {}
    summary[name] = counts
    path.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")


@pytest.mark.parametrize("path", LESSONS)
def test_a_lesson_after_run_all_has_no_serious_violation_in_what_the_course_renders(lab, page, path):
    _open(page, lab, path)
    run_all(page)
    page.wait_for_timeout(1500)  # maps lay out, sliders get their names
    report = audit(page, path.split("/")[-1].removesuffix(".ipynb"), ARTIFACTS)
    _summary(path, report)
    assert serious(report["course"]) == [], serious(report["course"])
    maps = [f for f in page.frames[1:] if f.locator(".leaflet-container").count()]
    assert maps or "self_study" in path, "the audit reached no map"


@pytest.mark.parametrize("path", PROBLEM_SETS)
def test_a_released_problem_set_has_no_serious_violation_in_what_the_course_renders(lab, page, path):
    """As a student first runs it: Run All stops at the first unanswered question."""
    _open(page, lab, path)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').first
    stderr.wait_for(timeout=90_000)
    assert "NotImplementedError" in stderr.text_content()
    page.wait_for_timeout(1000)
    report = audit(page, path.split("/")[-1].removesuffix(".ipynb"), ARTIFACTS)
    _summary(path, report)
    assert serious(report["course"]) == [], serious(report["course"])
    assert page.locator(".jp-RenderedMarkdown").count() > 5, "the problem set's text was audited"


def _focused(page) -> str:
    return page.evaluate(
        """() => { const el = document.activeElement;
            const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].textContent : '');
            return [el.tagName, el.getAttribute('role') || '', label.trim(),
                    el.type || '', (el.textContent || '').trim().slice(0, 40), el.id ? el.id : ''].join('|'); }"""
    )


def _tab_until(page, wanted, limit: int = 80) -> list[str]:
    """Press Tab until ``wanted(focused)`` holds; return what got focus on the way (fails after ``limit``)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
        if wanted(seen[-1]):
            return seen
    raise AssertionError(f"not reached with Tab in {limit} presses; focus went to: {seen[-12:]}")


def _focus_before(page, locator) -> None:
    """Put the keyboard focus just before ``locator`` (as a reader arrives there with Tab from the text above)."""
    locator.scroll_into_view_if_needed()
    locator.evaluate(
        "el => { const s = document.createElement('span'); s.tabIndex = -1; s.id = 'kbd-start';"
        " el.parentElement.insertBefore(s, el); s.focus(); }"
    )


def test_the_decision_explorer_works_from_the_keyboard_alone(lab, page):
    _open(page, lab, "notebooks/05_chinas_dilemma.ipynb")
    run_all(page)
    explorer = page.locator(".jupyter-widgets", has_text="How much each criterion matters").first
    ranking = page.get_by_text("Warn Moscow privately against military-technology aid comes first").first
    ranking.wait_for(timeout=30_000)
    _focus_before(page, explorer)
    # Every weight slider is reached with Tab, and says what it weighs.
    seen = _tab_until(page, lambda f: "|slider|Relations with Russia|" in f)
    sliders = [f for f in seen if "|slider|" in f]
    assert [f.split("|")[2] for f in sliders] == [
        "Stability for China's economy",
        "Control of the situation; no escalation",
        "No North Korean collapse",
        "Relations with Russia",
    ], sliders
    page.keyboard.press("End")  # relations with Russia to the maximum, with the keyboard
    page.get_by_text("Align openly with Moscow and Pyongyang comes first").first.wait_for(timeout=15_000)
    # The score inputs come next, each named by its option and criterion; a typed score changes the model.
    seen = _tab_until(page, lambda f: f.startswith("INPUT") and "|number|" in f)
    assert (
        seen[-1].split("|")[2]
        == "Stay muted: call it a bilateral matter (the public June 2024 reaction): economy"
    ), seen[-1]
    chart = "document.querySelector(\".jupyter-widgets svg[aria-label*='Weighted score']\").outerHTML"
    before = page.evaluate(f"() => {chart}")
    page.keyboard.press(
        "Control+a"
    )  # in the input: its text (JupyterLab's own Ctrl+A would select every cell)
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.wait_for_function(f"old => {chart} !== old", arg=before, timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "keyboard_decision_explorer.png"))


def test_a_quiz_and_the_coding_explorer_work_from_the_keyboard_alone(lab, page):
    _open(page, lab, "notebooks/03_official_reactions.ipynb")
    run_all(page)
    quiz = page.locator(".course-quiz-question").first
    _focus_before(page, quiz)
    _tab_until(page, lambda f: f.startswith("INPUT") and "|radio|" in f)
    page.keyboard.press("Space")  # chooses the first option; arrow keys move between options
    _tab_until(page, lambda f: f.startswith("BUTTON") and "|Check" in f)
    page.keyboard.press("Enter")
    quiz.locator(".widget-html", has_text=re.compile("Correct|Not quite|Defensible|✔|✘|◐")).first.wait_for(
        timeout=10_000
    )
    coding = page.locator(".jupyter-widgets", has_text="Statement:").first
    _focus_before(page, coding)
    _tab_until(page, lambda f: f.startswith("SELECT"))
    page.keyboard.press("ArrowDown")  # the next statement
    _tab_until(page, lambda f: f.startswith("INPUT|") and "|Non-committal|radio|" in f)
    page.keyboard.press("Space")
    _tab_until(page, lambda f: f.startswith("INPUT|") and "|Words only|radio|" in f)  # the commitment scale
    page.keyboard.press("Space")
    _tab_until(page, lambda f: f.startswith("BUTTON") and "|Compare" in f)
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"\d(\.\d+)? of \d(\.\d+)? points")).first.wait_for(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "keyboard_coding_explorer.png"))


def test_the_self_study_checker_works_from_the_keyboard_alone(lab, page):
    _open(page, lab, "notebooks/self_study.ipynb")
    run_all(page)
    checker = page.locator(".jupyter-widgets", has_text="Check my saved answers").first
    _focus_before(page, checker)
    _tab_until(page, lambda f: f.startswith("SELECT"))
    _tab_until(page, lambda f: f.startswith("BUTTON") and "Check my saved answers" in f)
    page.keyboard.press("Enter")
    page.locator("table", has_text="Your answers against the key").first.wait_for(timeout=90_000)
    _tab_until(page, lambda f: f.startswith("SELECT"))  # the item
    page.keyboard.press("ArrowDown")
    _tab_until(page, lambda f: f.startswith("BUTTON") and "Show the model answer" in f)
    page.keyboard.press("Enter")
    page.get_by_text("Model answer to A2").wait_for(timeout=15_000)


_CONTROLS = """() => [...document.querySelectorAll(
        '.jupyter-widgets select, .jupyter-widgets input, .jupyter-widgets button, .jupyter-widgets .noUi-handle')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map((el, i) => { el.setAttribute('data-kbd', i);
        return {i, tag: el.tagName, type: el.type || '', role: el.getAttribute('role') || '', tab: el.tabIndex,
                disabled: !!el.disabled, shortcuts: el.hasAttribute('data-lm-suppress-shortcuts'),
                name: (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
                       || el.textContent || '').trim()}; })"""


@pytest.mark.parametrize(
    "path", ["notebooks/02_the_treaty.ipynb", "notebooks/04_munitions_and_the_war.ipynb",
             "notebooks/05_chinas_dilemma.ipynb", "notebooks/06_after_the_treaty.ipynb"],
)  # fmt: skip
def test_every_widget_control_is_in_the_tab_order_named_and_works_with_keys(lab, page, path):
    """Every control of every widget: reachable with Tab (tabindex >= 0, enabled), named, kept from JupyterLab's
    shortcuts; every slider moves with Page Up/Down and takes a typed value in its readout, and every dropdown moves
    with ArrowDown, the focus staying put."""
    _open(page, lab, path)
    run_all(page)
    page.wait_for_timeout(1500)
    controls = page.evaluate(_CONTROLS)
    assert controls, "no widget on the page"
    problems = [c for c in controls if c["tab"] < 0 or c["disabled"] or not c["name"] or not c["shortcuts"]]
    assert problems == [], problems
    for c in controls:
        element = page.locator(f'[data-kbd="{c["i"]}"]')
        if c["role"] == "slider":
            element.scroll_into_view_if_needed()
            element.focus()
            before = element.get_attribute("aria-valuenow")
            # Home and End move every slider to its ends; for a value in between, type it in the readout beside the
            # slider. (The arrow keys move ipywidgets' float sliders with a fine step only now and then: a noUiSlider
            # quirk with steps like 0.01; Page Up/Down likewise.)
            # Toward its own end: a range's start handle goes down, away from the end handle, which stays free.
            key = "Home" if float(before) > float(element.get_attribute("aria-valuemin")) else "End"
            page.keyboard.press(key)
            try:
                page.wait_for_function(
                    "([el, old]) => el.getAttribute('aria-valuenow') !== old",
                    arg=[element.element_handle(), before],
                    timeout=10_000,
                )
            except Exception as err:
                raise AssertionError(f"Home/End did not move {c} (from {before})") from err
            if key == "End":
                page.keyboard.press("Home")  # back down, out of the way of a range's end handle
            page.wait_for_timeout(300)  # the explorer redraws
            assert page.evaluate("() => document.activeElement.getAttribute('role')") == "slider", c
            readout = element.locator(
                "xpath=ancestor::div[contains(@class,'widget-slider')]//div[contains(@class,'widget-readout')]"
            )
            if readout.count():  # the number beside a slider: Tab to it, type a value, Enter
                assert readout.first.get_attribute("contenteditable") == "true", c
        elif c["tag"] == "SELECT":
            element.scroll_into_view_if_needed()
            element.focus()
            before = element.input_value()
            page.keyboard.press("ArrowDown")
            assert page.evaluate("() => document.activeElement.tagName") == "SELECT", (
                f"focus left {c['name']}"
            )
            assert element.input_value() != before or c["name"] == "", c
    page.screenshot(path=str(ARTIFACTS / f"keyboard_{path.split('/')[-1].removesuffix('.ipynb')}.png"))

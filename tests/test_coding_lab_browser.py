"""Issue 29 in Chromium: the blind coding widget used from the keyboard alone in JupyterLab (lesson 03), its file
saved as you go, part 2's comparison and class report drawn in the lesson, and the instructor's standalone class
report page; axe over each, screenshots at a laptop's and a desktop's window size (test-artifacts/browser/)."""

from __future__ import annotations

import csv
import re

import pytest
from a11y import audit, serious
from test_accessibility import _focus_before, _open, _tab_until
from test_browser import ARTIFACTS, run_all

from course.content import classreport, codingfiles

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1280, 800), "desktop": (1920, 1080)}


def test_a_learner_codes_blind_from_the_keyboard_and_part_two_compares(lab, page):
    _open(page, lab, "notebooks/03_official_reactions.ipynb")
    run_all(page)
    coder = page.locator(".jupyter-widgets", has_text="fully coded").first
    coder.get_by_text("Statement 1 of 9").wait_for(timeout=30_000)
    assert not coder.get_by_text(re.compile("course: |Reference:")).count(), "the blind coder shows no code"
    _focus_before(page, coder)
    for label in ("Endorsement", "Positive", "Words only", "The visit"):  # one in each group, Tab and Space
        _tab_until(page, lambda f, label=label: f.startswith("INPUT|") and f"|{label}|radio|" in f)
        page.keyboard.press("Space")
    _tab_until(page, lambda f: f.startswith("INPUT|") and "|text|" in f)
    page.keyboard.type("S4: defends; T1")
    page.keyboard.press("Enter")
    coder.get_by_text(re.compile(r"Saved to codes\.csv at")).wait_for(timeout=10_000)
    _tab_until(page, lambda f: f.startswith("BUTTON") and "Next" in f)
    page.keyboard.press("Enter")
    coder.get_by_text("Statement 2 of 9").wait_for(timeout=10_000)
    saved = lab.root / "notebooks" / codingfiles.FILE_NAME
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    first = classreport.lab_statements()[0]
    assert rows[0] == {"statement_id": first, "stance": "endorsement", "valence": "positive",
                       "commitment": "words_only", "target": "visit", "justification": "S4: defends; T1"}, rows[0]  # fmt: skip
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        coder.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"coding_lab_blind_{size}.png"))

    # The rest coded as a learner might (the file is what the widget writes), then Run All again: it resumes.
    statements = classreport.lab_statements()
    me = classreport.simulate_class({"you": "neighbour-prone"}, statements, seed=2)[0]
    me.codes["stance"][first], me.codes["valence"][first], me.codes["commitment"][first], me.codes["target"][first] = (
        "endorsement", "positive", "words_only", "visit")  # fmt: skip
    codingfiles.write(saved, me.codes, me.why, statements)
    run_all(page)
    page.get_by_text("9 of 9 fully coded").first.wait_for(timeout=30_000)
    page.locator("table", has_text="You and the course's reference codes").first.wait_for(timeout=30_000)
    report = page.locator(".jp-OutputArea-output", has_text="You and a simulated class").first
    report.locator("svg[aria-labelledby='alpha-title']").wait_for(timeout=30_000)
    assert page.locator("table", has_text="Commitment: alpha under two codebooks").count()
    found = audit(page, "coding_lab_lesson03", ARTIFACTS)
    assert serious(found["course"]) == [], serious(found["course"])
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        report.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"coding_lab_class_{size}.png"))


def test_the_instructors_class_report_page_reads_cleanly(tmp_path, browser):
    from course.views.coding_report import page as report_page

    statements = classreport.lab_statements()
    profiles = {**{f"student{i:02d}": "careful" for i in range(24)}, "student24": "careless",
                **{f"student{25 + i}": "neighbour-prone" for i in range(4)}, "student29": "one-code"}  # fmt: skip
    coders = classreport.simulate_class(profiles, statements, seed=5)
    report = classreport.build(
        coders, statements, problems=["bad.csv, line 3: 'approval' is not a stance code"]
    )
    out = tmp_path / "coding-report.html"
    out.write_text(report_page(report), encoding="utf-8")
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        requests = []
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        page.goto(out.as_uri())
        page.get_by_text("Coders to look at").wait_for()
        assert [u for u in requests if not u.startswith("file:")] == [], requests
        found = audit(page, f"coding_report_{size}", ARTIFACTS, whole_page_is_ours=True)
        assert serious(found["course"]) == [], serious(found["course"])
        page.screenshot(path=str(ARTIFACTS / f"coding_report_{size}.png"))
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the report scrolls sideways by {overflow}px at {width}px"
        context.close()

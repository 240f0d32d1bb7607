"""JupyterLab in headless Debian Chromium: the start notebook opens, runs, and its exercise responds."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from a11y import audit, serious
from conftest import ROOT, wait_until_saved
from labserver import running_lab

ARTIFACTS = ROOT / "test-artifacts" / "browser"
pytestmark = pytest.mark.browser


def run_all(page) -> None:
    """Run every cell through the Run menu, once the kernel is idle, and wait for all to finish."""
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=120_000,
    )


def snap(page, locator, name: str) -> None:
    """Scroll ``locator`` into view, let JupyterLab paint it (cells off screen are not rendered), screenshot.

    A widget's output may be redrawn (its element replaced) while it is being scrolled to: then look it up again.
    """
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            locator.scroll_into_view_if_needed()
            break
        except Error as err:
            if "not attached" not in str(err) or attempt == 2:
                raise
            page.wait_for_timeout(300)
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / name))


def test_start_notebook_opens_runs_and_responds(lab, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(lab.url("lab/tree/notebooks/00_start_here.ipynb"))
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook h1", has_text="Start here: reading a security event").wait_for()
    page.screenshot(path=str(ARTIFACTS / "00_start_here_top.png"))
    run_all(page)

    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()
    assert page.locator(".jp-Dialog").count() == 0, "a dialog opened over the notebook"
    assert page.locator(".Toastify__toast").count() == 0, page.locator(".Toastify__toast").all_inner_texts()

    # The lesson table and the five kinds of sentence rendered as tables.
    lessons = page.locator(".jp-OutputArea-output table", has_text="Lessons in this copy of the course")
    assert "00_start_here.ipynb" in lessons.text_content()
    kinds = page.locator(".jp-OutputArea-output table", has_text="Five kinds of sentence")
    snap(page, kinds, "00_start_here_kinds.png")
    assert "attributed claim" in kinds.text_content()
    assert "…" not in kinds.text_content() and "..." not in kinds.text_content(), "cut text"

    # The course map rendered offline inside its output iframe: outlines, markers, and a popup on click.
    iframe = page.locator(".jp-OutputArea-output iframe").first
    snap(page, iframe, "00_start_here_map.png")
    frame = page.frame_locator(".jp-OutputArea-output iframe").first
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() > 40, "country outlines drawn"
    assert frame.locator(".leaflet-marker-icon").count() >= 6, "place labels and distance labels"
    circles = frame.locator('path.leaflet-interactive[stroke-dasharray], path.leaflet-interactive[d*="a"]')
    assert circles.count() >= 6, "a dot per place"
    circles.first.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "° N" in popup.inner_text()
    snap(page, iframe, "00_start_here_map_popup.png")

    # The sorting exercise answers a click.
    quiz = page.locator(".course-quiz").first
    quiz.wait_for(timeout=30_000)
    first = quiz.locator(".course-quiz-question").first
    first.get_by_label("reported fact").check()
    first.get_by_role("button", name="Check").click()
    first.get_by_text("✔ Correct: reported fact").wait_for(timeout=10_000)
    assert "Checked 1 of 9; score 1 of 9" in quiz.inner_text()

    snap(page, first, "00_start_here_quiz.png")
    assert not page.outside_requests, f"the page tried to reach the internet: {page.outside_requests}"


def test_a_scenario_slider_changes_the_output_in_jupyterlab(lab, page):
    """Drive the Beijing explorer with the keyboard, as a learner would, and watch the ranking change."""
    import nbformat

    scratch = lab.root / "notebooks" / "explorer_check.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from course.views import widgets\n\nwidgets.show(widgets.BeijingExplorer())"
            )
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, scratch)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(lab.url("lab/tree/notebooks/explorer_check.ipynb"))
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    run_all(page)
    page.get_by_text("Warn Moscow privately against military-technology aid comes first").first.wait_for(
        timeout=30_000
    )
    sliders = page.locator(".jupyter-widgets .widget-slider")
    assert sliders.count() == 5
    handle = sliders.nth(3).locator(".noUi-handle")  # relations with Russia
    handle.focus()
    page.keyboard.press("End")
    page.get_by_text("Align openly with Moscow and Pyongyang comes first").wait_for(timeout=15_000)
    snap(page, page.locator(".jupyter-widgets svg").first, "explorer_after_slider.png")
    assert not page.outside_requests


LESSON_CHECKS = {
    "01_the_summit": "quiz",
    "02_the_treaty": "clause",
    "03_official_reactions": "coding",
    "04_munitions_and_the_war": "estimate",
    "05_chinas_dilemma": "beijing",
    "06_after_the_treaty": "timeline",
}


def press_on_slider(page, slider_index: int, key: str, handle: int = 0) -> None:
    """Focus one handle of the n-th widget slider on the page and press a key, as a keyboard user would."""
    slider = page.locator(".jupyter-widgets .widget-slider").nth(slider_index)
    slider.scroll_into_view_if_needed()
    slider.locator(".noUi-handle").nth(handle).focus()
    page.keyboard.press(key)


def wait_for_change(page, locator, before: str, timeout_ms: int = 15_000) -> str:
    for _ in range(timeout_ms // 250):
        now = locator.text_content()
        if now != before:
            return now
        page.wait_for_timeout(250)
    raise AssertionError(f"the output did not change from {before[:80]!r}")


_CUT_OR_RAW = """() => {
    const out = [];
    const cut = el => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    document.querySelectorAll('.widget-slider .widget-label, .widget-text .widget-label, .widget-dropdown .widget-label,'
                              + ' .widget-readout, .course-readout').forEach(el => {
        if (cut(el)) out.push('cut: ' + el.textContent.trim());
    });
    document.querySelectorAll('.jupyter-widgets input[type=number], .jupyter-widgets input[type=text]').forEach(el => {
        if (el.getBoundingClientRect().width < 60) out.push('narrow input: ' + (el.labels[0] || {}).textContent);
    });
    document.querySelectorAll('.jupyter-widgets select option').forEach(el => {
        if (/^[a-z0-9]+(_[a-z0-9]+)+$/.test(el.textContent.trim())) out.push('an id as a label: ' + el.textContent);
    });
    document.querySelectorAll('.jp-OutputArea-output td, .jp-OutputArea-output th').forEach(el => {
        if (['nan', 'None', 'NaT', '<NA>', 'NaN'].includes(el.textContent.trim())) out.push('raw missing value in a table');
    });
    return out;
}"""


def _assert_widgets_read_cleanly(page, lesson: str) -> None:
    """Issue 20: boxes too narrow to see what is typed, readouts and labels cut, ids in dropdowns, nan in tables."""
    problems = page.evaluate(_CUT_OR_RAW)
    assert problems == [], f"{lesson}: {problems}"


_OVERLAPS = """() => {
    const shown = [...document.querySelectorAll('.course-label')]
        .filter(el => getComputedStyle(el).visibility !== 'hidden' && el.getClientRects().length)
        .map(el => [el.textContent, el.getBoundingClientRect()]);
    const out = [];
    shown.forEach(([a, r], i) => shown.slice(i + 1).forEach(([b, k]) => {
        if (r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top) out.push(a + ' / ' + b);
    }));
    return out;
}"""

_POPUP_COVERED = """() => {
    const popup = document.querySelector('.leaflet-popup-content-wrapper');
    if (!popup) return 'no popup opened';
    const r = popup.getBoundingClientRect();
    const points = [[r.left + 6, r.top + 6], [r.right - 6, r.top + 6], [r.left + 6, r.bottom - 6], [r.right - 6, r.bottom - 6]];
    const whole = popup.closest('.leaflet-popup');  // the wrapper and its close button
    const covered = points.filter(([x, y]) => !whole.contains(document.elementFromPoint(x, y)));
    return covered.length ? 'covered at ' + JSON.stringify(covered) : '';
}"""


def _assert_maps_read_cleanly(page, lesson: str) -> None:
    """In every map on screen: no two place labels overlap; an open popup is covered by nothing (legend, controls)."""
    for frame in page.frames:
        if frame == page.main_frame or not frame.locator(".leaflet-container").count():
            continue
        page.wait_for_timeout(300)  # the labels are sorted out after the map's first layout
        assert frame.evaluate(_OVERLAPS) == [], f"{lesson}: overlapping labels"
        cards = frame.locator(".course-card")
        if cards.count() and frame.locator(".course-legend-box").count():
            cards.last.click()
            frame.locator(".leaflet-popup-content").wait_for(timeout=10_000)
            page.wait_for_timeout(500)  # the map pans the popup into view
            assert frame.evaluate(_POPUP_COVERED) == "", f"{lesson}: something covers the open popup"
            assert (
                frame.locator(".course-legend-box").evaluate("el => getComputedStyle(el).visibility")
                == "hidden"
            )
            page.screenshot(path=str(ARTIFACTS / f"{lesson}_map_popup.png"))
            frame.locator(".leaflet-popup-close-button").click()


@pytest.mark.parametrize("lesson", LESSON_CHECKS)
def test_lesson_runs_with_its_map_and_widget(lab, page, lesson):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(lab.url(f"lab/tree/notebooks/{lesson}.ipynb"))
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    run_all(page)
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()
    iframe = page.locator(".jp-OutputArea-output iframe").first
    iframe.scroll_into_view_if_needed()
    frame = page.frame_locator(".jp-OutputArea-output iframe").first
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() > 10, "country outlines drawn offline"
    snap(page, iframe, f"{lesson}_map.png")
    _assert_maps_read_cleanly(page, lesson)
    _assert_widgets_read_cleanly(page, lesson)
    kind = LESSON_CHECKS[lesson]
    if kind == "quiz":
        question = page.locator(".course-quiz-question").first
        question.get_by_label("24", exact=True).check()
        question.get_by_role("button", name="Check").click()
        question.get_by_text("✔ Correct: 24").wait_for(timeout=10_000)
        snap(page, question, f"{lesson}_widget.png")
    elif kind == "clause":
        explorer = page.locator(".jupyter-widgets select").first
        explorer.select_option(index=2)  # Al Mayadeen's rendering says "immediately"
        page.locator("mark", has_text="immediately").first.wait_for(timeout=10_000)
        snap(page, page.locator("mark", has_text="immediately").first, f"{lesson}_widget.png")
    elif kind == "estimate":
        summary = page.get_by_text("Munitions: median").first
        summary.wait_for(timeout=30_000)
        before = summary.text_content()
        assert "median 260,000 t" in before
        press_on_slider(page, 2, "Home")  # the lower end of the munitions share goes to 0
        after = wait_for_change(page, page.get_by_text("Munitions: median").first, before)
        assert "median 260,000 t" not in after
        snap(page, page.locator(".jupyter-widgets svg").first, f"{lesson}_widget.png")
    elif kind == "beijing":
        # two explorers open on that answer: the article's model and, lower down, the second lens (first: the former)
        page.get_by_text("Warn Moscow privately against military-technology aid comes first").first.wait_for(
            timeout=30_000
        )
        press_on_slider(page, 3, "End")  # relations with Russia to the maximum
        page.get_by_text("Align openly with Moscow and Pyongyang comes first").wait_for(timeout=15_000)
        snap(
            page,
            page.get_by_text("Align openly with Moscow and Pyongyang comes first"),
            f"{lesson}_widget.png",
        )
    elif kind == "timeline":
        title = page.locator(".course-map figcaption b").last
        before = title.text_content()
        assert before.startswith("Events from 6 July 1961")
        press_on_slider(page, 0, "End", handle=0)  # the start of the range jumps to the last date
        after = wait_for_change(page, page.locator(".course-map figcaption b").last, before)
        assert after != before
        snap(page, page.locator(".course-map").last, f"{lesson}_widget.png")
    else:  # the coding explorer (lesson 03's blind coder, above it, has the same choices: leave it alone)
        explorer = page.locator(".jupyter-widgets", has_text="Statement:").first
        explorer.get_by_label("Non-committal").first.check()
        explorer.get_by_label("Words only").first.check()
        explorer.get_by_role("button", name="Compare").click()
        page.get_by_text("1.5 of 1.5 points").wait_for(timeout=10_000)
        snap(page, page.get_by_text("1.5 of 1.5 points"), f"{lesson}_widget.png")
    assert not page.outside_requests


def _answer_next(page, code: str) -> None:
    """Type ``code`` into the first answer cell still unanswered, as a student does (the cell is not run)."""
    answer = page.locator(".jp-CodeCell", has_text="# YOUR CODE HERE").first
    answer.scroll_into_view_if_needed()
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)


def test_a_student_answers_a_released_question_and_passes_its_visible_check(lab, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ps = "ps1_reading_official_reactions"
    page.goto(lab.url(f"lab/tree/assignments/release/{ps}/{ps}.ipynb"))
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=60_000)
    _answer_next(
        page, 'a1 = {"stance": "non-committal", "commitment": "words_only", "signal": "relevant countries"}'
    )
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    check = page.locator(".jp-CodeCell", has_text="Check A1: the codes are from the scheme").first
    # Run All stops at the first unanswered question (A2), after A1's check has run.
    first_error = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').first
    first_error.wait_for(timeout=60_000)
    assert "NotImplementedError" in first_error.text_content()
    prompt = check.locator(".jp-InputArea-prompt").text_content()
    assert re.search(r"\[\d+\]", prompt), f"the A1 check did not run: {prompt!r}"
    errors = check.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()
    assert "A1: the form is right" in check.text_content(), "a passing check says so (issue 20)"
    check.locator(".jp-InputArea-prompt").click()  # select the cell: JupyterLab scrolls it into view
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / "student_ps1_a1_check_passes.png"))

    # A wrong answer in the right form: its visible check passes too, and says only that the form is right.
    _answer_next(
        page, 'a2 = {"stance": "concern", "commitment": "words_only", "signal": "totally unacceptable"}'
    )
    page.keyboard.press("Shift+Enter")  # run the answer, then its check
    check2 = page.locator(".jp-CodeCell", has_text="Check A2: the codes are from the scheme").first
    check2.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")
    check2.get_by_text("A2: the form is right").wait_for(timeout=30_000)
    page.keyboard.press("Control+s")
    wait_until_saved(page, lab.root / f"assignments/release/{ps}/{ps}.ipynb", '"stance": "concern"')

    # The student's lab has no instructor tools (make lab, Binder): no Nbgrader menu, no Validate, no formgrader.
    assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 0
    assert page.get_by_role("button", name=re.compile("Validate")).count() == 0
    assert page.locator("#create_assignment, .nbgrader-CreateAssignmentWidget").count() == 0
    assert urllib.request.urlopen(lab.url("api/status"), timeout=10).status == 200
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(lab.url("formgrader"), timeout=10)
    page.screenshot(path=str(ARTIFACTS / "student_lab_without_instructor_tools.png"))

    # Practice mode (notebooks/self_study.ipynb) reads the saved notebook and tells right from wrong.
    page.goto(lab.url("lab/tree/notebooks/self_study.ipynb"))
    page.locator(".jp-Notebook h1", has_text="Self-study").wait_for(timeout=60_000)
    run_all(page)
    page.get_by_role("button", name="Check my saved answers").click()
    table = page.locator(".jp-OutputArea-output table", has_text="Your answers against the key").first
    table.wait_for(timeout=90_000)
    rows = {r.split("\t")[0]: r for r in table.locator("tbody tr").all_inner_texts()}
    assert "✓ right" in rows["A1"] and "2 / 2" in rows["A1"], rows["A1"]
    assert "◐ partly right" in rows["A2"], rows["A2"]
    assert "not answered" in rows["A3"], rows["A3"]
    assert page.get_by_text("4 of 20 automatically checked points").count() == 0  # A2 is partly right
    page.get_by_label("Item:").select_option("A2")
    page.get_by_role("button", name="Show the model answer").click()
    model = page.get_by_text("Model answer to A2")
    model.wait_for(timeout=15_000)
    assert page.get_by_text("condemnation").count() >= 1
    snap(page, table, "self_study_practice_table.png")
    snap(page, model, "self_study_model_answer.png")
    assert not page.outside_requests


def _generate_all(root):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONWARNINGS="ignore:::nbgrader.api")
    env["PATH"] = f"{sys.prefix}/bin{os.pathsep}{env['PATH']}"
    for ps in sorted(p.name for p in (root / "assignments" / "source").iterdir() if p.is_dir()):
        subprocess.run([f"{sys.prefix}/bin/nbgrader", "generate_assignment", ps, "--force"],
                       cwd=root / "assignments", env=env, capture_output=True, check=True)  # fmt: skip


def test_the_instructor_sees_the_problem_sets_in_the_formgrader(tmp_path, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_lab(tmp_path, subdir="assignments", prepare=_generate_all, instructor=True) as lab:
        page.goto(f"{lab.base}/formgrader?token={lab.token}")
        table = page.locator("table", has_text="ps1_reading_official_reactions").first
        table.wait_for(timeout=30_000)
        for ps in (
            "ps1_reading_official_reactions",
            "ps2_geography_and_logistics",
            "ps3_treaties_and_scenarios",
        ):
            assert ps in table.inner_text()
        page.screenshot(path=str(ARTIFACTS / "formgrader_manage_assignments.png"))
        page.goto(f"{lab.base}/formgrader/gradebook?token={lab.token}")
        grades = page.locator("table", has_text="ps2_geography_and_logistics").first
        grades.wait_for(timeout=30_000)
        assert grades.inner_text().count("/ 25") == 3, "each problem set is worth 25 points"
        page.screenshot(path=str(ARTIFACTS / "formgrader_gradebook.png"))


# ---- student content in the instructor's and the student's pages -----------------------------------------

MALLORY = "mallory"


def _mark(label: str) -> str:
    """JavaScript that records ``label`` in the top page."""
    return f"top.__pwned=(top.__pwned||[]).concat(['{label}']);"


def _full_marks(label: str) -> str:
    """JavaScript that records ``label`` and gives every grade of this submission full marks, as the instructor."""
    return _mark(label) + (
        "const x=document.cookie.match(/_xsrf=([^;]+)/);"
        "const h={'X-XSRFToken':x?decodeURIComponent(x[1]):'','Content-Type':'application/json'};"
        "fetch('/formgrader/api/grades?submission_id='+location.pathname.split('/')[3]).then(r=>r.json())"
        ".then(gs=>gs.forEach(g=>fetch('/formgrader/api/grade/'+g.id,"
        "{method:'PUT',headers:h,body:JSON.stringify({manual_score:g.max_score})})))"
    )


XSS_MARKDOWN = f"""China's wording is non-committal. <img src=x onerror="{_full_marks("md-img")}">

<script>{_mark("md-script")}</script>

<iframe srcdoc="<script>{_mark("md-iframe")}</script>"></iframe>

[a link](javascript:{_mark("md-link")})

<a href="javascript:{_mark("md-a")}">another link</a>

<svg><script>{_mark("md-svg")}</script></svg>

<details open ontoggle="{_full_marks("md-toggle")}"><summary>more</summary>text</details>

<form action="javascript:{_mark("md-form")}"><button>send</button></form>

Tracking: ![pixel](https://tracker.invalid/md-pixel.png) <img src="http://tracker.invalid/md-img">
<div style="background:url(https://tracker.invalid/md-css)">styled</div>
<style>body {{ background: url(https://tracker.invalid/md-style) }}</style>
<link rel="stylesheet" href="https://tracker.invalid/md-link.css">
"""

XSS_OUTPUTS = f"""from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML('<img src=x onerror="{_mark("out-img")}"><b>bold output</b>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>{_mark("out-svg")}</script></svg>'))
display(Javascript("{_mark("out-js")}"))
display(Markdown('[m](javascript:{_mark("out-md")})'))
display({{"text/html": '<iframe src="javascript:{_mark("out-iframe")}"></iframe>'}}, raw=True)
display(HTML('<img src="https://tracker.invalid/out-img"><span style="background:url(//tracker.invalid/out-css)">t</span>'))
"""


def _graded_mallory(root):
    """ps1 released, a submission carrying every payload, autograded and its feedback generated."""
    import os
    import subprocess
    import sys

    from course.autograder.demo_class import CORRECT, PS1, Student, write_class

    assignments = root / "assignments"
    env = dict(os.environ, PYTHONWARNINGS="ignore:::nbgrader.api")
    env["PATH"] = f"{sys.prefix}/bin{os.pathsep}{env['PATH']}"
    answers = {
        **CORRECT,
        "ps1_e_answer": XSS_MARKDOWN,
        "ps1_a1_answer": XSS_OUTPUTS + CORRECT["ps1_a1_answer"],
    }
    nbgrader = [f"{sys.prefix}/bin/nbgrader"]
    subprocess.run([*nbgrader, "generate_assignment", PS1, "--force"], cwd=assignments, env=env, check=True,
                   capture_output=True)  # fmt: skip
    write_class(assignments, [Student(MALLORY, "payloads in answers and outputs", 20.0, answers)])
    for step in (["autograde", PS1], ["generate_feedback", PS1]):
        done = subprocess.run([*nbgrader, *step], cwd=assignments, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _grades(db: str) -> list[tuple]:
    from nbgrader.api import Gradebook

    from course.autograder.demo_class import PS1

    with Gradebook(db) as gb:
        notebook = gb.find_submission_notebook(PS1, PS1, MALLORY)
        return notebook.id, sorted((g.name, g.auto_score, g.manual_score) for g in notebook.grades)


SCRIPT_DOORS = """() => [...document.querySelectorAll(
    'a[href], iframe[src], form[action], [onerror], [onload], [ontoggle], [onclick], script:not([src])'
    )].filter(e => e.closest('.cell')).filter(e => {
      const url = (e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '').trim();
      if (e.tagName === 'SCRIPT') return e.textContent.includes('__pwned');
      return /^javascript:/i.test(url) || [...e.attributes].some(a => a.name.startsWith('on'));
    }).map(e => e.outerHTML.slice(0, 120))"""


def _assert_nothing_ran(page, where: str) -> None:  # in the notebook's cells: the page's own UI has handlers
    page.wait_for_timeout(1500)  # images fail to load, iframes load, handlers fire
    assert page.evaluate("top.__pwned || []") == [], f"{where}: student content ran as script"
    assert page.evaluate(SCRIPT_DOORS) == [], f"{where}: something that would run when clicked"
    assert page.dialogs == [], f"{where}: a dialog opened: {page.dialogs}"


def test_student_content_runs_nothing_in_the_formgrader_or_the_feedback(tmp_path, browser):
    from conftest import require_bubblewrap

    require_bubblewrap()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    tracked = []  # issue 27: a remote image or stylesheet in student content would tell its owner who looked
    page.on("request", lambda request: "tracker.invalid" in request.url and tracked.append(request.url))
    with running_lab(tmp_path, subdir="assignments", prepare=_graded_mallory, instructor=True) as lab:
        db = f"sqlite:///{lab.root / 'gradebook.db'}"
        submission, before = _grades(db)
        page.goto(f"{lab.base}/lab?token={lab.token}")  # logged in, as an instructor is (a cookie)
        page.locator(".jp-LabShell").wait_for(timeout=60_000)
        page.goto(f"{lab.base}/formgrader/submissions/{submission}/")
        page.locator("text=China's wording is non-committal").first.wait_for(timeout=30_000)
        assert page.locator("text=bold output").count() >= 1, "cleaned HTML output is still shown"
        _assert_nothing_ran(page, "formgrader")
        formgrader_axe = audit(page, "formgrader_submission", ARTIFACTS)
        page.locator("text=China's wording is non-committal").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "formgrader_student_content_cleaned.png"), full_page=False)
        page.wait_for_timeout(1000)
        assert _grades(db)[1] == before, "no grade changed"
        feedback = lab.root / "feedback" / MALLORY / "ps1_reading_official_reactions"
        page.goto((feedback / "ps1_reading_official_reactions.html").as_uri())
        page.locator("text=China's wording is non-committal").first.wait_for(timeout=30_000)
        _assert_nothing_ran(page, "feedback")
        assert page.locator("text=image not loaded: https://tracker.invalid/md-pixel.png").count() == 1
        feedback_axe = audit(page, "feedback", ARTIFACTS)
    context.close()
    assert tracked == [], f"student content loaded something from outside: {tracked}"
    # What the student wrote and the course printed, as the instructor and the student see it: nothing serious.
    assert serious(formgrader_axe["course"]) == [] and serious(feedback_axe["course"]) == [], serious(
        formgrader_axe["course"]
    ) + serious(feedback_axe["course"])


def test_the_formgrader_works_with_the_network_closed(tmp_path, browser):
    """Issue 32: behind a firewall nbgrader's formgrader loaded MathJax from a CDN, its script stopped at its first
    MathJax call, and keyboard grading never started. With every request off this machine refused, the submission
    view loads MathJax from the server (jupyter_server_mathjax), MathJax starts, no script fails, and Tab moves to
    the first score or comment box (the formgrader's own keyboard handling)."""
    from urllib.parse import urlparse

    from conftest import require_bubblewrap

    require_bubblewrap()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    refused: list[str] = []

    def only_this_machine(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with running_lab(tmp_path, subdir="assignments", prepare=_graded_mallory, instructor=True) as lab:
        submission, _ = _grades(f"sqlite:///{lab.root / 'gradebook.db'}")
        page.goto(f"{lab.base}/lab?token={lab.token}")
        page.locator(".jp-LabShell").wait_for(timeout=60_000)
        page.goto(f"{lab.base}/formgrader/submissions/{submission}/")
        page.wait_for_function("window.MathJax && window.MathJax.loaded === true", timeout=60_000)
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.className")
        page.screenshot(path=str(ARTIFACTS / "formgrader_offline.png"))
    context.close()
    assert errors == [], errors
    assert refused == [], f"the formgrader asked for something off this machine: {refused}"
    assert "tabbable" in (focused or ""), focused


def test_the_instructor_validates_a_source_notebook_and_no_launcher_offers_the_grading_kernel(tmp_path, page):
    """Issue 32: Validate (the notebook toolbar's button in the instructor's lab, as `make formgrader` serves it) died
    with "Kernel died before replying to kernel_info" when the grading kernel was set for every Execute; and the
    sandboxed grading kernel was offered in the Launcher, where it dies at once. Now Validate runs ps1's source,
    whose tests all pass, and the Launcher offers the ordinary Python kernel only."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ps = "ps1_reading_official_reactions"
    with running_lab(tmp_path, subdir="assignments", prepare=_generate_all, instructor=True) as lab:
        page.goto(f"{lab.base}/lab?token={lab.token}")
        page.locator(".jp-LabShell").wait_for(timeout=60_000)
        page.keyboard.press("Control+Shift+L")  # the Launcher
        cards = page.locator(".jp-LauncherCard")
        cards.first.wait_for(timeout=30_000)
        kernels = page.locator(".jp-Launcher-section", has_text="Notebook").locator(".jp-LauncherCard-label")
        labels = [t.strip() for t in kernels.all_inner_texts()]
        assert labels and not [t for t in labels if "grading" in t.lower() or "sandbox" in t.lower()], labels
        page.goto(f"{lab.base}/lab/tree/source/{ps}/{ps}.ipynb?token={lab.token}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        page.locator(".jp-Toolbar-item", has_text="Validate").first.click()
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for(timeout=180_000)
        text = dialog.inner_text()
        page.screenshot(path=str(ARTIFACTS / "instructor_validate_source.png"))
    assert "Success" in text and "died" not in text.lower(), text


def _graded_pair(root):
    """ps1 released; two students graded and given feedback: one well-formed but wrong everywhere, one wrong and
    flagged for review (errors hidden by replacing showtraceback)."""
    import os
    import subprocess
    import sys

    from course.autograder.demo_class import PS1, STUDENTS, write_class

    assignments = root / "assignments"
    env = dict(os.environ, PYTHONWARNINGS="ignore:::nbgrader.api")
    env["PATH"] = f"{sys.prefix}/bin{os.pathsep}{env['PATH']}"
    nbgrader = [f"{sys.prefix}/bin/nbgrader"]
    subprocess.run([*nbgrader, "generate_assignment", PS1, "--force"], cwd=assignments, env=env, check=True,
                   capture_output=True)  # fmt: skip
    write_class(assignments, [s for s in STUDENTS if s.name in ("wrong", "adv_showtraceback")])
    for step in (["autograde", PS1], ["generate_feedback", PS1]):
        subprocess.run([*nbgrader, *step], cwd=assignments, env=env, capture_output=True, check=True)


_HEADINGS_CUT = """() => [...document.querySelectorAll('.panel-heading, #toc li')].filter(el =>
    el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1).map(el => el.innerText.slice(0, 80))"""


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["laptop", "desktop"])
def test_the_feedback_and_the_formgraders_list_read_cleanly_on_a_laptop_and_a_desktop(
    tmp_path, browser, size
):
    """Issue 33: the feedback names every item and says why, an ungraded written answer is "not graded yet", and
    the formgrader's list shows the flagged submission in its "Flagged?" column; at both window sizes."""
    from conftest import require_bubblewrap

    require_bubblewrap()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "laptop" if size[0] == 1280 else "desktop"
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    with running_lab(tmp_path, subdir="assignments", prepare=_graded_pair, instructor=True) as lab:
        page.goto(f"{lab.base}/lab?token={lab.token}")
        page.locator(".jp-LabShell").wait_for(timeout=60_000)
        page.goto(
            f"{lab.base}/formgrader/gradebook/ps1_reading_official_reactions/ps1_reading_official_reactions"
        )
        rows = page.locator("table tbody tr")
        rows.first.wait_for(timeout=30_000)
        page.locator("td.flagged span.glyphicon-flag").first.wait_for(timeout=30_000)
        listed, flagged = rows.count(), page.locator("td.flagged span.glyphicon-flag").count()
        page.screenshot(path=str(ARTIFACTS / f"formgrader_flagged_{name}.png"))
        feedback = lab.root / "feedback" / "wrong" / "ps1_reading_official_reactions"
        page.goto((feedback / "ps1_reading_official_reactions.html").as_uri())
        page.locator("#toc").wait_for(timeout=30_000)
        toc = page.locator("#toc").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"feedback_top_{name}.png"))
        page.locator('a[name="ps1_d1_check"]').scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"feedback_d1_{name}.png"))
        cut = page.evaluate(_HEADINGS_CUT)
        feedback_axe = audit(page, f"feedback_{name}", ARTIFACTS, whole_page_is_ours=True)
    context.close()
    assert (listed, flagged) == (2, 1), "of the two submissions, the one with integrity flags is flagged"
    assert (
        "A1: the codes are from the scheme and the signal is copied from the statement (Score: 0.0 / 2.0)"
        in toc
    )
    assert "Part E: What China's wording signals (written answer) (not graded yet, 5.0 points)" in toc
    assert "Test cell" not in toc and "Written response" not in toc
    assert cut == [], f"cut headings: {cut}"
    assert serious(feedback_axe["course"]) == [], serious(feedback_axe["course"])

"""Every lesson and the self-study page in JupyterLab, at a laptop's (1280 × 800) and a desktop's (1920 × 1080)
window, run and read from top to bottom (issue 33): no two labels or options overlap, no button, label or table
header is cut, no table shows a code (``ties_with_russia``) or a share to four decimals, and no answer is on the
screen before it is asked for. The pages are screenshotted as they are read (test-artifacts/browser/screens/), to be
looked at. The feedback page and the formgrader's list are checked at both sizes in test_browser.py.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from test_browser import run_all

ARTIFACTS = ROOT / "test-artifacts" / "browser" / "screens"
SIZES = {"laptop": (1280, 800), "desktop": (1920, 1080)}
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.browser

#: What the reader sees on the screen now that is wrong: overlapping or cut text, codes, long decimals.
#: Elements are looked at only where they are on the screen (JupyterLab paints cells off screen lazily).
_PROBLEMS = r"""() => {
    const out = [];
    const onScreen = el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth
            && getComputedStyle(el).visibility !== 'hidden';
    };
    const text = el => (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80);
    const outputs = [...document.querySelectorAll('.jp-OutputArea-output')].filter(onScreen);
    for (const area of outputs) {
        // 1. overlap: the options of a radio group, the buttons of a row, the labels of a form
        const leaves = [...area.querySelectorAll(
            '.widget-radio-box label, .widget-toggle-buttons button, .widget-button, button, .widget-label,'
            + ' .widget-readout, .jupyter-widgets input, .jupyter-widgets select')]
            .filter(onScreen).filter(el => !el.closest('.leaflet-container'));
        const boxes = leaves.map(el => [el, el.getBoundingClientRect()]);
        boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, k]) => {
            if (a.contains(b) || b.contains(a)) return;
            const w = Math.min(r.right, k.right) - Math.max(r.left, k.left);
            const h = Math.min(r.bottom, k.bottom) - Math.max(r.top, k.top);
            if (w > 2 && h > 2) out.push('overlap: "' + text(a) + '" / "' + text(b) + '"');
        }));
        // 2. cut: a button, a label, a readout or a table header whose text does not fit
        for (const el of area.querySelectorAll(
                'button, .widget-label, .widget-readout, .widget-radio-box label, th, .widget-html-content b')) {
            if (!onScreen(el) || el.closest('.leaflet-container')) continue;
            const style = getComputedStyle(el);
            const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis' || el.tagName === 'BUTTON';
            if (clips && el.scrollWidth > el.clientWidth + 1 && text(el)) out.push('cut: "' + text(el) + '"');
        }
        // 3. a table that shows codes or long decimals
        for (const cell of area.querySelectorAll('table th, table td')) {
            if (!onScreen(cell)) continue;
            const t = text(cell);
            // a column header of a widget's result table (a DataFrame shown for pandas work keeps its column names,
            // which the reader types; a row's label may be an id the reader uses: a source, a code of the scheme)
            if (cell.tagName === 'TH' && cell.closest('thead') && cell.closest('.jupyter-widgets')
                && /^[a-z0-9]+(_[a-z0-9]+)+$/.test(t))
                out.push('a code as a column header: ' + t);
            if (/\d\.\d{4,}/.test(t)) out.push('a number to four decimals: ' + t);
        }
    }
    return [...new Set(out)];
}"""

#: Answers on the screen before anyone asked for them.
_ANSWERS_SHOWN = r"""() => {
    const out = [];
    document.querySelectorAll('.jupyter-widgets').forEach(w => {
        const t = w.innerText || '';
        if (/What it committed to:/.test(t) && /Commitment:/.test(t)) out.push('a coding card shows the commitment');
        if (w.closest('.course-quiz') && /✔ Correct|✘ Not quite|◐ Defensible|^Answer: /m.test(t))
            out.push('a quiz shows a result before Check');
    });
    return out;
}"""


_WIDGET_ON_SCREEN = """() => [...document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output iframe')]
    .some(el => { const r = el.getBoundingClientRect(); return r.height > 40 && r.top < innerHeight * 0.7 && r.bottom > innerHeight * 0.3; })"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One student's JupyterLab for the whole module (every notebook, both sizes)."""
    from labserver import running_lab

    with running_lab(tmp_path_factory.mktemp("screens")) as lab:
        yield lab


def _read_through(page, name: str) -> list[str]:
    """Scroll the notebook from top to bottom a screen at a time; collect problems and screenshots."""
    problems: list[str] = []
    scroller = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").first
    height = scroller.evaluate("el => el.scrollHeight")
    step = scroller.evaluate("el => el.clientHeight") * 0.8
    top, shot = 0, 0
    while True:
        scroller.evaluate("(el, y) => { el.scrollTop = y; }", top)
        page.wait_for_timeout(350)
        found = page.evaluate(_PROBLEMS) + page.evaluate(_ANSWERS_SHOWN)
        problems += [f"{p} (at {top:.0f} px)" for p in found]
        if found or page.evaluate(_WIDGET_ON_SCREEN):  # a screenshot of a problem, a widget, a quiz or a map
            page.screenshot(path=str(ARTIFACTS / f"{name}_{shot:02d}.png"))
            shot += 1
        height = scroller.evaluate("el => el.scrollHeight")  # outputs may grow as they are painted
        if top + step >= height:
            return problems
        top += step


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_screen_reads_cleanly_on_a_laptop_and_a_desktop(lab, browser, notebook, size):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(lab.url(f"lab/tree/notebooks/{notebook}.ipynb"))
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        run_all(page)
        page.wait_for_timeout(1500)  # widgets render after their cell's prompt shows a number
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, errors.all_inner_texts()
        problems = _read_through(page, f"{notebook}_{size}")
        assert not problems, f"{notebook} at {width} x {height}: " + "; ".join(problems[:12])
        assert not re.search(r"\b(\d\d) · \1\b", page.locator(".jp-Notebook").inner_text())
    finally:
        context.close()

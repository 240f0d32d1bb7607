"""Issue 30 in Chromium: lesson 07 run in JupyterLab, its renderings in Chinese, Korean, Japanese and Russian drawn
with real glyphs (not the boxes a missing font leaves), the comparison explorer used from the keyboard, axe over the
page, screenshots at a laptop's and a desktop's window size (test-artifacts/browser/)."""

from __future__ import annotations

import pytest
from a11y import audit, serious
from test_accessibility import _focus_before, _open, _tab_until
from test_browser import ARTIFACTS, run_all

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1280, 800), "desktop": (1920, 1080)}

#: A glyph a font lacks is drawn as the same box ("tofu") whatever the character: two different characters of a
#: script that measure exactly alike, at a size where real glyphs differ, suggest boxes. Chinese and Japanese
#: ideographs are all one width, so they are compared against the box a private-use character draws.
TOFU_JS = """
(lang) => {
  const cell = document.querySelector(`.corpus-text[lang="${lang}"]`);
  if (!cell) { return null; }
  const probe = document.createElement('span');
  probe.style.font = getComputedStyle(cell).font;
  probe.style.fontSize = '40px';
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  document.body.appendChild(probe);
  const width = (text) => { probe.textContent = text; return probe.getBoundingClientRect().width; };
  const box = width('\\uE000\\uE000\\uE000');
  const text = cell.textContent.replace(/[\\s\\p{P}\\p{N}A-Za-z]/gu, '').slice(0, 3);
  const measured = width(text);
  probe.remove();
  return {family: getComputedStyle(cell).fontFamily, text, measured, box};
}
"""


def test_lesson_07_reads_in_every_script_and_its_explorer_works_from_the_keyboard(lab, page):
    _open(page, lab, "notebooks/07_was_it_muted.ipynb")
    run_all(page)
    renderings = page.locator(".jp-OutputArea-output", has=page.locator(".corpus-renderings")).first
    renderings.locator('.corpus-text[lang="ko"]').first.wait_for(timeout=60_000)
    for lang in ("zh", "ko", "ru", "it"):
        assert renderings.locator(f'.corpus-text[lang="{lang}"]').count(), lang
    for lang in ("zh", "ko"):
        found = page.evaluate(TOFU_JS, lang)
        assert found and found["text"], (lang, found)
        assert abs(found["measured"] - found["box"]) > 1, f"{lang} text draws as missing-glyph boxes: {found}"
        assert "WenQuanYi" in found["family"], found

    explorer = page.locator(".jupyter-widgets", has_text="Measure").first
    explorer.locator("p", has_text="June 2024 (China):").first.wait_for(timeout=30_000)
    before = explorer.locator("p", has_text="June 2024 (China):").first.text_content()
    assert "Others' alliances (China)" in before and "intervals do not overlap" in before, before
    _focus_before(page, explorer)
    _tab_until(page, lambda f: f.startswith("SELECT") and "with" in f)
    page.keyboard.press("ArrowUp")  # 'with' moves from others' alliances to China's other story occasions
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jupyter-widgets p')].some(p => p.textContent.includes('Other story "
        "occasions (China)') && p.textContent.includes('June 2024'))",
        timeout=10_000,
    )
    after = explorer.locator("p", has_text="June 2024 (China):").first.text_content()
    assert "intervals overlap" in after, after

    page.locator("svg[aria-labelledby='corpus-timeline-title']").first.wait_for(timeout=30_000)
    found = audit(page, "lesson07", ARTIFACTS)
    assert serious(found["course"]) == [], serious(found["course"])
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        statements_map = page.locator(
            ".jp-OutputArea-output", has_text="Official reactions, coded by stance"
        ).first
        for name, locator in (("renderings", renderings), ("explorer", explorer), ("map", statements_map),
                              ("timeline", page.locator(".jp-OutputArea-output", has=page.locator(
                                  "svg[aria-labelledby='corpus-timeline-title']")).first)):  # fmt: skip
            for _ in range(2):  # the notebook draws cells as they near the view, which moves the target once
                locator.evaluate("e => e.scrollIntoView({block: 'start'})")
                page.wait_for_timeout(400)
            page.screenshot(path=str(ARTIFACTS / f"lesson07_{name}_{size}.png"))

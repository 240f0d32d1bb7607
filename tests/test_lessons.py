"""The lessons follow the house style, and their checks and helpers work."""

import json
import re

import pytest
from conftest import ROOT

from course import catalog, checks, treaties
from course.data import load

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_the_required_parts(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert len(re.findall(r"^# ", text, re.M)) == 1, "one H1 title"
    for part in ("**Time:**", "Learning objectives", "Recap", "Key points"):
        assert part in text, f"{path.name}: no {part!r}"
    if not path.name.startswith("00"):
        assert "**Prerequisites:**" in text and "Go further" in text and "Check your understanding" in text
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert "sources([" in code, f"{path.name}: list the sources it uses"
        assert re.search(r"maps\.|EscalationExplorer|TimelineExplorer", code), f"{path.name}: a map"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not re.search(r"^def |^class ", "".join(cell["source"]), re.M), "logic lives in course/"


def test_the_readme_lists_every_lesson_in_one_table():
    """Every lesson is a row of one Markdown table: a blank line inside a table ends it, and the rows after it
    render as pipes (issue 20)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tables = re.findall(r"(?:^\|.*\|[ \t]*\n)+", readme, re.M)
    lessons = next(t for t in tables if "notebooks/00_" in t)
    for entry in catalog.lessons():
        assert entry.path.name in lessons, f"README.md's lessons table does not list {entry.path.name}"


@pytest.mark.parametrize("make", [checks.summit, checks.treaty, checks.reactions])
def test_each_lesson_quiz_is_well_formed(make):
    quiz = make()
    assert len(quiz) >= 3
    assert quiz.check([q.answer for q in quiz.questions]).score == len(quiz)


def test_clause_highlighting_labels_every_role_and_escapes_text():
    text = load("treaty_clauses").loc["rus2024_art4_chosun", "text"]
    html = treaties.highlight(text)
    for role in ("trigger", "timing", "obligation", "scope", "conditions"):
        assert f"[{role}]" in html, role
    assert "People&#x27;s Republic" in html
    assert treaties.highlight("<b>x</b> without delay", ["timing"]).startswith("&lt;b&gt;")
    with pytest.raises(ValueError, match="unknown role"):
        treaties.find_markers(text, ["tone"])


def test_clause_explorer_switches_renderings():
    explorer = treaties.clause_explorer()
    explorer.choice.value = "rus2024_art4_almayadeen"
    assert "immediately</mark>" in explorer.shown.value
    explorer.roles["timing"].value = False
    assert "immediately</mark>" not in explorer.shown.value


def test_defence_clause_comparison_covers_the_four_treaties():
    table = treaties.compare_defence_clauses()
    assert len(table) == 4 and set(table["kind of text"]) == {"verbatim", "course_translation", "summary"}


def test_no_defence_clause_is_compared_without_its_assistance_sentence():
    """Content review F1: a clause cut before its obligation reads as weaker than it is."""
    table = treaties.compare_defence_clauses()
    clauses = table[table["kind of text"] != "summary"]  # the 2000 treaty's row says it has no such clause
    assert len(clauses) == 3
    for _, row in clauses.iterrows():
        roles = {role for _, _, role in treaties.find_markers(row["text"])}
        assert {"trigger", "obligation", "timing", "scope"} <= roles, (row["treaty"], roles)
        assert row["kind of text"] != "excerpt", f"{row['treaty']}: an excerpt may leave out the obligation"
    china = table[table["treaty"].str.contains("China")].iloc[0]
    assert "immediately give military and other assistance" in china["text"]
    assert "translation" in china["kind of text"], "the course's translation is labelled as such"


def test_the_clause_explorer_offers_the_whole_china_clause_in_english():
    explorer = treaties.clause_explorer()
    offered = [value for _, value in explorer.choice.options]
    assert "china1961_art2" in offered and "china1961_art2_zh" not in offered
    explorer.choice.value = "china1961_art2"
    assert (
        "immediately</mark>" in explorer.shown.value
        and "with all its strength</mark>" in explorer.shown.value
    )


def test_coding_explorer_scores_like_the_scheme():
    from course import widgets

    explorer = widgets.CodingExplorer(["chang_violation"])
    explorer.compare()
    assert "Choose a stance" in explorer.result.value
    explorer.stance.value, explorer.commitment.value = "concern", "consultation_or_protest"
    explorer.compare()
    assert explorer.outcome["stance"] == "condemnation"
    assert explorer.outcome["points"] == 1.0, "neighbouring stance 0.5 + right commitment 0.5"
    assert explorer.result.value.startswith("<p><b>1 of 1.5 points.</b>")

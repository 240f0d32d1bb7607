"""The lessons follow the house style, and their checks and helpers work."""

import json
import re

import pytest
from conftest import ROOT

from course.content import catalog
from course.views import checks

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
        assert re.search(r"maps\.|EscalationExplorer|TimelineExplorer|statements_map\(", code), (
            f"{path.name}: a map"
        )
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


QUIZZES = [checks.sentences, checks.start_here, checks.summit, checks.treaty, checks.reactions, checks.avoided,
           checks.munitions, checks.dilemma, checks.after, checks.muted]  # fmt: skip


def test_every_lesson_quiz_is_checked_here():
    public = {name for name in dir(checks) if not name.startswith("_") and callable(getattr(checks, name))}
    quizzes = {name for name in public if getattr(getattr(checks, name), "__module__", "") == checks.__name__}
    assert quizzes == {make.__name__ for make in QUIZZES}


@pytest.mark.parametrize("make", QUIZZES, ids=lambda make: make.__name__)
def test_each_lesson_quiz_is_well_formed(make):
    quiz = make()
    assert len(quiz) >= 2
    assert quiz.check([q.answer for q in quiz.questions]).score == len(quiz)

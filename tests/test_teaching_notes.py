"""The teaching notes (notebooks/TEACHING.md): a section for every lesson, cell ids that exist, quotes that are
the course's words."""

from __future__ import annotations

import json
import re

from conftest import ROOT

NOTES = ROOT / "notebooks" / "TEACHING.md"
LESSONS = sorted(p for p in (ROOT / "notebooks").glob("0*.ipynb"))


def _cells(path) -> dict[str, str]:
    return {c.get("id"): "".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]}


def _sections() -> dict[str, str]:
    text = NOTES.read_text(encoding="utf-8")
    parts = re.split(r"^## (\d\d) · .*$", text, flags=re.M)
    return {"preamble": parts[0], **{parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}}


def test_every_lesson_has_its_notes_with_prompts_and_misreadings():
    sections = _sections()
    assert sorted(k for k in sections if k != "preamble") == [p.name[:2] for p in LESSONS]
    for number, body in sections.items():
        if number == "preamble":
            continue
        assert "**For:**" in body and "**Discussion**" in body and "**Misreadings to watch**" in body, number
        assert body.count("\n- ") >= 4, f"lesson {number}: prompts and misreadings are lists"


def test_every_cell_the_notes_point_at_exists_in_its_lesson():
    sections = _sections()
    every = {cid for path in LESSONS for cid in _cells(path)}
    by_number = {p.name[:2]: set(_cells(p)) for p in LESSONS}
    for number, body in sections.items():
        for cid in re.findall(r"\[([a-z0-9-]+)\]", body):
            assert cid in (every if number == "preamble" else by_number[number]), f"{number}: no cell {cid!r}"


def test_the_notes_quote_only_the_courses_own_words():
    """A quotation in the notes must be in a lesson, a problem set, the data or the lessons' questions, word for
    word: the notes may not put words in anyone's mouth."""
    corpus = (
        " ".join(
            " ".join(open(p, encoding="utf-8").read().split())
            for p in [
                *LESSONS,
                *(ROOT / "data").glob("*.csv"),
                ROOT / "course" / "content" / "lesson_checks.py",
            ]
        )
        .replace("\\n", " ")
        .replace('" "', " ")
    )
    corpus = " ".join(
        corpus.replace('\\"', '"').replace("“", '"').replace("”", '"').replace("’", "'").split()
    )
    text = " ".join(NOTES.read_text(encoding="utf-8").split())
    quotes = [q for q in re.findall(r'"([^"]+)"', text) if len(q) >= 6]
    assert len(quotes) >= 15
    missing = [q for q in quotes if q.rstrip(" …") not in corpus]
    assert missing == []


def test_instructors_and_the_readme_point_at_the_notes():
    assert "notebooks/TEACHING.md" in (ROOT / "assignments" / "INSTRUCTORS.md").read_text()
    assert "notebooks/TEACHING.md" in (ROOT / "README.md").read_text()

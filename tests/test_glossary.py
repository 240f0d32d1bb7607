"""The glossary (review P7): every term it lists is taught where it says, and the terms defined elsewhere are read
from there, not restated."""

import json

from conftest import ROOT

from course.content import glossary, reactions, reading


def _lesson_text(stem: str) -> str:
    cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]).split()) for c in cells).lower()


def test_every_term_is_taught_in_the_lesson_the_glossary_names():
    for term in glossary.TERMS:
        assert (ROOT / "notebooks" / f"{term.lesson}.ipynb").is_file(), term.lesson
        assert term.taught_as.lower() in _lesson_text(term.lesson), (term.term, term.lesson)
        assert term.definition.endswith(".") and len(term.definition) > 40, term.term


def test_the_glossary_reads_the_kinds_and_the_codes_from_where_they_are_defined():
    table = glossary.entries()
    codes = len(reactions.STANCES) + len(reactions.VALENCES) + len(reactions.COMMITMENTS)
    assert len(table) == len(reading.KINDS) + codes + len(glossary.TERMS)
    assert table.loc["No judgment (valence)", "meaning"] == reactions.VALENCES["no judgment"].definition
    assert table.loc["analysis", "meaning"] == reading.KINDS["analysis"]["definition"]
    assert table.loc["Warning (stance)", "meaning"] == reactions.STANCES["warning"].definition
    assert (
        table.loc["Review or option named (commitment)", "meaning"]
        == reactions.COMMITMENTS["review_or_option"].definition
    )
    assert list(table.index) == sorted(table.index, key=str.lower), "A to Z"
    assert not table.index.duplicated().any()


def test_the_start_notebook_shows_the_glossary():
    cells = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())["cells"]
    code = next(c for c in cells if c.get("id") == "start-16c")
    assert "glossary.entries()" in "".join(code["source"])

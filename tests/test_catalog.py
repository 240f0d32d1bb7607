import json

import pytest

from course.content import catalog


def write_nb(path, first_markdown):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": first_markdown}] if first_markdown else []
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_every_lesson_in_the_repo_has_title_and_time():
    entries = catalog.lessons()
    assert entries and entries[0].number == "00"
    for entry in entries:
        assert entry.title and entry.time


def test_lesson_table_lists_the_start_notebook():
    table = catalog.lesson_table()
    assert table.loc["00", "notebook"] == "00_start_here.ipynb"


def test_lessons_are_ordered_and_other_files_ignored(tmp_path):
    write_nb(tmp_path / "02_b.ipynb", "# B\n\n**Time:** 20 minutes\n")
    write_nb(tmp_path / "01_a.ipynb", "# A\n\n**Time:** 10 minutes\n")
    write_nb(tmp_path / "scratch.ipynb", "no title")
    assert [(e.number, e.title, e.time) for e in catalog.lessons(tmp_path)] == [
        ("01", "A", "10 minutes"),
        ("02", "B", "20 minutes"),
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        ("**Time:** 5 minutes", "no '# Title' line"),
        ("# Title only", r"no '\*\*Time:\*\* \.\.\.' line"),
        (None, "has no markdown cell"),
    ],
)
def test_a_lesson_without_conventions_is_named(tmp_path, content, message):
    write_nb(tmp_path / "03_bad.ipynb", content)
    with pytest.raises(catalog.CatalogError, match=message) as err:
        catalog.lessons(tmp_path)
    assert "03_bad.ipynb" in str(err.value)


def test_unreadable_notebook_is_named(tmp_path):
    (tmp_path / "04_broken.ipynb").write_text("{not json")
    with pytest.raises(catalog.CatalogError, match="04_broken.ipynb: cannot read"):
        catalog.lessons(tmp_path)


def test_assignments_are_found_by_folder_name(tmp_path):
    (tmp_path / "ps1_x").mkdir()
    write_nb(tmp_path / "ps1_x" / "ps1_x.ipynb", "# PS1\n\n**Time:** 60 minutes\n")
    write_nb(tmp_path / "ps1_x" / "helper.ipynb", "# not a problem set")
    assert [e.title for e in catalog.assignments(tmp_path)] == ["PS1"]


def test_a_lessons_title_does_not_repeat_its_number():
    """Issue 33: the lesson table read "01 | 01 · The summit ..."."""
    for entry in catalog.lessons():
        assert not entry.title.startswith(entry.number), entry
    assert catalog.lessons()[3].title.startswith("Official reactions: what governments said")

"""A submission's files (course.autograder.files): what is refused, renamed and copied."""

from course.autograder.files import normalize_submissions


def test_normalize_renames_a_single_renamed_notebook(tmp_path):
    folder = tmp_path / "submitted" / "s1" / "ps"
    folder.mkdir(parents=True)
    (folder / "Copy of ps.ipynb").write_text("{}")
    two = tmp_path / "submitted" / "s2" / "ps"
    two.mkdir(parents=True)
    (two / "a.ipynb").write_text("{}")
    (two / "b.ipynb").write_text("{}")
    events = normalize_submissions(tmp_path, "ps")
    assert (folder / "ps.ipynb").exists() and (folder / "Copy of ps.ipynb.original").exists()
    assert [e["student"] for e in events] == ["s1", "s2"] and "several notebooks" in events[1]["event"]

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


def test_any_autograde_moves_links_out_before_nbgraders_copy(tmp_path):
    """nbgrader's own autograde (the command, the formgrader's button) copies a link's target into autograded/,
    readable by all; the course's pre-convert hook moves the student's links out first, flags them, and leaves the
    notebook where nbgrader listed it. If the check cannot run, grading stops (nbgrader would ignore an error)."""
    import json

    import pytest

    from course.autograder import files

    secret = tmp_path / "class-secret"
    secret.write_text("s3cret")
    folder = tmp_path / "submitted" / "mallory" / "ps"
    (folder / "sub").mkdir(parents=True)
    (folder / "ps.ipynb").write_text("{}")
    (folder / "notes.txt").write_text("mine")
    (folder / "secret.txt").symlink_to(secret)
    (folder / "sub" / "deep.txt").symlink_to(secret)
    (folder / "linked.ipynb").symlink_to(secret)
    files.refuse_before_copy(assignment="*", student="*", notebooks=[str(folder / "ps.ipynb")])
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "linked.ipynb", "notes.txt", "ps.ipynb", "sub"
    ]  # fmt: skip
    assert (tmp_path / "refused" / "mallory" / "ps" / "secret.txt").is_symlink()
    assert (tmp_path / "refused" / "mallory" / "ps" / "sub" / "deep.txt").is_symlink()
    record = json.loads(files.refused_path(tmp_path, "ps").read_text())
    assert record["mallory"] == [
        "linked.ipynb is a symbolic link", "secret.txt is a symbolic link", "sub/deep.txt is a symbolic link"
    ]  # fmt: skip
    with pytest.raises(SystemExit, match="autograde stopped before copying"):
        files.refuse_before_copy(
            assignment="ps", student="x", notebooks=[str(tmp_path / "elsewhere" / "a.ipynb")]
        )


def test_the_courses_configuration_sets_the_hook_for_every_autograde():
    from conftest import ROOT
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "assignments")).load_config()
    assert config.Autograde.pre_convert_hook.__qualname__ == "refuse_before_copy"

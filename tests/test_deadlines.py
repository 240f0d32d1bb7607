"""Due dates and extensions: the two files, their errors, and DUE.txt (through real nbgrader: test_grading_pipeline's
test_an_extension_turns_a_late_submission_on_time, and on the hub: test_hub's whole cycle)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from course.autograder import deadlines
from course.autograder.exchange import due_text, read_due


def test_a_due_date_needs_a_zone_and_is_kept_in_utc():
    assert deadlines.parse_due("2027-02-15T17:00+01:00") == datetime(2027, 2, 15, 16, 0, tzinfo=UTC)
    assert deadlines.parse_due("2027-07-15 17:00", "Europe/Berlin") == datetime(
        2027, 7, 15, 15, 0, tzinfo=UTC
    )
    assert deadlines.parse_due("2027-02-15 09:00", "Asia/Seoul") == datetime(2027, 2, 15, 0, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="has no time zone"):
        deadlines.parse_due("2027-02-15 17:00")
    with pytest.raises(ValueError, match="not a time zone name"):
        deadlines.parse_due("2027-02-15 17:00", "Mars/Olympus")
    with pytest.raises(ValueError, match="not a date and time"):
        deadlines.parse_due("next Friday", "UTC")


def test_bad_rows_are_named_by_line_and_the_good_ones_count(tmp_path):
    (tmp_path / "deadlines.csv").write_text(
        "assignment,due,timezone\nps1,2027-02-15 17:00,Europe/Berlin\nps2,soon,UTC\nps1,2027-03-01 17:00,UTC\n"
    )
    dates, problems = deadlines.read_deadlines(tmp_path)
    assert dates == {"ps1": datetime(2027, 2, 15, 16, 0, tzinfo=UTC)}
    assert [str(p).split(", ", 1)[1] for p in problems] == [
        "line 3: due 'soon' is not a date and time like 2027-02-15 17:00",
        "line 4: ps1 has a due date already (line order: the first one counts)",
    ]
    (tmp_path / "extensions.csv").write_text("student,when\nana,2027\n")
    extensions, problems = deadlines.read_extensions(tmp_path)
    assert extensions == {} and "missing column(s) assignment, due (it has: student, when)" in str(
        problems[0]
    )
    assert deadlines.read_extensions(tmp_path / "nowhere") == ({}, [])  # no file: no extensions, no error


def test_an_extension_is_whole_minutes_and_never_negative():
    due = datetime(2027, 2, 15, 16, 0)  # the gradebook's naive UTC
    later = deadlines.Extension(datetime(2027, 2, 18, 16, 0, 30, tzinfo=UTC), "accommodation")
    assert deadlines.extension_minutes(due, later) == 3 * 1440 + 1  # rounded up: never shorter than granted
    earlier = deadlines.Extension(datetime(2027, 2, 14, tzinfo=UTC), "a mistake")
    assert deadlines.extension_minutes(due, earlier) == 0
    assert deadlines.extension_minutes(None, later) == 0 and deadlines.extension_minutes(due, None) == 0


def test_due_txt_says_the_date_in_the_courses_zone_and_reads_back(tmp_path):
    text = due_text("ps1_reading_official_reactions", datetime(2027, 2, 15, 16, 0), "Europe/Berlin")
    assert text.startswith(
        "ps1_reading_official_reactions is due Monday 15 February 2027, 17:00 (Europe/Berlin)."
    )
    assert "extension" in text
    path = tmp_path / "DUE.txt"
    path.write_text(text)
    assert read_due(path) == datetime(2027, 2, 15, 16, 0, tzinfo=UTC)
    path.write_text("due-utc: tomorrow\n")
    assert read_due(path) is None and read_due(tmp_path / "missing.txt") is None


def test_the_schedule_lists_dates_extensions_and_problems(tmp_path):
    assert "no due dates" in deadlines.schedule(tmp_path)
    (tmp_path / "deadlines.csv").write_text("assignment,due\nps1,2027-02-15T17:00+01:00\n")
    (tmp_path / "extensions.csv").write_text(
        "student,assignment,due,reason\nana,ps1,2027-02-17T17:00+01:00,letter of 2 Feb\nbo,ps3,2027-01-01T00:00Z,x\n"
    )
    lines = deadlines.schedule(tmp_path).splitlines()
    assert lines[0] == "due: ps1 Mon 15 Feb 2027 16:00 UTC"
    assert lines[1] == "extension: ana ps1 Wed 17 Feb 2027 16:00 UTC (+2.0 days)  letter of 2 Feb"
    assert lines[2].endswith("(the assignment has no due date)  x")

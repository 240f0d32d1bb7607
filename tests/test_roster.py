"""The class roster for a JupyterHub (course.deploy.roster): what an LMS exports, checked row by row; bad rows are
refused with the file, the line and the reason, and never stop the good ones (issue 18)."""

from __future__ import annotations

import pytest

from course.deploy.roster import Member, RosterError, read_roster


def _write(tmp_path, text: str, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plain_roster_with_an_instructor_and_students(tmp_path):
    path = _write(tmp_path, "username,role,name,email\nprof,instructor,Ada Prof,ada@example.org\n"
                            "alice,student,Alice A,\nbob,,Bob B,\n")  # fmt: skip
    members, problems = read_roster(path)
    assert problems == []
    assert members == [
        Member("prof", True, "Ada Prof", "ada@example.org"),
        Member("alice", False, "Alice A"),
        Member("bob", False, "Bob B"),
    ]


def test_a_canvas_gradebook_export_with_its_byte_order_mark_and_points_row(tmp_path):
    text = ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section\n"
            "    Points Possible,,,,\n"
            '"Doe, Jane",101,9001,jdoe,Section 1\n')  # fmt: skip
    members, problems = read_roster(_write(tmp_path, text))
    assert problems == [] and members == [Member("jdoe", False, "Doe, Jane")]


def test_a_moodle_style_export_joins_first_and_last_names(tmp_path):
    members, _ = read_roster(
        _write(tmp_path, "First name,Surname,Username,Email address\nJane,Doe,jdoe,j@x.org\n")
    )
    assert members == [Member("jdoe", False, "Jane Doe", "j@x.org")]


def test_bad_rows_are_refused_with_their_line_and_reason_and_the_rest_is_kept(tmp_path):
    text = ("username,role\n"
            "alice,student\n"
            "alice,student\n"         # 3: duplicate
            "Bob,student\n"           # 4: capitals
            "9lives,student\n"        # 5: invalid
            "root,instructor\n"       # 6: system account
            ",student\n"              # 7: no login
            "carol,dean\n"            # 8: unknown role
            "\n"
            "dave,TA\n")  # fmt: skip
    members, problems = read_roster(_write(tmp_path, text))
    assert [m.login for m in members] == ["alice", "dave"] and members[1].instructor
    said = [str(p) for p in problems]
    path = str(tmp_path / "roster.csv")
    assert said == [
        f"{path}, line 3: login 'alice' is already on line 2; kept that one",
        f"{path}, line 4: login 'Bob' has capitals; Unix logins are lower case",
        f"{path}, line 5: login '9lives' is not a valid Unix user name (a letter or _, then up to 31 lower-case "
        "letters, digits, _ or -)",
        f"{path}, line 6: login 'root' is a system account and cannot be a member",
        f"{path}, line 7: no login in column 'username'",
        f"{path}, line 8: role 'dean' is not known; use student or instructor (teacher, ta)",
    ]


def test_a_roster_without_a_login_column_or_unreadable_says_so(tmp_path):
    with pytest.raises(
        RosterError, match="no column of logins; expected one of username, .* found Name, Mail"
    ):
        read_roster(_write(tmp_path, "Name,Mail\nA,a@x\n"))
    with pytest.raises(RosterError, match="cannot read the roster"):
        read_roster(tmp_path / "missing.csv")
    with pytest.raises(RosterError, match="the roster is empty"):
        read_roster(_write(tmp_path, ""))

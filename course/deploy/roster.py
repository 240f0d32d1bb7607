"""A class roster, read from the CSV an LMS exports, checked before any account is made (issue 18, JupyterHub).

The hub's accounts are Unix accounts, so each member's login must be a valid Unix user name. The roster can come
from a Canvas gradebook export (``SIS Login ID``), a Moodle participants export (``Username``), or a plain CSV with
a ``username`` column; a ``role`` column says who teaches (``instructor``, ``teacher`` or ``ta``); everyone else
is a student.

Bad rows never stop the good ones: :func:`read_roster` returns the members it accepts and one
:class:`RosterProblem` per refused row, each naming the file, the line and what is wrong.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

#: Header names (lower case) that hold the login, in the order they are tried.
LOGIN_COLUMNS = ("username", "login", "login_id", "sis login id", "user name")
NAME_COLUMNS = ("name", "student", "full name")
FIRST_COLUMNS = ("first name", "first_name", "given name")
LAST_COLUMNS = ("last name", "last_name", "surname", "family name")
EMAIL_COLUMNS = ("email", "email address", "e-mail")
INSTRUCTOR_ROLES = {"instructor", "teacher", "ta", "teaching assistant", "grader"}
STUDENT_ROLES = {"", "student", "learner"}
#: A portable Unix user name (useradd's default rule, lower case): a letter or _, then letters, digits, _ or -.
LOGIN = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
#: Accounts a roster must never name: they exist on every server, and the hub must not hand them out.
RESERVED = {
    "root",
    "daemon",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "lp",
    "mail",
    "news",
    "uucp",
    "proxy",
    "www-data",
    "backup",
    "list",
    "irc",
    "nobody",
    "systemd-network",
    "sshd",
    "jupyterhub",
}


@dataclass(frozen=True)
class Member:
    """One person of the class: their login, whether they teach, and how to address them."""

    login: str
    instructor: bool
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class RosterProblem:
    """A row the roster refuses, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.message}"


class RosterError(ValueError):
    """The roster file as a whole cannot be used (missing, unreadable, or without a login column)."""


def _column(header: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((header[n] for n in names if n in header), None)


def _login_problem(login: str, login_column: str, seen: dict[str, int]) -> str | None:
    """Why a row's login cannot be a member's (None if it can); ``seen`` maps the logins kept to their lines."""
    if not login:
        return f"no login in column {login_column!r}"
    if login != login.lower() and LOGIN.match(login.lower()):
        return f"login {login!r} has capitals; Unix logins are lower case"
    if not LOGIN.match(login):
        return (
            f"login {login!r} is not a valid Unix user name (a letter or _, then up to 31 lower-case letters, "
            "digits, _ or -)"
        )
    if login in RESERVED:
        return f"login {login!r} is a system account and cannot be a member"
    if login in seen:
        return f"login {login!r} is already on line {seen[login]}; kept that one"
    return None


def read_roster(path: str | Path) -> tuple[list[Member], list[RosterProblem]]:
    """Read ``path``; return the accepted members (in file order) and the refused rows.

    Raises
    ------
    RosterError
        If the file cannot be read as CSV, or no column holds logins (the message lists the columns found).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # an LMS export often starts with a byte-order mark
    except (OSError, UnicodeDecodeError) as err:
        raise RosterError(f"{path}: cannot read the roster ({err})") from err
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError(f"{path}: the roster is empty")
    header = {name.strip().lower(): name for name in rows[0]}
    login_column = _column(header, LOGIN_COLUMNS)
    if login_column is None:
        raise RosterError(
            f"{path}: no column of logins; expected one of {', '.join(LOGIN_COLUMNS)}, found {', '.join(rows[0])}"
        )
    index = {name: i for i, name in enumerate(rows[0])}
    columns = {
        "name": _column(header, NAME_COLUMNS),
        "first": _column(header, FIRST_COLUMNS),
        "last": _column(header, LAST_COLUMNS),
        "email": _column(header, EMAIL_COLUMNS),
        "role": header.get("role"),
    }

    def cell(row: list[str], column: str | None) -> str:
        if column is None or index[column] >= len(row):
            return ""
        return row[index[column]].strip()

    members: list[Member] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in row):
            continue  # a blank line
        if row[0].strip().lower() == "points possible":
            continue  # Canvas's gradebook export puts a "Points Possible" row under the header
        login = cell(row, login_column)
        problem = _login_problem(login, login_column, seen)
        if problem:
            problems.append(RosterProblem(str(path), line, problem))
            continue
        role = cell(row, columns["role"]).lower()
        if role not in INSTRUCTOR_ROLES | STUDENT_ROLES:
            problems.append(
                RosterProblem(
                    str(path), line, f"role {role!r} is not known; use student or instructor (teacher, ta)"
                )
            )
            continue
        name = cell(row, columns["name"]) or " ".join(
            part for part in (cell(row, columns["first"]), cell(row, columns["last"])) if part
        )
        seen[login] = line
        members.append(Member(login, role in INSTRUCTOR_ROLES, name, cell(row, columns["email"])))
    return members, problems

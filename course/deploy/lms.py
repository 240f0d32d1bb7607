"""Grades to the LMS: gradebook-import files for Canvas and Moodle from nbgrader's gradebook (``make export``;
``python -m course.deploy.lms COURSE_ROOT [--roster FILE]``). Beside the roster (course.deploy.roster), the other
way between the course and the LMS.

nbgrader's own ``export`` writes one CSV of its own shape, which no LMS imports as it is. This writes, into
``reports/lms/``:

- ``canvas.csv``: Canvas's gradebook import. Its documented columns (The Ohio State University's guide to importing
  a CSV into the Canvas gradebook: "Student Name (last name, first name) OR Student ID OR Student SIS User ID",
  "SIS Login ID", "Section", then one column per assignment, named as the assignment) with one column per problem
  set, its total; ``canvas-items.csv``: the same, one column per graded item ("ps1 a1"). A column whose name is not
  an assignment of the Canvas course creates one, so the per-item file is for courses that keep item grades there.
- ``moodle.csv``: Moodle's CSV grade import (MoodleDocs, "Grade import"): an identifier column to map from (email
  address, ID number or username: the import's "Map from" / "Map to"), then a column per problem set's total and
  per item, each mapped at import to a grade item or to a new one; and, per problem set, a feedback column saying
  why a cell is empty.

People are named as the LMS names them: pass the roster the LMS exported (Canvas's gradebook export, Moodle's
participants) and its ids (Canvas's ID, SIS User ID, Section; Moodle's ID number and email) are carried over,
matched on the login; without one, the login stands for them.

Grades that are not final (``make export`` already knows them: a written answer nobody graded yet, a problem set
never submitted) are left **empty**, never 0, so that an import cannot record a grade nobody gave; each is listed
on the terminal and in Moodle's feedback column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from course.deploy.roster import LOGIN_COLUMNS

#: Canvas's identity columns, in the order of its gradebook export.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("Username", "ID number", "Email address", "First name", "Last name")


class LmsError(ValueError):
    """A roster or gradebook that cannot be exported: the message says what is wrong and where."""


@dataclass
class Person:
    """A student as the LMS knows them (what its roster export gave)."""

    login: str
    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    section: str = ""
    idnumber: str = ""
    email: str = ""
    first: str = ""
    last: str = ""


@dataclass
class Result:
    """One student's problem set: the total and each item, and whether it is final."""

    score: float | None
    status: str  # final | to grade by hand | not submitted
    waiting_for: str = ""
    items: dict[str, float | None] = field(default_factory=dict)


def _pick(row: dict[str, str], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value and value.strip():
            return value.strip()
    return ""


def read_people(path: Path) -> dict[str, Person]:
    """The LMS's roster export, by login (lower case). Rows without a login are skipped (Canvas's "Points
    Possible" row, a test student); a file without a login column is an error naming the columns it has."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LmsError(f"{path}: cannot read the roster ({error})") from None
    reader = csv.DictReader(text.splitlines())
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    login_column = next((header[n] for n in LOGIN_COLUMNS if n in header), None)
    if login_column is None:
        raise LmsError(
            f"{path}: no login column (one of: {', '.join(LOGIN_COLUMNS)}); its columns are: "
            f"{', '.join(reader.fieldnames or []) or 'none'}"
        )
    people = {}
    for raw in reader:
        row = {k.strip().lower(): (v or "") for k, v in raw.items() if k}
        login = (raw.get(login_column) or "").strip().lower()
        if not login:
            continue
        people[login] = Person(
            login=login,
            name=_pick(row, "student", "name", "full name"),
            canvas_id=_pick(row, "id") if "sis login id" in row else "",
            sis_user_id=_pick(row, "sis user id"),
            section=_pick(row, "section"),
            idnumber=_pick(row, "id number", "idnumber"),
            email=_pick(row, "email address", "email", "e-mail"),
            first=_pick(row, "first name", "first_name"),
            last=_pick(row, "last name", "last_name", "surname"),
        )
    return people


def gradebook(
    course_root: Path,
) -> tuple[dict[str, list[tuple[str, float]]], dict[str, dict[str, Result]], list[str]]:
    """Each problem set's items (name, points) in notebook order, each student's results, and the problem sets
    nobody has submitted (left out)."""
    from nbgrader.api import Gradebook, MissingEntry

    database = Path(course_root) / "gradebook.db"
    if not database.exists():
        raise LmsError(f"no gradebook at {database}: nothing has been released or graded yet")
    items: dict[str, list[tuple[str, float]]] = {}
    results: dict[str, dict[str, Result]] = {}
    skipped: list[str] = []
    with Gradebook(f"sqlite:///{database}") as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            if not assignment.num_submissions:  # not released yet, or not collected: no column of blanks
                skipped.append(assignment.name)
                continue
            cells = [(c.name, c.max_score) for nb in assignment.notebooks for c in nb.grade_cells]
            items[assignment.name] = cells
        for student in sorted(gb.students, key=lambda s: s.id):
            mine = results[student.id] = {}
            for name in items:
                try:
                    submission = gb.find_submission(name, student.id)
                except MissingEntry:
                    mine[name] = Result(None, "not submitted", items=dict.fromkeys(n for n, _ in items[name]))
                    continue
                grades = {g.name: g for nb in submission.notebooks for g in nb.grades}
                waiting = sorted(n for n, g in grades.items() if g.needs_manual_grade)
                mine[name] = Result(
                    None if waiting else submission.score,
                    "to grade by hand" if waiting else "final",
                    " ".join(waiting),
                    {
                        n: (None if grades[n].needs_manual_grade else grades[n].score)
                        if n in grades
                        else None
                        for n, _ in items[name]
                    },
                )
    return items, results, skipped


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def item_column(assignment: str, item: str) -> str:
    """The column of one item: the problem set's short name and the item's ("ps1 a1" for ps1_a1_check)."""
    short = assignment.split("_", 1)[0]
    label = item[len(short) + 1 :] if item.startswith(short + "_") else item
    for suffix in ("_check", "_answer"):
        label = label.removesuffix(suffix)
    return f"{short} {label}"


def _canvas_name(person: Person) -> str:
    if person.name:
        return person.name
    if person.last or person.first:
        return ", ".join(p for p in (person.last, person.first) if p)
    return person.login


def write_lms(course_root: Path, roster: Path | None = None, out: Path | None = None) -> dict[str, object]:
    """Write canvas.csv, canvas-items.csv and moodle.csv; return where, and what was left empty and why."""
    items, results, skipped = gradebook(course_root)
    people = read_people(roster) if roster else {}
    out = Path(out or Path(course_root) / "reports" / "lms")
    out.mkdir(parents=True, exist_ok=True)
    assignments = list(items)
    item_columns = [(a, n, item_column(a, n)) for a in assignments for n, _ in items[a]]
    unknown = sorted(set(results) - set(people)) if people else []
    empty = [
        (student, a, r.status, r.waiting_for)
        for student, mine in results.items()
        for a, r in mine.items()
        if r.status != "final"
    ]
    rows_canvas, rows_items, rows_moodle = [], [], []
    for student, mine in results.items():
        person = people.get(student.lower(), Person(student))
        identity = [_canvas_name(person), person.canvas_id, person.sis_user_id, person.login, person.section]
        rows_canvas.append(identity + [_number(mine[a].score) for a in assignments])
        rows_items.append(identity + [_number(mine[a].items.get(n)) for a, n, _ in item_columns])
        feedback = [
            ""
            if mine[a].status == "final"
            else (f"not final: waiting for {mine[a].waiting_for}" if mine[a].waiting_for else "not submitted")
            for a in assignments
        ]
        rows_moodle.append(
            [person.login, person.idnumber, person.email, person.first, person.last]
            + [_number(mine[a].score) for a in assignments]
            + [_number(mine[a].items.get(n)) for a, n, _ in item_columns]
            + feedback
        )
    files = {
        "canvas": (out / "canvas.csv", list(CANVAS_COLUMNS) + assignments, rows_canvas),
        "canvas_items": (
            out / "canvas-items.csv",
            list(CANVAS_COLUMNS) + [c for _, _, c in item_columns],
            rows_items,
        ),
        "moodle": (
            out / "moodle.csv",
            list(MOODLE_COLUMNS)
            + assignments
            + [c for _, _, c in item_columns]
            + [f"{a} (feedback)" for a in assignments],
            rows_moodle,
        ),
    }
    for path, header, rows in files.values():
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return {
        "files": {k: v[0] for k, v in files.items()},
        "empty": empty,
        "not_on_roster": unknown,
        "roster": bool(people),
        "nobody_submitted": skipped,
    }


def summary(report: dict[str, object]) -> str:
    lines = [f"written: {', '.join(str(p) for p in report['files'].values())}"]
    if not report.get("roster"):
        lines.append(
            "no LMS roster given (ROSTER=...): the files name students by their login only, with no Canvas ID, SIS "
            "User ID, section, ID number or email; give the roster your LMS exported to carry them over"
        )
    if report.get("nobody_submitted"):
        lines.append(
            f"left out, nobody has submitted them (not released yet, or not collected): {', '.join(report['nobody_submitted'])}"
        )
    if report["not_on_roster"]:
        lines.append(
            "not on the LMS roster (exported under their login; check before importing): "
            + ", ".join(report["not_on_roster"])
        )
    if report["empty"]:
        lines.append("left empty, not 0 (not final; an import records no grade for them):")
        for student, assignment, status, waiting in report["empty"]:
            lines.append(
                f"  {student}  {assignment}: {status}{': waiting for ' + waiting if waiting else ''}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m course.deploy.lms", description=__doc__.splitlines()[0])
    parser.add_argument("course_root", type=Path, help="the nbgrader course (assignments/)")
    parser.add_argument("--roster", type=Path, help="the roster the LMS exported: its ids are carried over")
    args = parser.parse_args(argv)
    try:
        print(summary(write_lms(args.course_root, args.roster)))
    except LmsError as error:
        print(f"lms: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

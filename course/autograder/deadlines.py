"""Due dates and extensions: the instructor's two files, and nbgrader's late penalty honouring both (issue 32).

- ``deadlines.csv`` (in the nbgrader course folder, ``assignments/``): ``assignment,due`` and an optional
  ``timezone`` (IANA, e.g. ``Europe/Berlin``; without it ``due`` must carry its offset, ``2027-02-15T17:00+01:00``).
  ``python -m course.autograder.deadlines COURSE_ROOT`` (``make deadlines``; ``make autograde`` runs it first)
  writes each date into nbgrader's gradebook, where the formgrader shows it and nbgrader measures lateness.
- ``extensions.csv`` (same folder; private: never committed, on a hub in the instructors' ``grading/``):
  ``student,assignment,due,reason``, with ``due`` the student's own date (same format) and ``reason`` for the
  instructor (an accommodation, an illness); it is never shown to anyone else. ``ApplyExtensions``, a preprocessor
  run by ``nbgrader autograde`` just before nbgrader's ``AssignLatePenalties``, gives each student's submission its
  extension in the gradebook (``Gradebook.grant_extension``), so nbgrader's late penalty, the formgrader and
  ``make export`` all count lateness from the student's own date. Removing a row removes the extension at the next
  autograde (``FORCE=1``).

A malformed row is reported with its file and line, and the others still apply.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.preprocessors import NbGraderPreprocessor

DEADLINES = "deadlines.csv"
EXTENSIONS = "extensions.csv"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.message}"


@dataclass(frozen=True)
class Extension:
    due: datetime  # UTC, aware
    reason: str


def parse_due(text: str, timezone: str = "") -> datetime:
    """A due date as an aware UTC datetime: ISO 8601 with an offset, or without one and an IANA ``timezone``."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"due {text!r} is not a date and time like 2027-02-15 17:00") from None
    if when.tzinfo is None:
        if not timezone.strip():
            raise ValueError(f"due {text!r} has no time zone: add an offset (+01:00) or a timezone column")
        try:
            when = when.replace(tzinfo=ZoneInfo(timezone.strip()))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {timezone!r} is not a time zone name like Europe/Berlin") from None
    return when.astimezone(UTC)


def _rows(path: Path, needed: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    if not path.exists():
        return [], []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(str(path), 1, f"cannot read it ({error})")]
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [n for n in needed if n not in header]
    if missing:
        return [], [
            Problem(str(path), 1, f"missing column(s) {', '.join(missing)} (it has: {', '.join(header)})")
        ]
    rows = []
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if any(row.values()):
            rows.append((number, row))
    return rows, []


def read_deadlines(course_root: Path) -> tuple[dict[str, datetime], list[Problem]]:
    path = Path(course_root) / DEADLINES
    rows, problems = _rows(path, ("assignment", "due"))
    dates: dict[str, datetime] = {}
    for line, row in rows:
        try:
            if row["assignment"] in dates:
                raise ValueError(
                    f"{row['assignment']} has a due date already (line order: the first one counts)"
                )
            if not row["assignment"]:
                raise ValueError("no assignment named")
            dates[row["assignment"]] = parse_due(row["due"], row.get("timezone", ""))
        except ValueError as error:
            problems.append(Problem(str(path), line, str(error)))
    return dates, problems


def read_extensions(course_root: Path) -> tuple[dict[tuple[str, str], Extension], list[Problem]]:
    path = Path(course_root) / EXTENSIONS
    rows, problems = _rows(path, ("student", "assignment", "due"))
    extensions: dict[tuple[str, str], Extension] = {}
    for line, row in rows:
        key = (row["student"], row["assignment"])
        try:
            if not all(key):
                raise ValueError("a row needs a student and an assignment")
            if key in extensions:
                raise ValueError(f"{key[0]} has an extension for {key[1]} already (the first one counts)")
            extensions[key] = Extension(parse_due(row["due"], row.get("timezone", "")), row.get("reason", ""))
        except ValueError as error:
            problems.append(Problem(str(path), line, str(error)))
    return extensions, problems


def time_zones(course_root: Path) -> dict[str, str]:
    """The time zone deadlines.csv names for each problem set (where it names one): how DUE.txt shows the date."""
    rows, _ = _rows(Path(course_root) / DEADLINES, ("assignment", "due"))
    return {row["assignment"]: row["timezone"] for _, row in rows if row.get("timezone")}


def _naive_utc(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None)  # how nbgrader's gradebook stores times


def apply_deadlines(course_root: Path) -> tuple[list[str], list[Problem]]:
    """Write deadlines.csv's dates into the gradebook; return what changed, and the problems."""
    from nbgrader.api import Gradebook

    dates, problems = read_deadlines(course_root)
    if not dates:
        return [], problems
    changed = []
    with Gradebook(f"sqlite:///{Path(course_root) / 'gradebook.db'}") as gb:
        for name, due in dates.items():
            current = next((a for a in gb.assignments if a.name == name), None)
            if current is not None and current.duedate == _naive_utc(due):
                continue
            gb.update_or_create_assignment(name, duedate=_naive_utc(due))
            changed.append(f"{name}: due {due:%Y-%m-%d %H:%M} UTC")
    return changed, problems


def extension_minutes(assignment_due: datetime | None, extension: Extension | None) -> int:
    """The extension nbgrader stores, in whole minutes (rounded up: an extension is never shorter than granted);
    0 (none) without one, or when the student's date is not after the assignment's."""
    if assignment_due is None or extension is None:
        return 0
    if assignment_due.tzinfo is None:
        assignment_due = assignment_due.replace(tzinfo=UTC)
    return max(0, math.ceil((extension.due - assignment_due) / timedelta(minutes=1)))


class ApplyExtensions(NbGraderPreprocessor):
    """In ``nbgrader autograde``, before ``AssignLatePenalties``: this submission's extension, from extensions.csv."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        # The course folder: the gradebook's (the course's nbgrader_config.py keeps it there), else where nbgrader runs.
        url = str(info["db_url"])
        root = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else Path.cwd()
        extensions, problems = read_extensions(root)
        for problem in problems:
            self.log.warning("extensions: %s", problem)
        key = (info["student"], info["assignment"])
        with Gradebook(info["db_url"]) as gb:
            assignment = gb.find_assignment(info["assignment"])
            minutes = extension_minutes(assignment.duedate, extensions.get(key))
            gb.grant_extension(info["assignment"], info["student"], minutes=minutes)
        if minutes:
            self.log.info("%s: extension of %d minutes on %s (extensions.csv)", key[0], minutes, key[1])
        return nb, resources


def schedule(course_root: Path) -> str:
    """The due dates and the extensions, for the instructor's terminal."""
    dates, problems = read_deadlines(course_root)
    extensions, more = read_extensions(course_root)
    lines = [f"due: {name} {due:%a %d %b %Y %H:%M} UTC" for name, due in sorted(dates.items())]
    if not dates:
        lines.append(f"no due dates ({DEADLINES} is missing or empty): nothing is late")
    for (student, assignment), ext in sorted(extensions.items()):
        base = dates.get(assignment)
        extra = (
            f" (+{extension_minutes(base, ext) / 1440:.1f} days)"
            if base
            else " (the assignment has no due date)"
        )
        lines.append(
            f"extension: {student} {assignment} {ext.due:%a %d %b %Y %H:%M} UTC{extra}  {ext.reason}"
        )
    lines += [f"problem: {p}" for p in problems + more]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m course.autograder.deadlines", description=__doc__.splitlines()[0]
    )
    parser.add_argument("course_root", type=Path)
    args = parser.parse_args(argv)
    changed, problems = apply_deadlines(args.course_root)
    for line in changed:
        print(f"gradebook: {line}")
    print(schedule(args.course_root))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

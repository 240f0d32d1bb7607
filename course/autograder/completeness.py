"""Which grades are not final yet: per student and problem set, from nbgrader's gradebook (``make export``).

nbgrader's ``export`` writes a total for every student and every problem set: a written answer nobody has graded
counts as 0, and a problem set a student never submitted as a row of zeros, with no word of either. This says
which rows of ``grades.csv`` are final, which wait for a hand grade (and which cells), and which are no
submission at all. A problem set nobody has submitted (not released yet, or not collected) is named once, not
as a row of "not submitted" for every student.
"""

from __future__ import annotations

from pathlib import Path

from course.autograder.common import write_csv

COLUMNS = ("student", "assignment", "status", "score", "max_score", "waiting_for")


def unsubmitted(course_root: Path) -> list[str]:
    """Problem sets in the gradebook that nobody has submitted (not released yet, or not collected)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course_root) / 'gradebook.db'}") as gb:
        return sorted(a.name for a in gb.assignments if not a.num_submissions)


def completeness(course_root: Path) -> list[dict[str, object]]:
    """One row per student and problem set someone submitted: ``final``, ``to grade by hand`` or ``not
    submitted``."""
    from nbgrader.api import Gradebook, MissingEntry

    database = Path(course_root) / "gradebook.db"
    if not database.exists():
        raise FileNotFoundError(f"no gradebook at {database}: nothing has been released or graded yet")
    rows = []
    skipped = set(unsubmitted(course_root))
    with Gradebook(f"sqlite:///{database}") as gb:
        for student in sorted(gb.students, key=lambda s: s.id):
            for assignment in sorted(gb.assignments, key=lambda a: a.name):
                if assignment.name in skipped:
                    continue
                row = {
                    "student": student.id,
                    "assignment": assignment.name,
                    "max_score": assignment.max_score,
                }
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    rows.append({**row, "status": "not submitted", "score": None, "waiting_for": ""})
                    continue
                waiting = sorted(
                    grade.name
                    for notebook in submission.notebooks
                    for grade in notebook.grades
                    if grade.needs_manual_grade
                )
                rows.append(
                    {
                        **row,
                        "status": "to grade by hand" if waiting else "final",
                        "score": submission.score,
                        "waiting_for": " ".join(waiting),
                    }
                )
    return rows


def write_completeness(rows: list[dict[str, object]], path: Path) -> Path:
    """Write the completeness rows as CSV."""
    return write_csv(rows, path, COLUMNS)


def completeness_summary(rows: list[dict[str, object]], nobody: list[str] = ()) -> str:
    """A short summary for the terminal: counts by status, then every row that is not final, then the problem
    sets nobody submitted."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["status"])] = counts.get(str(row["status"]), 0) + 1
    lines = [
        "grades.csv: "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + " (student x problem set)."
    ]
    pending = [r for r in rows if r["status"] != "final"]
    if pending:
        lines.append("Not final yet (nbgrader counts these as scores all the same):")
        width = max(len(str(r["student"])) for r in pending)
        for r in pending:
            detail = (
                f"waiting for {r['waiting_for']}" if r["waiting_for"] else "no submission: 0 in grades.csv"
            )
            lines.append(f"  {r['student']!s:{width}}  {r['assignment']}  {r['status']}: {detail}")
    if nobody:
        lines.append(
            f"Nobody has submitted {', '.join(nobody)} (not released yet, or not collected): left out above; "
            "nbgrader's grades.csv lists it with 0 for everyone."
        )
    return "\n".join(lines)


def pending_summary(rows: list[dict[str, object]], assignment: str) -> str:
    """What ``make feedback`` says before it writes anything: the submissions of ``assignment`` with cells still to
    grade or review by hand (their feedback would show "not graded yet"), or "" if there are none."""
    waiting = [r for r in rows if r["assignment"] == assignment and r["status"] == "to grade by hand"]
    if not waiting:
        return ""
    from course.autograder.common import item_label

    width = max(len(str(r["student"])) for r in waiting)
    lines = [
        f"{len(waiting)} submission{'s' if len(waiting) != 1 else ''} of {assignment} still "
        f"{'have' if len(waiting) != 1 else 'has'} work to grade or review by hand:"
    ]
    for r in waiting:
        items = [item_label(g) for g in str(r["waiting_for"]).split()]
        lines.append(f"  {r['student']!s:{width}}  {', '.join(items)}")
    return "\n".join(lines)

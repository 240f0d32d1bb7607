"""``CheckIntegrity`` and the instructor's report: flags and scores per student."""

from __future__ import annotations

import json
from pathlib import Path

from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from course.autograder.common import (
    FLAG_KEY,
    IntegrityRecord,
    error_output,
    flag,
    for_a_person,
    grade_id_of,
    is_test_cell,
    write_csv,
)
from course.autograder.files import refused_path


class CheckIntegrity(NbGraderPreprocessor):
    """Zero the test cells of a notebook that was not graded, report every notebook, and note flags at its top."""

    def preprocess(self, nb, resources):
        record = resources.get(FLAG_KEY)
        if not isinstance(record, IntegrityRecord):
            missing = flag("violation", "integrity data missing: was IntegrityExecute configured?")
            record = IntegrityRecord([missing], zero_from=0)
        flags = list(record.flags)
        flagged: set[str] = set()
        results = []
        for index, cell in enumerate(nb.cells):
            if not is_test_cell(cell):
                continue
            grade_id = grade_id_of(cell)
            zeroed = record.zero_from is not None and index >= record.zero_from
            if zeroed:
                cell.outputs = [
                    error_output("IntegrityError", "this notebook was not graded; see the note at the top")
                ]
                flagged.add(grade_id)
            results.append(
                {
                    "cell": grade_id,
                    "judged": bool(record.judged.get(index)),
                    "error": any(o.output_type == "error" for o in cell.get("outputs", [])),
                    "zeroed": zeroed,
                }
            )
        record.flags, record.flagged_cells = flags, sorted(flagged)
        resources[FLAG_KEY] = record
        self._write_report(nb, resources, flags, results)
        if for_a_person(flags):
            lines = "\n".join(f"- **{f.level}**: {f.message}" for f in flags if f.level != "info")
            # a cell of its own id (nbformat 4.5): a cell without one made nbformat warn (MissingIDFieldWarning)
            note = new_markdown_cell(
                f"**Integrity check (added by the autograder).** Flags for the instructor:\n\n{lines}"
            )
            if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 5) < 5:
                del note["id"]  # an older notebook's cells have no ids, and may not
            nb.cells.insert(0, note)
        return nb, resources

    def _write_report(self, nb, resources, flags, results) -> None:
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        notebook = resources.get("nbgrader", {}).get("notebook", "notebook")
        report = {
            "student": resources.get("nbgrader", {}).get("student"),
            "assignment": resources.get("nbgrader", {}).get("assignment"),
            "notebook": notebook,
            "flags": [f.to_metadata() for f in flags],
            "tests": results,
        }
        (folder / f"{notebook}.integrity.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )


def collect_report(course_root: Path, assignment: str) -> list[dict[str, object]]:
    """Per student: autograded score, max, and the integrity flags, from the gradebook and the JSON reports."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    record = refused_path(course_root, assignment)
    refused = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        for student in sorted(s.id for s in gb.students):
            row: dict[str, object] = {"student": student}
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                row.update(score="", max_score="", flags="no submission")
                rows.append(row)
                continue
            flags = [f"violation: submitted file refused: {reason}" for reason in refused.get(student, [])]
            for path in sorted((course_root / "autograded" / student / assignment).glob("*.integrity.json")):
                report = json.loads(path.read_text(encoding="utf-8"))
                flags += [f"{f['level']}: {f['message']}" for f in report["flags"]]
            if not (course_root / "autograded" / student / assignment).exists():
                flags.append(
                    "violation: not autograded: " + _why_not_graded(course_root, student, assignment)
                )
            row.update(
                score=round(submission.score, 2),
                max_score=submission.max_score,
                needs_manual_grade=submission.needs_manual_grade,
                flags=" | ".join(flags),
            )
            rows.append(row)
    return rows


def mark_flagged(course_root: Path, rows: list[dict[str, object]], assignment: str) -> list[str]:
    """Mark in nbgrader's gradebook, for its formgrader's "Flagged?" column, every submission of ``assignment`` whose
    report has a flag for a person (``violation`` or ``review``), a refused or unreadable file included (issue 33).
    Autograde marks what it graded (course.autograder.save); this also reaches what it could not. A mark is never
    cleared here. Returns the students marked."""
    from nbgrader.api import Gradebook, MissingEntry

    marked = []
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        for row in rows:
            if not for_a_person(str(row.get("flags", "")).split(" | ")):
                continue
            try:
                submission = gb.find_submission(assignment, str(row["student"]))
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                notebook.flagged = True
            marked.append(str(row["student"]))
        gb.db.commit()
    return marked


def _why_not_graded(course_root: Path, student: str, assignment: str) -> str:
    import nbformat

    path = course_root / "submitted" / student / assignment / f"{assignment}.ipynb"
    if not path.exists():
        return f"no {path.name} in the submission"
    try:
        nbformat.read(path, as_version=4)
    except Exception as err:
        return f"{path.name} is not a readable notebook ({type(err).__name__}); ask the student to resubmit"
    return "nbgrader failed on this notebook; see the autograde log"


def write_report(rows: list[dict[str, object]], path: Path) -> Path:
    """Write the report rows as CSV."""
    return write_csv(rows, path, ["student", "score", "max_score", "needs_manual_grade", "flags"])

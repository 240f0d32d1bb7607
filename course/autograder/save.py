"""``SaveAutoGradesFlagged``: nbgrader's SaveAutoGrades, flagged cells marked for a manual look, and a flagged notebook
marked in the formgrader's "Flagged?" column."""

from __future__ import annotations

from nbgrader.preprocessors import SaveAutoGrades
from nbgrader.utils import is_grade

from course.autograder.common import FLAG_KEY, IntegrityRecord, for_a_person
from course.autograder.seams import one_commit_per_notebook, score_cells


class SaveAutoGradesFlagged(SaveAutoGrades):
    """SaveAutoGrades that marks flagged test cells for a manual look, and commits once per notebook.

    A notebook with an integrity flag for a person (level ``violation`` or ``review``; course.autograder.report) is
    also marked *flagged* in the gradebook: the formgrader's lists show it in their "Flagged?" column (issue 33),
    and the flags themselves are the note at the top of the submission. Grading never clears the mark: an
    instructor's own flag (the formgrader's button) stays, and so does one from an earlier run.

    Stock SaveAutoGrades commits the gradebook after every cell (about 30 SQLite commits for a problem set);
    here the changes are flushed as they come and committed together at the end: the same rows, written in one
    transaction, so a failure leaves the gradebook as it was rather than half-updated.
    """

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        record = resources.get(FLAG_KEY)
        record = record if isinstance(record, IntegrityRecord) else IntegrityRecord([])
        self._flagged = set(record.flagged_cells)
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook, one_commit_per_notebook(self.gradebook.db):
            nb, resources = score_cells(self, nb, resources)
            if for_a_person(record.flags):
                submitted = self.gradebook.find_submission_notebook(
                    self.notebook_id, self.assignment_id, self.student_id
                )
                submitted.flagged = True
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)  # stock: scores a grade cell
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if is_grade(cell) and grade_id in self._flagged:
            grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
            grade.needs_manual_grade = True
            self.gradebook.db.commit()
        return cell, resources

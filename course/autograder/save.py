"""``SaveAutoGradesFlagged``: nbgrader's SaveAutoGrades, flagged cells marked for a manual look."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades

from course.autograder.common import FLAG_KEY


class SaveAutoGradesFlagged(SaveAutoGrades):
    """SaveAutoGrades that marks flagged test cells for a manual look, and commits once per notebook.

    Stock SaveAutoGrades commits the gradebook after every cell (about 30 SQLite commits for a problem set);
    here the changes are flushed as they come and committed together at the end: the same rows, written in one
    transaction, so a failure leaves the gradebook as it was rather than half-updated.
    """

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        self._flagged = set(resources.get(FLAG_KEY, {}).get("flagged_cells", []))
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            session.commit = session.flush  # per-cell commits become flushes...
            try:
                nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            finally:
                del session.commit
            session.commit()  # ...and the notebook's grades are committed once
        return nb, resources

    def _add_score(self, cell, resources):
        super()._add_score(cell, resources)
        if cell.metadata["nbgrader"]["grade_id"] in self._flagged:
            grade = self.gradebook.find_grade(
                cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id
            )
            grade.needs_manual_grade = True
            self.gradebook.db.commit()

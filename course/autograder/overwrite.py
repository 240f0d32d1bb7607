"""``FlagOverwriteCells`` (sanitize step): nbgrader's OverwriteCells, with a flag for each restored cell."""

from __future__ import annotations

from nbformat.v4.nbbase import random_cell_id
from nbgrader.preprocessors import OverwriteCells

from course.autograder.common import FLAG_KEY, flag, grade_id_of, released_text
from course.autograder.plan import grading_plan


class FlagOverwriteCells(OverwriteCells):
    """OverwriteCells that records which test cells it restored or re-added (flags in notebook metadata)."""

    def preprocess(self, nb, resources):
        self._course_flags = []
        plan = grading_plan(resources, fresh=True)  # the first of the course's plugins on this notebook
        expected = plan.graded if plan is not None else frozenset()
        self._released = plan.released if plan is not None else {}
        present = {grade_id_of(c) for c in nb.cells if grade_id_of(c)}
        for missing in sorted(expected - present):
            self._course_flags.append(flag("info", f"cell {missing} was missing and was added back", missing))
        nb, resources = super().preprocess(nb, resources)
        if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
            # nbgrader adds a missing cell back without an id, and nbformat then warns (MissingIDFieldWarning)
            taken = {c.get("id") for c in nb.cells}
            for cell in nb.cells:
                while not cell.get("id"):
                    new = random_cell_id()
                    if new not in taken:
                        cell["id"] = new
                        taken.add(new)
        nb.metadata.setdefault(FLAG_KEY, {})["sanitize"] = [f.to_metadata() for f in self._course_flags]
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = grade_id_of(cell)
        self._edited = grade_id in self._released and released_text(cell.source) != self._released[grade_id]
        if self._edited:
            self._course_flags.append(
                flag("review", f"read-only cell {grade_id} was edited; the original was restored", grade_id)
            )
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        """Say in plain words what a student changed, and nothing when nothing was changed.

        nbgrader compares a read-only cell's checksum with the source's, which includes the hidden tests the
        student never had: every test cell with hidden tests "has changed" in every submission (about 13 warnings
        a student for ps1). Here a checksum change counts only when the released text was edited.
        """
        if attr == "checksum" and not getattr(self, "_edited", True):
            self.log.debug("%s: differs from the source only by its hidden tests (nothing was edited)", name)
            return
        plain = {
            "checksum": "the student edited this read-only cell; the original is restored (flagged for review)",
            "points": f"the cell's points were changed to {new}; the original {old} is restored",
            "locked": "the cell's read-only mark was changed; it is restored",
            "cell_type": f"the cell was changed from {old} to {new}; it is restored",
        }
        self.log.warning(
            "cell %s: %s", name, plain.get(attr, f"{attr} changed from {old} to {new}; restored")
        )

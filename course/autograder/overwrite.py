"""``FlagOverwriteCells`` (sanitize step): nbgrader's OverwriteCells, with a flag for each restored cell."""

from __future__ import annotations

from nbgrader.preprocessors import OverwriteCells

from course.autograder.common import FLAG_KEY, flag, grade_id_of, released_text


class FlagOverwriteCells(OverwriteCells):
    """OverwriteCells that records which test cells it restored or re-added (flags in notebook metadata)."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        self._course_flags = []
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            source = gb.find_notebook(resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"])
            expected = {c.name for c in source.grade_cells}
            self._released = {c.name: released_text(c.source) for c in source.source_cells if c.locked}
        present = {grade_id_of(c) for c in nb.cells if grade_id_of(c)}
        for missing in sorted(expected - present):
            self._course_flags.append(flag("info", f"cell {missing} was missing and was added back", missing))
        nb, resources = super().preprocess(nb, resources)
        nb.metadata.setdefault(FLAG_KEY, {})["sanitize"] = self._course_flags
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = grade_id_of(cell)
        if grade_id in self._released and released_text(cell.source) != self._released[grade_id]:
            self._course_flags.append(
                flag("review", f"read-only cell {grade_id} was edited; the original was restored", grade_id)
            )
        return super().preprocess_cell(cell, resources, cell_index)

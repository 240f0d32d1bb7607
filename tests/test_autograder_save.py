"""SaveAutoGradesFlagged (course.autograder.save): scores as nbgrader records them, flagged cells marked."""

import pytest
from nbformat.v4 import new_output
from tiny_assignment import notebook, resources

from course.autograder.common import FLAG_KEY, IntegrityRecord
from course.autograder.save import SaveAutoGradesFlagged

pytestmark = pytest.mark.slow  # builds nbgrader gradebooks


def save(tmp_path, url, outputs, flagged=()):
    nb = notebook("answer = 42")
    nb.cells[2].outputs = outputs
    res = {**resources(tmp_path, url), FLAG_KEY: IntegrityRecord([], flagged_cells=list(flagged))}
    SaveAutoGradesFlagged().preprocess(nb, res)
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        grade = gb.find_grade("test", "nb", "ps", "s")
        return grade.auto_score, grade.needs_manual_grade


def test_partial_credit_an_error_and_a_clean_run_are_scored_as_stock(tmp_path, gradebook):
    partial = new_output("execute_result", data={"text/plain": "0.25"}, execution_count=1)
    assert save(tmp_path, gradebook, [partial]) == (0.25, False)
    error = new_output("error", ename="AssertionError", evalue="", traceback=[])
    assert save(tmp_path, gradebook, [error]) == (0, False)
    assert save(tmp_path, gradebook, []) == (1, False)


def test_a_flagged_test_keeps_its_score_and_needs_a_manual_look(tmp_path, gradebook):
    assert save(tmp_path, gradebook, [], flagged=["test"]) == (1, True)

"""CheckIntegrity and the instructor's report (course.autograder.report)."""

import json

import nbformat
from nbformat.v4 import new_notebook
from tiny_assignment import graded_cell

from course.autograder import common
from course.autograder.report import CheckIntegrity


def test_check_integrity_zeroes_only_a_notebook_that_was_not_graded_and_reports_every_test(tmp_path):
    judged = graded_cell("check()", "judged")
    judged.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1.5"}, execution_count=1)]
    failed = graded_cell("check()", "failed")
    failed.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="no", traceback=[])]
    nb = new_notebook(cells=[judged, failed])
    resources = {
        "course_integrity": common.IntegrityRecord([common.flag("review", "a tripwire")], zero_from=None,
                                                   judged={0: True, 1: True}),
        "metadata": {"path": str(tmp_path)},
        "nbgrader": {"notebook": "nb", "student": "s", "assignment": "a"},
    }  # fmt: skip
    nb, resources = CheckIntegrity().preprocess(nb, resources)
    note, judged, failed = nb.cells
    assert note.cell_type == "markdown" and "a tripwire" in note.source
    assert judged.outputs[0].data["text/plain"] == "1.5", "a review flag changes no outcome"
    assert resources["course_integrity"].flagged_cells == []
    report = json.loads((tmp_path / "nb.integrity.json").read_text())
    assert report["tests"] == [
        {"cell": "judged", "judged": True, "error": False, "zeroed": False},
        {"cell": "failed", "judged": True, "error": True, "zeroed": False},
    ]
    resources["course_integrity"].zero_from = 0
    resources["course_integrity"].flags = [common.flag("violation", "a linked notebook")]
    nb, resources = CheckIntegrity().preprocess(new_notebook(cells=[judged, failed]), resources)
    assert all(c.outputs[0].ename == "IntegrityError" for c in nb.cells[1:])
    assert resources["course_integrity"].flagged_cells == ["failed", "judged"]


def test_one_rule_says_which_flags_need_a_person():
    """Issue 34: the notebook's note, the report's Flagged mark and the gradebook's flag read one constant."""
    from course.autograder.common import FOR_A_PERSON, flag, for_a_person

    assert FOR_A_PERSON == ("violation", "review")
    assert for_a_person([flag("info", "a cell hit the time limit"), flag("review", "look")])
    assert not for_a_person([flag("info", "a cell hit the time limit")])
    assert for_a_person(["info: x", "violation: submitted file refused: a.ipynb (a link)"])
    assert not for_a_person(["no submission", "info: reviewed: not at all"])

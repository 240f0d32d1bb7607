"""The grading plan: one notebook's cells as the instructor made them, read from the gradebook once."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.autograder import judge, kernels, overwrite, plan

SETUP_A = "import json\nREACTIONS = 1"
SETUP_B = "from course.content.data import load"
TEST = "assert a1 == 1\n### BEGIN HIDDEN TESTS\nimport secret_module\nassert a1 != 2\n### END HIDDEN TESTS"


def _cell(name: str, source: str, locked: bool = True, grade: bool = False, solution: bool = False):
    meta = {"grade_id": name, "locked": locked, "grade": grade, "solution": solution, "schema_version": 3}
    if grade:
        meta["points"] = 1
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course with one notebook in its gradebook (two set-up cells, an answer, a test) and its source."""
    from nbgrader.utils import compute_checksum

    monkeypatch.setenv(
        "PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )  # nbgrader's alembic
    (tmp_path / "nbgrader_config.py").write_text("")
    cells = [_cell("setup_a", SETUP_A), _cell("setup_b", SETUP_B),
             _cell("a1", "a1 = 1", locked=False, solution=True), _cell("t1", TEST, grade=True)]  # fmt: skip
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db) as gb:
        gb.add_assignment("ps")
        gb.add_notebook("nb", "ps")
        gb.add_grade_cell("t1", "nb", "ps", max_score=1, cell_type="code")
        gb.add_solution_cell("a1", "nb", "ps")
        for cell in (cells[1], cells[0], cells[2], cells[3]):  # the gradebook's order is not the source's
            meta = cell.metadata["nbgrader"]
            gb.add_source_cell(meta["grade_id"], "nb", "ps", cell_type="code", locked=meta["locked"],
                               source=cell.source, checksum=compute_checksum(cell))  # fmt: skip
    (tmp_path / "source" / "ps").mkdir(parents=True)
    (tmp_path / "source" / "ps" / "nb.ipynb").write_text(json.dumps(nbformat.v4.new_notebook(cells=cells)))
    submitted = tmp_path / "submitted" / "alice" / "ps"
    submitted.mkdir(parents=True)
    resources = {
        "nbgrader": {"db_url": db, "assignment": "ps", "notebook": "nb", "student": "alice"},
        "metadata": {"path": str(submitted)},
    }
    return resources, nbformat.v4.new_notebook(cells=list(reversed(cells)))


def test_the_plan_holds_the_instructors_cells_in_the_instructors_order(course):
    resources, submission = course
    p = plan.grading_plan(resources, fresh=True)
    assert p.tests == {"t1": TEST}  # with its hidden tests: the judge runs them
    assert p.setup() == [("setup_a", SETUP_A), ("setup_b", SETUP_B)]  # source order, not the gradebook's
    assert p.released["t1"] == "assert a1 == 1"  # as released: hidden tests out
    assert p.imports == ("course.content.data", "course.content.data.load", "json")  # never secret_module
    setup, tests = judge.judge_plan(p, submission)
    assert [name for name, _ in setup] == ["setup_a", "setup_b"] and tests == p.tests


def test_without_the_source_the_set_up_runs_in_the_submissions_order(course, tmp_path):
    resources, submission = course
    (tmp_path / "source" / "ps" / "nb.ipynb").unlink()
    setup, _ = judge.judge_plan(plan.grading_plan(resources, fresh=True), submission)
    assert [name for name, _ in setup] == ["setup_b", "setup_a"]


def test_one_notebook_reads_the_gradebook_once_for_every_plugin(course, monkeypatch):
    """The review counted four reads of the gradebook per notebook; the cell check, the kernel started ahead and
    the judge now share one plan."""
    resources, submission = course
    import nbgrader.api

    opened = []

    class Counting(nbgrader.api.Gradebook):
        def __init__(self, *args, **kwargs):
            opened.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(nbgrader.api, "Gradebook", Counting)
    before = plan.reads
    overwrite.FlagOverwriteCells().preprocess(submission, resources)  # the first plugin: reads it afresh
    kernels.instructor_imports(resources)
    judge.judge_plan(plan.grading_plan(resources), submission)
    assert plan.reads - before == 1 and len(opened) == 1
    other = {**resources, "nbgrader": {**resources["nbgrader"], "student": "bob"}}
    plan.grading_plan(other)
    assert plan.reads - before == 2, "the next student's notebook gets a plan of its own"


def test_a_notebook_the_gradebook_does_not_know_has_no_plan(course):
    resources, _ = course
    unknown = {**resources, "nbgrader": {**resources["nbgrader"], "notebook": "other"}}
    assert plan.grading_plan(unknown, fresh=True) is None
    assert kernels.instructor_imports(unknown) == () and judge.judge_plan(None, None) is None
    assert plan.grading_plan({"nbgrader": {}}) is None

"""A three-cell assignment (set-up, answer, test with hidden tests) in a gradebook of its own, for plugin tests."""

import os
import sys
import warnings
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell

SETUP = "import math\nLIMIT = 10"
TEST = (
    '"""Check."""\nassert type(answer) is int, "answer should be an int"\nprint("visible part ran")\n'
    "### BEGIN HIDDEN TESTS\n"
    "expected = 6 * 7  # hidden\n"
    "assert root(49.0) == math.sqrt(49.0)\n"
    "0.5 if answer == expected else 0.25\n"
    "### END HIDDEN TESTS"
)
RELEASED_TEST = TEST.split("### BEGIN HIDDEN TESTS")[0].rstrip()


def cell(source, grade_id, **nbgrader):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "grade": False, "solution": False,
                                 "locked": False, **nbgrader}  # fmt: skip
    return cell


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook
    from nbgrader.utils import compute_checksum

    monkeypatch.setenv(
        "PATH", f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    )  # alembic
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.add_assignment("ps")
        gb.add_notebook("nb", "ps")
        source = notebook("", TEST)
        for index, name in enumerate(("setup", "answer")):
            code = source.cells[index]
            gb.add_source_cell(name, "nb", "ps", cell_type="code", locked=name == "setup", source=code.source,
                               checksum=compute_checksum(code))  # fmt: skip
        gb.add_solution_cell("answer", "nb", "ps")
        gb.add_source_cell("test", "nb", "ps", cell_type="code", locked=True, source=TEST,
                           checksum=compute_checksum(source.cells[2]))  # fmt: skip
        gb.add_grade_cell("test", "nb", "ps", max_score=1, cell_type="code")
        gb.add_student("s")
        with warnings.catch_warnings():  # nbgrader's own SQLAlchemy warnings ("not in session")
            warnings.simplefilter("ignore")
            gb.add_submission("ps", "s")
    return url


def graded_cell(source: str, grade_id: str = "t1", points: float = 1):
    """A read-only autograded test cell."""
    return cell(source, grade_id, grade=True, locked=True, points=points)


def notebook(answer: str, test_source: str = TEST):
    """A submission: the set-up cell, ``answer`` in the answer cell, and the test cell."""
    from nbformat.v4 import new_notebook

    return new_notebook(cells=[
        cell(SETUP, "setup", locked=True),
        cell(answer, "answer", solution=True),
        cell(test_source, "test", grade=True, locked=True, points=1),
    ])  # fmt: skip


def resources(tmp_path, url: str) -> dict:
    return {
        "metadata": {"path": str(tmp_path)},
        "nbgrader": {"db_url": url, "assignment": "ps", "notebook": "nb", "student": "s"},
    }

"""The simulated class (course.autograder.demo_class) answers from the key itself: one source for every answer."""

import nbformat
from conftest import ROOT

from course.autograder import demo_class


def test_the_reference_answers_are_the_source_notebooks_solutions():
    answers = demo_class.solutions(demo_class.source_notebook())
    assert answers == demo_class.CORRECT
    assert not any("SOLUTION" in text for text in answers.values()), (
        "the delimiters are not part of an answer"
    )
    release = ROOT / "assignments" / "release" / demo_class.PS1 / f"{demo_class.PS1}.ipynb"
    answer_cells = {
        c.metadata["nbgrader"]["grade_id"]
        for c in nbformat.read(release, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    assert set(answers) == answer_cells, "every answer cell a student gets has a reference answer"


def test_a_changed_key_changes_the_reference_answers(tmp_path):
    """Nothing is typed twice: edit the solution in the source and the simulated class answers the new way."""
    nb = nbformat.read(demo_class.source_notebook(), as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ps1_b1_answer"]
    assert 'b1 = "continue to evaluate"' in cell.source
    cell.source = cell.source.replace('"continue to evaluate"', '"evaluate"')
    nbformat.write(nb, tmp_path / "changed.ipynb")
    assert demo_class.solutions(tmp_path / "changed.ipynb")["ps1_b1_answer"] == 'b1 = "evaluate"'

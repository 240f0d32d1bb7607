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


def test_importing_the_demo_class_reads_no_notebook():
    """Review §5: the demo class read the key at import time; it reads it when first asked for an answer."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
        "import course.autograder.demo_class as d\n"
        "before = [p for p in opened if p.endswith('.ipynb')]\n"
        "d.CORRECT\n"
        "after = [p for p in opened if p.endswith('.ipynb')]\n"
        "print(len(before), len(after), len(d.STUDENTS))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    before, after, students = map(int, out.stdout.split())
    assert before == 0 and after == 1 and students >= 20, out.stderr
    try:
        demo_class.NO_SUCH_NAME  # noqa: B018
    except AttributeError as err:
        assert "no attribute 'NO_SUCH_NAME'" in str(err)
    else:
        raise AssertionError("an unknown name is an AttributeError")

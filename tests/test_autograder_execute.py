"""IntegrityExecute (course.autograder.execute): student cells in the kernel, test cells in the judge.

A three-cell assignment in a gradebook of its own (nbgrader's API), executed with a plain ``python3`` kernel (the
sandbox has its own tests): what the student's kernel sees, what the judge computes, what the tripwire flags.
"""

import pytest
from nbformat.v4 import new_notebook
from tiny_assignment import SETUP, TEST
from tiny_assignment import cell as _cell

from course.autograder.common import FLAG_KEY
from course.autograder.execute import IntegrityExecute

pytestmark = pytest.mark.slow  # runs sandboxed kernels and nbgrader's gradebook


def grade(tmp_path, gradebook, answer: str, test_source: str = TEST):
    nb = new_notebook(cells=[
        _cell(SETUP, "setup", locked=True),
        _cell(answer, "answer", solution=True),
        _cell(test_source, "test", grade=True, locked=True, points=1),
    ])  # fmt: skip
    resources = {
        "metadata": {"path": str(tmp_path)},
        "nbgrader": {"db_url": gradebook, "assignment": "ps", "notebook": "nb", "student": "s"},
    }
    client = IntegrityExecute(kernel_name="python3", require_sandbox=False, start_ahead=False)
    nb, resources = client.preprocess(nb, resources)
    return nb.cells[2], resources[FLAG_KEY]


def test_the_test_runs_in_the_judge_with_the_answer_exported_and_the_function_called_in_the_kernel(
    tmp_path, gradebook
):
    answer = "answer = 42\ncalls = []\ndef root(x):\n    calls.append(x)\n    return x ** 0.5"
    cell, info = grade(tmp_path, gradebook, answer)
    assert [o.output_type for o in cell.outputs] == ["stream", "execute_result"]
    assert cell.outputs[0].text == "visible part ran\n" and cell.outputs[1].data["text/plain"] == "0.5"
    assert info.judged == {2: True} and [f for f in info.flags if f.level != "info"] == []


def test_a_handler_that_reads_or_rewrites_the_test_sees_only_its_released_part(tmp_path, gradebook):
    spy = (
        "answer = 41\nseen = []\nroot = lambda x: x ** 0.5\n"
        "def rewrite(info):\n"
        "    seen.append(info.raw_cell)\n"
        "    globals()['answer'] = 42 if 'expected' in info.raw_cell else 41\n"
        "get_ipython().events.register('pre_run_cell', rewrite)\n"
    )
    nb_cell, info = grade(tmp_path, gradebook, spy + "print('spy')")
    assert nb_cell.outputs[-1].data["text/plain"] == "0.25", "the answer as given, not as rewritten"
    flags = " | ".join(f.message for f in info.flags)
    assert "registered a handler of IPython's cell events" in flags


def test_the_student_kernel_gets_the_released_part_and_its_state_is_kept(tmp_path, gradebook):
    client_seen = []

    class Recording(IntegrityExecute):
        def preprocess_cell(self, cell, resources, index):
            result = super().preprocess_cell(cell, resources, index)
            if index == 2:
                reply = self._ask(seen="str(globals().get('expected', 'no hidden name here'))")
                client_seen.append(reply["seen"])
            return result

    nb = new_notebook(cells=[
        _cell(SETUP, "setup", locked=True),
        _cell("answer = 42\nroot = lambda x: x ** 0.5", "answer", solution=True),
        _cell(TEST, "test", grade=True, locked=True, points=1),
    ])  # fmt: skip
    resources = {
        "metadata": {"path": str(tmp_path)},
        "nbgrader": {"db_url": gradebook, "assignment": "ps", "notebook": "nb", "student": "s"},
    }
    Recording(kernel_name="python3", require_sandbox=False, start_ahead=False).preprocess(nb, resources)
    assert client_seen == ["no hidden name here"], "the hidden part never ran in the student's kernel"
    assert nb.cells[2].source == TEST, "the notebook keeps the full test for the instructor"


def test_an_answer_that_is_not_data_and_a_failing_function_fail_with_their_reason(tmp_path, gradebook):
    cell, _ = grade(tmp_path, gradebook, "class Liar(int):\n    pass\nanswer = Liar(42)\nroot = abs")
    [error] = cell.outputs
    assert error.ename == "AnswerNotGradable" and "answer must be plain data" in error.evalue
    cell, _ = grade(tmp_path, gradebook, "answer = 42\ndef root(x):\n    raise ValueError('no roots today')")
    error = cell.outputs[-1]
    assert error.ename == "AnswerError" and "root(...) raised ValueError: no roots today" in error.evalue
    assert error.traceback[0].endswith("line 6"), "the hidden line that called it: feedback shows no message"


def test_a_test_cell_the_gradebook_does_not_know_runs_in_the_kernel_and_is_flagged(tmp_path, gradebook):
    nb = new_notebook(cells=[
        _cell(SETUP, "setup", locked=True),
        _cell("answer = 42", "answer", solution=True),
        _cell("print('a test I wrote myself')", "forged", grade=True, locked=True, points=5),
        _cell(TEST, "test", grade=True, locked=True, points=1),
    ])  # fmt: skip
    resources = {
        "metadata": {"path": str(tmp_path)},
        "nbgrader": {"db_url": gradebook, "assignment": "ps", "notebook": "nb", "student": "s"},
    }
    nb, resources = IntegrityExecute(
        kernel_name="python3", require_sandbox=False, start_ahead=False
    ).preprocess(nb, resources)
    flags = " | ".join(f.message for f in resources[FLAG_KEY].flags)
    assert (
        "forged ran in the student's kernel, not in the judge (not a test cell of this assignment)" in flags
    )
    assert resources[FLAG_KEY].judged == {3: True}

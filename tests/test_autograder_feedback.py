"""HideHiddenTests (course.autograder.feedback): feedback without hidden tests."""

import json

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook
from tiny_assignment import graded_cell

from course.autograder import common, feedback


def failed_test(source, grade_id, ename, evalue, traceback):
    """A test cell whose run ended with this error."""
    cell = graded_cell(source, grade_id)
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback)]
    return cell


def test_feedback_hides_hidden_source_and_hidden_failures():
    source = 'check(x)\n### BEGIN HIDDEN TESTS\nassert x == 42, "the answer is 42"\n### END HIDDEN TESTS'
    hidden_fail = failed_test(source, "t1", "AssertionError", "the answer is 42",
                              ["Cell In[5], line 3", 'assert x == 42, "the answer is 42"'])  # fmt: skip
    visible_fail = failed_test(
        source, "t2", "AssertionError", "x should be a str", ["Cell In[6], line 1", "check(x)"]
    )
    integrity_fail = failed_test(source, "t3", "IntegrityError", "tampering", [])
    nb = new_notebook(cells=[hidden_fail, visible_fail, integrity_fail, new_markdown_cell("text")])
    nb, _ = feedback.HideHiddenTests().preprocess(nb, {})
    assert all("42" not in c.source and "HIDDEN" not in c.source for c in nb.cells[:3])
    assert nb.cells[0].outputs[0].ename == "HiddenTestFailed" and "42" not in json.dumps(nb.cells[0].outputs)
    assert nb.cells[1].outputs[0].evalue == "x should be a str"
    assert nb.cells[2].outputs[0].evalue == "tampering"


def test_hidden_lines_and_failing_line():
    assert common.hidden_lines("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc") == {2, 3, 4}
    assert feedback.failing_line(["\x1b[0;31mCell In[3], line 7\x1b[0m", "----> 7 assert"]) == 7
    assert feedback.failing_line(["no numbers"]) is None


def test_the_keys_words_to_the_student_are_kept_and_everything_else_a_test_printed_is_dropped():
    """score_choice's "Feedback: ..." lines reach the student; other prints and the result do not."""
    source = 'check(x)\n### BEGIN HIDDEN TESTS\nscore_choice(x, {"a": (1.0, "Yes: because.")})  # the key\n### END HIDDEN TESTS'
    cell = graded_cell(source, "t1")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Feedback: It says so.\n"),
        nbformat.v4.new_output("stream", name="stdout", text="Feedback: fine\nexpected = 42\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "0.0"}, execution_count=3),
    ]
    nb, _ = feedback.HideHiddenTests().preprocess(new_notebook(cells=[cell]), {})
    texts = [o.get("text", "") for o in nb.cells[0].outputs]
    assert "Feedback: It says so.\n" in texts, "the key's words are kept"
    assert "Feedback: fine\n" in texts, "a feedback line is kept from a print that has other lines too"
    assert not [t for t in texts if "42" in t], "every other printed line is dropped"
    assert any("not shown in feedback" in t for t in texts), "the student is told something was left out"
    assert "score_choice" not in json.dumps(nb.cells[0].outputs) and "score_choice" not in nb.cells[0].source


def test_feedback_follows_the_hidden_test_delimiters_nbgrader_is_configured_with():
    """An instructor who sets c.ClearHiddenTests.begin_test_delimeter gets those regions hidden too."""
    from traitlets.config import Config

    config = Config()
    config.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET"
    config.ClearHiddenTests.end_test_delimeter = "END SECRET"
    source = 'check(x)\n# BEGIN SECRET\nassert x == 42, "the answer is 42"\n# END SECRET'
    cell = failed_test(
        source, "t1", "AssertionError", "the answer is 42", ["Cell In[5], line 3", "assert x == 42"]
    )
    nb, _ = feedback.HideHiddenTests(config=config).preprocess(new_notebook(cells=[cell]), {})
    assert nb.cells[0].source == "check(x)"
    assert nb.cells[0].outputs[0].ename == "HiddenTestFailed" and "42" not in json.dumps(nb.cells[0].outputs)

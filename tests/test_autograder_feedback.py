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


def test_form_oks_line_is_dropped_without_a_notice_and_a_feedback_line_kept():
    """Graded, "the form is right ..." says nothing: it goes, and nothing else was dropped, so no notice."""
    from course.grading.helpers import FORM_OK

    source = 'check(x)\n### BEGIN HIDDEN TESTS\nwith explain(right="Yes.", wrong="No."):\n    pass\n### END HIDDEN TESTS'
    cell = graded_cell(source, "ps1_d1_check")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"D1: {FORM_OK} Whether ...\nFeedback: Yes.\n")
    ]
    nb, _ = feedback.HideHiddenTests().preprocess(new_notebook(cells=[cell]), {})
    assert [o.get("text") for o in nb.cells[0].outputs] == ["Feedback: Yes.\n"]


def test_items_are_named_as_the_student_knows_them():
    assert common.item_label("ps1_a1_check") == "A1" and common.item_label("ps3_d_answer") == "D"
    nb = new_notebook(
        cells=[
            new_markdown_cell("### A1 (2 points)\n\nCode it."),
            graded_cell('"""Check A1: the codes are from the scheme."""\ncheck(a1)', "ps1_a1_check"),
            new_markdown_cell(
                "## Part E: What China's wording signals (5 points, graded by your instructor)"
            ),
        ]
    )
    written = new_markdown_cell("YOUR ANSWER HERE")
    written.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "ps1_e_answer", "points": 5}
    nb.cells.append(written)
    assert common.item_titles(nb) == {
        "ps1_a1_check": "the codes are from the scheme",
        "ps1_e_answer": "Part E: What China's wording signals",
    }


def test_every_check_cells_hidden_tests_say_why_for_either_outcome():
    """Issue 33: the key's author writes, with every item, what a right answer shows and the most common reason an
    answer falls short. Each hidden test must call a helper that says both (practice mode and the feedback show it)."""
    import ast
    from pathlib import Path

    def says_why(call: ast.Call) -> bool:
        name = getattr(call.func, "id", getattr(call.func, "attr", ""))
        keywords = {k.arg for k in call.keywords}
        return (
            name in ("score_reading", "score_choice")
            or (name == "explain" and {"right", "wrong"} <= keywords)
            or (name == "score_phrase" and {"right", "wrong"} <= keywords)
            or (name == "score_matches" and "why" in keywords)
        )

    root = Path(__file__).resolve().parent.parent / "assignments" / "source"
    checked = 0
    for path in sorted(root.glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if not common.is_test_cell(cell):
                continue
            hidden = common.hidden_lines(cell.source)
            code = "\n".join(
                line
                for n, line in enumerate(cell.source.splitlines(), 1)
                if n in hidden and "HIDDEN TESTS" not in line
            )
            calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]
            assert any(says_why(c) for c in calls), (
                f"{path.name} {common.grade_id_of(cell)}: no reason for the student"
            )
            if any(
                getattr(c.func, "id", "") == "score_phrase" for c in calls
            ):  # every phrase scored says why
                phrases = [c for c in calls if getattr(c.func, "id", "") == "score_phrase"]
                assert all(says_why(c) for c in phrases), f"{path.name} {common.grade_id_of(cell)}"
            checked += 1
    assert checked == 36  # 14 + 12 + 10 autograded items


#: The lines of nbgrader 0.9.6's feedback template that the course's replaces (the item names, the scores that may be
#: "not graded yet", the heading links' colour and height, the page's language). Any other line of nbgrader's must be in the course's.
REPLACED_NBGRADER_LINES = (
    "<html>",
    "height: 37px;",
    "color: #BBBBBB;",
    "Test cell</a>",
    "Coding free-response</a>",
    "Written response</a>",
    "Task</a> (Score:",
    "{% if cell.metadata.nbgrader and cell.metadata.nbgrader.grade and not cell.metadata.nbgrader.solution %}",
    '{% elif cell.cell_type == "code" and cell.metadata.nbgrader and cell.metadata.nbgrader.grade %}',
    '{% elif cell.cell_type == "markdown" and cell.metadata.nbgrader and cell.metadata.nbgrader.grade %}',
    '{% elif cell.cell_type == "markdown" and cell.metadata.nbgrader and cell.metadata.nbgrader.task %}',
    "{% if cell.metadata.nbgrader and cell.metadata.nbgrader.comment and cell.metadata.nbgrader.comment %}",
    ">Comment</a></li>",
    'Score: {{ cell.metadata.nbgrader.score | float | round(2) }} / {{ cell.metadata.nbgrader.points | float | round(2) }} <a href="#top">(Top)</a>',
    "Student's answer</span>",
    "Grade cell: <code>{{ cell.metadata.nbgrader.grade_id }}</code></span>",
)


def test_the_course_feedback_template_follows_nbgraders_but_for_the_item_names():
    """The course's page replaces nbgrader's (same name, found first): an nbgrader upgrade that changes its template
    fails here, so that the change is carried over instead of silently lost."""
    from pathlib import Path

    import nbgrader

    theirs = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates" / "feedback"
    ours = Path(feedback.__file__).parent / "templates" / "feedback"
    assert (ours / "conf.json").read_text() == (theirs / "conf.json").read_text()
    have = {line.strip() for line in (ours / "index.html.j2").read_text().splitlines()}
    lost = [
        line.strip()
        for line in (theirs / "index.html.j2").read_text().splitlines()
        if line.strip() not in have and not any(r in line for r in REPLACED_NBGRADER_LINES)
    ]
    assert not lost, f"nbgrader's feedback template has lines the course's lacks: {lost}"


def test_an_items_heading_is_found_in_markdown_and_in_the_clean_html_feedback_sees():
    cell = new_markdown_cell(
        "<div>\n<h2>Part E: What China&#39;s wording signals (5 points, graded by your instructor)<a>&#182;</a></h2><p>On"
    )
    written = new_markdown_cell("YOUR ANSWER HERE")
    written.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "ps1_e_answer", "points": 5}
    assert common.item_titles(new_notebook(cells=[cell, written])) == {
        "ps1_e_answer": "Part E: What China's wording signals"
    }


def test_a_partial_credit_score_is_dropped_without_a_notice_but_any_other_result_gets_one():
    source = "check(x)\n### BEGIN HIDDEN TESTS\nscore_choice(x, {})\n### END HIDDEN TESTS"
    for result, notice in (("1.0", False), ("0.5", False), ("'the key is 42'", True)):
        cell = graded_cell(source, "t1")
        cell.outputs = [
            nbformat.v4.new_output("execute_result", data={"text/plain": result}, execution_count=3)
        ]
        nb, _ = feedback.HideHiddenTests().preprocess(new_notebook(cells=[cell]), {})
        texts = [o.get("text", "") for o in nb.cells[0].outputs]
        assert any("not shown in feedback" in t for t in texts) is notice, (result, texts)
        assert "42" not in json.dumps(nb.cells[0].outputs)


def test_a_check_that_found_no_answer_says_not_answered():
    source = "check(a5)\n### BEGIN HIDDEN TESTS\nscore_reading(a5, [])\n### END HIDDEN TESTS"
    cell = failed_test(
        source, "t1", "NameError", "name 'a5' is not defined", ["Cell In[5], line 1", "check(a5)"]
    )
    nb, _ = feedback.HideHiddenTests().preprocess(new_notebook(cells=[cell]), {})
    outputs = nb.cells[0].outputs
    assert outputs[0].text.startswith("Feedback: Not answered: the answer this check reads was not there")
    assert (outputs[1].ename, outputs[1].evalue) == ("NameError", "name 'a5' is not defined")

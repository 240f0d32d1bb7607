"""Feedback's preprocessors: ``HideHiddenTests`` (no hidden-test source, and nothing a hidden test printed, showed or
raised, but the key's "Feedback:" lines) and ``LabelItems`` (every item named as the student knows it, and a written
answer not graded yet said so, never shown as 0). The page is the course's template
(course/autograder/templates/feedback/index.html.j2), which reads what ``LabelItems`` records."""

from __future__ import annotations

import re

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

from course.autograder.common import (
    error_output,
    hidden_delimiters,
    hidden_lines,
    is_test_cell,
    item_label,
    item_titles,
    without_hidden,
)
from course.grading.helpers import FORM_OK


def failing_line(traceback: list[str]) -> int | None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))
    found = re.findall(r"(?:Cell In\s*\[\d*\],\s*)?line (\d+)", text)
    return int(found[-1]) if found else None


#: Errors the grader itself puts in a cell: they hold no test source, so feedback shows them as they are.
GRADER_ERRORS = ("IntegrityError", "NotRun", "DeadKernelError", "CellTimeoutError", "AnswerNotGradable")


class HideHiddenTests(NbGraderPreprocessor):
    """For feedback: no hidden-test source, and nothing a hidden test printed, showed or raised.

    In a cell with hidden tests only errors are kept: a failed visible assertion with its message, anything else
    as "a hidden test failed"; printed or displayed output and the cell's result are dropped (a submission can
    make a test cell print its own source). Then every line of hidden-test source that still appears verbatim in
    any output of the notebook (a submission can keep test sources and print them later, in its own cells) is
    replaced by ``[hidden test]``. The score of each test cell is shown by nbgrader's feedback template. One
    exception: printed lines that begin with ``said`` ("Feedback: ") are the key speaking to the student, and are
    kept (still redacted); the other lines of the same print are not.
    """

    # nbconvert hands its display_data_priority to every preprocessor of the feedback; nbgrader's base class has the
    # trait but not as configurable, and traitlets then warned, once per run, that HideHiddenTests did not know it.
    display_data_priority = List(NbGraderPreprocessor.class_traits()["display_data_priority"].default()).tag(
        config=True
    )

    message = Unicode(
        "A hidden test failed. Hidden tests check cases beyond the visible ones; their details are not shown."
    ).tag(config=True)
    dropped = Unicode("(Output of a cell with hidden tests is not shown in feedback.)").tag(config=True)
    not_answered = Unicode(
        "Feedback: Not answered: the answer this check reads was not there when your notebook ran (its cell still "
        "raised NotImplementedError, or stopped with an error, or the name is spelt differently).\n"
    ).tag(config=True)
    said = Unicode(
        "Feedback: ",
        help="Printed lines that begin with this are the key's words to the student (course.grading."
        "score_choice says why an option is or is not the best) and are kept. Test cells' outputs come from the "
        "judge, never from the submission's kernel, and the hidden-line redaction still applies to them.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self._delimiters = hidden_delimiters(self.config)  # the course's nbgrader_config.py may change them
        self._hidden_text = sorted(
            {
                line.strip()
                for cell in nb.cells
                if cell.cell_type == "code" and utils.is_grade(cell)
                for n, line in enumerate(cell.source.splitlines(), start=1)
                if n in hidden_lines(cell.source, self._delimiters)
                and len(line.strip()) >= 8
                and not any(d in line for d in self._delimiters)
            },
            key=len,
            reverse=True,
        )
        nb, resources = super().preprocess(nb, resources)
        if self._hidden_text:
            for cell in nb.cells:
                for output in cell.get("outputs", []):
                    _redact(output, self._hidden_text)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        source = cell.source
        hidden = hidden_lines(source, self._delimiters)
        if not hidden:
            return cell, resources
        cell.source = without_hidden(source, self._delimiters)
        outputs, dropped = [], False
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.get("name") == "stdout":
                said = self._said_lines(output)
                # form_ok's line ("the form is right ...") says nothing once graded: dropped without a notice
                dropped |= any(
                    line.strip() and not line.startswith(self.said) and FORM_OK not in line
                    for line in _text(output).splitlines()
                )
                if said:
                    outputs.append(NotebookNode(output_type="stream", name="stdout", text=said))
                continue
            if output.output_type != "error":
                dropped |= not _is_score(output)  # the cell's score is on the page already: no notice for it
                continue
            if output.ename not in GRADER_ERRORS:
                line = failing_line(output.get("traceback", []))
                if line is None or line in hidden:
                    output = error_output("HiddenTestFailed", self.message)
                else:
                    output = error_output(output.ename, output.evalue)
                    if output.ename == "NameError":  # the answer the check reads was never made
                        outputs.append(
                            NotebookNode(output_type="stream", name="stdout", text=self.not_answered)
                        )
            outputs.append(output)
        if dropped:
            outputs.insert(0, NotebookNode(output_type="stream", name="stdout", text=self.dropped + "\n"))
        cell.outputs = outputs
        return cell, resources

    def _said_lines(self, output: NotebookNode) -> str:
        """The printed lines that begin with ``said`` (the key's words to the student); everything else goes."""
        if not self.said:
            return ""
        return "".join(line for line in _text(output).splitlines(keepends=True) if line.startswith(self.said))


def _is_score(output: NotebookNode) -> bool:
    """A cell's result that is only a number (a partial-credit test's score)."""
    if output.output_type != "execute_result" or set(output.get("data", {})) != {"text/plain"}:
        return False
    try:
        float(_text(NotebookNode(text=output.data["text/plain"])))
    except ValueError:
        return False
    return True


def _text(output: NotebookNode) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _redact(output: NotebookNode, hidden: list[str]) -> None:
    """Replace every verbatim hidden-test line in an output's texts with ``[hidden test]``."""

    def clean(text):
        if isinstance(text, list):
            text = "".join(text)
        if not isinstance(text, str):
            return text
        for line in hidden:
            if line in text:
                text = text.replace(line, "[hidden test]")
        return text

    for key in ("text", "evalue"):
        if key in output:
            output[key] = clean(output[key])
    if "traceback" in output:
        output["traceback"] = [clean(line) for line in output["traceback"]]
    if "data" in output:
        for kind, value in list(output["data"].items()):
            if kind.startswith("text/") or kind.endswith(("+json", "/json", "+xml")):
                output["data"][kind] = clean(value) if isinstance(value, str | list) else value


class LabelItems(NbGraderPreprocessor):
    """For feedback, after ``GetGrades``: each graded cell named as the student knows it, and what is still pending.

    Records in each grade cell's metadata (``course_item``) its label ("A1", "E"), what it is (the check cell's
    docstring, or the written answer's heading) and its state: ``graded``; ``not graded yet`` (a written answer
    nobody has graded: nbgrader would show it as 0); or ``to review`` (an autograded cell the integrity checks
    flagged for a person to look at). In the resources (``course_pending``), the labels not final yet, so that the
    page says the total is a score so far. The course's feedback template shows them.
    """

    display_data_priority = HideHiddenTests.display_data_priority

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        titles = item_titles(nb)
        info = resources["nbgrader"]
        pending = []
        with Gradebook(info["db_url"]) as gradebook:
            for cell in nb.cells:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if grade_id and utils.is_solution(cell) and not utils.is_grade(cell):
                    cell.metadata["course_item"] = {"label": item_label(grade_id), "answer": True}
                if not grade_id or not utils.is_grade(cell):
                    continue
                grade = gradebook.find_grade(grade_id, info["notebook"], info["assignment"], info["student"])
                if not grade.needs_manual_grade:
                    state = "graded"
                elif is_test_cell(cell):
                    state = "to review"
                else:
                    state = "not graded yet"
                label = item_label(grade_id)
                if state != "graded":
                    pending.append(label)
                cell.metadata["course_item"] = {
                    "label": label,
                    "title": titles.get(grade_id, ""),
                    "written": not is_test_cell(cell),
                    "state": state,
                }
        resources["course_pending"] = pending
        return nb, resources

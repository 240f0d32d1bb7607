"""The checking helpers used by test cells: exact types first, so always-equal objects never pass."""

import pandas as pd
import pytest

from course import grading


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class AlwaysEqualFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def test_check_type_is_exact():
    grading.check_type("x", str, "x")
    with pytest.raises(AssertionError, match="x should be a str, but it is a AlwaysEqual"):
        grading.check_type(AlwaysEqual("y"), str, "x")
    with pytest.raises(AssertionError, match="should be a int or float, but it is a bool"):
        grading.check_type(True, (int, float), "n")


def test_check_choice_rejects_lookalikes_and_names_the_options():
    grading.check_choice("concern", ("concern", "warning"), "s")
    with pytest.raises(AssertionError, match="one of: concern, warning"):
        grading.check_choice("worry", ("concern", "warning"), "s")
    with pytest.raises(AssertionError):
        grading.check_choice(AlwaysEqual("concern"), ("concern",), "s")


def test_check_equal_is_recursive_and_exact():
    grading.check_equal({"a": [1, 2.0, "x"]}, {"a": [1, 2.0, "x"]}, "v")
    for bad in (
        {"a": [1, 2, "x"]},
        {"a": (1, 2.0, "x")},
        {"a": [1, 2.0, AlwaysEqual("x")]},
        {"b": [1, 2.0, "x"]},
    ):
        with pytest.raises(AssertionError):
            grading.check_equal(bad, {"a": [1, 2.0, "x"]}, "v")
    with pytest.raises(AssertionError, match="v is not right yet. Count again."):
        grading.check_equal(3, 4, "v", hint="Count again.")


def test_check_close_wants_a_real_finite_number():
    grading.check_close(806.7, 806.69, "d", rel=1e-3)
    for bad in (AlwaysEqualFloat(1.0), True, "806.7", float("nan")):
        with pytest.raises(AssertionError):
            grading.check_close(bad, 806.7, "d")


def test_check_close_at_zero_needs_an_absolute_tolerance_and_says_what_it_checked():
    """A share of 0 or a distance of 0 km: no relative tolerance is met, an absolute one is."""
    with pytest.raises(AssertionError, match=r"the distance from a point to itself = 1e-12 is not right yet"):
        grading.check_close(1e-12, 0.0, "the distance from a point to itself")
    grading.check_close(1e-12, 0.0, "the distance from a point to itself", abs=1e-9)
    grading.check_close(0.25, 0.2500001, "the share", abs=1e-6)
    with pytest.raises(AssertionError, match="the share = 0.26"):
        grading.check_close(0.26, 0.25, "the share", abs=1e-6)


def test_check_keys_and_phrase():
    grading.check_keys({"a": 1, "b": 2}, ["a", "b"], "d")
    with pytest.raises(AssertionError, match=r"missing \['b'\], extra \['c'\]"):
        grading.check_keys({"a": 1, "c": 2}, ["a", "b"], "d")
    grading.check_phrase("Western-style", "not intended to create a Western-style military alliance", "p")
    with pytest.raises(AssertionError, match="does not appear word for word"):
        grading.check_phrase("Eastern-style", "a Western-style alliance", "p")
    with pytest.raises(AssertionError, match="is empty"):
        grading.check_phrase("  ", "text", "p")


def test_partial_credit_scores():
    assert (
        grading.score_codes("non-committal", "words_only", ("non-committal", "words_only"), (1.0, 0.5)) == 1.5
    )
    assert grading.score_codes("concern", "words_only", ("non-committal", "words_only"), (1.0, 0.5)) == 1.0
    assert (
        grading.score_codes(AlwaysEqual("non-committal"), 3, ("non-committal", "words_only"), (1.0, 0.5)) == 0
    )
    # a defensible alternative the key lists: its share, never more than the neighbour rule already gives
    key, pts = ("non-committal", "words_only"), (1.0, 0.5)
    assert grading.score_codes("endorsement", "words_only", key, pts, also={"endorsement": 0.5}) == 1.0
    assert grading.score_codes("endorsement", "words_only", key, pts) == 0.5
    assert grading.score_codes("concern", "words_only", key, pts, also={"concern": 0.25}) == 1.0
    assert grading.score_codes(AlwaysEqual("endorsement"), 3, key, pts, also={"endorsement": 1.0}) == 0
    assert grading.score_matches({"q": "putin", "r": "x"}, {"q": "putin", "r": "kim"}, 0.5) == 0.5
    assert grading.score_matches({"q": AlwaysEqual("putin")}, {"q": "putin"}, 0.5) == 0
    assert grading.score_matches(pd.Series({"q": "putin"}), {"q": "putin"}, 0.5) == 0
    assert grading.score_phrase("Possible ", ["possible"], 1.0) == 1.0
    assert (
        grading.score_phrase(
            "in possible direct violation of U.N. Security Council resolutions", ["possible"], 1.0, 4
        )
        == 0
    )
    assert grading.score_phrase(AlwaysEqual("possible"), ["possible"], 1.0) == 0


def test_helpers_listed_for_fingerprinting_exist():
    for name in grading.HELPERS:
        assert callable(getattr(grading, name))


def test_numpy_scalars_from_pandas_count_as_numbers_but_subclasses_do_not():
    import numpy as np

    grading.check_type(np.float64(1.5), float, "x")
    grading.check_type(np.int64(3), int, "n")
    grading.check_close(np.float64(806.7), 806.7, "d")
    with pytest.raises(AssertionError):
        grading.check_type(np.int64(3), float, "x")
    with pytest.raises(AssertionError):
        grading.check_type(AlwaysEqualFloat(1.0), float, "x")


def test_every_helper_that_scores_can_say_why_for_each_outcome(capsys):
    """Issue 33: the key author's words reach the student as "Feedback: ..." lines, for a right and a wrong answer."""
    assert (
        grading.score_phrase("possible", ["possible"], 1.0, right="Yes: it hedges.", wrong="Look again.")
        == 1.0
    )
    assert (
        grading.score_phrase("seriously", ["possible"], 1.0, right="Yes: it hedges.", wrong="Look again.")
        == 0
    )
    assert (
        grading.score_phrase(3, ["possible"], 1.0, right="Yes.", wrong="Not a string, so: look again.") == 0
    )
    assert grading.score_phrase("possible", ["possible"], 1.0) == 1.0  # nothing to say: nothing printed
    assert capsys.readouterr().out.splitlines() == [
        "Feedback: Yes: it hedges.",
        "Feedback: Look again.",
        "Feedback: Not a string, so: look again.",
    ]
    why = {
        "bound": ("a floor, no ceiling.", "what does 'more than' rule out?"),
        "source": ("the article's.", "who says it?"),
    }
    assert (
        grading.score_matches(
            {"bound": "lower bounds", "source": "x"}, {"bound": "lower bounds", "source": "y"}, 1.0, why=why
        )
        == 1.0
    )
    assert (
        grading.score_matches("not a dict", {"bound": "lower bounds"}, 1.0, why={"bound": why["bound"]}) == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "Feedback: bound: right. A floor, no ceiling.",
        "Feedback: source: not yet. Who says it?",
        "Feedback: bound: not yet. What does 'more than' rule out?",
    ]
    with grading.explain(right="Yes: all of them.", wrong="some are missing."):
        assert True
    with pytest.raises(AssertionError, match="the checks' own message"):
        with grading.explain(right="Yes: all of them.", wrong="some are missing."):
            raise AssertionError("the checks' own message")
    assert capsys.readouterr().out.splitlines() == [
        "Feedback: Yes: all of them.",
        "Feedback: Not yet: some are missing.",
    ]


def test_a_coded_reading_says_what_each_part_earned(capsys):
    readings = [("non-committal", "words_only", ["relevant countries"], "it judges nothing specific.")]
    answer = {"stance": "concern", "commitment": "policy_step", "signal": "relevant countries"}
    assert grading.score_reading(answer, readings) == 1.0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Feedback: your answer earned: stance 'concern': 0.5 of 1 (a neighbouring code earns half); commitment "
        "'policy_step': 0 of 0.5; signal 'relevant countries': 0.5 of 0.5."
    )
    assert (
        lines[1]
        == "Feedback: scored against the reading non-committal / words_only: it judges nothing specific."
    )
    long = {"stance": "x" * 500, "commitment": None, "signal": None}
    grading.score_reading(long, readings)
    assert len(capsys.readouterr().out.splitlines()[0]) < 250, "a long answer is cut, not echoed whole"


@pytest.mark.notebooks
def test_a_failed_check_reads_as_two_lines_and_percent_tb_gives_the_whole_traceback():
    """Issue 33: a failed visible check was a 15-line traceback into course/grading/helpers.py with one useful line;
    now two lines in the student's kernel; %tb shows all of it; a student's own assert keeps its traceback."""
    import nbformat
    from nbclient import NotebookClient

    from course.practice.engine import PrivateKernelManager

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'from course.grading import check_choice\ncheck_choice("x", ["a", "b"], \'a1["stance"]\')'
            ),
            nbformat.v4.new_code_cell("%tb"),
            nbformat.v4.new_code_cell('assert 1 == 2, "my own"'),
        ]
    )
    NotebookClient(
        nb, allow_errors=True, kernel_name="python3", kernel_manager_class=PrivateKernelManager
    ).execute()
    short, full, own = (cell.outputs[-1] for cell in nb.cells)
    assert short.ename == "CheckFailed" and short.evalue == "a1[\"stance\"] is 'x'; it should be one of: a, b"
    assert len(short.traceback) == 2 and "The check did not pass: a1[\"stance\"] is 'x'" in short.traceback[0]
    assert short.traceback[1].startswith(
        "Fix the answer in the cell above, run it, then run this check again."
    )
    assert "helpers.py" in "".join(full.traceback) and len(full.traceback) > 2
    assert own.ename == "AssertionError" and len(own.traceback) > 2

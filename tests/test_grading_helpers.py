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

"""Flags are typed: a level from a closed list, read back from a notebook's metadata without trusting it."""

from __future__ import annotations

import pytest

from course.autograder.common import Flag, IntegrityRecord, flag, for_a_person


def test_a_flag_round_trips_through_a_notebooks_metadata():
    f = flag("review", "read-only cell t1 was edited", "t1")
    assert Flag.from_metadata(f.to_metadata()) == f
    assert f.to_metadata() == {"level": "review", "message": "read-only cell t1 was edited", "cell": "t1"}


def test_a_flag_has_one_of_three_levels():
    with pytest.raises(ValueError, match="a flag's level is one of violation, review, info, not 'warning'"):
        flag("warning", "x")


@pytest.mark.parametrize(
    "forged",
    [{"level": "none", "message": "x"}, {"message": "x"}, "violation: x", None, {"level": "info"}, [1, 2]],
)
def test_what_cannot_be_read_from_metadata_becomes_a_flag_for_review(forged):
    """The sanitize step's flags cross to the autograde step in the notebook, which a student had in hand."""
    read = Flag.from_metadata(forged)
    assert read.level == "review" and "could not be read" in read.message


def test_a_forged_cell_or_an_endless_message_is_not_carried():
    read = Flag.from_metadata({"level": "info", "message": "m" * 10_000, "cell": {"evil": 1}})
    assert read.cell is None and len(read.message) == 2000


def test_one_rule_says_which_flags_need_a_person_whatever_their_form():
    assert for_a_person([flag("info", "x"), flag("review", "y")])
    assert not for_a_person([flag("info", "x")])
    assert for_a_person([{"level": "violation"}]) and for_a_person(["review: from the report"])
    assert IntegrityRecord([]).flagged_cells == [] and IntegrityRecord([]).judged == {}

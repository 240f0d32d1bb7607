"""FlagOverwriteCells (course.autograder.overwrite): edited read-only cells restored, deleted tests re-added, flagged."""

import pytest
from tiny_assignment import RELEASED_TEST, TEST, notebook, resources
from traitlets.config import Config

from course.autograder.common import FLAG_KEY
from course.autograder.overwrite import FlagOverwriteCells

pytestmark = pytest.mark.slow  # builds nbgrader gradebooks


def overwrite(nb, tmp_path, url):
    config = Config()
    config.OverwriteCells.add_missing_cells = True
    return FlagOverwriteCells(config=config).preprocess(nb, resources(tmp_path, url))


def test_a_submission_as_released_is_left_alone_and_unflagged(tmp_path, gradebook):
    nb, _ = overwrite(notebook("answer = 42", RELEASED_TEST), tmp_path, gradebook)
    assert nb.cells[2].source == TEST, "the hidden tests come back from the gradebook"
    assert nb.metadata[FLAG_KEY]["sanitize"] == []


def test_an_edited_test_is_restored_and_flagged_for_review(tmp_path, gradebook):
    nb, _ = overwrite(notebook("answer = 42", "pass  # no test here"), tmp_path, gradebook)
    assert nb.cells[2].source == TEST
    [flag] = nb.metadata[FLAG_KEY]["sanitize"]
    assert flag == {"level": "review", "message": "read-only cell test was edited; the original was restored",
                    "cell": "test"}  # fmt: skip


def test_a_deleted_test_is_added_back_and_recorded(tmp_path, gradebook):
    nb = notebook("answer = 42")
    del nb.cells[2]
    nb, _ = overwrite(nb, tmp_path, gradebook)
    assert [c.metadata["nbgrader"]["grade_id"] for c in nb.cells][-1] == "test"
    assert nb.metadata[FLAG_KEY]["sanitize"] == [
        {"level": "info", "message": "cell test was missing and was added back", "cell": "test"}
    ]


def test_only_real_edits_are_reported_and_in_plain_words(tmp_path, gradebook, caplog):
    """Issue 20: nbgrader warned 'checksum has changed' for every test cell with hidden tests, edited or not."""
    import logging

    caplog.set_level(logging.DEBUG)
    overwrite(notebook("answer = 42", RELEASED_TEST), tmp_path, gradebook)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [
        r.getMessage() for r in caplog.records
    ]
    caplog.clear()
    overwrite(notebook("answer = 42", "pass  # no test here"), tmp_path, gradebook)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert (
        warning
        == "cell test: the student edited this read-only cell; the original is restored (flagged for review)"
    )

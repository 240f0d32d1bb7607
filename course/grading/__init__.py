"""Grading, the student's side: what runs inside a student's kernel when a problem set is checked or graded.

- :mod:`course.grading.helpers`: the checking helpers that test cells call (``check_*``, ``score_*``,
  ``explain``, ``say``, ``form_ok``), re-exported here, so a test cell says ``from course.grading import check_close``;
- :mod:`course.grading.integrity`: the kernel's self-report (the integrity probe) the autograder compares;
- :mod:`course.grading.plaindata`: answers as plain JSON data, carried out of the kernel to the judge.

This package must stay import-light and must never import the instructor's side (:mod:`course.autograder`:
nbgrader, jupyter_client), nor ipywidgets or folium: it is imported in every grading kernel. The import contracts
in ``pyproject.toml`` (``make lint``) enforce it.
"""

from course.grading.helpers import (
    HELPERS,
    CheckFailed,
    check_choice,
    check_close,
    check_equal,
    check_keys,
    check_phrase,
    check_type,
    explain,
    form_ok,
    say,
    score_choice,
    score_codes,
    score_matches,
    score_phrase,
    score_reading,
)

__all__ = [
    "HELPERS",
    "CheckFailed",
    "check_choice",
    "check_close",
    "check_equal",
    "check_keys",
    "check_phrase",
    "check_type",
    "explain",
    "form_ok",
    "score_choice",
    "score_codes",
    "score_matches",
    "score_phrase",
    "score_reading",
    "say",
]

"""Practice mode, for self-learners: check a saved problem set against the key, and read model answers on request.

Its audience is a learner on their own machine, not an instructor grading a class: :mod:`~course.practice.engine`
runs the key's checks in the learner's own kernel (no sandbox, no judge: it is not a grader), and
:class:`~course.practice.checker.PracticeChecker` is its view in ``notebooks/self_study.ipynb``.
"""

from course.practice.checker import PracticeChecker
from course.practice.engine import PracticeUnavailable, check, items, model_answer, problem_sets

__all__ = ["PracticeChecker", "PracticeUnavailable", "check", "items", "model_answer", "problem_sets"]

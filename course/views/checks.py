"""The lessons' "Check your understanding" quizzes as forms: the questions and their answers are content
(:mod:`course.content.lesson_checks`); this module only shows them. A lesson ends a cell with ``checks.<lesson>()``.
"""

from __future__ import annotations

from course.content import lesson_checks
from course.views.quiz import QuizForm


def _form(quiz) -> QuizForm:
    return QuizForm(quiz.questions, title=quiz.title)


def sentences() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.sentences`."""
    return _form(lesson_checks.sentences())


def start_here() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.start_here`."""
    return _form(lesson_checks.start_here())


def summit() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.summit`."""
    return _form(lesson_checks.summit())


def treaty() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.treaty`."""
    return _form(lesson_checks.treaty())


def reactions() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.reactions`."""
    return _form(lesson_checks.reactions())


def avoided() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.avoided`."""
    return _form(lesson_checks.avoided())


def munitions() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.munitions`."""
    return _form(lesson_checks.munitions())


def dilemma() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.dilemma`."""
    return _form(lesson_checks.dilemma())


def after() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.after`."""
    return _form(lesson_checks.after())


def muted() -> QuizForm:
    """The form of :func:`course.content.lesson_checks.muted`."""
    return _form(lesson_checks.muted())

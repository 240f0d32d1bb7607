"""Check-your-understanding questions with instant feedback.

A :class:`Question` is plain data (prompt, options, the best answer, defensible alternatives, an explanation).
:func:`check` turns a response into :class:`Feedback`; it works anywhere, with or without widgets.
:class:`Quiz` groups questions and scores a set of responses; :class:`course.views.quiz.QuizForm` shows one as
a form in JupyterLab. No answer is stored anywhere: this is practice, not grading (grading is nbgrader's job).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["correct", "accepted", "wrong", "unanswered", "invalid"]


class QuizError(ValueError):
    """A question is malformed (an answer that is not among its options, duplicate options, ...)."""


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Parameters
    ----------
    prompt : str
        The question, e.g. "What kind of sentence is this?".
    options : tuple of str
        The choices shown, in order.
    answer : str
        The best answer; must be one of ``options``.
    explanation : str
        Why the answer is right; shown once the learner answers correctly or asks for the answer.
    hint : str, optional
        Shown after a wrong answer, before the answer is revealed.
    accepted : tuple of str, optional
        Other defensible options: they count as half right, with the explanation of the best one.
    passage : str, optional
        A short text the question is about (shown quoted above the prompt).
    feedback : mapping of option -> str, optional
        What to say about a particular option when it is chosen (why it is wrong, or only half right).
    """

    prompt: str
    options: tuple[str, ...]
    answer: str
    explanation: str
    hint: str = ""
    accepted: tuple[str, ...] = field(default_factory=tuple)
    passage: str = ""
    feedback: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        options = tuple(self.options)
        object.__setattr__(self, "options", options)
        object.__setattr__(self, "accepted", tuple(self.accepted))
        where = f"question {self.prompt[:60]!r}"
        if len(options) < 2:
            raise QuizError(f"{where}: needs at least two options, got {len(options)}")
        normed = [_norm(o) for o in options]
        if len(set(normed)) != len(normed):
            raise QuizError(f"{where}: options repeat ({', '.join(options)})")
        if _norm(self.answer) not in normed:
            raise QuizError(f"{where}: answer {self.answer!r} is not one of the options {options}")
        for alt in self.accepted:
            if _norm(alt) not in normed:
                raise QuizError(f"{where}: accepted answer {alt!r} is not one of the options")
            if _norm(alt) == _norm(self.answer):
                raise QuizError(f"{where}: {alt!r} is the answer; do not list it as 'accepted' too")
        if not self.explanation.strip():
            raise QuizError(f"{where}: give an explanation of the answer")
        for option in self.feedback:
            if _norm(option) not in normed:
                raise QuizError(f"{where}: feedback for {option!r}, which is not one of the options")

    def said_of(self, option: str) -> str:
        """The feedback written for ``option`` (matched as answers are), or ''."""
        return next((text for o, text in self.feedback.items() if _norm(o) == _norm(option)), "")


@dataclass(frozen=True)
class Feedback:
    """The result of checking one response."""

    status: Status
    message: str

    @property
    def correct(self) -> bool:
        """True only for the best answer."""
        return self.status == "correct"

    @property
    def points(self) -> float:
        """1 for the best answer, 0.5 for a defensible alternative, else 0."""
        return {"correct": 1.0, "accepted": 0.5}.get(self.status, 0.0)

    def __str__(self) -> str:
        return self.message


def check(question: Question, response: str | None) -> Feedback:
    """Check ``response`` against ``question``.

    Matching ignores case and extra spaces. A response that is not one of the options is reported as
    ``invalid`` with the list of options (never an exception: feedback must always reach the learner).
    """
    if response is None or not str(response).strip():
        return Feedback("unanswered", "No answer yet: choose one of " + _options_text(question) + ".")
    chosen = _norm(response)
    if chosen == _norm(question.answer):
        return Feedback("correct", f"✔ Correct: {_bare(question.answer)}. {question.explanation}")
    said = question.said_of(str(response))
    said = f" {said}" if said else ""
    if chosen in {_norm(a) for a in question.accepted}:
        return Feedback(
            "accepted",
            f"◐ Defensible, but the best answer is {_bare(question.answer)}.{said} {question.explanation}",
        )
    if chosen not in {_norm(o) for o in question.options}:
        return Feedback(
            "invalid",
            f"{response!r} is not one of the options. Choose one of {_options_text(question)}.",
        )
    hint = f" Hint: {question.hint}" if question.hint else ""
    return Feedback("wrong", f"✘ Not quite: {_bare(response)} is not the best answer.{said}{hint} Try again.")


def reveal(question: Question) -> str:
    """Return the answer and its explanation, for a learner who asks to see it."""
    return f"Answer: {_bare(question.answer)}. {question.explanation}"


def _bare(option: object) -> str:
    """An option as it reads inside a sentence: without a full stop of its own."""
    return str(option).strip().rstrip(".")


def _options_text(question: Question) -> str:
    return ", ".join(repr(o) for o in question.options)


@dataclass(frozen=True)
class QuizResult:
    """Feedback for each question of a quiz, and the score."""

    feedback: tuple[Feedback, ...]

    @property
    def score(self) -> float:
        """Points earned (1 per best answer, 0.5 per defensible alternative)."""
        return sum(f.points for f in self.feedback)

    @property
    def total(self) -> int:
        """Number of questions."""
        return len(self.feedback)

    def __str__(self) -> str:
        lines = [f"{i}. {f.message}" for i, f in enumerate(self.feedback, start=1)]
        lines.append(f"Score: {self.score:g} of {self.total}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(f.message)}</li>" for f in self.feedback)
        return f"<ol>{items}</ol><p><b>Score: {self.score:g} of {self.total}</b></p>"


class Quiz:
    """A list of questions that checks responses (:class:`course.views.quiz.QuizForm` shows it as a form).

    Parameters
    ----------
    questions : sequence of Question
    title : str
        Shown above the form.
    """

    def __init__(self, questions: Sequence[Question], title: str = "Check your understanding") -> None:
        if not questions:
            raise QuizError("a quiz needs at least one question")
        self.questions = tuple(questions)
        self.title = title

    def __len__(self) -> int:
        return len(self.questions)

    def check(self, responses: Mapping[int, str | None] | Sequence[str | None]) -> QuizResult:
        """Check responses given as a list (in question order) or a dict ``{question number: answer}``.

        Question numbers start at 1, as shown in the form. Missing responses count as unanswered.
        """
        if isinstance(responses, Mapping):
            unknown = [k for k in responses if not (isinstance(k, int) and 1 <= k <= len(self))]
            if unknown:
                raise QuizError(
                    f"question numbers run from 1 to {len(self)}; got {', '.join(map(repr, unknown))}"
                )
            answers = [responses.get(i) for i in range(1, len(self) + 1)]
        elif isinstance(responses, str):
            raise QuizError("give one answer per question, as a list or a dict, not a single string")
        else:
            answers = list(responses)
            if len(answers) > len(self):
                raise QuizError(f"this quiz has {len(self)} questions; got {len(answers)} answers")
            answers += [None] * (len(self) - len(answers))
        return QuizResult(tuple(check(q, a) for q, a in zip(self.questions, answers, strict=True)))

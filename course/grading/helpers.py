"""Answer-checking helpers for the problem sets' test cells.

The helpers are strict on purpose. Stock ``assert answer == expected`` is fooled by an object whose ``__eq__``
always returns True; every helper here first checks the *exact* type (``type(x) is str``, never
``isinstance``), element by element for containers, and only then compares values. A failed check raises
``AssertionError`` with a message that tells the student what to fix, never the expected answer.

The ``score_*`` helpers return partial credit: a test cell that ends with one of them shows the number as its
result, and nbgrader records it as the cell's score.

Every item also says why (issue 33): the key's author writes, with the item's hidden checks, what a right answer
shows and the most common reason an answer falls short, and the helpers print them as "Feedback: ..." lines
(:func:`explain` around plain checks; ``right=``/``wrong=`` of :func:`score_phrase`; ``why=`` of
:func:`score_matches`; the readings of :func:`score_reading` and :func:`score_choice`). The feedback keeps those
lines and nothing else a hidden test printed (course.autograder.feedback.HideHiddenTests); practice mode shows them
too. They are written for the student: never the expected value, never the test itself.

These functions run inside the grading kernel; the autograder (``course/autograder/``) verifies before each
test cell that they have not been replaced.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence

from course.content.reactions import COMMITMENT_CODES, STANCE_CODES, phrase_form, score_coding

#: The helpers whose code the autograder fingerprints (see course.grading.integrity).
HELPERS = (
    "check_type",
    "check_choice",
    "check_equal",
    "check_close",
    "check_keys",
    "check_phrase",
    "score_choice",
    "score_codes",
    "score_matches",
    "score_phrase",
    "score_reading",
    "explain",
    "say",
)

#: What begins a line printed for the student (kept in feedback; course.autograder.feedback.HideHiddenTests.said).
SAID = "Feedback: "
#: The words :func:`form_ok` prints; feedback drops them silently (graded, they no longer say anything).
FORM_OK = "the form is right and the visible checks pass."


class CheckFailed(AssertionError):
    """A check that did not pass. Its message says what to fix; in JupyterLab it is shown as that message and one
    line on what to do, not as a traceback into this module (issue 33: 15 lines, one of them useful). ``%tb``
    (the same exception shown a second time) gives the whole traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for an exception's own display
        if getattr(self, "_shown", False):
            from IPython import get_ipython

            shell = get_ipython()
            if shell is not None:
                return shell.InteractiveTB.structured_traceback(type(self), self, self.__traceback__)
        self._shown = True
        return [
            f"\x1b[1;31mThe check did not pass: {self}\x1b[0m",
            "Fix the answer in the cell above, run it, then run this check again. (The whole traceback: %tb)",
        ]


def say(text: str) -> None:
    """Print one line for the student ("Feedback: ..."), kept in their feedback and shown in practice mode."""
    print(SAID + " ".join(str(text).split()))


_SCALARS = (str, int, float, bool, type(None))


def _name(type_or_types) -> str:
    if isinstance(type_or_types, tuple):
        return " or ".join(t.__name__ for t in type_or_types)
    return type_or_types.__name__


def _trusted(types: tuple[type, ...]) -> tuple[type, ...]:
    """Widen ``int`` and ``float`` to NumPy's own scalar types (pandas hands those out; their ``==`` is trusted)."""
    import numpy as np

    extra = {float: (np.float64, np.float32), int: (np.int64, np.int32)}
    return types + tuple(t for base in types for t in extra.get(base, ()))


def check_type(value: object, expected_type: type | tuple[type, ...], name: str) -> None:
    """Fail unless ``type(value)`` is exactly ``expected_type`` (or one of a tuple of types).

    ``float`` and ``int`` also accept NumPy's float64/float32 and int64/int32 (what pandas returns); a
    subclass defined in a submission never passes.
    """
    allowed = _trusted(expected_type if isinstance(expected_type, tuple) else (expected_type,))
    if type(value) not in allowed:
        raise CheckFailed(f"{name} should be a {_name(expected_type)}, but it is a {type(value).__name__}")


def check_choice(value: object, choices: Iterable[str], name: str) -> None:
    """Fail unless ``value`` is a plain ``str`` equal to one of ``choices``."""
    choices = tuple(choices)
    check_type(value, str, name)
    if str.__str__(value) not in choices:
        raise CheckFailed(f"{name} is {value!r}; it should be one of: {', '.join(choices)}")


def _same(value: object, expected: object, rel: float) -> bool:
    if type(value) is not type(expected):
        return False
    if type(expected) is float:
        return math.isclose(value, expected, rel_tol=rel, abs_tol=rel)
    if type(expected) in (list, tuple):
        return len(value) == len(expected) and all(
            _same(v, e, rel) for v, e in zip(value, expected, strict=True)
        )
    if type(expected) is dict:
        return set(value) == set(expected) and all(_same(value[k], expected[k], rel) for k in expected)
    if type(expected) in (set, frozenset):
        return all(type(v) in _SCALARS for v in value) and set(value) == set(expected)
    if type(expected) in _SCALARS:
        return type(expected).__eq__(expected, value) is True
    raise TypeError(f"check_equal cannot compare values of type {type(expected).__name__}")


def check_equal(value: object, expected: object, name: str, hint: str = "", rel: float = 1e-9) -> None:
    """Fail unless ``value`` has exactly the type of ``expected`` (recursively) and the same value.

    Floats compare with a relative tolerance ``rel``. ``hint`` is added to the failure message (never put the
    expected value in it).
    """
    if type(value) is not type(expected):
        raise CheckFailed(f"{name} should be a {type(expected).__name__}, but it is a {type(value).__name__}")
    if not _same(value, expected, rel):
        raise CheckFailed(f"{name} is not right yet." + (f" {hint}" if hint else ""))


def check_close(
    value: object, expected: float, name: str, rel: float = 1e-3, hint: str = "", *, abs: float = 0.0
) -> None:
    """Fail unless ``value`` is an ``int`` or ``float`` (not bool) close to ``expected``.

    Close means within ``rel`` of ``expected`` (relative: 1e-3 is a thousandth of it) or within ``abs`` of it
    (absolute, for an expected value at or near zero, where no relative tolerance can be met).
    """
    check_type(value, (int, float), name)
    if not math.isfinite(value):
        raise CheckFailed(f"{name} should be a finite number, not {value!r}")
    if not math.isclose(float(value), float(expected), rel_tol=rel, abs_tol=abs):
        raise CheckFailed(f"{name} = {value!r} is not right yet." + (f" {hint}" if hint else ""))


def check_keys(value: object, keys: Iterable[str], name: str) -> None:
    """Fail unless ``value`` is a plain ``dict`` whose keys are exactly ``keys`` (all plain ``str``)."""
    keys = set(keys)
    check_type(value, dict, name)
    if not all(type(k) is str for k in value):
        raise CheckFailed(f"the keys of {name} should all be strings")
    if set(value) != keys:
        missing, extra = sorted(keys - set(value)), sorted(set(value) - keys)
        raise CheckFailed(
            f"{name} should have exactly the keys {sorted(keys)}; missing {missing}, extra {extra}"
        )


def _norm(text: str) -> str:
    return phrase_form(text)


def check_phrase(value: object, text: str, name: str) -> None:
    """Fail unless ``value`` is a non-empty ``str`` that appears word for word in ``text``."""
    check_type(value, str, name)
    if not str.strip(value):
        raise CheckFailed(f"{name} is empty; copy the words from the statement")
    if _norm(value) not in _norm(text):
        raise CheckFailed(f"{name} = {value!r} does not appear word for word in the statement")


def score_codes(
    stance: object,
    commitment: object,
    expected: tuple[str, str],
    points: tuple[float, float],
    also: Mapping[str, float] | None = None,
) -> float:
    """Points for a coded reaction: full for the right code, half for a neighbouring one (course.content.reactions).

    ``also`` gives other defensible codes their share of a part's points (``{"endorsement": 0.5}``: half the
    stance points for "endorsement"), where the key lists a reading the scheme's neighbours do not cover; the
    better of the two credits counts. Stance and commitment codes never share a name, so one mapping serves both.
    Anything that is not a plain ``str`` among the scheme's codes scores 0 for that part.
    """
    also = dict(also or {})
    total = 0.0
    for given, reference, kind, worth, codes in (
        (stance, expected[0], "stance", points[0], STANCE_CODES),
        (commitment, expected[1], "commitment", points[1], COMMITMENT_CODES),
    ):
        if type(given) is str and given in codes:
            total += worth * max(score_coding(given, reference, kind), also.get(given, 0.0))
    return round(total, 4)


def score_reading(
    answer: object,
    readings: Sequence[tuple],
    points: tuple[float, float, float] = (1.0, 0.5, 0.5),
) -> float:
    """Points for a coded statement (``{"stance", "commitment", "signal"}``) against every reading the key accepts.

    Each reading is ``(stance, commitment, signals, why)``: its codes, the words of the statement that show it, and
    one sentence on what it sees; a fifth element, the reading's credit (1 if left out), scales what an answer
    scored against it earns (an instructor's bank: a reading the codebook allows with a share). An answer is scored against each reading (stance ``points[0]``, commitment
    ``points[1]``, a neighbouring code half; ``points[2]`` if the signal holds one of that reading's words, ten
    words at most) and keeps the best. Two readings of one statement are both right when each rests on words of
    its own (issue 28: "welcomes" is a positive judgment; "relevant countries" judges nothing specific). The
    feedback says what each part of the answer earned against that reading, names the reading, and every other
    reading, with why.
    """
    if type(answer) is not dict:
        say("not a dictionary with the keys 'stance', 'commitment' and 'signal'.")
        return 0.0
    stance, commitment, signal = (answer.get(k) for k in ("stance", "commitment", "signal"))
    readings = [(*r[:4], float(r[4]) if len(r) > 4 else 1.0) for r in readings]
    best, used, parts = -1.0, 0, (0.0, 0.0, 0.0)
    for index, (r_stance, r_commitment, signals, _why, credit) in enumerate(readings):
        got = (
            credit * points[0] * score_coding(stance, r_stance, "stance")
            if type(stance) is str and stance in STANCE_CODES
            else 0.0,
            credit * points[1] * score_coding(commitment, r_commitment, "commitment")
            if type(commitment) is str and commitment in COMMITMENT_CODES
            else 0.0,
            credit * score_phrase(signal, signals, points[2]),
        )
        # added out, never more than the points (no builtin that a kernel could shadow in this module)
        total = got[0] + got[1] + got[2]
        if total > best:
            best, used, parts = total, index, got
    r_stance, r_commitment, _signals, why, credit = readings[used]
    shown = []
    for label, given, earned, worth in zip(
        ("stance", "commitment", "signal"), (stance, commitment, signal), parts, points, strict=True
    ):
        note = " (a neighbouring code earns half)" if 0 < earned < credit * worth else ""
        text = repr(given) if len(repr(given)) <= 60 else repr(given)[:57] + "..."
        shown.append(f"{label} {text}: {_number(earned)} of {_number(worth)}{note}")
    say(f"your answer earned: {'; '.join(shown)}.")
    share = (
        "" if credit == 1.0 else f" (a reading the key accepts for {_number(credit * 100)}% of the points)"
    )
    say(f"scored against the reading {r_stance} / {r_commitment}{share}: {why}")
    for index, (o_stance, o_commitment, o_signals, o_why, o_credit) in enumerate(readings):
        if index != used:
            quoted = ", ".join(f"'{w}'" for w in o_signals[:2])
            how = "in full" if o_credit == 1.0 else f"for {_number(o_credit * 100)}% of the points"
            say(f"also accepted {how}: {o_stance} / {o_commitment}, shown by {quoted}: {o_why}")
    return round(best, 4)


def _sentence(text: str) -> str:
    """``text`` with its first letter capitalised (it follows a full stop)."""
    return text[:1].upper() + text[1:]


def _number(value: float) -> str:
    return f"{round(float(value), 4):g}"


def score_matches(
    given: object,
    expected: Mapping[str, str],
    per_item: float,
    why: Mapping[str, tuple[str, str]] | None = None,
) -> float:
    """``per_item`` points for each key of ``expected`` whose value in ``given`` is exactly right.

    ``why`` maps a key to the key author's two sentences, ``(right, wrong)``: what the right value shows, and the
    most common reason for a wrong one; each part's is printed for the student ("Feedback: the bound: ..."), so
    the feedback says which part earned its points.
    """
    right = {
        key
        for key, value in expected.items()
        if type(given) is dict and type(given.get(key)) is str and given[key] == value
    }
    for key, (if_right, if_wrong) in (why or {}).items():
        say(
            f"{key}: right. {_sentence(if_right)}"
            if key in right
            else f"{key}: not yet. {_sentence(if_wrong)}"
        )
    return round(len(right) * per_item, 4)


def score_phrase(
    value: object,
    accepted: Iterable[str],
    points: float,
    max_words: int = 10,
    *,
    right: str = "",
    wrong: str = "",
) -> float:
    """``points`` if ``value`` is a short ``str`` (``max_words`` at most) holding one of the ``accepted`` phrases.

    ``right`` and ``wrong`` are the key author's words to the student, printed as "Feedback: ..." for a phrase
    that earns the points and for one that does not (none, if not given).
    """
    earned = 0.0
    if type(value) is str:
        answer = _norm(value)
        short = len(answer.split()) <= max_words  # the phrase itself, not the whole statement pasted back
        earned = points if short and any(_norm(a) in answer for a in accepted) else 0.0
    if earned and right:
        say(right)
    elif not earned and wrong:
        say(wrong)
    return earned


def score_choice(given: object, readings: Mapping[str, tuple[float, str]]) -> float:
    """Points for a multiple-choice answer, and what to say about the option chosen.

    ``readings`` maps every option to its share of the points and a sentence on why; the sentence is printed as
    "Feedback: …", which the feedback keeps (course.autograder.feedback.HideHiddenTests), so it reaches the
    student after grading while the hidden test itself never does. Anything that is not a plain ``str``
    among the options scores 0.
    """
    if type(given) is not str or given not in readings:
        say("not one of the options; copy one of them exactly.")
        return 0.0
    points, why = readings[given]
    say(why)
    return float(points)


@contextlib.contextmanager
def explain(right: str, wrong: str) -> Iterator[None]:
    """Around an item's hidden checks: the key author's words to the student, whatever the outcome.

    ``right``: what a right answer shows (printed when every check inside passes). ``wrong``: the most common
    reason an answer fails them, as a hint, never the expected value (printed when one fails; the failure goes
    on, and the item scores 0). Both are printed as "Feedback: ...", which the feedback keeps::

        with explain(right="Yes: ...", wrong="Some rows are missing or extra: ..."):
            assert set(d1_china.index) == expected
    """
    try:
        yield
    except Exception:
        say(f"Not yet: {wrong}")
        raise
    say(right)


def form_ok(item: str) -> None:
    """Say that a visible check passed, and what that does and does not mean (issue 20: silence read as nothing).

    Called at the end of a check cell's visible part: the answer has the right form and passes the visible
    checks; whether it is right is for the hidden checks, which only the graded version runs.
    """
    print(
        f"{item}: {FORM_OK} Whether the answer is right is decided by the hidden checks when the problem set is "
        "graded."
    )

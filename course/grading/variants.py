"""A student's own items in a class pack (:mod:`course.autograder.pack`): which statements they code.

A class pack's problem set is released once, for the whole class, with ``variants.json`` beside the notebook: the
cards of the items drawn for each student (never a key), under a digest of the student's id. The notebook's
set-up cell calls :func:`my_variant`:

- in the student's lab it reads ``variants.json`` and picks the student by their user name on the hub
  (``JUPYTERHUB_USER``), or by ``COURSE_STUDENT`` where there is no hub;
- in the autograder, the judge (which runs the test cells, :mod:`course.autograder.judge`) and the grading kernel
  are told the student whose submission it is (:func:`attend`), from nbgrader's own records and the instructor's
  copy of the draw, never from the submission.

Only display depends on what a kernel says here: the key each answer is scored against is chosen in the judge.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

FILE = "variants.json"

#: The draw the pack files for the instructor's own run of the ``source/`` notebook (nbgrader's Validate, a look
#: before release): not a student's id (none has spaces or brackets), and used only in a ``source`` folder.
PREVIEW = "(instructor preview)"


class VariantMissing(LookupError):
    """The student has no draw in this class pack (or the notebook is not where its variants.json is)."""


_attended: Variant | VariantMissing | None = None


def digest(assignment: str, student: str) -> str:
    """The id a student's draw is filed under in ``variants.json`` (the roster is not listed in the clear)."""
    return hashlib.sha256(f"{assignment}\0{student}".encode()).hexdigest()[:20]


class Variant:
    """One student's draw in one problem set: ``cards`` maps item slots (``"A1"``, ...) to item cards, ``params``
    maps question slots (``"C3"``) to the inputs drawn for that question (a criterion, a place), each with a
    ``label`` to show."""

    def __init__(
        self,
        assignment: str,
        student: str,
        cards: dict[str, dict[str, str]],
        params: dict[str, dict[str, str]] | None = None,
    ):
        self.assignment, self.student, self.cards = assignment, student, cards
        self.params = params or {}

    def param(self, slot: str) -> dict[str, str]:
        if slot not in self.params:
            raise VariantMissing(
                f"no input {slot!r} in this draw; inputs: {', '.join(self.params) or 'none'}"
            )
        return self.params[slot]

    def card(self, slot: str) -> dict[str, str]:
        if slot not in self.cards:
            raise VariantMissing(f"no item {slot!r} in this draw; items: {', '.join(self.cards)}")
        return self.cards[slot]

    def item_id(self, slot: str) -> str:
        return self.card(slot)["item_id"]

    def text(self, slot: str) -> str:
        return self.card(slot)["text"]

    def options(self, slot: str) -> list[str]:
        """A Part C item's options (what the statement may have avoided saying), in the class's order."""
        card = self.card(slot)
        if "options" not in card:
            raise VariantMissing(f"the item for {slot!r} has no options: it is not a Part C item")
        return list(card["options"])

    @property
    def preview(self) -> bool:
        """The instructor's preview draw, not a student's."""
        return self.student == PREVIEW

    def graded_line(self, slot: str) -> str:
        """One line for the feedback and the formgrader: which item (or which drawn input) this student had."""
        if slot in self.params:
            return f"your input for {slot} was {self.params[slot]['label']}."
        card = self.card(slot)
        return f"your item for {slot} was {card['item_id']!r} ({card['speaker']}, {card['date']})."

    def __repr__(self) -> str:
        drawn = [card["item_id"] for card in self.cards.values()]
        drawn += [f"{slot}={value.get('label', '')}" for slot, value in self.params.items()]
        return f"<Variant {self.assignment} for {self.student}: {', '.join(drawn)}>"


def attend(
    assignment: str,
    student: str,
    cards: dict[str, dict[str, str]],
    params: dict[str, dict[str, str]] | None = None,
) -> None:
    """Grade (or show) the notebook as ``student``'s: the autograder's, never the student's, call."""
    global _attended
    _attended = Variant(assignment, student, cards, params)


@contextlib.contextmanager
def attending(variant: Variant | VariantMissing | None) -> Iterator[None]:
    """Within the block, :func:`my_variant` returns ``variant``, or raises it when it is an error (the judge's
    set-up cells for one submission: a student the class pack has no draw for)."""
    global _attended
    previous, _attended = _attended, variant
    try:
        yield
    finally:
        _attended = previous


def read(path: str | Path, assignment: str, student: str) -> Variant:
    """``student``'s draw from a ``variants.json``."""
    try:
        table = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VariantMissing(
            f"{FILE} is not beside this notebook: it came with the problem set; fetch the problem set again"
        ) from None
    key = digest(assignment, student)
    drawn = table.get("students", {}).get(key)
    if drawn is None:
        raise VariantMissing(
            f"nothing was drawn for {student!r} in {assignment}: ask your instructor to add you to the class "
            "pack (python -m course.autograder pack) and release it again"
        )
    return Variant(
        assignment,
        student,
        {slot: table["items"][item] for slot, item in zip(table["slots"], drawn, strict=True)},
        table.get("params", {}).get(key, {}),
    )


def in_source_folder(cwd: Path | None = None) -> bool:
    """Whether the notebook runs in the instructor's ``source/<assignment>/`` folder (a kernel's working directory
    is its notebook's folder; nbgrader's Validate runs there too). A student's copy is fetched elsewhere; one who
    made such a folder would see the preview's cards, which are as public as their own, and grading never asks."""
    return (cwd or Path.cwd()).parent.name == "source"


def my_variant(assignment: str) -> Variant:
    """This student's items: the autograder's choice when grading, else ``variants.json`` and the user name."""
    if isinstance(_attended, VariantMissing):
        raise _attended
    if _attended is not None:
        if _attended.assignment != assignment:
            raise VariantMissing(f"graded as {_attended.assignment}, not {assignment}")
        return _attended
    student = os.environ.get("COURSE_STUDENT")
    if not student and in_source_folder():
        return read(
            FILE, assignment, PREVIEW
        )  # the instructor's own copy: the preview draw, whoever opens it
    student = student or os.environ.get("JUPYTERHUB_USER")
    if not student:
        raise VariantMissing(
            "this problem set is your class's own: each student codes their own items, chosen by their user name "
            "on the class's hub. Open it there, or (without a hub) start JupyterLab with COURSE_STUDENT set to "
            "your student id."
        )
    return read(FILE, assignment, student)

"""A class pack: a class's own graded problem sets, built from the public templates and the instructor's bank.

The repository's problem sets are public, hidden tests and all: their items are the practice variant (practice
mode, self-learners). For a graded class, ``python -m course.autograder pack`` writes an nbgrader course folder
outside the repository (the instructor's grading folder; on the hub, one only instructors can read) where
problem set 1's Part A codes items drawn from the instructor's private bank (:mod:`course.content.bank`), a
different draw for every student:

- ``source/ps1.../ps1....ipynb``: the public notebook with Part A rewritten. The show cells display the student's
  own items (``course.views.display.drawn_statement``); each check cell's hidden part holds the key of every
  item that can be drawn for it and scores the answer against the student's own (the judge, which runs test
  cells, is told whose submission it grades by nbgrader, never by the submission: ``judge.pack_variant``).
  Parts B (hedges) and C (what a statement avoided) are drawn the same way when the bank has ``hedges.csv`` and
  ``avoided.csv``; a Part C item's options travel with its card (``variant.options``), its key in the hidden tests.
- ``source/ps1.../variants.json``: each student's draw, as cards (no key), filed under a digest of their id. It is
  released with the notebook: a student's notebook reads its own draw from it.
- ``nbgrader_config.py``: the course's configuration, with this folder as the course root (an existing course
  folder, such as the hub's ``grading/``, keeps its own configuration, sharing and other problem sets).
- the other problem sets, copied unchanged where the folder has none (their keys are public: see INSTRUCTORS.md,
  "Class packs").

Why one notebook with every draw's key in its hidden tests: nbgrader releases one notebook per problem set and
grades every submission against one set of test cells; the hidden tests never leave the instructor's folder
(``generate_assignment`` strips them), and the judge picks each student's key outside the student's kernel. The
draw is ``course.content.bank.draw`` (HMAC-SHA256 of the class secret, the problem set and the student's id):
adding a student later changes no one else's items.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.content.bank import (
    HEDGE_MAX_WORDS,
    Bank,
    check_size,
    choice_key,
    draw,
    draw_avoided,
    draw_hedges,
    draw_one,
    load_bank,
    option_order,
    public_items,
)
from course.content.data import DataError
from course.grading.variants import FILE, PREVIEW, digest
from course.paths import assignments_dir, repo_root

PS1 = "ps1_reading_official_reactions"
SLOTS = ("A1", "A2", "A3", "A4", "A5")
#: Part B's places, drawn from the bank's hedged items when it has hedges.csv (else Part B keeps its public items).
HEDGE_SLOTS = ("B1", "B2", "B3")
#: Part C's places, drawn from the bank's items with options (avoided.csv), else Part C keeps its public items.
AVOIDED_SLOTS = ("C1", "C2")
PS2 = "ps2_geography_and_logistics"
PS3 = "ps3_treaties_and_scenarios"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class PackError(ValueError):
    """The pack cannot be built as asked; the message says what and where (nothing has been written)."""


@dataclass
class Pack:
    folder: Path
    students: list[str]
    draws: dict[str, list[str]]
    seconds: float

    inputs: dict[str, str] = field(default_factory=dict)  # ps3 C3's criterion per student
    places: dict[str, str] = field(default_factory=dict)  # ps2 D1's place per student
    hedges: dict[str, list[str]] = field(default_factory=dict)  # ps1 Part B's items per student (if drawn)
    avoided: dict[str, list[str]] = field(default_factory=dict)  # ps1 Part C's items per student (if drawn)

    def summary(self) -> str:
        used = {item for drawn in self.draws.values() for item in drawn}
        hedged = {item for drawn in self.hedges.values() for item in drawn}
        part_b = (
            f"Part B: {len(HEDGE_SLOTS)} hedges each from {len(hedged)} bank items"
            if self.hedges
            else "Part B: the public items (the bank has no hedges.csv)"
        )
        read = {item for drawn in self.avoided.values() for item in drawn}
        part_c = (
            f"Part C: {len(AVOIDED_SLOTS)} statements each from {len(read)} bank items"
            if self.avoided
            else "Part C: the public items (the bank has no avoided.csv)"
        )
        return (
            f"class pack in {self.folder}: {len(self.students)} students; ps1 Part A: {len(SLOTS)} items each from "
            f"{len(used)} bank items; {part_b}; {part_c}; ps2 D1's place among {len(set(self.places.values()))}; ps3 C3's criterion "
            f"among {len(set(self.inputs.values()))} ({self.seconds:.2f} s). Next: cd {self.folder}, then "
            f"nbgrader generate_assignment --force for {PS1}, {PS2} and {PS3}, and release as usual."
        )


def read_roster(path: str | Path) -> list[str]:
    """Student ids from a roster: nbgrader's ``db student import`` CSV (an ``id`` column) or one id per line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise PackError(f"{path}: cannot read the roster ({err})") from None
    header = [c.strip() for c in lines[0].split(",")] if lines else []
    column = header.index("id") if "id" in header else None
    rows = lines[1:] if column is not None else lines
    ids, seen = [], {}
    for number, line in enumerate(rows, start=2 if column is not None else 1):
        if not line.strip():
            continue
        student = line.split(",")[column].strip() if column is not None else line.strip()
        if not STUDENT_ID.match(student):
            raise PackError(
                f"{path}, line {number}: {student!r} is not a student id (letters, digits, '.', '_', '-')"
            )
        if student in seen:
            raise PackError(f"{path}, line {number}: {student!r} is already on line {seen[student]}")
        seen[student] = number
        ids.append(student)
    if not ids:
        raise PackError(f"{path}: the roster names no student")
    return ids


def read_secret(path: Path) -> bytes:
    """The class secret (made on first use, readable by its owner only): the same secret, the same draw."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise PackError(f"{path}: a class secret is at least 32 characters (delete it to make a new one)")
    return text.encode()


def _private(path: Path, what: str) -> None:
    """Refuse a bank that other users of the machine could read (the hub's students are such users)."""
    for item in [path, *path.rglob("*")]:
        mode = item.stat().st_mode
        if mode & 0o077:
            raise PackError(
                f"{item}: {what} is readable by other users (mode {mode & 0o777:o}); "
                f"make it private first: chmod -R go-rwx {path}"
            )


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _public_texts() -> list[str]:
    from course.content.data import load

    return [*load("statements")["text"].dropna(), *load("reactions")["quote"].dropna()]


def key_source(bank: Bank, item_ids: list[str]) -> str:
    """The hidden tests' table of keys, one line per item (Python literals, read back in the tests)."""
    lines = [f"    {item!r}: {[r.key() for r in bank.items[item].readings]!r}," for item in item_ids]
    return "KEYS = {\n" + "\n".join(lines) + "\n}"


def solution_source(bank: Bank, item_ids: list[str]) -> str:
    """The reference answers: each item's first reading in full, with its first signal."""
    lines = []
    for item in item_ids:
        best = next(r for r in bank.items[item].readings if r.credit == 1.0)
        answer = {"stance": best.stance, "commitment": best.commitment, "signal": best.signals[0]}
        lines.append(f"    {item!r}: {answer!r},")
    return "SOLUTIONS = {\n" + "\n".join(lines) + "\n}"


def _rewrite(nb, bank: Bank, per_slot: dict[str, list[str]]) -> None:
    cells = {c.get("id"): c for c in nb.cells}
    setup = cells["ps1-setup"]
    setup.source += (
        "\n\n# This class's own items (a class pack): drawn for each student from the instructor's bank.\n"
        "from course.grading.variants import my_variant\n"
        "from course.views.display import drawn_statement\n\n"
        f'variant = my_variant("{PS1}")'
    )
    howto = cells["ps1-part-a-howto"]
    held = re.compile(r"These five statements are \*\*held out\*\*.*?(\n\n|$)", re.S)
    if not held.search(howto.source):
        raise PackError(f"{PS1}: the Part A instructions changed; update course/autograder/pack.py")
    howto.source = held.sub(
        "These five statements were **drawn for you** from your instructor's item bank: each student codes their "
        "own, and no lesson, no data file and no classmate's notebook codes them. The scheme's definitions are "
        "what you have, as they would be for a statement in tomorrow's news. Your card names your item.\\1",
        howto.source,
    )
    for n, slot in enumerate(SLOTS, start=1):
        show, check = cells[f"ps1-a{n}-show"], cells[f"ps1-a{n}-check"]
        show.source = f'drawn_statement(variant, "{slot}")'
        cells[f"ps1-a{n}-answer"].source = (
            "### BEGIN SOLUTION\n"
            f"# the reference answer of each item that can be drawn for {slot} (the student's own is chosen)\n"
            f"{solution_source(bank, per_slot[slot])}\n"
            f'a{n} = SOLUTIONS[variant.item_id("{slot}")]\n'
            "### END SOLUTION"
        )
        visible, hidden = check.source.split("### BEGIN HIDDEN TESTS")
        visible, count = re.subn(r'reactions\.loc\["\w+", "quote"\]', f'variant.text("{slot}")', visible)
        if count != 1 or "score_reading(" not in hidden:
            raise PackError(f"{PS1} {slot}: the check cell changed; update course/autograder/pack.py")
        imports = (
            "from course.grading import check_choice, check_keys, check_phrase, score_reading, form_ok\n"
        )
        if imports not in visible:
            raise PackError(
                f"{PS1} {slot}: the check cell's imports changed; update course/autograder/pack.py"
            )
        check.source = _graded_check(
            visible,
            imports,
            slot,
            f"# key: every item of the class's bank that can be drawn for {slot}; the student's own is scored.\n"
            f"{key_source(bank, per_slot[slot])}\n"
            f'score_reading(a{n}, KEYS[variant.item_id("{slot}")])',
        )


def _graded_check(visible: str, imports: str, slot: str, hidden: str) -> str:
    """A drawn item's check cell: which item this is said first (the feedback and the formgrader show it even when
    a visible check fails), the visible checks, then the hidden key of every item drawable for the place."""
    visible = visible.replace(
        imports, imports.replace("form_ok", "form_ok, say") + f'\nsay(variant.graded_line("{slot}"))\n'
    )
    return f"{visible}### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS"


def hedge_source(bank: Bank, item_ids: list[str]) -> str:
    """Part B's hidden table of keys: each item's accepted words and the feedback's two sentences."""
    lines = [f"    {item!r}: {bank.items[item].hedge.key()!r}," for item in item_ids]
    return "HEDGES = {\n" + "\n".join(lines) + "\n}"


def _rewrite_hedges(nb, bank: Bank, per_slot: dict[str, list[str]]) -> None:
    """Part B asks each student for the hedge in three statements of their own, drawn from the bank's hedged
    items, and scores each answer against its own item's key (as Part A does)."""
    cells = {c.get("id"): c for c in nb.cells}
    _replace(
        cells["ps1-part-b"],
        "For each statement, copy the exact words asked for into a string.",
        "Three statements were drawn for you from your instructor's item bank (none is one of your Part A items): "
        "in each, find the words that **leave the speaker room**, and copy them exactly into a string.",
        f"{PS1} Part B",
    )
    for n, slot in enumerate(HEDGE_SLOTS, start=1):
        where = f"{PS1} {slot}"
        question, check = cells[f"ps1-b{n}-question"], cells[f"ps1-b{n}-check"]
        question.source = (
            f"### {slot} (1 point)\n\n"
            "Which words of your statement below **leave the speaker room**: commit the speaker to less, claim less, "
            f"or name less than the sentence seems to? Copy them (at most {_number(HEDGE_MAX_WORDS)} words)."
        )
        cells[f"ps1-b{n}-show"].source = f'drawn_statement(variant, "{slot}")'
        answers = {item: bank.items[item].hedge.words[0] for item in per_slot[slot]}
        cells[f"ps1-b{n}-answer"].source = (
            "### BEGIN SOLUTION\n"
            f"# the reference answer of each item that can be drawn for {slot} (the student's own is chosen)\n"
            f"SOLUTIONS = {answers!r}\n"
            f'b{n} = SOLUTIONS[variant.item_id("{slot}")]\n'
            "### END SOLUTION"
        )
        if "### BEGIN HIDDEN TESTS" not in check.source or "score_phrase(" not in check.source:
            raise PackError(f"{where}: the check cell changed; update course/autograder/pack.py")
        visible = check.source.split("### BEGIN HIDDEN TESTS")[0]
        visible, count = re.subn(
            r'reactions\.loc\["\w+", "(?:quote|paraphrase)"\]', f'variant.text("{slot}")', visible
        )
        imports = "from course.grading import check_phrase, score_phrase, form_ok\n"
        if count != 1 or imports not in visible:
            raise PackError(f"{where}: the check cell changed; update course/autograder/pack.py")
        check.source = _graded_check(
            visible,
            imports,
            slot,
            f"# key: every hedged item of the class's bank that can be drawn for {slot}; the student's own is scored.\n"
            f"{hedge_source(bank, per_slot[slot])}\n"
            f'words, right, wrong = HEDGES[variant.item_id("{slot}")]\n'
            f"score_phrase(b{n}, words, 1.0, max_words={HEDGE_MAX_WORDS}, right=right, wrong=wrong)",
        )


def avoided_source(bank: Bank, item_ids: list[str]) -> str:
    """Part C's hidden table of keys: each item's options, with their share of the point and the feedback's reason."""
    lines = [f"    {item!r}: {choice_key(bank.items[item].avoided)!r}," for item in item_ids]
    return "AVOIDED = {\n" + "\n".join(lines) + "\n}"


def _rewrite_avoided(nb, bank: Bank, per_slot: dict[str, list[str]]) -> None:
    """Part C asks each student what two statements of their own avoided saying, drawn from the bank's items with
    options; each student's options come with their items (``variant.options``), and each answer is scored against
    its own item's key (as Parts A and B are)."""
    cells = {c.get("id"): c for c in nb.cells}
    _replace(
        cells["ps1-part-c"],
        "For each statement, choose from its list",
        "Two statements were drawn for you from your instructor's item bank (none is one of your Part A or B "
        "items). For each, choose from its list",
        f"{PS1} Part C",
    )
    for n, slot in enumerate(AVOIDED_SLOTS, start=1):
        where = f"{PS1} {slot}"
        cells[f"ps1-c{n}-statement"].source = f"### {slot} (1 point)\n\nYour statement:"
        cells[f"ps1-c{n}-show"].source = f'drawn_statement(variant, "{slot}")'
        options = cells[f"ps1-c{n}-options"]
        if not options.source.startswith(f"c{n}_options = "):
            raise PackError(f"{where}: the options cell changed; update course/autograder/pack.py")
        options.source = f'c{n}_options = variant.options("{slot}")\nc{n}_options'
        answers = {item: bank.items[item].best_option for item in per_slot[slot]}
        cells[f"ps1-c{n}-answer"].source = (
            "### BEGIN SOLUTION\n"
            f"# the reference answer of each item that can be drawn for {slot} (the student's own is chosen)\n"
            f"SOLUTIONS = {answers!r}\n"
            f'c{n}_avoided = SOLUTIONS[variant.item_id("{slot}")]\n'
            "### END SOLUTION"
        )
        check = cells[f"ps1-c{n}-check"]
        imports = "from course.grading import check_choice, score_choice, form_ok\n"
        if "### BEGIN HIDDEN TESTS" not in check.source or "score_choice(" not in check.source:
            raise PackError(f"{where}: the check cell changed; update course/autograder/pack.py")
        visible = check.source.split("### BEGIN HIDDEN TESTS")[0]
        if imports not in visible or f"check_choice(c{n}_avoided, c{n}_options" not in visible:
            raise PackError(f"{where}: the check cell changed; update course/autograder/pack.py")
        check.source = _graded_check(
            visible,
            imports,
            slot,
            f"# key: every item of the class's bank that can be drawn for {slot}; the student's own is scored.\n"
            f"{avoided_source(bank, per_slot[slot])}\n"
            f'score_choice(c{n}_avoided, AVOIDED[variant.item_id("{slot}")])',
        )


def _number(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}.get(n, str(n))


def c3_criteria() -> list[str]:
    """ps3 C3's drawable criteria: those whose weight, raised from the default, changes the model's answer before
    it reaches 1 (a crossing, not a tie at the end: :func:`course.content.scenarios.flip_weight`), computed from the
    model, so a rebuilt model moves the list with it."""
    from course.content import scenarios

    return [c for c in scenarios.CRITERIA if scenarios.flip_weight(criterion=c) and scenarios.grid_flip(c)]


def c3_input(criterion: str) -> dict[str, str]:
    from course.content import scenarios

    return {"id": criterion, "what": "criterion", "label": scenarios.CRITERIA[criterion][0]}


def _replace(cell, old: str, new: str, where: str) -> None:
    if old not in cell.source:
        raise PackError(f"{where}: the template changed; update course/autograder/pack.py")
    cell.source = cell.source.replace(old, new, 1)


def _show_input(nb, setup, question, assignment: str, slot: str, name: str, what: str) -> None:
    """The set-up cell reads the student's draw; a locked cell under ``question`` shows the drawn input and binds
    its id to ``name`` (the solution and the student use it)."""
    setup.source += (
        f"\n\n# This class's own inputs (a class pack): {slot}'s {what} is drawn for each student.\n"
        "from course.grading.variants import my_variant\n"
        "from course.views.display import drawn_input\n\n"
        f'variant = my_variant("{assignment}")'
    )
    grade_id = f"{assignment.split('_')[0]}_{slot.lower()}_input"
    show = nbformat.v4.new_code_cell(
        f'{name} = variant.param("{slot}")["id"]\ndrawn_input(variant, "{slot}")',
        id=grade_id.replace("_", "-"),
        metadata={
            "nbgrader": {
                "grade": False,
                "grade_id": grade_id,
                "locked": True,
                "schema_version": 3,
                "solution": False,
            }
        },
    )
    nb.cells.insert(nb.cells.index(question) + 1, show)


def _rewrite_ps3(nb) -> None:
    """ps3 C3 asks about the student's own criterion (drawn), graded against that criterion's answer (the judge
    computes it from the model with the instructor's copy of the draw)."""
    cells = {c.get("id"): c for c in nb.cells}
    where = f"{PS3} C3"
    question = cells["ps3-c3-question"]
    _replace(
        question,
        'How much must "relations with Russia" matter before the model\'s answer changes? Give the criterion\n'
        '`"ties_with_russia"` the weight `w`',
        "How much must **your criterion** matter before the model's answer changes? It was drawn for you from the\n"
        "model's criteria: the cell below names it, and `my_criterion` holds its id. Give it the weight `w`",
        where,
    )
    _show_input(nb, cells["ps3-setup"], question, PS3, "C3", "my_criterion", "criterion")
    _replace(
        cells["ps3-c3-answer"], '(w if c == "ties_with_russia" else', "(w if c == my_criterion else", where
    )
    check = cells["ps3-c3-check"]
    _replace(
        check,
        "from course.grading import check_choice, check_type, form_ok\n",
        'from course.grading import check_choice, check_type, form_ok, say\n\nsay(variant.graded_line("C3"))\n',
        where,
    )
    _replace(
        check,
        "flip = abs(c3_flip - 0.34) < 0.006",
        "from course.content.scenarios import grid_flip\n\n"
        "# the key: the student's own criterion's answer, computed from the model\n"
        'expected_w, expected_top = grid_flip(variant.param("C3")["id"])\n'
        "flip = abs(c3_flip - expected_w) < 0.006",
        where,
    )
    _replace(check, '{"w": "ok", "top": "stay_muted"}', '{"w": "ok", "top": expected_top}', where)


#: Places D1's distance is never asked for: the origin, and the two capitals A2 already measures from it.
D1_EXCLUDED = ("pyongyang", "beijing", "moscow")


def d1_places() -> list[str]:
    """ps2 D1's drawable destinations: the places whose coordinates are exact and verified (data/places.csv),
    other than :data:`D1_EXCLUDED`: a distance is asked only between sourced points."""
    from course.content.data import load

    places = load("places")
    keep = (places["precision"] == "exact") & places["verified"].astype(bool)
    return [p for p in places.index[keep] if p not in D1_EXCLUDED]


def d1_input(place: str) -> dict[str, str]:
    from course.content.data import load

    return {"id": place, "what": "place", "label": str(load("places").loc[place, "name"])}


def _prepare_ps2(templates: Path):
    """ps2 D1 asks for the distance from Pyongyang to the student's own place (drawn), graded against that
    place's distance, computed by the judge from data/places.csv with the course's reference formula."""
    template = templates / "source" / PS2 / f"{PS2}.ipynb"
    if not template.is_file():
        raise PackError(
            f"{template}: no template; pass --templates with the course repository's assignments folder"
        )
    nb = nbformat.read(str(template), as_version=4)
    cells = {c.get("id"): c for c in nb.cells}
    where = f"{PS2} D1"
    question = cells["ps2-part-d"]
    _replace(
        question,
        "Make `d1_border_km`: the great-circle distance from Pyongyang to the Khasan–Tumangang bridge, with your "
        "function.",
        "Make `d1_km`: the great-circle distance from Pyongyang to **your place**, with your function. Your place was "
        "drawn for you from the course's exactly located places: the cell below names it, and `my_place` holds its "
        "id in `places`.",
        where,
    )
    _show_input(nb, cells["ps2-setup"], question, PS2, "D1", "my_place", "place")
    _replace(
        cells["ps2-d1-answer"],
        'd1_border_km = side("pyongyang", "khasan_bridge")',
        'd1_km = side("pyongyang", my_place)',
        where,
    )
    check = cells["ps2-d1-check"]
    _replace(
        check,
        'check_type(d1_border_km, float, "d1_border_km")',
        'say(variant.graded_line("D1"))\ncheck_type(d1_km, float, "d1_km")',
        where,
    )
    _replace(
        check,
        "from course.grading import check_type, form_ok\n",
        "from course.grading import check_type, form_ok, say\n",
        where,
    )
    _replace(
        check,
        "Yes: Pyongyang to the Khasan-Tumangang bridge, with your function.",
        "Yes: Pyongyang to your place, with your function.",
        where,
    )
    _replace(
        check,
        "between the places pyongyang and khasan_bridge",
        "between the places pyongyang and my_place",
        where,
    )
    _replace(
        check,
        'check_close(d1_border_km, 559.6, "d1_border_km", rel=2e-4)',
        "# the key: the distance to the student's own place, from the course's coordinates and reference formula\n"
        "    from course.content.geo import haversine_km as reference\n\n"
        '    there = places.loc[variant.param("D1")["id"]]\n'
        '    expected = reference(places.loc["pyongyang", "lat"], places.loc["pyongyang", "lon"], there["lat"], '
        'there["lon"])\n'
        '    check_close(d1_km, expected, "d1_km", rel=2e-4)',
        where,
    )
    if "d1_border_km" in "".join(c.source for c in nb.cells):
        raise PackError(
            f"{where}: the template changed (d1_border_km is still named); update course/autograder/pack.py"
        )
    return nb


def build(
    bank_folder: str | Path,
    roster: str | Path,
    out: str | Path,
    secret: str | Path | None = None,
    *,
    allow_public: bool = False,
    templates: Path | None = None,
) -> Pack:
    """Validate everything, then write the class pack into ``out`` (see the module's docstring)."""
    started = time.perf_counter()
    bank_folder, out = Path(bank_folder), Path(out)
    templates = templates or assignments_dir()
    if _inside(out, repo_root()):
        raise PackError(
            f"{out}: a class pack holds its keys; write it outside the course's public repository"
        )
    if _inside(bank_folder, repo_root()) and not allow_public:
        raise PackError(f"{bank_folder}: the bank is inside the public repository, so its keys are public")
    _private(bank_folder, "the bank")
    try:
        bank = load_bank(bank_folder)
        check_size(bank, len(SLOTS), len(HEDGE_SLOTS), len(AVOIDED_SLOTS))
    except DataError as err:
        raise PackError(f"{bank_folder}/{err}") from None
    public = public_items(bank, _public_texts())
    if public and not allow_public:
        raise PackError(
            f"{bank_folder}: item(s) {', '.join(public)} are statements the public repository already codes "
            "(data/statements.csv, data/reactions.csv): their keys are public. Replace them, or pass "
            "--allow-public for a rehearsal"
        )
    students = read_roster(roster)
    template = templates / "source" / PS1 / f"{PS1}.ipynb"
    if not template.is_file():
        raise PackError(
            f"{template}: no template; pass --templates with the course repository's assignments folder"
        )
    if out.exists() and out.stat().st_mode & 0o007:
        raise PackError(
            f"{out}: every user of this machine can read it; a class pack holds its keys (chmod o-rwx)"
        )
    nb = nbformat.read(str(template), as_version=4)
    ps3, criteria = _prepare_ps3(templates)
    ps2 = _prepare_ps2(templates)
    # written only now, everything checked but the secret (made here on first use)
    if not out.exists():  # a new course folder, the instructor's alone; an existing one keeps its sharing
        out.mkdir(parents=True, mode=0o700)
    key = read_secret(Path(secret) if secret else out / "class-secret")
    draws = {s: draw(key, PS1, s, bank.codable, len(SLOTS)) for s in students}
    preview = draw(key, PS1, PREVIEW, bank.codable, len(SLOTS))  # the instructor's run of source/ (Validate)
    per_slot = {slot: sorted({d[i] for d in (*draws.values(), preview)}) for i, slot in enumerate(SLOTS)}
    _rewrite(nb, bank, per_slot)
    hedges: dict[str, list[str]] = {}
    slots = list(SLOTS)
    if bank.hedged:  # Part B drawn too, among items other than the student's own Part A items
        everyone = {**draws, PREVIEW: preview}
        hedges = {s: draw_hedges(key, PS1, s, bank, everyone[s], len(HEDGE_SLOTS)) for s in everyone}
        _rewrite_hedges(
            nb,
            bank,
            {slot: sorted({d[i] for d in hedges.values()}) for i, slot in enumerate(HEDGE_SLOTS)},
        )
        slots += HEDGE_SLOTS
    avoided: dict[str, list[str]] = {}
    if bank.avoidable:  # Part C drawn too, among the items with options (never a Part A or B item)
        avoided = {s: draw_avoided(key, PS1, s, bank, len(AVOIDED_SLOTS)) for s in [*students, PREVIEW]}
        _rewrite_avoided(
            nb,
            bank,
            {slot: sorted({d[i] for d in avoided.values()}) for i, slot in enumerate(AVOIDED_SLOTS)},
        )
        slots += AVOIDED_SLOTS
    source = out / "source"
    for assignment in sorted(p.name for p in (templates / "source").iterdir() if p.is_dir()):
        if (
            assignment not in (PS1, PS3) and not (source / assignment).exists()
        ):  # never over the instructor's copy
            shutil.copytree(templates / "source" / assignment, source / assignment)
    folder = source / PS1
    folder.mkdir(parents=True, exist_ok=True)
    _write_notebook(nb, folder / f"{PS1}.ipynb")
    drawn = {
        s: [*items, *hedges.get(s, []), *avoided.get(s, [])]
        for s, items in {**draws, PREVIEW: preview}.items()
    }
    used = sorted({item for items in drawn.values() for item in items})
    table = {
        "assignment": PS1,
        "slots": slots,
        "items": {item: {"item_id": item, **_card(bank, item, key)} for item in used},
        "students": {digest(PS1, s): items for s, items in drawn.items()},
    }
    (folder / FILE).write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    inputs = {s: draw_one(key, PS3, s, "C3", criteria) for s in students}
    c3 = {
        s: {"C3": c3_input(c)}
        for s, c in {**inputs, PREVIEW: draw_one(key, PS3, PREVIEW, "C3", criteria)}.items()
    }
    _write_inputs(PS3, ps3, c3, templates, source)
    places = {s: draw_one(key, PS2, s, "D1", d1_places()) for s in students}
    d1 = {
        s: {"D1": d1_input(p)}
        for s, p in {**places, PREVIEW: draw_one(key, PS2, PREVIEW, "D1", d1_places())}.items()
    }
    _write_inputs(PS2, ps2, d1, templates, source)
    config = templates / "nbgrader_config.py"
    if (
        out / "nbgrader_config.py"
    ).exists():  # an nbgrader course already (the hub's grading/): kept as it is
        return Pack(
            out, students, draws, time.perf_counter() - started, inputs, places, _own(hedges), _own(avoided)
        )
    (out / "nbgrader_config.py").write_text(
        '"""A class pack (course/autograder/pack.py): the course\'s configuration, with this folder as its root."""\n'
        "import os\n\n"
        "c = get_config()  # noqa: F821 (provided by nbgrader)\n"
        f"load_subconfig({str(config)!r})  # noqa: F821\n"
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))\n",
        encoding="utf-8",
    )
    return Pack(
        out, students, draws, time.perf_counter() - started, inputs, places, _own(hedges), _own(avoided)
    )


def _own(drawn: dict[str, list[str]]) -> dict[str, list[str]]:
    """A draw without the instructor's preview (the Pack names students only)."""
    return {s: items for s, items in drawn.items() if s != PREVIEW}


def _prepare_ps3(templates: Path):
    """ps3's notebook with C3 rewritten, and the criteria to draw from: checked before anything is written."""
    template = templates / "source" / PS3 / f"{PS3}.ipynb"
    if not template.is_file():
        raise PackError(
            f"{template}: no template; pass --templates with the course repository's assignments folder"
        )
    criteria = c3_criteria()
    if len(criteria) < 2:
        raise PackError(
            f"{PS3} C3: the model leaves {len(criteria)} criterion to draw from; at least 2 are needed"
        )
    nb = nbformat.read(str(template), as_version=4)
    _rewrite_ps3(nb)
    return nb, criteria


def _write_inputs(
    assignment: str, nb, inputs: dict[str, dict[str, dict[str, str]]], templates: Path, source: Path
) -> None:
    """A problem set whose questions have drawn inputs: the rewritten notebook, and a variants.json holding each
    student's inputs (no key: the judge computes each answer from public data and the instructor's copy of the
    draw). The pack's notebook replaces a copy already there (the hub's grading folder, an earlier pack)."""
    folder = source / assignment
    if not folder.exists():
        shutil.copytree(templates / "source" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb"))
    _write_notebook(nb, folder / f"{assignment}.ipynb")
    table = {
        "assignment": assignment,
        "slots": [],
        "items": {},
        "students": {digest(assignment, s): [] for s in inputs},
        "params": {digest(assignment, s): drawn for s, drawn in inputs.items()},
    }
    (folder / FILE).write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


#: Where a notebook the pack replaces is kept (outside source/, so nbgrader never releases it).
REPLACED = "replaced-by-pack"


def _write_notebook(nb, path: Path) -> None:
    """Write a pack's notebook; a different one already there (the instructor's copy, edited or not) is kept under
    ``<course>/replaced-by-pack/<assignment>/`` first: nothing of the instructor's is lost."""
    text = nbformat.writes(nb) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") != text:
        kept = path.parents[2] / REPLACED / path.parent.name / path.name
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, kept)
    path.write_text(text, encoding="utf-8")


def _card(bank: Bank, item: str, secret: bytes) -> dict:
    """What the class's variants.json shows of an item: its card, and a Part C item's options (never their credit
    or reasons), in the class's shuffled order."""
    card: dict = bank.items[item].card()
    card.pop("item_id")
    if bank.items[item].avoided:
        card["options"] = option_order(secret, PS1, bank.items[item])
    return card


#: The example bank's files in ``assignments/bank-example/``: its readings (Part A: statements of the public
#: corpus, data/statements.csv), its hedges (Part B: words that leave the speaker room, with the feedback's two
#: sentences), its Part C options (statements and reactions of the course's data, with what each avoided saying),
#: and what some cards say beyond the data (an occasion, the rest of an answer: ``cards.csv``, not a bank file).
EXAMPLE_FILES = ("readings.csv", "hedges.csv", "avoided.csv", "cards.csv")
_GRADE_OF_KIND = {
    "primary": "official",
    "wire": "wire",
    "article": "outlet",
    "analysis": "outlet",
    "aggregator": "aggregator",
    "reference": "aggregator",
}


def example_bank(out: str | Path, templates: Path | None = None) -> Path:
    """Write the example bank into ``out`` (readable by its owner only): a rehearsal, not a private bank.

    Its items are English statements of lesson 07's public corpus (``data/statements.csv``), so their codes are
    public: a pack built from it needs ``--allow-public``, and is for trying the class pack's workflow (and for the
    course's tests), never for grading a class. Its readings (``assignments/bank-example/readings.csv``) show what
    a bank holds: a reading in full, and a reading the codebook allows with a share; its hedges
    (``assignments/bank-example/hedges.csv``) give Part B's drawn items.
    """
    import csv
    import io

    from course.content.bank import ITEM_COLUMNS
    from course.content.data import load, split_ids

    templates = templates or assignments_dir()
    texts = {name: (templates / "bank-example" / name).read_text(encoding="utf-8") for name in EXAMPLE_FILES}
    ids = list(
        dict.fromkeys(
            row["item_id"]
            for name in ("readings.csv", "avoided.csv")
            for row in csv.DictReader(io.StringIO(texts[name]))
        )
    )
    cards = {row["item_id"]: row for row in csv.DictReader(io.StringIO(texts["cards.csv"]))}
    statements, reactions, actors = load("statements"), load("reactions"), load("actors")
    sources, occasions = load("sources"), load("occasions")
    rows = []
    for item_id in ids:
        # a statement of lesson 07's corpus, or (for Part C) a reaction of the course's table
        row = statements.loc[item_id] if item_id in statements.index else reactions.loc[item_id]
        actor = actors.loc[row["actor_id"]]
        source = sources.loc[split_ids(row["source_id"])[0]]
        english = str(actor["government"]) in ("United States", "NATO", "United Kingdom")
        extra = cards.get(item_id, {})
        question = row.get("question")
        rows.append(
            {
                "item_id": item_id,
                "speaker": actor["name"],
                "role": f"{actor['role']} ({actor['government']})",
                "date": row["date"]
                .date()
                .isoformat()[: {"day": 10, "month": 7, "year": 4}[str(row["date_precision"])]],
                "occasion": extra.get("occasion")
                or (question if isinstance(question, str) else occasions.loc[row["occasion_id"], "title"]),
                "language": row["language"],
                "translated": row.get("translated") or ("no" if english else "unknown"),
                "text": row["text"] if "text" in row else row["quote"],
                "context": extra.get("context", ""),
                "outlet": source["publisher"],
                "url": source["url"] if isinstance(source["url"], str) else "",
                "published": "",
                "grade": _GRADE_OF_KIND.get(str(source["kind"]), "outlet"),
            }
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ITEM_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    written = {
        "items.csv": buffer.getvalue(),
        **{name: texts[name] for name in EXAMPLE_FILES if name != "cards.csv"},
    }
    for name, text in written.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o600)
    return out

"""The instructor's item bank: statements to code, with their keys, kept outside the public repository.

The course is open: its repository holds every problem set's hidden tests, so a key there is a key the class can
read. An instructor who grades a class keeps a bank of their own in a private folder (on the hub, beside the
grading folder, readable by instructors only) and builds the class's problem sets from it
(:mod:`course.autograder.pack`). A bank is two CSV files (UTF-8, a header line):

``items.csv``, one row per statement: ``item_id``, ``speaker``, ``role``, ``date`` (``YYYY-MM-DD``, or ``YYYY-MM``/``YYYY`` where no more is known),
``occasion`` (what it reacted to), ``language`` (of ``text``), ``translated`` (``yes``/``no``/``unknown``),
``text`` (the words, whole sentences, exactly as the source gives them), ``context`` (optional: what the card
says around the words), ``outlet``, ``url``, ``published`` (the source's date), ``grade`` (``official``,
``wire``, ``outlet`` (a news outlet's own report) or ``aggregator``).

``readings.csv``, one row per reading the key accepts: ``item_id``, ``stance`` and ``commitment`` (the course's
codes, :mod:`course.content.reactions`), ``credit`` (1 for a reading in full; less for one the codebook allows
with a share), ``signals`` (the statement's words the reading rests on, separated by ``;``, each found in the
text) and ``reason`` (one sentence the student's feedback shows).

``hedges.csv`` (optional: without it, problem set 1's Part B keeps its public items), one row per item that has a
hedge to find (Part B): ``item_id``, ``words`` (the hedges the key accepts, separated by ``;``, each found in the
text and at most :data:`HEDGE_MAX_WORDS` words long: an answer earns the point if it holds one of them), ``right``
(what the feedback says to an answer that finds one) and ``wrong`` (to one that does not: a pointer, not the key).

``avoided.csv`` (optional: without it, Part C keeps its public items), one row per reading of what a statement
avoided saying (Part C), :data:`AVOIDED_OPTIONS` per item: ``item_id``, ``option`` (the reading as the student
sees and copies it, at most :data:`OPTION_MAX_WORDS` words), ``credit`` (1 for the best reading, at least one per
item; 0.5 for one true but less sharp; 0 for one the statement does not avoid) and ``reason`` (what the feedback
says to a student who chose it). An item with options serves Part C only, needs no reading and has no hedge: the
options are released to the whole class, and would hint at the item's codes in another student's Part A.

:func:`load_bank` validates both against the scheme and raises :class:`~course.content.data.DataError` naming
the file, the line and the column. :func:`draw` chooses a student's items from the class secret and the
student's id, reproducibly; :func:`check_size` refuses a bank too small for the class's draw.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from course.content.data import DataError
from course.content.reactions import COMMITMENT_CODES, STANCE_CODES, phrase_form
from course.content.schema import ID_PATTERN, PARTIAL_DATE, URL_PATTERN

ITEM_COLUMNS = (
    "item_id",
    "speaker",
    "role",
    "date",
    "occasion",
    "language",
    "translated",
    "text",
    "context",
    "outlet",
    "url",
    "published",
    "grade",
)
READING_COLUMNS = ("item_id", "stance", "commitment", "credit", "signals", "reason")
HEDGE_COLUMNS = ("item_id", "words", "right", "wrong")
AVOIDED_COLUMNS = ("item_id", "option", "credit", "reason")
#: Part C offers each statement this many readings of what it avoided, at least and at most.
AVOIDED_OPTIONS = (2, 6)
#: An option is a short phrase the student copies: at most this many words.
OPTION_MAX_WORDS = 16
#: A Part B answer is a phrase of at most this many words (the course's own Part B asks for at most four).
HEDGE_MAX_WORDS = 4
OPTIONAL = {"context", "role", "published"}
TRANSLATED = ("yes", "no", "unknown")
GRADES = ("official", "wire", "outlet", "aggregator")
#: A draw of k items per student needs a bank of at least this many times k items: two students then share an
#: item in the same place with a chance of at most 1 in (factor x k), and a classmate's answers, copied, score less
#: on average than answering at random (measured in tests/test_pack.py).
BANK_FACTOR = 3


@dataclass(frozen=True)
class Reading:
    stance: str
    commitment: str
    credit: float
    signals: tuple[str, ...]
    reason: str

    def key(self) -> tuple:
        """The reading as ``course.grading.score_reading`` takes it (a fifth element when credit is partial)."""
        base = (self.stance, self.commitment, list(self.signals), self.reason)
        return base if self.credit == 1.0 else (*base, self.credit)


@dataclass(frozen=True)
class Hedge:
    """What Part B's key accepts for one item: any of ``words`` in an answer of at most HEDGE_MAX_WORDS words."""

    words: tuple[str, ...]
    right: str
    wrong: str

    def key(self) -> tuple:
        """The key as the pack's hidden test passes it to ``course.grading.score_phrase``."""
        return (list(self.words), self.right, self.wrong)


@dataclass(frozen=True)
class Choice:
    """One reading of what a statement avoided (Part C): the option the student sees, its share of the point and
    the sentence the student's feedback shows when they chose it."""

    option: str
    credit: float
    reason: str


def choice_key(choices) -> dict[str, tuple[float, str]]:
    """Part C's key as the pack's hidden test passes it to ``course.grading.score_choice``."""
    return {c.option: (c.credit, c.reason) for c in choices}


@dataclass(frozen=True)
class Item:
    item_id: str
    speaker: str
    role: str
    date: str
    occasion: str
    language: str
    translated: str
    text: str
    context: str
    outlet: str
    url: str
    published: str
    grade: str
    readings: tuple[Reading, ...] = ()
    hedge: Hedge | None = None
    avoided: tuple[Choice, ...] = ()

    @property
    def best_option(self) -> str:
        """Part C's reference answer: the item's first option in full (credit 1)."""
        return next(c.option for c in self.avoided if c.credit == 1.0)

    def card(self) -> dict[str, str]:
        """What a student may see: everything but the readings."""
        return {name: getattr(self, name) for name in ITEM_COLUMNS}


@dataclass(frozen=True)
class Bank:
    folder: Path
    items: dict[str, Item]

    def __len__(self) -> int:
        return len(self.items)

    @property
    def hedged(self) -> list[str]:
        """The items with a hedge to find (Part B), in the bank's order."""
        return [item_id for item_id, item in self.items.items() if item.hedge is not None]

    @property
    def avoidable(self) -> list[str]:
        """The items with readings of what they avoided (Part C only), in the bank's order."""
        return [item_id for item_id, item in self.items.items() if item.avoided]

    @property
    def codable(self) -> list[str]:
        """The items Part A draws from: those with readings, and no Part C options (which the class sees, and
        which would hint at an item's codes)."""
        return [item_id for item_id, item in self.items.items() if not item.avoided]


def date_parts(text: str) -> tuple[date, str]:
    """A bank's date, known to the day, the month or the year: ``(first day, precision)``; ValueError if not one."""
    match = PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    return date(int(year), int(month or 1), int(day or 1)), precision


_norm = phrase_form  # the grading's own comparison: a signal the bank accepts is one a check finds


def _rows(
    path: Path, columns: tuple[str, ...], allow_empty: bool = False
) -> list[tuple[int, dict[str, str]]]:
    label = path.name
    if not path.is_file():
        raise DataError(str(path), f"missing: a bank holds {label} (see course/content/bank.py)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(label, f"is not UTF-8 text ({err.reason} at byte {err.start})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in columns if c not in header and c not in OPTIONAL]
    if missing:
        raise DataError(
            label, f"the header lacks column(s) {', '.join(missing)}; expected {', '.join(columns)}", 1
        )
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise DataError(label, f"unknown column(s) {', '.join(unknown)}; expected {', '.join(columns)}", 1)
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise DataError(
                label, f"{len(header) + len(row[None])} fields where the header has {len(header)}", number
            )
        rows.append((number, {c: (row.get(c) or "").strip() for c in columns}))
    if not rows and not allow_empty:
        raise DataError(label, "has no rows")
    return rows


def _item(number: int, row: dict[str, str]) -> Item:
    def bad(column: str, message: str) -> DataError:
        return DataError("items.csv", message, number, column)

    for column in ITEM_COLUMNS:
        if column not in OPTIONAL and not row[column]:
            raise bad(column, "empty; every item needs it")
    if not ID_PATTERN.match(row["item_id"]):
        raise bad("item_id", f"{row['item_id']!r}: letters, digits and underscores only")
    for column in ("date", "published"):
        if row[column]:
            try:
                date_parts(row[column])
            except ValueError:
                raise bad(column, f"{row[column]!r} is not a date (YYYY-MM-DD, or YYYY-MM or YYYY)") from None
    if not URL_PATTERN.match(row["url"]):
        raise bad("url", f"{row['url']!r} is not a web address (http:// or https://)")
    if row["translated"] not in TRANSLATED:
        raise bad("translated", f"{row['translated']!r}; expected one of {', '.join(TRANSLATED)}")
    if row["grade"] not in GRADES:
        raise bad("grade", f"{row['grade']!r}; expected one of {', '.join(GRADES)}")
    if not re.fullmatch(r"[a-z]{2,3}", row["language"]):
        raise bad("language", f"{row['language']!r}: a two- or three-letter code (en, zh, ko, ...)")
    return Item(**row)


def _phrases(row: dict[str, str], column: str, items: dict[str, Item], bad, empty: str) -> tuple[str, ...]:
    """A ``;``-separated list of the statement's own words (a reading's signals, a hedge's accepted words), each
    found in the item's text as the grading finds a student's phrase."""
    phrases = tuple(p.strip() for p in row[column].split(";") if p.strip())
    if not phrases:
        raise bad(column, f"empty: {empty}")
    text = _norm(items[row["item_id"]].text)
    for phrase in phrases:
        if _norm(phrase) not in text:
            raise bad(column, f"{phrase!r} is not in the text of item {row['item_id']!r}")
    return phrases


def _reading(number: int, row: dict[str, str], items: dict[str, Item]) -> Reading:
    def bad(column: str, message: str) -> DataError:
        return DataError("readings.csv", message, number, column)

    if row["item_id"] not in items:
        raise bad("item_id", f"{row['item_id']!r} is not an item of items.csv")
    if row["stance"] not in STANCE_CODES:
        raise bad("stance", f"{row['stance']!r} is not a stance code; codes: {', '.join(STANCE_CODES)}")
    if row["commitment"] not in COMMITMENT_CODES:
        raise bad(
            "commitment",
            f"{row['commitment']!r} is not a commitment code; codes: {', '.join(COMMITMENT_CODES)}",
        )
    try:
        credit = float(row["credit"] or "1")
    except ValueError:
        raise bad("credit", f"{row['credit']!r} is not a number") from None
    if not 0 < credit <= 1:
        raise bad("credit", f"{credit:g}: a share of the item's points, more than 0 and at most 1")
    signals = _phrases(
        row, "signals", items, bad, "name the statement's words the reading rests on (separated by ';')"
    )
    if len(row["reason"].split()) < 4:
        raise bad("reason", "every reading needs a reason (a sentence): the student's feedback shows it")
    return Reading(row["stance"], row["commitment"], credit, signals, row["reason"])


def _hedge(number: int, row: dict[str, str], items: dict[str, Item]) -> Hedge:
    def bad(column: str, message: str) -> DataError:
        return DataError("hedges.csv", message, number, column)

    if row["item_id"] not in items:
        raise bad("item_id", f"{row['item_id']!r} is not an item of items.csv")
    words = _phrases(row, "words", items, bad, "name the words the key accepts (separated by ';')")
    for phrase in words:
        if len(phrase.split()) > HEDGE_MAX_WORDS:
            raise bad(
                "words",
                f"{phrase!r} is {len(phrase.split())} words; an answer is at most {HEDGE_MAX_WORDS}, so the key "
                "must fit in one",
            )
    for column in ("right", "wrong"):
        if len(row[column].split()) < 4:
            raise bad(column, f"every hedge needs its '{column}' sentence: the student's feedback shows it")
    if any(_norm(phrase) in _norm(row["wrong"]) for phrase in words):
        raise bad(
            "wrong", "the sentence for a wrong answer quotes an accepted word: it would give the key away"
        )
    return Hedge(words, row["right"], row["wrong"])


def _hedges(folder: Path, items: dict[str, Item]) -> dict[str, Hedge]:
    """``hedges.csv``'s rows by item (none when the file is absent or holds only its header: Part B stays public)."""
    path = folder / "hedges.csv"
    if not path.exists():
        return {}
    found: dict[str, tuple[Hedge, int]] = {}
    for number, row in _rows(path, HEDGE_COLUMNS, allow_empty=True):
        hedge = _hedge(number, row, items)
        if row["item_id"] in found:
            raise DataError(
                "hedges.csv",
                f"item {row['item_id']!r} already has a hedge on line {found[row['item_id']][1]} (put every "
                "accepted word in one row's 'words')",
                number,
                "item_id",
            )
        found[row["item_id"]] = (hedge, number)
    return {item_id: hedge for item_id, (hedge, _) in found.items()}


def _choice(number: int, row: dict[str, str], items: dict[str, Item]) -> Choice:
    def bad(column: str, message: str) -> DataError:
        return DataError("avoided.csv", message, number, column)

    if row["item_id"] not in items:
        raise bad("item_id", f"{row['item_id']!r} is not an item of items.csv")
    words = len(row["option"].split())
    if not words or words > OPTION_MAX_WORDS:
        raise bad("option", f"{words} words: an option is a phrase of 1 to {OPTION_MAX_WORDS} words")
    try:
        credit = float(row["credit"])
    except ValueError:
        raise bad("credit", f"{row['credit']!r} is not a number (1, 0.5 or 0: the option's share)") from None
    if not 0 <= credit <= 1:
        raise bad("credit", f"{credit:g}: an option's share of the point, from 0 to 1")
    if len(row["reason"].split()) < 4:
        raise bad("reason", "every option needs a reason (a sentence): the student's feedback shows it")
    return Choice(row["option"], credit, row["reason"])


def _avoided(folder: Path, items: dict[str, Item]) -> tuple[dict[str, tuple[Choice, ...]], dict[str, int]]:
    """``avoided.csv``'s options by item (none when the file is absent or holds only its header: Part C stays
    public), each item's checked as a whole: 2 to 6 options, all different, at least one in full."""
    path = folder / "avoided.csv"
    if not path.exists():
        return {}, {}
    found: dict[str, list[Choice]] = {}
    first: dict[str, int] = {}
    for number, row in _rows(path, AVOIDED_COLUMNS, allow_empty=True):
        choice = _choice(number, row, items)
        options = found.setdefault(row["item_id"], [])
        first.setdefault(row["item_id"], number)
        if _norm(choice.option) in {_norm(c.option) for c in options}:
            raise DataError(
                "avoided.csv",
                f"item {row['item_id']!r} already has the option {choice.option!r}",
                number,
                "option",
            )
        options.append(choice)
    least, most = AVOIDED_OPTIONS
    for item_id, options in found.items():
        if not least <= len(options) <= most:
            raise DataError(
                "avoided.csv",
                f"item {item_id!r} has {len(options)} option(s); Part C offers {least} to {most}",
                first[item_id],
                "item_id",
            )
        if max(c.credit for c in options) != 1.0:
            raise DataError(
                "avoided.csv", f"item {item_id!r} has no option in full (credit 1)", first[item_id], "credit"
            )
    return {item_id: tuple(options) for item_id, options in found.items()}, first


def read_items(folder: str | Path) -> dict[str, Item]:
    """The bank's items, validated, without their readings (a bank being coded: :class:`course.views.bank.BankCoder`)."""
    items: dict[str, Item] = {}
    for number, row in _rows(Path(folder) / "items.csv", ITEM_COLUMNS):
        item = _item(number, row)
        if item.item_id in items:
            raise DataError("items.csv", f"item {item.item_id!r} is already in the file", number, "item_id")
        items[item.item_id] = item
    return items


def read_readings(folder: str | Path) -> list[dict[str, str]]:
    """The rows of ``readings.csv`` as they are, unchecked (none for a missing, empty or header-only file)."""
    path = Path(folder) / "readings.csv"
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return []
    return [row for _, row in _rows(path, READING_COLUMNS, allow_empty=True)]


def part_c_items(folder: str | Path) -> set[str]:
    """The items ``avoided.csv`` gives options to (Part C only: not coded for Part A), unchecked."""
    path = Path(folder) / "avoided.csv"
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return set()
    return {row["item_id"] for _, row in _rows(path, AVOIDED_COLUMNS, allow_empty=True)}


def write_readings(folder: str | Path, rows: list[dict[str, str]]) -> Path:
    """Write ``readings.csv`` (readable by its owner only), in the order given."""
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=READING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in READING_COLUMNS} for row in rows)
    path = Path(folder) / "readings.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    path.chmod(0o600)
    return path


def problems_of(item: Item, row: dict[str, str]) -> list[str]:
    """What keeps one reading from being accepted (empty: it would pass :func:`load_bank`)."""
    try:
        _reading(0, row, {item.item_id: item})
    except DataError as err:
        return [f"{err.column}: {err.detail}"]
    return []


def load_bank(folder: str | Path) -> Bank:
    """Read and validate a bank folder (``items.csv``, ``readings.csv``); :class:`DataError` says what and where."""
    folder = Path(folder)
    items: dict[str, Item] = {}
    seen_text: dict[str, tuple[str, int]] = {}
    lines: dict[str, int] = {}
    for number, row in _rows(folder / "items.csv", ITEM_COLUMNS):
        item = _item(number, row)
        if item.item_id in items:
            raise DataError(
                "items.csv",
                f"item {item.item_id!r} is already on line {lines[item.item_id]}",
                number,
                "item_id",
            )
        text = _norm(item.text)
        if text in seen_text:
            other, line = seen_text[text]
            raise DataError("items.csv", f"the same words as item {other!r} (line {line})", number, "text")
        seen_text[text] = (item.item_id, number)
        items[item.item_id], lines[item.item_id] = item, number
    readings: dict[str, list[Reading]] = {item_id: [] for item_id in items}
    for number, row in _rows(folder / "readings.csv", READING_COLUMNS):
        reading = _reading(number, row, items)
        codes = [(r.stance, r.commitment) for r in readings[row["item_id"]]]
        if (reading.stance, reading.commitment) in codes:
            raise DataError(
                "readings.csv",
                f"item {row['item_id']!r} already has the reading {reading.stance}/{reading.commitment}",
                number,
                "commitment",
            )
        readings[row["item_id"]].append(reading)
    avoided, first = _avoided(folder, items)
    for item_id, found in readings.items():
        if item_id in avoided:
            if found:
                raise DataError(
                    "avoided.csv",
                    f"item {item_id!r} has readings in readings.csv too; an item with options serves Part C only "
                    "(its options are released to the class, and would hint at its codes): give Part C another "
                    "item, or remove its readings",
                    first[item_id],
                    "item_id",
                )
            continue
        if not found:
            raise DataError(
                "items.csv",
                f"item {item_id!r} has no reading in readings.csv (nor options in avoided.csv)",
                lines[item_id],
            )
        if max(r.credit for r in found) != 1.0:
            raise DataError(
                "readings.csv",
                f"item {item_id!r} has no reading in full (credit 1)",
                lines[item_id],
                "credit",
            )
    hedges = _hedges(folder, items)
    both = [item_id for item_id in hedges if item_id in avoided]
    if both:
        raise DataError(
            "avoided.csv",
            f"item {both[0]!r} has a hedge in hedges.csv too; an item with options serves Part C only (its "
            "options are released to the class): give the hedge to another item",
            first[both[0]],
            "item_id",
        )
    items = {
        item_id: _with(item, tuple(readings[item_id]), hedges.get(item_id), avoided.get(item_id, ()))
        for item_id, item in items.items()
    }
    return Bank(folder, items)


def _with(
    item: Item, readings: tuple[Reading, ...], hedge: Hedge | None = None, avoided: tuple[Choice, ...] = ()
) -> Item:
    return Item(**{**item.card(), "readings": readings, "hedge": hedge, "avoided": avoided})


def check_size(
    bank: Bank, per_student: int, hedges_per_student: int = 0, avoided_per_student: int = 0
) -> None:
    """Refuse a bank too small for a draw of ``per_student`` items (:data:`BANK_FACTOR`), and, when it has hedges,
    too few of them for ``hedges_per_student`` each (drawn among items other than the student's own Part A items),
    and, when it has Part C options, too few such items for ``avoided_per_student`` each."""
    needed, codable = BANK_FACTOR * per_student, len(bank.codable)
    if codable < needed:
        besides = f" to code (besides {len(bank.avoidable)} with Part C options)" if bank.avoidable else ""
        raise DataError(
            "items.csv",
            f"the bank holds {codable} items{besides}; a draw of {per_student} per student needs at least "
            f"{needed} ({BANK_FACTOR} x {per_student}), so that two students rarely share an item in the same place",
        )
    optional = (  # the optional files: what each gives, to how many items, and what a bank without it keeps
        ("hedges.csv", "hedges", len(bank.hedged), hedges_per_student, "Add hedges", "Part B"),
        ("avoided.csv", "Part C options", len(bank.avoidable), avoided_per_student, "Add items", "Part C"),
    )
    for name, what, has, per, add, part in optional:
        needed = BANK_FACTOR * per
        if has and has < needed:
            raise DataError(
                name,
                f"the bank has {what} for {has} items; a draw of {per} per student needs at least {needed} "
                f"({BANK_FACTOR} x {per}). {add}, or remove {name} to keep {part}'s public items",
            )


def draw_hedges(
    secret: bytes, assignment: str, student: str, bank: Bank, own: list[str], count: int
) -> list[str]:
    """The items ``student`` finds hedges in (Part B): drawn among the bank's hedged items that are not among
    ``own`` (their Part A items, so that no item is asked about twice), reproducibly, as :func:`draw`."""
    pool = [item for item in bank.hedged if item not in own]  # check_size leaves 3 x count - len(own): enough
    return draw(secret, f"{assignment}\0B", student, pool, count)


def draw_avoided(secret: bytes, assignment: str, student: str, bank: Bank, count: int) -> list[str]:
    """The items ``student`` reads for what they avoided (Part C), among the bank's items with options."""
    return draw(secret, f"{assignment}\0C", student, bank.avoidable, count)


def option_order(secret: bytes, assignment: str, item: Item) -> list[str]:
    """An item's Part C options in the order every student who draws it sees them: shuffled once per class (the
    bank's order, where the best option may come first, would tell)."""
    options = [c.option for c in item.avoided]
    return draw(secret, f"{assignment}\0C options", item.item_id, options, len(options))


def draw(secret: bytes, assignment: str, student: str, item_ids, count: int) -> list[str]:
    """The items ``student`` codes in ``assignment``, in order: the same for the same secret, whoever asks."""
    seed = hmac.new(secret, f"{assignment}\0{student}".encode(), hashlib.sha256).digest()
    return random.Random(int.from_bytes(seed, "big")).sample(sorted(item_ids), count)


def draw_one(secret: bytes, assignment: str, student: str, slot: str, options) -> str:
    """One of ``options`` for ``student``'s question ``slot`` (a drawn input, such as ps3 C3's criterion): the same
    for the same secret, independent of the student's items and of every other student."""
    seed = hmac.new(secret, f"{assignment}\0{student}\0{slot}".encode(), hashlib.sha256).digest()
    return random.Random(int.from_bytes(seed, "big")).choice(sorted(options))


def public_items(bank: Bank, public_texts) -> list[str]:
    """The bank's items whose words are already in the public repository (their key may be public too)."""
    known = {_norm(text) for text in public_texts if isinstance(text, str) and text}
    return [item_id for item_id, item in bank.items.items() if _norm(item.text) in known]

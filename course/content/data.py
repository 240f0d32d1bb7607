"""Load the course's data tables, validated against one declared schema.

``load("reactions")`` reads ``data/reactions.csv``, checks every value against :data:`SCHEMA` (types,
allowed values, ranges, unique keys, and references to other tables, ``source_id`` above all), and returns a
typed pandas DataFrame: dates as ``datetime64``, categories as ``Categorical``, numbers as numbers, flags as
``bool``. Every load checks the files as they are now, so a broken edit never reaches a lesson silently: a
validated table is kept in memory only together with the exact bytes of every table file, and is validated
again as soon as any of them differs (each call returns its own copy, safe to modify).

Anything wrong raises :class:`DataError`, whose message names the file, the line, the column and what was
expected, e.g. ``data/places.csv, line 3 (place_id 'beijing'), column 'lat': '123' is out of range; expected
a latitude from -90 to 90``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from course.content.reactions import COMMITMENT_CODES, STANCE_CODES, TARGET_CODES, commitment_for_signal
from course.paths import data_dir as default_data_dir

ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
URL_PATTERN = re.compile(r"^https?://\S+$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISION_PARTS = {"year": 1, "month": 2, "day": 3}


class DataError(ValueError):
    """A data file is malformed or breaks the schema. The message says where and what was expected."""

    def __init__(self, file: str, message: str, line: int | str | None = None, column: str | None = None):
        self.file, self.line, self.column, self.detail = file, line, column, message
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``kind`` is one of: ``id`` (the table's unique key), ``text``, ``url``, ``bool`` (``true``/``false``),
    ``float``, ``int``, ``category`` (one of ``values``), ``date`` (``YYYY-MM-DD``, or partial ``YYYY`` /
    ``YYYY-MM`` when ``precision`` names the column that gives the precision), ``partial_date`` (kept as
    text), ``ref`` (one id of table ``table``), ``refs`` (ids of ``table`` separated by ``;``).
    """

    name: str
    kind: str
    description: str
    required: bool = True
    values: tuple[str, ...] = ()
    ordered: bool = False
    table: str = ""
    precision: str = ""
    low: float | None = None
    high: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class Table:
    """A table: its file, its columns, and rules that involve several columns of a row."""

    name: str
    description: str
    columns: tuple[Column, ...]
    row_rules: tuple[Callable[[dict[str, str]], tuple[str, str] | None], ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return self.columns[0].name

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _src(description: str = "Source(s) of the row: ids in sources.csv, separated by ';'.") -> Column:
    return Column("source_id", "refs", description, table="sources")


def _date_precision(description: str, values: tuple[str, ...] = ("day", "month", "year")) -> Column:
    """The column that says how precise a row's dates are (the date columns name it as their ``precision``)."""
    return Column("date_precision", "category", description, values=values, ordered=True)


def _note() -> Column:
    return Column("note", "text", "Free-text remark: caveats, disagreements between sources.", required=False)


def _end_after_start(row: dict[str, str]) -> tuple[str, str] | None:
    start, end = row.get("date", ""), row.get("end_date", "")
    if start and end and end < start:
        return "end_date", f"{end!r} is before the start date {start!r}"
    return None


def _quote_or_paraphrase(row: dict[str, str]) -> tuple[str, str] | None:
    if not row.get("quote") and not row.get("paraphrase"):
        return "paraphrase", "a reaction with no quote needs a paraphrase of what was said or done"
    return None


_CODES = ("stance", "commitment", "committed", "commitment_signal")


def _coded_by_the_rule(row: dict[str, str]) -> tuple[str, str] | None:
    """A reaction is coded, with its commitment following from its recorded signal, or held out uncoded."""
    if row.get("held_out"):
        if not re.fullmatch(r"ps\d [A-Z]\d( occasion)?", row["held_out"]):
            return (
                "held_out",
                f"{row['held_out']!r} should name the problem-set item that codes it, e.g. 'ps1 A1', or that "
                "shares its occasion, e.g. 'ps1 A1 occasion'",
            )
        filled = [c for c in (*_CODES, "avoided", "avoided_contrast") if row.get(c)]
        if filled:
            return filled[0], "a held-out reaction carries no codes: the problem set's key keeps them"
        return None
    for column in ("stance", "commitment", "committed"):
        if not row.get(column):
            return column, "a coded reaction needs a stance, a commitment and what it committed to"
    signal = row.get("commitment_signal", "")
    context = " ".join(row.get(c, "") for c in ("quote", "paraphrase", "committed")).lower()
    if signal and " ".join(signal.lower().split()) not in " ".join(context.split()):
        return "commitment_signal", f"{signal!r} is not words of the row's quote, paraphrase or committed"
    expected = commitment_for_signal(signal)
    if row["commitment"] in COMMITMENT_CODES and row["commitment"] != expected:
        why = (
            f"its signal {signal!r} gives {expected!r}"
            if signal
            else "it records no signal, which gives 'words_only'"
        )
        return "commitment", f"{row['commitment']!r} does not follow from the scheme's rule: {why}"
    if expected == "words_only" and not re.match(r"Nothing|.*\(in words\)\.$", row["committed"]):
        return "committed", "a words-only reaction commits to nothing: say 'Nothing…' or '… (in words).'"
    return None


def _contrast_needs_a_reading(row: dict[str, str]) -> tuple[str, str] | None:
    if row.get("avoided_contrast") and not row.get("avoided"):
        return "avoided", "a contrast shows what a reaction avoided: say what it avoided"
    if row.get("avoided") and not row.get("avoided_contrast"):
        return (
            "avoided_contrast",
            "a reading of what a reaction avoided needs a contrast: the reactions that said or did it",
        )
    if row.get("reaction_id") and row.get("reaction_id") in split_ids(row.get("avoided_contrast", "")):
        return "avoided_contrast", "a reaction cannot be its own contrast"
    return None


def _verbatim_needs_rendering(row: dict[str, str]) -> tuple[str, str] | None:
    if row.get("text_kind") in ("verbatim", "excerpt", "course_translation") and not row.get("rendering"):
        return "rendering", "a quoted clause must say whose translation or rendering it is"
    return None


def _statement_coded(row: dict[str, str]) -> tuple[str, str] | None:
    """A statement is coded whole (stance, commitment and the rules that give them) or not at all (held out)."""
    filled = [c for c in ("stance", "commitment", "rules") if row.get(c)]
    if filled and len(filled) < 3:
        missing = next(c for c in ("stance", "commitment", "rules") if not row.get(c))
        return missing, "a coded statement needs a stance, a commitment and the rules that give them"
    if row.get("commitment_signal") and row.get("commitment") == "words_only":
        return "commitment_signal", "a words-only statement records no act: leave the signal empty"
    if row.get("commitment") and row["commitment"] != "words_only" and not row.get("commitment_signal"):
        return (
            "commitment_signal",
            "a commitment above words_only needs its signal: the words that record the act",
        )
    if row.get("commitment_signal") and row["commitment_signal"] not in row.get("text", ""):
        return "commitment_signal", f"{row['commitment_signal']!r} is not words of the statement's text"
    return None


YES_NO_UNKNOWN = ("yes", "no", "unknown")

SCHEMA: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            "Every source the course cites: news reports, official texts, the article, reference works.",
            (
                Column(
                    "source_id", "id", "Short id, e.g. S11 (numbered as in the course fact sheet) or a slug."
                ),
                Column(
                    "title",
                    "text",
                    "Headline or title; [in square brackets] a description where the exact headline was not recorded.",
                ),
                Column(
                    "publisher", "text", "Outlet or institution; 'X (via Y)' when read in a republished copy."
                ),
                Column("author", "text", "Author, where named.", required=False),
                Column(
                    "published",
                    "partial_date",
                    "Publication date (YYYY, YYYY-MM or YYYY-MM-DD), from the source or its URL; empty if unknown.",
                    required=False,
                ),
                Column(
                    "url", "url", "Address of the copy that was read; empty if not recorded.", required=False
                ),
                Column(
                    "kind",
                    "category",
                    "Type of source.",
                    values=("article", "primary", "wire", "analysis", "aggregator", "reference"),
                ),
                _note(),
            ),
        ),
        Table(
            "places",
            "Places on the course's maps (WGS84 coordinates).",
            (
                Column("place_id", "id", "Short id, e.g. pyongyang."),
                Column("name", "text", "Name in English."),
                Column("country", "text", "Country (or two, for a border crossing)."),
                Column("lat", "float", "Latitude.", low=-90, high=90, unit="degrees north"),
                Column("lon", "float", "Longitude.", low=-180, high=180, unit="degrees east"),
                Column(
                    "kind", "category", "Type of place.", values=("capital", "city", "port", "bridge", "site")
                ),
                Column(
                    "precision",
                    "category",
                    "Whether the point is exact or approximate (maps mark approximate points).",
                    values=("exact", "approximate"),
                ),
                Column(
                    "verified",
                    "bool",
                    "false where no source confirmed the coordinates: never present them as fact.",
                ),
                _src(),
                _note(),
            ),
        ),
        Table(
            "actors",
            "People, governments and organisations that act or speak in the story.",
            (
                Column("actor_id", "id", "Short id, e.g. lin_jian."),
                Column("name", "text", "Name."),
                Column("role", "text", "Role at the time of the events."),
                Column(
                    "government",
                    "text",
                    "Government or organisation they speak for; empty for independent analysts.",
                    required=False,
                ),
                Column(
                    "kind",
                    "category",
                    "Type of actor.",
                    values=("official", "government", "analyst", "journalist", "organisation"),
                ),
                _src(),
                _note(),
            ),
        ),
        Table(
            "events",
            "The timeline, 1961 to 2025.",
            (
                Column("event_id", "id", "Short id."),
                Column(
                    "date",
                    "date",
                    "Start date; as precise as date_precision says.",
                    precision="date_precision",
                ),
                Column(
                    "end_date",
                    "date",
                    "Last day of a multi-day event (or end of a range); empty for one day.",
                    required=False,
                    precision="date_precision",
                ),
                _date_precision("How precise the dates are."),
                Column(
                    "kind",
                    "category",
                    "Type of event.",
                    values=(
                        "treaty",
                        "visit",
                        "claim",
                        "denial",
                        "reaction",
                        "ratification",
                        "military",
                        "infrastructure",
                        "un_vote",
                        "summit",
                    ),
                ),
                Column("title", "text", "One-line title."),
                Column(
                    "summary", "text", "What happened, attributed; quotes in double quotes.", required=False
                ),
                Column(
                    "place_ids",
                    "refs",
                    "Where: place ids, separated by ';'; empty if not on the map.",
                    required=False,
                    table="places",
                ),
                Column(
                    "actor_ids", "refs", "Who: actor ids, separated by ';'.", required=False, table="actors"
                ),
                _src(),
                Column("verified", "bool", "false for an item the fact sheet marks unverified."),
                _note(),
            ),
            row_rules=(_end_after_start,),
        ),
        Table(
            "reactions",
            "Official reactions, each coded with the scheme in course/content/reactions.py.",
            (
                Column("reaction_id", "id", "Short id."),
                Column("date", "date", "Date of the statement.", precision="date_precision"),
                _date_precision("How precise the date is."),
                Column("actor_id", "ref", "Who reacted.", table="actors"),
                Column(
                    "place_id",
                    "ref",
                    "Where the actor spoke or sits (for maps); empty if unknown.",
                    required=False,
                    table="places",
                ),
                Column(
                    "topic",
                    "category",
                    "What the reaction is about: the question it answers (the codebook's target).",
                    values=TARGET_CODES,
                ),
                Column(
                    "quote",
                    "text",
                    "Verbatim words as the source gives them (whole sentences); empty if the source gives none. "
                    "Where the source puts its own words between two passages of one answer, the passages are "
                    "joined by ' … ', in the source's order.",
                    required=False,
                ),
                Column(
                    "language",
                    "category",
                    "Language of the quote as the source gives it.",
                    values=("en", "it", "fr", "es", "ko", "ja", "zh", "ru"),
                ),
                Column(
                    "translated",
                    "category",
                    "Is the quote a translation of the speaker's words?",
                    values=YES_NO_UNKNOWN,
                ),
                Column("paraphrase", "text", "What was said or done, in plain words.", required=False),
                Column(
                    "committed",
                    "text",
                    "What the reaction committed the actor to (or refused); empty for a held-out row.",
                    required=False,
                ),
                Column(
                    "stance",
                    "category",
                    "Coded stance (course.content.reactions.STANCES); empty for a held-out row.",
                    required=False,
                    values=STANCE_CODES,
                ),
                Column(
                    "commitment",
                    "category",
                    "Coded commitment, least to most (course.content.reactions.COMMITMENTS); empty for a held-out row.",
                    required=False,
                    values=COMMITMENT_CODES,
                    ordered=True,
                ),
                Column(
                    "commitment_signal",
                    "text",
                    "The words of the row (quote, paraphrase or committed) the commitment code rests on; the "
                    "scheme's one rule (course.content.reactions.commitment_for_signal) turns them into the code. Empty: "
                    "words only.",
                    required=False,
                ),
                _src(),
                _note(),
                Column(
                    "occasion_id",
                    "text",
                    "The course's grouping of the records of one occasion (same speaker, day and setting): "
                    "renderings of one sentence by several sources, different sentences of one answer, or the "
                    "article's summary of it. Count these to count occasions.",
                ),
                Column(
                    "avoided",
                    "text",
                    "What the reaction avoided saying, as the course reads it (empty where the course has no "
                    "reading, and for held-out rows).",
                    required=False,
                ),
                Column(
                    "avoided_contrast",
                    "refs",
                    "Reactions (ids of this table, separated by ';') that said what this one avoided: the sourced "
                    "contrast that shows the avoidance.",
                    required=False,
                    table="reactions",
                ),
                Column(
                    "held_out",
                    "text",
                    "The problem-set item that asks students to code this row (e.g. 'ps1 A1'): its codes are kept "
                    "by the problem set's key, not here, and no lesson codes it. 'ps1 A1 occasion': a row of the "
                    "same occasion, held out with it so that its codes cannot give the item away.",
                    required=False,
                ),
            ),
            row_rules=(_quote_or_paraphrase, _coded_by_the_rule, _contrast_needs_a_reading),
        ),
        Table(
            "excerpts",
            "Passages copied verbatim from stored copies of sources, kept so that tests can check each quote that "
            "the fact sheet does not hold word for word.",
            (
                Column("excerpt_id", "id", "Short id."),
                Column("source_id", "ref", "The source the passage was copied from.", table="sources"),
                Column(
                    "text",
                    "text",
                    "The passage exactly as the stored copy gives it (whole paragraphs, the outlet's punctuation).",
                ),
                _note(),
            ),
        ),
        Table(
            "occasions",
            "The occasions the corpus of statements (statements.csv) samples: the story's events from 2023 to 2025, "
            "and baseline events, other states' alliances, that show what Beijing says when it objects. An "
            "occasion's window is computed from its events (course/content/corpus.py), never typed.",
            (
                Column("occasion_id", "id", "Short id."),
                Column("title", "text", "One-line title."),
                Column(
                    "kind",
                    "category",
                    "story: the Russia-North Korea story; baseline: an alliance of others, for comparison.",
                    values=("story", "baseline"),
                ),
                Column(
                    "event_ids",
                    "refs",
                    "The occasion's events (events.csv), separated by ';'.",
                    table="events",
                ),
                _note(),
            ),
        ),
        Table(
            "statements",
            "The corpus: official statements on the occasions, each in the words a stored source gives (checked "
            "against excerpts.csv), in the language that source gives them, with the codes of the coding lab's "
            "codebook. Several rows can render one answer (utterance_id).",
            (
                Column("statement_id", "id", "Short id: government, date, speaker, subject."),
                Column("date", "date", "Date of the statement.", precision="date_precision"),
                _date_precision(
                    "How precise the date is (month where the source does not give the day).",
                    ("day", "month"),
                ),
                Column("occasion_id", "ref", "The occasion it answers.", table="occasions"),
                Column("actor_id", "ref", "Who spoke (their government is in actors.csv).", table="actors"),
                Column(
                    "question",
                    "text",
                    "The question it answers, as the source reports it (the course's summary, in English).",
                    required=False,
                ),
                Column(
                    "language",
                    "category",
                    "Language of the text as the source gives it.",
                    values=("zh", "ru", "ko", "ja", "en", "it", "de", "id"),
                ),
                Column(
                    "text",
                    "text",
                    "The words exactly as the source gives them; two passages of one answer are joined by ' … '.",
                ),
                Column(
                    "speech",
                    "category",
                    "direct: in quotation marks or an official transcript; reported: the outlet's indirect speech.",
                    values=("direct", "reported"),
                ),
                Column(
                    "utterance_id",
                    "text",
                    "Rows with the same value render one answer (in several languages or outlets).",
                ),
                Column("source_id", "ref", "Where the text was read.", table="sources"),
                Column(
                    "stance",
                    "category",
                    "Codebook stance; empty for a held-out row.",
                    required=False,
                    values=STANCE_CODES,
                ),
                Column(
                    "commitment",
                    "category",
                    "Codebook commitment; empty for a held-out row.",
                    required=False,
                    values=COMMITMENT_CODES,
                    ordered=True,
                ),
                Column(
                    "commitment_signal",
                    "text",
                    "Words of the text that record an act or a measure (rule C0); empty for words only.",
                    required=False,
                ),
                Column(
                    "rules",
                    "text",
                    "The codebook rules that give the codes, e.g. 'S5;C4'; empty for a held-out row.",
                    required=False,
                ),
                Column(
                    "reaction_id",
                    "ref",
                    "The same words in reactions.csv (lesson 03), where they are there; a held-out reaction's "
                    "statement is left uncoded.",
                    required=False,
                    table="reactions",
                ),
                _note(),
            ),
            row_rules=(_statement_coded,),
        ),
        Table(
            "treaties",
            "The treaties the course compares: North Korea's with Moscow and Beijing, and two US alliances as a baseline.",
            (
                Column("treaty_id", "id", "Short id."),
                Column("name", "text", "Name in English."),
                Column("parties", "text", "Parties, separated by ';'."),
                Column("signed", "date", "Date of signature."),
                Column(
                    "in_force", "date", "Date of entry into force; empty if not recorded.", required=False
                ),
                Column(
                    "ended",
                    "date",
                    "Date it lapsed; empty if in force or not agreed by the sources.",
                    required=False,
                ),
                Column("status", "category", "Status today.", values=("in_force", "lapsed")),
                Column("term", "text", "Duration, as the sources give it.", required=False),
                Column("articles", "int", "Number of articles, where recorded.", required=False, low=1),
                Column(
                    "defence_article",
                    "text",
                    "Article holding the defence clause; empty if none.",
                    required=False,
                ),
                _src(),
                _note(),
            ),
        ),
        Table(
            "treaty_clauses",
            "Clauses of the treaties, verbatim where a source gives the text, otherwise summarised and labelled so.",
            (
                Column("clause_id", "id", "Short id."),
                Column("treaty_id", "ref", "Treaty.", table="treaties"),
                Column(
                    "article",
                    "text",
                    "Article number as the treaty writes it (4, II); empty for a note about the whole treaty.",
                    required=False,
                ),
                Column(
                    "topic",
                    "category",
                    "What the clause is about.",
                    values=("defence", "consultation", "non-alignment", "defence cooperation", "duration"),
                ),
                Column("text", "text", "The clause (text_kind says whether verbatim)."),
                Column(
                    "text_kind",
                    "category",
                    "verbatim: the whole clause as rendered by the source; excerpt: part of it, verbatim; "
                    "course_translation: the course's own working translation of a verbatim text (labelled so, never "
                    "as an official text); summary: our paraphrase, not a quotation.",
                    values=("verbatim", "excerpt", "course_translation", "summary"),
                ),
                Column("rendering", "text", "Whose English text or translation this is.", required=False),
                _src(),
                _note(),
            ),
            row_rules=(_verbatim_needs_rendering,),
        ),
        Table(
            "figures",
            "Background numbers, each with its qualifier ('more than' is not 'exactly').",
            (
                Column("figure_id", "id", "Short id."),
                Column("label", "text", "What is counted or measured."),
                Column("value", "float", "The number.", low=0),
                Column("unit", "text", "Unit of value."),
                Column(
                    "qualifier",
                    "category",
                    "How the source qualifies the number.",
                    values=("exact", "about", "at least", "more than"),
                ),
                Column(
                    "period",
                    "text",
                    "Year or period (YYYY, YYYY-MM, or start/end); empty if timeless.",
                    required=False,
                ),
                _src(),
                Column("verified", "bool", "false where the number is found only in one weak source."),
                _note(),
            ),
        ),
    )
}


def tables() -> list[str]:
    """Return the names of the course's tables."""
    return list(SCHEMA)


def split_ids(value: object) -> list[str]:
    """Split a ``;``-separated id list into ids (an empty or missing value gives ``[]``)."""
    if value is None or (isinstance(value, float) and value != value) or str(value) == "<NA>":
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _read_rows(path: Path, table: Table, label: str) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(label, "file not found") from None
    except UnicodeDecodeError as err:
        raise DataError(
            label, f"not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start})"
        ) from None
    if not text.strip():
        raise DataError(label, "the file is empty; expected a header line and rows")
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as err:
        raise DataError(label, f"malformed CSV header ({err})", line=1) from None
    expected = [c.name for c in table.columns]
    missing = [c for c in expected if c not in header]
    if missing:
        raise DataError(label, f"missing column(s) {missing}; expected {expected}", line=1)
    extra = [c for c in header if c not in expected]
    if extra:
        raise DataError(label, f"unexpected column(s) {extra}; expected {expected}", line=1)
    if len(set(header)) != len(header):
        raise DataError(label, f"a column name repeats in the header {header}", line=1)
    rows = []
    while True:
        start_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise DataError(label, f"malformed CSV ({err})", line=start_line) from None
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataError(
                label,
                f"{len(values)} fields, expected {len(header)} ({', '.join(header)}); "
                "a comma inside a value needs double quotes around the value",
                line=start_line,
            )
        rows.append((start_line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return rows


def _parse_date(text: str, precision: str | None) -> date:
    match = PARTIAL_DATE.match(text)
    if not match:
        raise ValueError("expected a date as YYYY-MM-DD" + (" (or YYYY / YYYY-MM)" if precision else ""))
    parts = [p for p in match.groups() if p]
    if precision is None and len(parts) != 3:
        raise ValueError("expected a full date as YYYY-MM-DD")
    if precision is not None and precision in PRECISION_PARTS and len(parts) != PRECISION_PARTS[precision]:
        shape = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]
        raise ValueError(f"date_precision is {precision!r}, so expected {shape}")
    year, month, day = (int(p) for p in (parts + ["1", "1"])[:3])
    try:
        return date(year, month, day)
    except ValueError as err:
        raise ValueError(f"not a real date ({err})") from None


def _check_value(column: Column, raw: str, row: dict[str, str], known_ids: dict[str, set[str]]) -> object:
    """Return the typed value of ``raw`` for ``column``, or raise ValueError saying what was expected."""
    if raw == "":
        if column.required:
            raise ValueError("is empty; a value is required")
        return None
    kind = column.kind
    if kind == "id":
        if not ID_PATTERN.match(raw):
            raise ValueError("expected an id of letters, digits and underscores")
        return raw
    if kind == "text":
        return raw
    if kind == "url":
        if not URL_PATTERN.match(raw):
            raise ValueError("expected a URL starting with http:// or https://")
        return raw
    if kind == "bool":
        if raw not in ("true", "false"):
            raise ValueError("expected true or false")
        return raw == "true"
    if kind in ("float", "int"):
        try:
            number = float(raw) if kind == "float" else int(raw)
        except ValueError:
            raise ValueError(f"expected {'a number' if kind == 'float' else 'a whole number'}") from None
        if (column.low is not None and number < column.low) or (
            column.high is not None and number > column.high
        ):
            what = {"lat": "a latitude", "lon": "a longitude"}.get(column.name, "a value")
            bounds = f"from {column.low:g}" + (f" to {column.high:g}" if column.high is not None else " up")
            raise ValueError(f"is out of range; expected {what} {bounds}")
        return number
    if kind == "category":
        if raw not in column.values:
            raise ValueError(f"is not allowed; expected one of {', '.join(column.values)}")
        return raw
    if kind == "date":
        precision = row.get(column.precision) if column.precision else None
        return _parse_date(raw, precision)
    if kind == "partial_date":
        _parse_date(raw, "any")
        return raw
    if kind in ("ref", "refs"):
        ids = split_ids(raw) if kind == "refs" else [raw]
        if kind == "refs" and raw.strip(";").strip() and any(not p.strip() for p in raw.split(";")):
            raise ValueError("has an empty id between ';' separators")
        unknown = [i for i in ids if i not in known_ids[column.table]]
        if unknown:
            raise ValueError(
                f"unknown {column.table} id(s) {unknown}; every id must be in {column.table}.csv"
            )
        return raw
    raise AssertionError(f"unknown column kind {kind!r}")  # a schema bug, not a data error


def _validate(name: str, folder: Path, cache: dict[str, list[tuple[int, dict[str, object]]]]):
    if name in cache:
        return cache[name]
    table = SCHEMA[name]
    label = f"data/{table.file}"
    rows = _read_rows(folder / table.file, table, label)
    referenced = {c.table for c in table.columns if c.kind in ("ref", "refs")}
    known_ids = {
        other: {str(r[SCHEMA[other].key]) for _, r in _validate(other, folder, cache)}
        for other in referenced - {name}
    }
    if name in referenced:  # a column that points at other rows of the same table
        known_ids[name] = {str(row.get(table.key, "")) for _, row in rows}
    seen: dict[str, int] = {}
    typed_rows = []
    for line, row in rows:
        key = row.get(table.key, "")
        where = f"{line} ({table.key} {key!r})" if key else str(line)
        typed = {}
        for column in table.columns:
            try:
                typed[column.name] = _check_value(column, row[column.name], row, known_ids)
            except ValueError as err:
                raise DataError(
                    label,
                    f"{row[column.name]!r} {err}" if row[column.name] else str(err),
                    line=where,
                    column=column.name,
                ) from None
        for rule in table.row_rules:
            problem = rule(row)
            if problem:
                raise DataError(label, problem[1], line=where, column=problem[0])
        if key in seen:
            raise DataError(
                label, f"duplicate id {key!r} (first on line {seen[key]})", line=where, column=table.key
            )
        seen[key] = line
        typed_rows.append((line, typed))
    if not typed_rows:
        raise DataError(label, "has a header but no rows")
    cache[name] = typed_rows
    return typed_rows


def load(name: str, data_dir: str | Path | None = None):
    """Load and validate one table, returning a typed pandas DataFrame indexed by its id column.

    Parameters
    ----------
    name : str
        A table name from :func:`tables`, e.g. ``"reactions"``.
    data_dir : path, optional
        Folder holding the CSV files (default: the course's ``data/``).

    Raises
    ------
    DataError
        If the table or any table it refers to is malformed; the message names file, line and column.
    """
    if name not in SCHEMA:
        raise DataError(f"data/{name}.csv", f"no table named {name!r}; the tables are {', '.join(SCHEMA)}")
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    key, contents = (str(folder.resolve()), name), _contents(folder)
    kept = _LOADED.get(key)
    if kept is not None and kept[0] == contents:
        return kept[1].copy()
    frame = _build(name, folder)
    _LOADED[key] = (contents, frame)
    return frame.copy()


#: Validated frames by (folder, table), with the digest of the table files they were built from.
_LOADED: dict[tuple[str, str], tuple[bytes, object]] = {}


def _contents(folder: Path) -> bytes:
    """A digest of every table file's bytes in ``folder`` (a missing file counts as its own state)."""
    digest = hashlib.blake2b(digest_size=16)
    for table in SCHEMA.values():
        try:
            data = (folder / table.file).read_bytes()
        except OSError as err:
            data = f"unreadable: {type(err).__name__}".encode()
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def _build(name: str, folder: Path):
    table = SCHEMA[name]
    records = [typed for _, typed in _validate(name, folder, {})]
    frame = pd.DataFrame.from_records(records, columns=[c.name for c in table.columns])
    for column in table.columns:
        series = frame[column.name]
        if column.kind == "date":
            frame[column.name] = pd.to_datetime(series)
        elif column.kind == "category":
            frame[column.name] = pd.Categorical(
                series, categories=list(column.values), ordered=column.ordered
            )
        elif column.kind == "bool":
            frame[column.name] = series.astype(bool)
        elif column.kind == "float":
            frame[column.name] = series.astype(float)
        elif column.kind == "int":
            frame[column.name] = series.astype("Int64")
        else:
            frame[column.name] = series.astype("string")
    return frame.set_index(table.key)


_MONTHS = ("January February March April May June July August September October November December").split()


def format_date(value, precision: str = "day") -> str:
    """Format a date no more precisely than it is known: '19 June 2024', 'June 2024' or '2024'.

    Parameters
    ----------
    value : datetime-like or None
    precision : {'day', 'month', 'year'}
    """
    if value is None or value != value:  # None or NaT
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"

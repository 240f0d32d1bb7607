"""The schema of the course's data tables: every table, its columns, their kinds and the rules across a row.

This module declares; it reads no file. :mod:`course.content.data` reads ``data/*.csv`` against it. A column's
kind is an object (:class:`Kind`) that knows how to check a raw value, how to type a whole column for pandas,
and how to describe itself in the data dictionary (``make data-docs``), so no code switches on kind names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from course.content.reactions import (
    COMMITMENT_CODES,
    STANCE_CODES,
    TARGET_CODES,
    VALENCE_CODES,
    commitment_for_signal,
    valence_problem,
)

ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
URL_PATTERN = re.compile(r"^https?://\S+$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISION_PARTS = {"year": 1, "month": 2, "day": 3}

#: The raw values of the tables a row may refer to, by table name (filled in by the loader).
KnownIds = dict[str, set[str]]


def parse_date(text: str, precision: str | None) -> date:
    """Parse ``YYYY-MM-DD`` (or, with a ``precision``, ``YYYY`` / ``YYYY-MM``); raise ValueError saying why not.

    ``precision`` is None for a full date, ``"year"``/``"month"``/``"day"`` for exactly that shape, or any
    other string for any of the three shapes.
    """
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


def split_ids(value: object) -> list[str]:
    """Split a ``;``-separated id list into ids (an empty or missing value gives ``[]``)."""
    if value is None or (isinstance(value, float) and value != value) or str(value) == "<NA>":
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


class Kind:
    """A kind of column: how a raw value is checked and typed, how the column is typed for pandas, and how the
    data dictionary describes it. Subclasses override what differs; the base is plain text."""

    name = "text"
    #: True for kinds whose values are ids of another table (``Column.table``).
    refers = False

    def check(self, column: Column, raw: str, row: dict[str, str], known: KnownIds) -> object:
        """Return the typed value of a non-empty ``raw``, or raise ValueError saying what was expected."""
        return raw

    def typed(self, column: Column, series: pd.Series) -> pd.Series:
        """Return the column of checked values with its pandas type."""
        return series.astype("string")

    def describe(self, column: Column) -> str:
        """The type as the data dictionary names it."""
        return "text"


class _Pattern(Kind):
    def __init__(self, name: str, pattern: re.Pattern[str], expected: str, description: str):
        self.name, self._pattern, self._expected, self._description = name, pattern, expected, description

    def check(self, column, raw, row, known):
        if not self._pattern.match(raw):
            raise ValueError(f"expected {self._expected}")
        return raw

    def describe(self, column):
        return self._description


class _Bool(Kind):
    name = "bool"

    def check(self, column, raw, row, known):
        if raw not in ("true", "false"):
            raise ValueError("expected true or false")
        return raw == "true"

    def typed(self, column, series):
        return series.astype(bool)

    def describe(self, column):
        return "`true` / `false`"


class _Number(Kind):
    _WHAT = {"lat": "a latitude", "lon": "a longitude"}

    def __init__(self, name: str, parse: Callable[[str], float | int], expected: str, dtype: str, label: str):
        self.name, self._parse, self._expected, self._dtype, self._label = name, parse, expected, dtype, label

    def check(self, column, raw, row, known):
        try:
            number = self._parse(raw)
        except ValueError:
            raise ValueError(f"expected {self._expected}") from None
        too_low = column.low is not None and number < column.low
        if too_low or (column.high is not None and number > column.high):
            what = self._WHAT.get(column.name, "a value")
            bounds = f"from {column.low:g}" + (f" to {column.high:g}" if column.high is not None else " up")
            raise ValueError(f"is out of range; expected {what} {bounds}")
        return number

    def typed(self, column, series):
        return series.astype(self._dtype)

    def describe(self, column):
        return self._label


class _Category(Kind):
    name = "category"

    def check(self, column, raw, row, known):
        if raw not in column.values:
            raise ValueError(f"is not allowed; expected one of {', '.join(column.values)}")
        return raw

    def typed(self, column, series):
        return pd.Categorical(series, categories=list(column.values), ordered=column.ordered)

    def describe(self, column):
        return "category (ordered)" if column.ordered else "category"


class _Date(Kind):
    name = "date"

    def check(self, column, raw, row, known):
        return parse_date(raw, row.get(column.precision) if column.precision else None)

    def typed(self, column, series):
        return pd.to_datetime(series)

    def describe(self, column):
        if column.precision:
            return f"date (YYYY, YYYY-MM or YYYY-MM-DD, as `{column.precision}` says)"
        return "date (YYYY-MM-DD)"


class _PartialDate(Kind):
    name = "partial_date"

    def check(self, column, raw, row, known):
        parse_date(raw, "any")
        return raw

    def describe(self, column):
        return "date text (YYYY, YYYY-MM or YYYY-MM-DD)"


class _Ref(Kind):
    refers = True

    def __init__(self, many: bool):
        self.name, self._many = ("refs" if many else "ref"), many

    def check(self, column, raw, row, known):
        if self._many and raw.strip(";").strip() and any(not p.strip() for p in raw.split(";")):
            raise ValueError("has an empty id between ';' separators")
        unknown = [i for i in (split_ids(raw) if self._many else [raw]) if i not in known[column.table]]
        if unknown:
            raise ValueError(
                f"unknown {column.table} id(s) {unknown}; every id must be in {column.table}.csv"
            )
        return raw

    def describe(self, column):
        if self._many:
            return f"ids in `{column.table}.csv`, `;`-separated"
        return f"id in `{column.table}.csv`"


#: Every kind of column, by the name the schema declares it with.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        _Pattern(
            "id", ID_PATTERN, "an id of letters, digits and underscores", "id (unique; letters, digits, `_`)"
        ),
        Kind(),
        _Pattern("url", URL_PATTERN, "a URL starting with http:// or https://", "URL"),
        _Bool(),
        _Number("float", float, "a number", "float", "number"),
        _Number("int", int, "a whole number", "Int64", "whole number"),
        _Category(),
        _Date(),
        _PartialDate(),
        _Ref(many=False),
        _Ref(many=True),
    )
}


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``kind`` names one of :data:`KINDS`: ``id`` (the table's unique key), ``text``, ``url``, ``bool``
    (``true``/``false``), ``float``, ``int``, ``category`` (one of ``values``), ``date`` (``YYYY-MM-DD``, or
    partial ``YYYY`` / ``YYYY-MM`` when ``precision`` names the column that gives the precision),
    ``partial_date`` (kept as text), ``ref`` (one id of table ``table``), ``refs`` (ids of ``table`` separated
    by ``;``). An unknown kind, or a reference with no table, is a schema error raised when the schema is built.
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

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(
                f"column {self.name!r}: unknown kind {self.kind!r}; the kinds are {', '.join(KINDS)}"
            )
        if KINDS[self.kind].refers != bool(self.table):
            raise ValueError(f"column {self.name!r}: a table is named for a reference, and only for one")
        if (self.kind == "category") != bool(self.values):
            raise ValueError(
                f"column {self.name!r}: allowed values are listed for a category, and only for one"
            )

    @property
    def type(self) -> Kind:
        """The column's kind as an object."""
        return KINDS[self.kind]

    def check(self, raw: str, row: dict[str, str], known: KnownIds) -> object:
        """Return the typed value of ``raw`` (None for an empty optional value), or raise ValueError."""
        if raw == "":
            if self.required:
                raise ValueError("is empty; a value is required")
            return None
        return self.type.check(self, raw, row, known)


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

    @property
    def referenced(self) -> set[str]:
        """The tables this table's columns refer to (itself included, if a column points at its own rows)."""
        return {c.table for c in self.columns if c.type.refers}


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


_CODES = ("stance", "valence", "commitment", "committed", "commitment_signal")


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
    for column in ("stance", "valence", "commitment", "committed"):
        if not row.get(column):
            return column, "a coded reaction needs a stance, a valence, a commitment and what it committed to"
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


def _valence_fits_stance(row: dict[str, str]) -> tuple[str, str] | None:
    """Four stances fix the valence; a warning's is coded from its words (course.content.reactions.STANCE_PARTS)."""
    stance, valence = row.get("stance", ""), row.get("valence", "")
    if stance in STANCE_CODES and valence in VALENCE_CODES:
        problem = valence_problem(stance, valence)
        if problem:
            return "valence", problem
    return None


_STATEMENT_CODES = ("stance", "valence", "commitment", "rules")


def _statement_coded(row: dict[str, str]) -> tuple[str, str] | None:
    """A statement is coded whole (stance, valence, commitment and the rules that give them) or not at all (held
    out)."""
    filled = [c for c in _STATEMENT_CODES if row.get(c)]
    if filled and len(filled) < len(_STATEMENT_CODES):
        missing = next(c for c in _STATEMENT_CODES if not row.get(c))
        return (
            missing,
            "a coded statement needs a stance, a valence, a commitment and the rules that give them",
        )
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
                    "valence",
                    "category",
                    "Coded valence (course.content.reactions.VALENCES): the judgment the words pass on the row's "
                    "topic. Fixed by the stance but for a warning; empty for a held-out row.",
                    required=False,
                    values=VALENCE_CODES,
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
            row_rules=(
                _quote_or_paraphrase,
                _coded_by_the_rule,
                _valence_fits_stance,
                _contrast_needs_a_reading,
            ),
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
                    "valence",
                    "category",
                    "Codebook valence (rules V0-V3): the judgment the words pass on the question answered. Fixed "
                    "by the stance but for a warning; empty for a held-out row.",
                    required=False,
                    values=VALENCE_CODES,
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
            row_rules=(_statement_coded, _valence_fits_stance),
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

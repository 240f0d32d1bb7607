"""The corpus of official statements, 2023 to 2025: the sampling rule, applied here, and the measures lesson 07
uses to test the article's claim that China's reaction to the treaty was "all but muted".

The data are ``data/statements.csv`` (one row per rendering of a statement, in the words and language a stored
source gives) and ``data/occasions.csv`` (the occasions, each a set of events of ``data/events.csv``). Nothing
below is typed by hand: windows come from the events' dates, the sample from :data:`RULE`, the measures from the
codes and the texts.

The rule (:data:`RULE`, printed by the lesson):

1. **Window.** A statement counts for its occasion if its date can fall between seven days before the occasion's
   first event and fourteen days after its last (a statement dated only by month counts if that month overlaps).
2. **One rendering per answer.** Rows that render one answer (the same ``utterance_id``) count once: direct speech
   before an outlet's indirect speech, then the rendering in the speaker's own language, then the best-graded
   source (official, wire, article, aggregator), then the first row.
3. **Held out.** A statement a problem set asks students to code carries no codes here and is counted, not measured.

A *measure* is a share of the sampled statements (non-committal stance; any act beyond words; an objection:
condemnation, warning or a protest), reported with a Wilson score interval, because the groups are small.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from course.content.data import load

BEFORE = timedelta(days=7)
AFTER = timedelta(days=14)

RULE = (
    "1. Window: a statement counts for its occasion if its date can fall between 7 days before the occasion's first "
    "event and 14 days after its last (a statement dated only by month counts if that month overlaps).",
    "2. One rendering per answer: rows that render one answer count once: direct speech before an outlet's indirect "
    "speech, then the speaker's own language, then the best-graded source (official, wire, article, aggregator).",
    "3. Held out: a statement a problem set asks students to code has no codes here; it is counted, not measured.",
)

#: The language each government speaks in its own official record.
OWN_LANGUAGE = {
    "China": "zh",
    "Russia": "ru",
    "North Korea": "ko",
    "South Korea": "ko",
    "Japan": "ja",
    "United States": "en",
}

#: Source kinds from best to worst, with the grade the course's sourcing standard names.
GRADES = {
    "primary": "official",
    "wire": "wire",
    "article": "article",
    "analysis": "article",
    "aggregator": "aggregator",
}
_GRADE_ORDER = {kind: i for i, kind in enumerate(GRADES)}

#: Stock phrases of official answers, by family, as patterns in the corpus's languages. A family is found in a text
#: if any of its patterns is.
PHRASES: dict[str, dict[str, str]] = {
    "their own business": {
        "en": r"sovereign states|their own (?:affair|business)|solely up to them|their internal affair|"
        r"between (?:the )?two (?:sovereign )?(?:states|countries)|interfere in the bilateral",
        "zh": r"主权|主權|自己的事|之间的安排|之間的安排|双边交往安排|不对朝俄之间的双边合作",
        "it": r"questione (?:tra|loro)|sovrani|accordo tra",
        "ru": r"двусторонних контактов",
        "ja": r"二国間",
    },
    "no information": {
        "en": r"not aware|do not know|do not have information|no information",
        "zh": r"不了解|不掌握|没有可以提供的信息|不便评论",
    },
    "position unchanged": {
        "en": r"consistent|repeatedly expressed our position|always maintained",
        "zh": r"一贯|一貫",
        "ru": r"неоднократно излагал",
    },
    "peace and settlement": {
        "en": r"political (?:solution|settlement)|de-?escalat|deescalation|cease the fire|restore peace|"
        r"peace and (?:security|stability)",
        "zh": r"政治解决|缓和局势",
    },
    "objection": {
        "en": r"\boppos|reject|deplore|disapprove|representations|smear|Cold War",
        "zh": r"反对|反對|交涉|抹黑|不满",
        "it": r"opposizione|Guerra Fredda|calunnie",
    },
    "friendship": {
        "en": r"friendly|friendship",
        "zh": r"友好",
    },
}


@dataclass(frozen=True)
class Share:
    """k of n, with a Wilson score interval."""

    k: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def __str__(self) -> str:
        if not self.n:
            return "no statements"
        return f"{self.k}/{self.n} = {self.value:.0%} (95% interval {self.low:.0%}–{self.high:.0%})"


def wilson(k: int, n: int, z: float = 1.959963984540054) -> Share:
    """The Wilson score interval for k successes in n trials (Wilson 1927; Newcombe 1998, method 3).

    Unlike the textbook p ± z·se, it stays inside [0, 1] and does not collapse to a point at 0 or n, which is what
    a group of five statements needs.
    """
    if not 0 <= k <= n:
        raise ValueError(f"k={k} must be between 0 and n={n}")
    if n == 0:
        return Share(0, 0, float("nan"), float("nan"))
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return Share(k, n, max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator))


def _day_range(value, precision: str) -> tuple[date, date]:
    day = pd.Timestamp(value).date()
    if precision == "month":
        last = (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()
        return day.replace(day=1), last
    if precision == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


def windows() -> pd.DataFrame:
    """One row per occasion: its kind, title, events and window (first event − 7 days, last event + 14 days)."""
    occasions = load("occasions")
    events = load("events")
    rows = []
    for oid, occ in occasions.iterrows():
        starts, ends = [], []
        for eid in str(occ["event_ids"]).split(";"):
            event = events.loc[eid.strip()]
            first, last = _day_range(event["date"], event["date_precision"])
            if pd.notna(event["end_date"]):
                last = _day_range(event["end_date"], event["date_precision"])[1]
            starts.append(first)
            ends.append(last)
        rows.append(
            {
                "occasion_id": oid,
                "kind": occ["kind"],
                "title": occ["title"],
                "first_event": min(starts),
                "last_event": max(ends),
                "opens": min(starts) - BEFORE,
                "closes": max(ends) + AFTER,
            }
        )
    return pd.DataFrame(rows).set_index("occasion_id").sort_values("first_event")


def candidates() -> pd.DataFrame:
    """Every row of statements.csv with what the rule needs: government, occasion kind and window, whether it falls
    in the window, whether it is in the speaker's own language, and its source's grade."""
    statements = load("statements").copy()
    actors = load("actors")
    sources = load("sources")
    win = windows()
    statements["government"] = statements["actor_id"].map(actors["government"])
    statements["speaker"] = statements["actor_id"].map(actors["name"])
    statements["occasion_kind"] = statements["occasion_id"].map(win["kind"])
    statements["opens"] = statements["occasion_id"].map(win["opens"])
    statements["closes"] = statements["occasion_id"].map(win["closes"])
    spans = [_day_range(d, p) for d, p in zip(statements["date"], statements["date_precision"], strict=True)]
    statements["in_window"] = [
        first <= closes and last >= opens
        for (first, last), opens, closes in zip(spans, statements["opens"], statements["closes"], strict=True)
    ]
    statements["own_language"] = [
        OWN_LANGUAGE.get(gov) == lang
        for gov, lang in zip(statements["government"], statements["language"], strict=True)
    ]
    kind = statements["source_id"].map(sources["kind"])
    statements["grade"] = kind.map(GRADES)
    statements["_grade_rank"] = kind.map(_GRADE_ORDER)
    statements["coded"] = statements["stance"].notna()
    return statements


def _excluded_reason(row) -> str:
    when = row["date"].strftime("%Y-%m" if row["date_precision"] == "month" else "%Y-%m-%d")
    return f"outside the window ({when}; the window is {row['opens']:%Y-%m-%d} to {row['closes']:%Y-%m-%d})"


def apply_rule(rows: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply :data:`RULE` to the candidates: (sample, excluded), each statement once, with the reason for every
    exclusion. The sample keeps held-out rows (uncoded); :func:`measured` leaves them out."""
    rows = candidates() if rows is None else rows
    outside = rows[~rows["in_window"]].copy()
    outside["why"] = outside.apply(_excluded_reason, axis=1)
    inside = rows[rows["in_window"]].copy()
    inside["_direct"] = (inside["speech"] != "direct").astype(int)
    inside["_order"] = range(len(inside))
    ranked = inside.sort_values(
        ["utterance_id", "_direct", "own_language", "_grade_rank", "_order"],
        ascending=[True, True, False, True, True],
    )
    kept = ranked.drop_duplicates("utterance_id", keep="first")
    others = ranked[~ranked.index.isin(kept.index)].copy()
    others["why"] = [
        f"another rendering of the same answer is kept ({kept_id})"
        for kept_id in others["utterance_id"].map(
            kept.reset_index().set_index("utterance_id")["statement_id"]
        )
    ]
    sample = kept.drop(columns=["_direct", "_order"]).sort_values("date")
    excluded = pd.concat([outside, others.drop(columns=["_direct", "_order"])]).sort_values("date")
    return sample, excluded[["occasion_id", "government", "speaker", "date", "language", "source_id", "why"]]


def measured(sample: pd.DataFrame | None = None) -> pd.DataFrame:
    """The coded statements of the sample with the measures: non-committal, beyond words, an objection, and the
    stock-phrase families found in the text."""
    sample = apply_rule()[0] if sample is None else sample
    coded = sample[sample["coded"]].copy()
    coded["non_committal"] = coded["stance"] == "non-committal"
    coded["beyond_words"] = coded["commitment"] != "words_only"
    # A warning objects only when it judges the matter negatively: Russia's ambassador calling the treaty a warning
    # to those who would seek a military solution defends it (valence positive; the codebook's rules V0-V3).
    coded["objection"] = (
        coded["stance"].isin(["condemnation", "warning"]) & (coded["valence"] == "negative")
    ) | (coded["commitment"] == "consultation_or_protest")
    coded["phrases"] = [
        sorted(phrases(t, lang)) for t, lang in zip(coded["text"], coded["language"], strict=True)
    ]
    return coded


def phrases(text: str, language: str) -> set[str]:
    """The stock-phrase families (:data:`PHRASES`) found in ``text``."""
    found = set()
    for family, patterns in PHRASES.items():
        pattern = patterns.get(language)
        if pattern and re.search(pattern, text, flags=re.IGNORECASE):
            found.add(family)
    return found


#: The comparisons lesson 07 makes: name → (description, a filter on :func:`measured`'s rows).
GROUPS = {
    "June 2024 (China)": (
        "China's answers on the summit and the treaty, June 2024",
        lambda m: (m["government"] == "China") & (m["occasion_id"] == "summit_treaty_2024"),
    ),
    "Other story occasions (China)": (
        "China's answers on the story's other occasions, 2023-2025",
        lambda m: (
            (m["government"] == "China")
            & (m["occasion_kind"] == "story")
            & (m["occasion_id"] != "summit_treaty_2024")
        ),
    ),
    "Others' alliances (China)": (
        "China's answers on other states' alliances (the baseline)",
        lambda m: (m["government"] == "China") & (m["occasion_kind"] == "baseline"),
    ),
    "Story (other governments)": (
        "Russia, both Koreas, Japan and the US on the story's occasions",
        lambda m: (m["government"] != "China") & (m["occasion_kind"] == "story"),
    ),
}

MEASURES = {
    "non_committal": "non-committal stance",
    "objection": "an objection (condemnation, a negative warning, or protest)",
    "beyond_words": "an act or measure beyond words",
}


def comparison(sample_measured: pd.DataFrame | None = None) -> pd.DataFrame:
    """Group × measure: each cell a :class:`Share` (k of n, Wilson interval)."""
    m = measured() if sample_measured is None else sample_measured
    table = {}
    for group, (_, keep) in GROUPS.items():
        rows = m[keep(m)]
        table[group] = {label: wilson(int(rows[col].sum()), len(rows)) for col, label in MEASURES.items()}
    return pd.DataFrame(table).T


def phrase_table(sample_measured: pd.DataFrame | None = None) -> pd.DataFrame:
    """Group × stock-phrase family: how many of the group's statements use it (k of n)."""
    m = measured() if sample_measured is None else sample_measured
    table = {}
    for group, (_, keep) in GROUPS.items():
        rows = m[keep(m)]
        table[group] = {
            family: wilson(sum(family in p for p in rows["phrases"]), len(rows)) for family in PHRASES
        }
    return pd.DataFrame(table).T


def renderings() -> pd.DataFrame:
    """Answers the corpus holds in more than one rendering: every rendering, with the note that marks how they
    differ."""
    rows = candidates()
    several = rows.groupby("utterance_id")["text"].transform("size") > 1
    out = rows[several].sort_values(["date", "utterance_id", "language"])
    return out[["utterance_id", "date", "speaker", "language", "speech", "text", "source_id", "note"]]


def counts() -> dict[str, int]:
    """What the corpus holds (for the lesson, the README and the tests)."""
    rows = candidates()
    sample, excluded = apply_rule(rows)
    china = rows["government"] == "China"
    return {
        "rows": len(rows),
        "answers": rows["utterance_id"].nunique(),
        "occasions": rows["occasion_id"].nunique(),
        "china_rows": int(china.sum()),
        "china_answers": rows.loc[china, "utterance_id"].nunique(),
        "own_language_rows": int(rows["own_language"].sum()),
        "languages": rows["language"].nunique(),
        "sources": rows["source_id"].nunique(),
        "sample": len(sample),
        "excluded": len(excluded),
        "outside_window": int((~rows["in_window"]).sum()),
        "held_out": int((~sample["coded"]).sum()),
    }


#: The aftermath: China's statements on the story after the article (published in the week after 19 June 2024).
AFTERMATH_FROM = date(2024, 6, 21)

#: Lesson 05's options for each decision model, each with what its choice would leave in the government's public
#: statements (a filter on :func:`measured`'s rows), or None where a public statement cannot show it.
OPTION_EVIDENCE: dict[str, dict[str, tuple[str, object] | None]] = {
    "beijing": {
        "stay_muted": ("non-committal statements", lambda m: m["stance"] == "non-committal"),
        "warn_privately": None,
        "tighten_sanctions": (
            "objections to the cooperation, or an act against it",
            lambda m: m["objection"] | m["beyond_words"],
        ),
        "align_openly": ("endorsements", lambda m: m["stance"] == "endorsement"),
    },
    "seoul": {
        "no_change": None,
        "keep_open": (
            "warnings: a response tied to what Russia does, the measure left open",
            lambda m: m["stance"] == "warning",
        ),
        "non_lethal": ("a decided step (policy_step)", lambda m: m["commitment"] == "policy_step"),
        "lethal_arms": ("a decided step (policy_step)", lambda m: m["commitment"] == "policy_step"),
    },
}
_CASE_GOVERNMENT = {"beijing": "China", "seoul": "South Korea"}
_UNTESTABLE = {
    "warn_privately": "a private warning leaves no public statement",
    "no_change": "an unchanged policy leaves no statement to count",
}


def aftermath(sample_measured: pd.DataFrame | None = None, case: str = "beijing") -> pd.DataFrame:
    """Lesson 05's options for one decision model (``"beijing"`` or ``"seoul"``) against that government's
    statements on the story after the article: for each option, the share of statements its choice would produce,
    and a reading: borne out (the interval lies above one half), not borne out (below one half), undecided (too few
    statements to tell), or not testable with public statements."""
    from course.content.scenarios import BEIJING, SEOUL

    options = {"beijing": BEIJING, "seoul": SEOUL}[case].options
    m = measured() if sample_measured is None else sample_measured
    after = m[
        (m["government"] == _CASE_GOVERNMENT[case])
        & (m["occasion_kind"] == "story")
        & (m["date"].dt.date >= AFTERMATH_FROM)
    ]
    rows = []
    for option, label in options.items():
        test = OPTION_EVIDENCE[case][option]
        if test is None:
            rows.append(
                {
                    "option": label,
                    "evidence": _UNTESTABLE[option],
                    "share": None,
                    "reading": "not testable with public statements",
                }
            )
            continue
        what, keep = test
        share = wilson(int(keep(after).sum()), len(after))
        reading = "borne out" if share.low > 0.5 else "not borne out" if share.high < 0.5 else "undecided"
        rows.append({"option": label, "evidence": what, "share": share, "reading": reading})
    return pd.DataFrame(rows)


def cited() -> list[str]:
    """The sources the lesson rests on: those of every row of the corpus and of the occasions' events, in order of
    first use."""
    rows = candidates()
    events = load("events")
    ids = list(rows.sort_values("date")["source_id"])
    for event_ids in load("occasions")["event_ids"]:
        for eid in str(event_ids).split(";"):
            ids.extend(str(events.loc[eid.strip(), "source_id"]).split(";"))
    return list(dict.fromkeys(i.strip() for i in ids if i.strip()))


#: The formulas of Beijing's answers, in Chinese (simplified and traditional), with a plain English gloss: the
#: glossary lesson 07 builds from the corpus.
FORMULAS: tuple[tuple[str, str], ...] = (
    ("主权|主權", "sovereign (states): the two are sovereign, so their relations are theirs"),
    ("自己的事", "their own business"),
    ("之间的安排|之間的安排|双边交往安排", "an arrangement between the two"),
    ("不了解|不掌握", "not aware of, does not have (the specific situation)"),
    ("不便评论|不对.*发表评论", "not convenient to comment; makes no comment on"),
    ("没有可以提供的信息", "no information to offer"),
    ("一贯|一貫", "(our position is) consistent"),
    ("政治解决|缓和局势", "political settlement; easing the situation"),
    ("友好", "friendly, friendship (of China's own ties)"),
    ("反对|反對|抹黑|交涉", "oppose; smear; representations (the words of objection)"),
)


def formulas() -> pd.DataFrame:
    """Each formula: how many of Beijing's answers held in Chinese use it, on which occasions, and one example (a
    held-out statement is left out: the glossary is read before the problem set)."""
    rows = candidates()
    chinese = rows[(rows["language"] == "zh") & (rows["government"] == "China") & rows["coded"]]
    win = windows()
    table = []
    for pattern, gloss in FORMULAS:
        hits = chinese[chinese["text"].str.contains(pattern, regex=True)]
        occasions = list(dict.fromkeys(win.loc[hits.sort_values("date")["occasion_id"], "title"]))
        example = hits.sort_values("date").iloc[0]["text"] if len(hits) else ""
        table.append(
            {
                "formula": pattern.replace("|", " / "),
                "gloss": gloss,
                "answers": hits["utterance_id"].nunique(),
                "occasions": "; ".join(occasions),
                "first example": example,
            }
        )
    return pd.DataFrame(table)

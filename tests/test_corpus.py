"""Issue 30, the corpus of official statements 2023-2025 and lesson 07 ("Was it muted?"): every quote word for word
in its stored passage, every source dated no earlier than what it reports, the sampling rule applied by code, the
codes given by the codebook's rules, the interval checked against published values, and the lesson's prose held to
the numbers it describes."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from conftest import ROOT

from course.content import codebook, corpus
from course.content.data import load


def _first_and_last(value, precision: str) -> tuple[date, date]:
    return corpus._day_range(value, precision)


# ---- the data -----------------------------------------------------------------------------------------------------


def test_the_corpus_is_as_large_as_the_issue_asks():
    """Issue 30's floor: 60 statements, 10 occasions, 30 from Beijing, 20 in the speaker's own language."""
    counts = corpus.counts()
    assert counts["rows"] >= 60, counts
    assert counts["occasions"] >= 10, counts
    assert counts["china_rows"] >= 30, counts
    assert counts["own_language_rows"] >= 20, counts
    rows = corpus.candidates()
    assert set(rows["language"]) >= {"zh", "ru", "ko", "ja", "en"}
    assert {"story", "baseline"} <= set(rows["occasion_kind"])


def test_every_statement_is_verbatim_in_the_passage_kept_from_its_source():
    """Each text (each passage of one joined by ' … ') is in an excerpt of its own source, in order; a statement that
    is a reaction of lesson 03 may instead be that reaction's quote (checked against the fact sheet in test_data)."""
    statements, excerpts, reactions = load("statements"), load("excerpts"), load("reactions")
    for sid, row in statements.iterrows():
        passages = row["text"].split(" … ")
        own = excerpts.loc[excerpts["source_id"] == row["source_id"], "text"].tolist()
        where = [t for t in own if all(p in t for p in passages)]
        if not where and pd.notna(row["reaction_id"]):
            quote = reactions.loc[row["reaction_id"], "quote"]
            where = [quote] if quote == row["text"] else []
        assert where, f"statements {sid}: not found word for word in {row['source_id']}'s kept passages"
        starts = [where[0].index(p) for p in passages]
        assert starts == sorted(starts), f"statements {sid}: the passages are out of the source's order"


def test_renderings_of_one_answer_agree_on_occasion_government_and_date():
    """Rows that render one answer (utterance_id) belong to one occasion and one government, and their dates (a day,
    or a month where a source gives no day) overlap."""
    rows = corpus.candidates()
    for utterance, group in rows.groupby("utterance_id"):
        assert group["occasion_id"].nunique() == 1 and group["government"].nunique() == 1, utterance
        spans = [_first_and_last(d, p) for d, p in zip(group["date"], group["date_precision"], strict=True)]
        assert max(s for s, _ in spans) <= min(e for _, e in spans), (
            f"{utterance}: renderings on different days"
        )


def test_every_source_is_recorded_with_an_address_and_dated_no_earlier_than_the_statement():
    """A source cannot report words before they were said: a statement's earliest possible day is on or before the
    latest possible day of its source's publication."""
    statements, sources = load("statements"), load("sources")
    for sid, row in statements.iterrows():
        source = sources.loc[row["source_id"]]
        assert pd.notna(source["url"]), f"statements {sid}: {row['source_id']} has no address"
        assert source["kind"] in corpus.GRADES, f"statements {sid}: {source['kind']} is not a grade"
        if pd.isna(source["published"]):
            continue
        published = str(source["published"])
        precision = {4: "year", 7: "month"}.get(len(published), "day")
        said_from, _ = _first_and_last(row["date"], row["date_precision"])
        _, out_by = _first_and_last(pd.Timestamp(published), precision)
        assert said_from <= out_by, (
            f"statements {sid}: said {said_from}, but its source was published {published}"
        )


def test_codes_are_given_by_the_rules_the_row_cites():
    """The cited stance rule decides the stance and the cited commitment rule the commitment (codebook.Rule.decides)."""
    for sid, row in load("statements").iterrows():
        if pd.isna(row["stance"]):
            continue
        cited = [codebook.rule(r) for r in row["rules"].split(";")]
        stance_rules = [r for r in cited if r.rule_id.startswith("S")]
        commitment_rules = [r for r in cited if r.rule_id.startswith("C")]
        valence_rules = [r for r in cited if r.rule_id.startswith("V")]
        assert len(stance_rules) == 1 and row["stance"] in stance_rules[0].decides, sid
        assert len(valence_rules) == 1 and row["valence"] in valence_rules[0].decides, sid
        assert len(commitment_rules) == 1 and row["commitment"] in commitment_rules[0].decides, sid
        assert len(cited) == 3, sid


def test_a_warning_is_an_objection_only_when_it_judges_the_matter_negatively():
    """Found when valence was coded apart: lesson 07 counted every warning as an objection, so Russia's ambassador
    calling the treaty a warning (to defend it) was an objection on the story. A condemnation, a negative warning
    or a protest is one; a warning with another valence is not."""
    m = corpus.measured()
    assert (
        not m.loc["ru_20240625_rudenko", "objection"]
        and m.loc["ru_20240625_rudenko", "valence"] == "positive"
    )
    for sid, row in m.iterrows():
        expected = (
            (row["stance"] == "condemnation")
            or (row["stance"] == "warning" and row["valence"] == "negative")
            or row["commitment"] == "consultation_or_protest"
        )
        assert row["objection"] == expected, sid


def test_a_statement_is_uncoded_exactly_when_its_reaction_is_held_out():
    """A problem set's held-out reaction keeps its codes in the key: its rendering in the corpus carries none, so the
    corpus cannot give the item away; every other statement is coded."""
    statements, reactions = load("statements"), load("reactions")
    for sid, row in statements.iterrows():
        held = pd.notna(row["reaction_id"]) and pd.notna(reactions.loc[row["reaction_id"], "held_out"])
        assert held == pd.isna(row["stance"]), (
            f"statements {sid}: held out {held}, coded {pd.notna(row['stance'])}"
        )
    assert statements["stance"].isna().sum() >= 1


def test_student_files_do_not_carry_a_held_out_code():
    """The held-out Chinese rendering of ps1 A1 is in the corpus uncoded, and lesson 07 prints no code for it."""
    row = load("statements").loc["cn_20240613_lin"]
    assert row["reaction_id"] == "lin_jian_welcomes" and pd.isna(row["stance"]) and pd.isna(row["commitment"])
    sample = corpus.measured()
    assert "cn_20240613_lin" not in sample.index


# ---- the rule, applied by code ------------------------------------------------------------------------------------


def test_windows_come_from_the_events():
    win = corpus.windows()
    veto = win.loc["panel_veto_2024"]
    assert (veto["opens"], veto["closes"]) == (
        date(2024, 3, 21),
        date(2024, 4, 11),
    )  # events.csv: 28 March 2024
    ratification = win.loc["ratification_2024"]
    assert (ratification["first_event"], ratification["last_event"]) == (
        date(2024, 10, 24),
        date(2024, 11, 11),
    )
    pows = win.loc["pows_2025"]  # an event dated by month spans the month
    assert (pows["opens"], pows["closes"]) == (date(2024, 12, 25), date(2025, 2, 14))


def _frame(rows):
    base = {"government": "China", "occasion_id": "x", "occasion_kind": "story", "speaker": "S", "date_precision": "day",
            "opens": date(2024, 1, 1), "closes": date(2024, 1, 31), "coded": True, "stance": "non-committal",
            "commitment": "words_only", "text": "t", "source_id": "s"}  # fmt: skip
    frame = pd.DataFrame([{**base, **r} for r in rows]).set_index("statement_id")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_the_rule_keeps_one_rendering_per_answer_and_says_why_it_left_each_out():
    rows = _frame([
        # outside the window, by a day
        {"statement_id": "late", "utterance_id": "u0", "date": "2024-02-01", "in_window": False, "own_language": True,
         "speech": "direct", "language": "zh", "_grade_rank": 0},
        # three renderings of one answer: direct beats reported; then own language; then grade
        {"statement_id": "zh_reported", "utterance_id": "u1", "date": "2024-01-10", "in_window": True,
         "own_language": True, "speech": "reported", "language": "zh", "_grade_rank": 0},
        {"statement_id": "en_wire", "utterance_id": "u1", "date": "2024-01-10", "in_window": True,
         "own_language": False, "speech": "direct", "language": "en", "_grade_rank": 1},
        {"statement_id": "en_aggregator", "utterance_id": "u1", "date": "2024-01-10", "in_window": True,
         "own_language": False, "speech": "direct", "language": "en", "_grade_rank": 4},
        {"statement_id": "zh_direct", "utterance_id": "u2", "date": "2024-01-11", "in_window": True,
         "own_language": True, "speech": "direct", "language": "zh", "_grade_rank": 4},
        {"statement_id": "en_direct", "utterance_id": "u2", "date": "2024-01-11", "in_window": True,
         "own_language": False, "speech": "direct", "language": "en", "_grade_rank": 0},
    ])  # fmt: skip
    sample, excluded = corpus.apply_rule(rows)
    assert sorted(sample.index) == ["en_wire", "zh_direct"]
    assert excluded.loc["late", "why"].startswith("outside the window (2024-02-01")
    assert (
        "en_wire" in excluded.loc["zh_reported", "why"] and "en_wire" in excluded.loc["en_aggregator", "why"]
    )
    assert "zh_direct" in excluded.loc["en_direct", "why"]


def test_the_real_sample_has_each_answer_once_and_all_in_their_windows():
    sample, excluded = corpus.apply_rule()
    assert sample["utterance_id"].is_unique
    assert sample["in_window"].all()
    rows = corpus.candidates()
    assert len(sample) + len(excluded) == len(rows)
    assert set(sample["utterance_id"]) == set(rows.loc[rows["in_window"], "utterance_id"])
    assert (~rows["in_window"]).sum() >= 1  # the rule does leave something out


# ---- measures -----------------------------------------------------------------------------------------------------

#: Newcombe, R. G. (1998), "Two-sided confidence intervals for the single proportion: comparison of seven methods",
#: Statistics in Medicine 17, 857-872, Table I, method 3 (the Wilson score interval without continuity correction).
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize("k,n,low,high", NEWCOMBE_1998)
def test_the_wilson_interval_matches_newcombes_published_values(k, n, low, high):
    share = corpus.wilson(k, n)
    assert round(share.low, 4) == low and round(share.high, 4) == high


def test_the_wilson_interval_refuses_impossible_counts():
    with pytest.raises(ValueError):
        corpus.wilson(5, 4)
    assert str(corpus.wilson(0, 0)) == "no statements"


@pytest.mark.parametrize(
    "text,language,family",
    [
        ("朝俄是两个独立主权国家,如何发展双边关系是他们自己的事。", "zh", "their own business"),
        ("我不了解有关情况。", "zh", "no information"),
        ("the Chinese side is not aware of the situation.", "en", "no information"),
        ("has made solemn representations to relevant parties", "en", "objection"),
        ("中方的立场是一贯的。", "zh", "position unchanged"),
        ("これらはロシアと北朝鮮の間の二国間の接触です。", "ja", "their own business"),
    ],
)
def test_stock_phrases_are_found_in_each_language(text, language, family):
    assert family in corpus.phrases(text, language)


def test_the_groups_cover_the_sample_and_the_comparison_is_computed():
    m = corpus.measured()
    table = corpus.comparison(m)
    for group, (_, keep) in corpus.GROUPS.items():
        assert table.loc[group].iloc[0].n == int(keep(m).sum()) > 0, group
    china_story = m[(m["government"] == "China") & (m["occasion_kind"] == "story")]
    assert len(china_story) == sum(table.loc[g].iloc[0].n for g in list(corpus.GROUPS)[:2])


# ---- the lesson's prose and its numbers ---------------------------------------------------------------------------


def _lesson_text() -> str:
    nb = json.loads((ROOT / "notebooks/07_was_it_muted.ipynb").read_text(encoding="utf-8"))
    return " ".join(
        " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown").split()
    )


def test_the_lessons_reading_of_the_aftermath_is_what_the_data_give():
    """The lesson says 'stay muted' is borne out, a private warning untestable, the other two without trace: if the
    corpus changes so that this no longer holds, this test fails and the prose must change with it."""
    readings = dict(zip(corpus.aftermath()["option"], corpus.aftermath()["reading"], strict=True))
    from course.content.scenarios import OPTIONS

    assert readings[OPTIONS["stay_muted"]] == "borne out"
    assert readings[OPTIONS["warn_privately"]] == "not testable with public statements"
    assert readings[OPTIONS["tighten_sanctions"]] == readings[OPTIONS["align_openly"]] == "not borne out"
    text = _lesson_text()
    assert '"Stay muted" is borne out' in text and "cannot be tested with public statements" in text


def test_the_lessons_reading_of_seouls_model_is_what_the_data_give():
    """Seoul's testable options are all undecided on the corpus's statements (too few), as the lesson says."""
    seoul = corpus.aftermath(case="seoul")
    testable = seoul[seoul["share"].notna()]
    assert len(testable) == 3 and set(testable["reading"]) == {"undecided"}
    assert "Every testable option is *undecided*" in _lesson_text()


def test_the_lesson_states_only_differences_the_data_record():
    """Each difference between renderings the lesson names is in the notes of the rows it describes."""
    rows = corpus.candidates()
    text = _lesson_text()
    for sid, words in (("kr_20240620_lim_jtbc", "엄중한 우려를 표한다"), ("kr_20240620_lim_yonhap", "유감을 표한다"),
                       ("cn_20241101_lin_sovereign_en", "solely up to them"),
                       ("cn_20250428_guo_internal", "non-interference in the relations between third countries")):  # fmt: skip
        assert words in rows.loc[sid, "text"] and words in text, sid
    assert "20 June" in load("sources").loc["shooba_202406", "note"] and "20 June" in text
    assert "nothing better for those answers" in text  # the grades are read, not hidden
    none_from_china = rows[(rows["occasion_id"] == "wonsan_2025") & (rows["government"] == "China")]
    assert none_from_china.empty and "no Chinese statement on Lavrov's visit" in text
    assert load("occasions").loc["wonsan_2025", "note"].startswith("No Chinese statement")


def test_the_glossary_counts_beijings_formulas_and_the_lesson_describes_them_truly():
    glossary = corpus.formulas().set_index("formula")
    assert glossary.loc["自己的事", "answers"] >= 2 and glossary.loc["不了解 / 不掌握", "answers"] >= 3
    held = load("statements").loc["cn_20240613_lin", "text"]
    assert held not in set(glossary["first example"])
    phrases = corpus.phrase_table()
    baseline = phrases.loc["Others' alliances (China)"]
    assert baseline["their own business"].k == baseline["no information"].k == 0 < baseline["objection"].k
    assert "neither appears in Beijing's answers on others' alliances" in _lesson_text()


def test_the_lesson_prints_no_number_the_data_do_not_compute():
    """Figures in the lesson come from code cells; the prose keeps only dates, lesson numbers and the size of the
    month lesson 03 coded."""
    import re

    text = _lesson_text()
    figures = set(re.findall(r"\b\d+(?:/\d+|%)", text)) - {"95%"}  # the intervals' level, not a finding
    assert not figures, f"hard-coded shares in lesson 07's prose: {sorted(figures)}"

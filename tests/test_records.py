"""Display-ready records: a reaction joined to who, when, where, what words and who reported it."""

from __future__ import annotations

import pandas as pd
import pytest

from course.content.data import load
from course.content.records import reaction_record, reaction_records, text


def test_text_is_empty_for_every_kind_of_missing_value():
    assert [text(v) for v in (None, float("nan"), pd.NA, pd.NaT, "", "words")] == [
        "",
        "",
        "",
        "",
        "",
        "words",
    ]


def test_every_reaction_becomes_a_record_with_its_actor_place_and_sources():
    reactions, actors, places, sources = (load(t) for t in ("reactions", "actors", "places", "sources"))
    records = reaction_records()
    assert [r.reaction_id for r in records] == list(reactions.index)
    for r in records:
        row = reactions.loc[r.reaction_id]
        assert r.speaker == actors.loc[row["actor_id"], "name"] and r.government == text(
            actors.loc[row["actor_id"], "government"]
        )
        assert r.place == (places.loc[r.place_id, "name"] if r.place_id else "")
        assert [sid for sid, _ in r.sources] == row["source_id"].split(";")
        assert all(publisher == sources.loc[sid, "publisher"] for sid, publisher in r.sources)
        assert all(
            isinstance(getattr(r, f), str) for f in ("quote", "paraphrase", "committed", "stance", "place")
        )
        assert r.words == (r.quote or r.paraphrase) and r.words
        assert r.said.startswith("“") == bool(r.quote) and r.held_out == pd.isna(row["stance"])


def test_a_record_says_a_quote_and_a_paraphrase_apart_and_its_date_no_more_precisely_than_known():
    records = reaction_records()
    quoted = next(r for r in records if r.quote)
    assert quoted.said == f"“{quoted.quote}”"
    paraphrased = next(r for r in records if not r.quote)
    assert paraphrased.said == f"(paraphrase) {paraphrased.paraphrase}"
    reactions = load("reactions")
    for r in records:
        precision = reactions.loc[r.reaction_id, "date_precision"]
        parts = {"day": 3, "month": 2, "year": 1}[precision]
        assert len(r.when.split()) == parts, (r.reaction_id, r.when)


def test_a_filtered_or_unknown_copy_still_reads():
    reactions = load("reactions").head(3).copy()
    reactions["actor_id"] = "nobody_known"
    reactions["place_id"] = pd.NA
    records = reaction_records(reactions)
    assert [r.speaker for r in records] == ["nobody_known"] * 3 and all(
        r.who == "nobody_known" for r in records
    )
    assert all(r.place == "" and r.place_id == "" for r in records)


def test_an_unknown_reaction_is_named():
    with pytest.raises(KeyError, match="no reaction 'nope'; see load"):
        reaction_record("nope")


def test_no_view_joins_a_reaction_to_its_actor_itself():
    """The review found 'who said it, where, in what words' written in five places; the records say it once."""
    from conftest import ROOT

    for path in (ROOT / "course" / "views").glob("*.py"):
        source = path.read_text()
        assert 'actors.loc[r["actor_id"]]' not in source and "actors.loc[row[" not in source, path.name

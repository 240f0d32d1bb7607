"""The sourced tables: they load typed, they hold together, and their quotes are verbatim."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from conftest import ROOT

from course.content import data, geo
from course.content.reactions import COMMITMENT_CODES, STANCE_CODES

TABLES = data.tables()


def norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split())


@pytest.mark.parametrize("name", TABLES)
def test_every_table_loads_with_its_declared_types(name):
    frame = data.load(name)
    table = data.SCHEMA[name]
    assert len(frame) > 0 and frame.index.name == table.key and frame.index.is_unique
    for column in table.columns[1:]:
        dtype = frame[column.name].dtype
        if column.kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(dtype), column.name
        elif column.kind == "category":
            assert isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == list(column.values)
        elif column.kind == "float":
            assert pd.api.types.is_float_dtype(dtype), column.name
        elif column.kind == "bool":
            assert pd.api.types.is_bool_dtype(dtype), column.name


def test_the_expected_tables_exist_with_rows():
    counts = {name: len(data.load(name)) for name in TABLES}
    assert set(counts) >= {"sources", "places", "actors", "events", "reactions", "treaties", "treaty_clauses"}
    assert counts["treaties"] == 6
    assert counts["reactions"] >= 20 and counts["events"] >= 25


def test_every_reference_resolves_and_every_source_is_cited():
    sources = set(data.load("sources").index)
    cited = set()
    for name in TABLES:
        frame = data.load(name)
        for column in data.SCHEMA[name].columns:
            if column.kind in ("ref", "refs"):
                target = set(data.load(column.table).index)
                for value in frame[column.name].dropna():
                    ids = data.split_ids(value)
                    assert set(ids) <= target, f"{name}.{column.name}: {ids}"
                    if column.table == "sources":
                        cited |= set(ids)
    assert cited <= sources
    assert sources - cited == set(), f"sources nobody cites: {sorted(sources - cited)}"


def test_reactions_use_the_coding_scheme():
    reactions = data.load("reactions")
    assert set(reactions["stance"].dropna()) <= set(STANCE_CODES)
    assert list(reactions["commitment"].cat.categories) == list(COMMITMENT_CODES)
    assert reactions["commitment"].cat.ordered
    # Every stance and level is represented among the coded rows, so that lessons can show each.
    assert set(reactions["stance"].dropna()) == set(STANCE_CODES)
    assert set(reactions["commitment"].dropna()) == set(COMMITMENT_CODES)


def test_article_quotes_are_verbatim_in_the_article(article_text):
    article = norm(article_text)
    reactions = data.load("reactions")
    from_article = reactions[reactions["source_id"].map(lambda s: "S1" in data.split_ids(s))]
    assert len(from_article) >= 4
    for rid, row in from_article.iterrows():
        if pd.notna(row["quote"]):
            assert norm(row["quote"]) in article, f"{rid}: {row['quote']!r} is not in the article"


def test_every_quote_is_verbatim_in_its_recorded_source_text(facts_text, article_text):
    """Quotes were read in their sources and recorded in the fact sheet, or copied with their source's passage
    into excerpts.csv; none may drift from them. A quote of two passages (joined by ' … ') has each, in order."""
    corpus = norm(facts_text) + " " + norm(article_text)
    reactions = data.load("reactions")
    excerpts = data.load("excerpts")
    for rid, quote in reactions["quote"].dropna().items():
        own = [
            norm(t)
            for t in excerpts.loc[
                excerpts["source_id"].isin(data.split_ids(reactions.loc[rid, "source_id"])), "text"
            ]
        ]
        passages = [norm(part) for part in quote.split(" … ")]
        where = [text for text in [corpus, *own] if all(part in text for part in passages)]
        assert where, f"reactions {rid}: quote not found verbatim: {quote!r}"
        text = where[0]
        starts = [text.index(part) for part in passages]
        assert starts == sorted(starts), f"reactions {rid}: the passages are not in the source's order"
    clauses = data.load("treaty_clauses")
    # the course's own translations too: each is recorded, word for word, in the fact sheet
    quoted = clauses[clauses["text_kind"].isin(["verbatim", "excerpt", "course_translation"])]
    assert len(quoted) >= 6
    for cid, text in quoted["text"].items():
        assert norm(text) in corpus, f"treaty_clauses {cid}: not verbatim: {text[:60]!r}"


def test_excerpts_are_whole_passages_of_a_source_with_an_address():
    """An excerpt stands in for the stored page it was copied from: the source names where, and the passage is whole
    sentences, in any of the corpus's scripts (it does not start in lower case or on a comma, and it ends a sentence:
    a full stop, 。, a closing quotation mark, or China News Service's (完))."""
    excerpts = data.load("excerpts")
    sources = data.load("sources")
    assert len(excerpts) >= 1
    for eid, row in excerpts.iterrows():
        assert pd.notna(sources.loc[row["source_id"], "url"]), f"excerpts {eid}: its source has no address"
        text = row["text"].strip()
        starts = not text[0].islower() and text[0] not in ",;:)"
        ends = text.endswith((".", "!", "?", "。", "」", "”", '"', "»", "(完)"))
        assert starts and ends, f"excerpts {eid}: not whole sentences"


def test_the_hanoi_warning_is_quoted_whole():
    """The second review's H1: the row once stopped after 'a very big mistake', hiding the conditional reply."""
    quote = data.load("reactions").loc["putin_hanoi_mistake", "quote"]
    assert quote.startswith("As for the supply of lethal weapons") and "appropriate decisions" in quote


def test_translated_and_foreign_language_quotes_say_so():
    reactions = data.load("reactions")
    foreign = reactions[reactions["language"] != "en"]
    assert (foreign["translated"] == "yes").all()
    officials = reactions[reactions["actor_id"].isin(["lin_jian", "hayashi", "putin", "kim_jong_un"])]
    assert (officials["translated"].isin(["yes", "unknown"])).all(), "their words reach us in translation"


def test_unverified_items_are_flagged_never_stated_as_fact():
    places = data.load("places")
    assert not places.loc["vostochny", "verified"] and places.loc["vostochny", "precision"] == "approximate"
    assert not places.loc["rajin_port", "verified"]
    assert (places.loc[~places["verified"], "precision"] == "approximate").all()
    figures = data.load("figures")
    assert not figures.loc["tonnage_article", "verified"]
    events = data.load("events")
    assert "Unverified" in events.loc["putin_visit_2024", "note"], "the car detail is flagged"


def test_distances_from_places_match_the_fact_sheet(facts_text):
    """Computed from places.csv with course.content.geo; the expected figures are read from facts.md."""
    names = {
        "Pyongyang": "pyongyang",
        "Beijing": "beijing",
        "Moscow": "moscow",
        "Seoul": "seoul",
        "Vladivostok": "vladivostok",
        "Khasan bridge": "khasan_bridge",
        "Kursk": "kursk",
    }
    found = re.findall(r"([A-Z][a-z]+(?: bridge)?)–([A-Z][a-z]+(?: bridge)?) ([\d,]+\.\d) km", facts_text)
    pairs = {(a, b): float(km.replace(",", "")) for a, b, km in found}
    assert {("Pyongyang", "Beijing"), ("Pyongyang", "Moscow"), ("Beijing", "Moscow")} <= set(pairs)
    places = data.load("places")
    for (a, b), expected in pairs.items():
        pa, pb = places.loc[names[a]], places.loc[names[b]]
        computed = geo.haversine_km(pa["lat"], pa["lon"], pb["lat"], pb["lon"])
        assert abs(computed - expected) < 1.0, f"{a}-{b}: {computed:.1f} km, fact sheet {expected} km"


def test_dates_are_consistent():
    events = data.load("events")
    spans = events.dropna(subset=["end_date"])
    assert (spans["end_date"] >= spans["date"]).all()
    assert events.loc["ussr_dprk_treaty_ends", "date_precision"] == "year"
    treaties = data.load("treaties")
    assert treaties.loc["rus_dprk_2024", "in_force"] == pd.Timestamp("2024-12-04")
    assert treaties.loc["rus_dprk_2000", "ended"] == treaties.loc["rus_dprk_2024", "in_force"]


# ---- bad input: a broken copy of the data in a temporary folder, never the real files ----------------


@pytest.fixture
def broken(tmp_path):
    """Return a function that copies data/ to a temp folder, applies an edit to one file, returns the folder."""

    def make(file: str, old: str, new: str, count: int = 1):
        folder = tmp_path / "data"
        shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("geo", "prep", "*.md"))
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not in {file}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return folder

    return make


def line_of(file: str, needle: str) -> int:
    """The line of the row whose id is ``needle`` (another row may mention it), else the first that has it."""
    lines = (ROOT / "data" / file).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith(f"{needle},"):
            return number
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    "table, file, old, new, needle, column, expected",
    [
        (
            "places",
            "places.csv",
            "39.9042,116.4074",
            "123,116.4074",
            "beijing,",
            "lat",
            "'123' is out of range; expected a latitude from -90 to 90",
        ),
        (
            "events",
            "events.csv",
            "2019-06-20,2019-06-21",
            "2019-06-32,2019-06-21",
            "xi_visit_2019",
            "date",
            "'2019-06-32' not a real date",
        ),
        (
            "events",
            "events.csv",
            "2024-10-24,,day",
            "24/10/2024,,day",
            "duma_ratifies",
            "date",
            "expected a date as YYYY-MM-DD",
        ),
        (
            "reactions",
            "reactions.csv",
            "non-committal,no judgment,words_only,,S15",
            "non-committal,no judgment,words_only,,S99",
            "china_mfa_sovereign_states",
            "source_id",
            "unknown sources id(s) ['S99']",
        ),
        (
            "reactions",
            "reactions.csv",
            "non-committal,no judgment,words_only,,S15",
            "neutral,no judgment,words_only,,S15",
            "china_mfa_sovereign_states",
            "stance",
            "'neutral' is not allowed; expected one of endorsement",
        ),
        (
            "reactions",
            "reactions.csv",
            "non-committal,no judgment,words_only,,S15",
            "non-committal,negative,words_only,,S15",
            "china_mfa_sovereign_states",
            "valence",
            "the stance 'non-committal' fixes the valence 'no judgment'; only a warning's valence is coded",
        ),
        (
            "reactions",
            "reactions.csv",
            "warning,no judgment,review_or_option,",
            "warning,,review_or_option,",
            "chang_depends",
            "valence",
            "a coded reaction needs a stance, a valence, a commitment",
        ),
        (
            "reactions",
            "reactions.csv",
            "between the two.,hayashi_seriously_concerned;chang_violation,",
            "between the two.,,",
            "china_mfa_sovereign_states",
            "avoided_contrast",
            "a reading of what a reaction avoided needs a contrast",
        ),
        (
            "reactions",
            "reactions.csv",
            ",hayashi,tokyo,",
            ",hayashi_x,tokyo,",
            "hayashi_seriously_concerned",
            "actor_id",
            "unknown actors id(s) ['hayashi_x']",
        ),
        (
            "places",
            "places.csv",
            ",capital,exact,true,wiki_places,Wikipedia article Seoul",
            ",capital,exact,yes,wiki_places,Wikipedia article Seoul",
            "seoul,",
            "verified",
            "'yes' expected true or false",
        ),
    ],
)
def test_bad_values_are_named_by_file_line_and_column(
    broken, table, file, old, new, needle, column, expected
):
    folder = broken(file, old, new)
    with pytest.raises(data.DataError) as err:
        data.load(table, data_dir=folder)
    message = str(err.value)
    assert message.startswith(f"data/{file}, line {line_of(file, needle)} ("), message
    assert f"column {column!r}" in message and expected in message, message
    assert (err.value.file, err.value.column) == (f"data/{file}", column)


def test_an_unknown_source_in_a_referenced_table_is_reported_when_loading_the_referrer(broken):
    folder = broken("places.csv", "pyongyang,Pyongyang,North Korea,39.0194,125.7381,capital,exact,true,wiki_places",
                    "pyongyang,Pyongyang,North Korea,39.0194,125.7381,capital,exact,true,nowhere")  # fmt: skip
    with pytest.raises(data.DataError, match=r"data/places.csv, line 2 .* column 'source_id'.*\['nowhere'\]"):
        data.load("events", data_dir=folder)


def test_a_row_with_too_many_fields_is_named(broken):
    folder = broken("places.csv", "Tokyo,Japan,", "Tokyo,Japan,Honshu,")
    with pytest.raises(data.DataError) as err:
        data.load("places", data_dir=folder)
    assert f"line {line_of('places.csv', 'tokyo,')}: 11 fields, expected 10" in str(err.value)
    assert "needs double quotes" in str(err.value)


def test_an_unclosed_quote_is_reported_not_swallowed(broken):
    folder = broken("places.csv", '"Washington, DC"', '"Washington, DC')
    with pytest.raises(data.DataError, match=r"data/places.csv, line \d+"):
        data.load("places", data_dir=folder)


def test_a_missing_or_extra_column_is_named(broken):
    folder = broken("places.csv", "place_id,name,country,lat,lon", "place_id,name,country,latitude,lon")
    with pytest.raises(data.DataError, match=r"line 1: missing column\(s\) \['lat'\]"):
        data.load("places", data_dir=folder)


def test_a_duplicate_id_is_named(broken):
    folder = broken("places.csv", "tokyo,Tokyo", "seoul,Tokyo")
    with pytest.raises(
        data.DataError, match=r"column 'place_id': duplicate id 'seoul' \(first on line \d+\)"
    ):
        data.load("places", data_dir=folder)


def test_an_empty_required_value_is_named(broken):
    folder = broken("actors.csv", "lin_jian,Lin Jian,", "lin_jian,,")
    with pytest.raises(
        data.DataError, match=r"actors.csv, line \d+ \(actor_id 'lin_jian'\), column 'name': is empty"
    ):
        data.load("actors", data_dir=folder)


def test_a_date_that_contradicts_its_precision_is_named(broken):
    folder = broken("events.csv", "1995,1996,year", "1995-09,1996,year")
    with pytest.raises(data.DataError, match="date_precision is 'year', so expected YYYY"):
        data.load("events", data_dir=folder)


def test_end_before_start_is_named(broken):
    folder = broken("events.csv", "2005-10-28,2005-10-30", "2005-10-28,2005-10-20")
    with pytest.raises(data.DataError, match="column 'end_date': '2005-10-20' is before the start date"):
        data.load("events", data_dir=folder)


def test_non_utf8_and_empty_files_are_named(broken):
    folder = broken("places.csv", "Kyiv", "Kyiv")
    path = folder / "places.csv"
    path.write_bytes(path.read_bytes().replace(b"Kyiv", b"Ky\xffiv", 1))
    with pytest.raises(data.DataError, match=r"data/places.csv: not UTF-8 text \(byte 0xff"):
        data.load("places", data_dir=folder)
    path.write_text("")
    with pytest.raises(data.DataError, match="data/places.csv: the file is empty"):
        data.load("places", data_dir=folder)


def test_a_missing_file_and_an_unknown_table_are_named(tmp_path):
    with pytest.raises(data.DataError, match="data/sources.csv: file not found"):
        data.load("sources", data_dir=tmp_path)
    with pytest.raises(data.DataError, match="no table named 'reaction'; the tables are sources, places"):
        data.load("reaction")


def test_the_data_dictionary_is_generated_from_the_schema_and_current():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import data_dictionary
    finally:
        sys.path.pop(0)
    assert data_dictionary.current() == data_dictionary.render(), (
        "data/README.md is stale: run `make data-docs`"
    )
    for table in data.SCHEMA.values():
        assert f"### `{table.file}`" in data_dictionary.current()


# ---- the in-memory copy: never stale, never shared ---------------------------------------------------------


def test_a_kept_table_is_validated_again_when_any_table_file_changes(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("geo", "prep", "*.md"))
    assert "moscow" in data.load("events", data_dir=folder)["place_ids"].tolist()
    # an edit to a table that events.csv refers to, with the same file size, made at once
    path = folder / "places.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",wiki_places", ",wiki_placez", 1), encoding="utf-8"
    )
    with pytest.raises(data.DataError, match=r"data/places.csv, line 2 .* column 'source_id'.*wiki_placez"):
        data.load("events", data_dir=folder)
    path.unlink()
    with pytest.raises(data.DataError, match=r"data/places.csv: file not found"):
        data.load("events", data_dir=folder)


def test_each_load_returns_its_own_copy():
    first = data.load("reactions")
    first.loc[first.index[0], "quote"] = "changed by a student"
    second = data.load("reactions")
    del second["quote"]
    again = data.load("reactions")
    assert again.loc[again.index[0], "quote"] != "changed by a student"
    assert "quote" in again.columns and len(again) == len(first)

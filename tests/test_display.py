import pandas as pd
import pytest

from course.views.display import show


def test_show_keeps_long_text_whole_and_escaped():
    long = "A speaker's own words <b>in</b> quotation marks, " * 4
    out = show(pd.DataFrame({"definition": [long]}), caption="Kinds").to_html()
    assert "A speaker&#x27;s own words &lt;b&gt;in&lt;/b&gt;" in out
    assert "..." not in out
    assert ">Kinds</caption>" in out and out.index("<caption") < out.index("<tr>")
    assert "text-align: left" in out


def test_show_links_the_named_columns():
    out = show(pd.DataFrame({"notebook": ["01_x.ipynb"]}), link_columns=["notebook"]).to_html()
    assert '<a href="01_x.ipynb">01_x.ipynb</a>' in out


def test_show_names_a_missing_column():
    with pytest.raises(KeyError, match=r"no column\(s\) \['nope'\].*\['a'\]"):
        show(pd.DataFrame({"a": [1]}), link_columns=["nope"])


def test_show_spans_repeated_outer_index_values_and_names_both_axes():
    frame = pd.DataFrame(
        {"definition": ["d1", "d2", "d3"]},
        index=pd.MultiIndex.from_tuples(
            [("stance", "a"), ("stance", "b"), ("commitment", "c")], names=["scale", "code"]
        ),
    )
    out = show(frame).to_html()
    assert out.count('rowspan="2"') == 1 and out.count(">stance</th>") == 1 and ">commitment</th>" in out
    assert ">scale</th>" in out and ">code</th>" in out
    assert [row.count("<th") for row in out.split("<tr>")[2:]] == [2, 1, 2]  # header row, then the 3 rows


def test_show_names_the_columns_axis_of_a_crosstab_and_keeps_missing_values_visible():
    frame = pd.crosstab(pd.Series(["x", "y"], name="government"), pd.Series(["p", "q"], name="stance"))
    out = show(frame, caption="Counts").to_html()
    assert ">stance</th>" in out and ">government</th>" in out
    for missing in (pd.NA, None, float("nan"), pd.NaT):
        cells = show(pd.DataFrame({"a": [missing, "x"]})).to_html()
        assert ">—</td>" in cells  # a visible dash: not an empty cell, and never nan, None, NaT or <NA>
        assert not any(raw in cells for raw in ("nan", "None", "NaT", "NA&gt;", "<NA>"))


def test_show_writes_numbers_and_web_addresses_as_a_reader_expects():
    frame = pd.DataFrame(
        {"tonnes": [260000.0, 2024.0, 0.25], "url": ["https://example.org/a", None, "b.csv"]}
    )
    out = show(frame).to_html()
    assert ">260,000<" in out and ">2024<" in out and ">0.25<" in out and "260000.0" not in out
    assert '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">' in out
    assert '<a href="b.csv"' not in out  # only web addresses become links unless a column is named
    assert "<th" not in out.split("</thead>")[1]  # pandas' default 0, 1, 2 index labels nothing: not shown
    named = show(frame.rename_axis("row")).to_html()
    assert '<th scope="row"' in named and ">row</th>" in named  # a named index is shown, as row headers


def test_show_has_a_plain_text_form_with_whole_cells():
    long = "word " * 40
    text = repr(show(pd.DataFrame({"quote": [long.strip()]}), caption="Quotes"))
    assert text.startswith("Quotes\n") and long.strip() in text

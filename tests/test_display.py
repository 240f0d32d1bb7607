import pandas as pd
import pytest

from course.display import show


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
    assert "<NA>" not in show(pd.DataFrame({"a": [pd.NA]})).to_html()  # escaped, never raw markup
    assert "&lt;NA&gt;" in show(pd.DataFrame({"a": [pd.NA]})).to_html()


def test_show_has_a_plain_text_form_with_whole_cells():
    long = "word " * 40
    text = repr(show(pd.DataFrame({"quote": [long.strip()]}), caption="Quotes"))
    assert text.startswith("Quotes\n") and long.strip() in text

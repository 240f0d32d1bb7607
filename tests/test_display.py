import pandas as pd
import pytest

from course.display import show


def test_show_keeps_long_text_whole_and_escaped():
    long = "A speaker's own words <b>in</b> quotation marks, " * 4
    out = show(pd.DataFrame({"definition": [long]}), caption="Kinds").to_html()
    assert "A speaker&#x27;s own words &lt;b&gt;in&lt;/b&gt;" in out
    assert "..." not in out
    assert "<caption>Kinds</caption>" in out
    assert "text-align: left" in out


def test_show_links_the_named_columns():
    out = show(pd.DataFrame({"notebook": ["01_x.ipynb"]}), link_columns=["notebook"]).to_html()
    assert '<a href="01_x.ipynb">01_x.ipynb</a>' in out


def test_show_names_a_missing_column():
    with pytest.raises(KeyError, match=r"no column\(s\) \['nope'\].*\['a'\]"):
        show(pd.DataFrame({"a": [1]}), link_columns=["nope"])

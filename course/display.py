"""Show tables readably in a notebook: full text, left-aligned, with a caption.

pandas' default display cuts long text at 50 characters and right-aligns it, which suits numbers, not
definitions and quotes. :func:`show` returns a pandas ``Styler`` that keeps the whole text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

_TABLE_STYLES = [
    {"selector": "th", "props": [("text-align", "left"), ("vertical-align", "top")]},
    {
        "selector": "td",
        "props": [("text-align", "left"), ("vertical-align", "top"), ("white-space", "normal")],
    },
    {
        "selector": "caption",
        "props": [("caption-side", "top"), ("text-align", "left"), ("font-weight", "bold")],
    },
]


def _link(value: object) -> str:
    text = html.escape(str(value))
    return f'<a href="{text}">{text}</a>'


def show(frame, caption: str | None = None, link_columns: Iterable[str] = ()):
    """Return ``frame`` styled for reading: whole cells, left-aligned, optional caption and links.

    Parameters
    ----------
    frame : pandas.DataFrame
    caption : str, optional
        A one-line title read out by screen readers before the table.
    link_columns : iterable of str
        Columns whose values are relative paths, shown as links (JupyterLab opens them).

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    link_columns = list(link_columns)
    missing = [c for c in link_columns if c not in frame.columns]
    if missing:
        raise KeyError(f"show(): no column(s) {missing} in the table; it has {list(frame.columns)}")
    styler = frame.style.set_table_styles(_TABLE_STYLES)
    styler = styler.format(lambda v: html.escape(str(v)))
    if link_columns:
        styler = styler.format(_link, subset=link_columns)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


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


def statement(reaction_id: str):
    """Show one official reaction as a card: who, when, where it was reported, the words, the context.

    The card leaves out the course's stance and commitment codes, so that a learner can code it first.
    """
    from IPython.display import Markdown

    from course.data import load, split_ids

    reactions, actors, sources = load("reactions"), load("actors"), load("sources")
    if reaction_id not in reactions.index:
        raise KeyError(f"no reaction {reaction_id!r}; see load('reactions').index")
    r = reactions.loc[reaction_id]
    actor = actors.loc[r["actor_id"]]
    cited = "; ".join(str(sources.loc[s, "publisher"]) for s in split_ids(r["source_id"]))
    words = (
        f"> “{r['quote']}”"
        if isinstance(r["quote"], str) and r["quote"]
        else f"> *(no words recorded)* {r['paraphrase']}"
    )
    translated = {"yes": " (in translation)", "unknown": " (translation not known)"}.get(
        str(r["translated"]), ""
    )
    lines = [
        f"**{actor['name']}**, {actor['role']} ({actor['government']}), "
        f"{format_date(r['date'], str(r['date_precision']))}{translated}. Reported by {cited}.",
        "",
        words,
        "",
        f"Context: {r['paraphrase']} What it committed to: {r['committed']}",
    ]
    return Markdown("\n".join(lines))


def sources(ids):
    """The sources a lesson uses, as a readable table (id, publisher, title, link), from data/sources.csv."""
    import pandas as pd

    from course.data import load

    table = load("sources")
    unknown = [i for i in ids if i not in table.index]
    if unknown:
        raise KeyError(f"unknown source id(s) {unknown}; see data/sources.csv")
    rows = table.loc[list(ids), ["publisher", "title", "published", "url"]].copy()
    rows["published"] = rows["published"].fillna("")
    rows["url"] = rows["url"].fillna("(address not recorded)")
    frame = pd.DataFrame(rows).rename_axis("source")
    return show(frame, caption="Sources used in this lesson")


def events_table(kinds=None, start=None, end=None):
    """The timeline (data/events.csv) as a readable table, optionally only some kinds or a date range."""
    import pandas as pd

    from course.data import load

    events = load("events")
    if kinds is not None:
        unknown = sorted(set(kinds) - set(events["kind"].cat.categories))
        if unknown:
            raise KeyError(
                f"unknown event kind(s) {unknown}; kinds: {', '.join(events['kind'].cat.categories)}"
            )
        events = events[events["kind"].isin(kinds)]
    if start is not None:
        events = events[events["end_date"].fillna(events["date"]) >= pd.Timestamp(start)]
    if end is not None:
        events = events[events["date"] <= pd.Timestamp(end)]
    frame = pd.DataFrame(
        {
            "date": [
                format_date(d, str(p)) for d, p in zip(events["date"], events["date_precision"], strict=True)
            ],
            "event": events["title"],
            "details": events["summary"].fillna(""),
            "source": events["source_id"],
        }
    )
    return show(frame.reset_index(drop=True), caption="Timeline (data/events.csv)")

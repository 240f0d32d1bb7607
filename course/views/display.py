"""Show tables readably in a notebook: full text, left-aligned, with a caption.

pandas' default display cuts long text at 50 characters and right-aligns it, which suits numbers, not
definitions and quotes. :func:`show` returns a :class:`Table` that keeps the whole text, left-aligned, with a
caption; its HTML is pandas' own ``DataFrame.to_html`` with the cells written first (escaped, links, readable
numbers, a dash for a missing value).
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Iterable

import pandas as pd
from IPython.display import Markdown

from course.content.bank import date_parts
from course.content.data import format_date, load
from course.content.records import reaction_record

_CELL = "text-align: left; vertical-align: top"
_CAPTION = (
    "caption-side: top; text-align: left; font-weight: bold; color: inherit"  # not a template's pale grey
)


def cell_styles_to_sheet(page_html: str) -> tuple[str, str]:
    """For a standalone page of many tables: the tables' per-cell styles (which a notebook's output needs, having no
    style sheet of its own) taken out, and the one CSS rule that gives the same look. Returns (html, css)."""
    out = page_html.replace(f' style="{_CELL}; white-space: normal"', "").replace(f' style="{_CELL}"', "")
    return out, "th,td{text-align:left;vertical-align:top}td{white-space:normal}"


def _link(value: object) -> str:
    """A link; a web address opens in a new tab (JupyterLab would otherwise try to open it as a file)."""
    text = html.escape(str(value))
    target = ' target="_blank" rel="noopener noreferrer"' if _is_web(value) else ""
    return f'<a href="{text}"{target}>{text}</a>'


#: What a table shows for a missing value (a dash, not an empty cell that could be an empty text).
MISSING = "—"


def _missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA: shown as :data:`MISSING`, never as 'nan', 'None' or '<NA>'."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are the values not equal to themselves
    except (TypeError, ValueError):  # pandas.NA refuses bool(); arrays are not missing
        return type(value).__name__ == "NAType"


def plain(value: object) -> str:
    """A value as a reader expects it: '—' for a missing value, 260,000 for 260000.0, 0.25 for 0.25."""
    if _missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral | numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer():
            return f"{int(number):,}" if abs(number) >= 10_000 else str(int(number))
        return f"{number:,.6g}" if abs(number) >= 10_000 else f"{number:.6g}"
    if (
        hasattr(value, "strftime")
        and hasattr(value, "hour")
        and not (value.hour or value.minute or value.second)
    ):
        return value.strftime("%Y-%m-%d")  # a date without its midnight
    return str(value)


def _is_web(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


#: A header cell as pandas writes it (``<th>``, ``<th rowspan="2" valign="top">``), for the course's attributes.
_HEADER_CELL = re.compile(r"<th((?: [a-z]+=\"[^\"]*\")*)>")


def _escaped(name: object) -> str | None:
    return None if name is None else html.escape(_label(name))


def _label(value: object) -> str:
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return "" if value is None else str(value)


class Table:
    """A table for reading, shown as HTML in JupyterLab: every cell whole, escaped and left-aligned.

    ``data`` is the DataFrame shown; :meth:`to_html` returns the HTML; ``repr()`` gives a plain-text version
    (for consoles and text exports).
    """

    def __init__(self, frame, caption: str | None = None, link_columns: Iterable[str] = ()):
        self.data = frame
        self.caption = caption
        self.link_columns = list(link_columns)

    def _cell(self, column: object, value: object) -> str:
        if _missing(value):
            return MISSING
        if column in self.link_columns or _is_web(value):
            return _link(value)
        return html.escape(plain(value))

    def _shows_index(self) -> bool:
        """False for pandas' default 0, 1, 2 … index (unnamed): it labels nothing a reader needs."""
        index = self.data.index
        return not (
            isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0 and index.step == 1
        )

    def _label_html(self, value: object) -> str:
        return html.escape(plain(value) if not isinstance(value, str) else value)

    def to_html(self) -> str:
        """The table as an HTML fragment: pandas' own ``DataFrame.to_html`` (spans, axis names), each cell whole.

        Cells are written here (escaped, links, plain numbers, a dash for a missing value) and handed to pandas
        unescaped; pandas lays out the header, the index and the spans of a repeated outer index value.
        """
        frame = self.data
        cells = pd.DataFrame(
            {i: [self._cell(c, v) for v in frame.iloc[:, i]] for i, c in enumerate(frame.columns)},
            index=range(len(frame)),
        )
        cells.columns = pd.Index(
            [html.escape(_label(c)) for c in frame.columns], name=_escaped(frame.columns.name)
        )
        if frame.index.nlevels > 1:
            keys = [tuple(self._label_html(x) for x in key) for key in frame.index]
            cells.index = pd.MultiIndex.from_tuples(keys, names=[_escaped(n) for n in frame.index.names])
        else:
            cells.index = pd.Index(
                [self._label_html(x) for x in frame.index], name=_escaped(frame.index.name)
            )
        with pd.option_context("display.max_colwidth", None):
            out = cells.to_html(
                escape=False, index=self._shows_index(), border=0, justify="left", sparsify=True
            )
        head, body = out.split("</thead>", 1)
        head = _HEADER_CELL.sub(rf'<th scope="col" style="{_CELL}"\1>', head)
        body = _HEADER_CELL.sub(rf'<th scope="row" style="{_CELL}"\1>', body)
        body = body.replace("<td>", f'<td style="{_CELL}; white-space: normal">')
        if self.caption:
            head = head.replace(
                ">", f'>\n<caption style="{_CAPTION}">{html.escape(self.caption)}</caption>', 1
            )
        return head + "</thead>" + body

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        frame = self.data.map(plain)
        text = frame.to_string(max_colwidth=None, index=self._shows_index())
        return f"{self.caption}\n{text}" if self.caption else text


def show(frame, caption: str | None = None, link_columns: Iterable[str] = ()) -> Table:
    """Return ``frame`` as a :class:`Table` for reading: whole cells, left-aligned, optional caption and links.

    Parameters
    ----------
    frame : pandas.DataFrame
    caption : str, optional
        A one-line title read out by screen readers before the table.
    link_columns : iterable of str
        Columns whose values are relative paths, shown as links (JupyterLab opens them).

    Returns
    -------
    Table
    """
    link_columns = list(link_columns)
    missing = [c for c in link_columns if c not in frame.columns]
    if missing:
        raise KeyError(f"show(): no column(s) {missing} in the table; it has {list(frame.columns)}")
    return Table(frame, caption, link_columns)


def statement(reaction_id: str, committed: bool = True):
    """Show one official reaction as a card: who, when, where it was reported, the words, the context.

    The card leaves out the course's stance and commitment codes, so that a learner can code it first. A row held
    out for a problem set has no "What it committed to" line either: that is the learner's to read. A problem set
    that asks what a statement committed to or avoided passes ``committed=False`` to leave the line out.
    """
    r = reaction_record(reaction_id)
    words = f"> “{r.quote}”" if r.quote else f"> *(no words recorded)* {r.paraphrase}"
    lines = [
        f"**{r.speaker}**, {r.role} ({r.government}), {r.when}{r.translation_note}. Reported by {r.cited}.",
        "",
        words,
        "",
        f"Context: {r.paraphrase}"
        + (f" What it committed to: {r.committed}" if committed and r.committed else ""),
    ]
    return Markdown("\n".join(lines))


def drawn_statement(variant, slot: str):
    """Show a student's own item in a class pack (``course.grading.variants``) as a card, like :func:`statement`:
    who, when, where it was reported, the words and their context; never a code."""
    card = variant.card(slot)
    translated = {"yes": " (in translation)", "unknown": " (translation not known)"}.get(
        card["translated"], ""
    )
    role = f", {card['role']}" if card.get("role") else ""
    lines = [
        f"**{card['speaker']}**{role}, {format_date(*date_parts(card['date']))}{translated}. "
        f"Reported by {card['outlet']} ({card['url']}).",
        "",
        f"> “{card['text']}”",
        "",
        f"Occasion: {card['occasion']}" + (f" {card['context']}" if card.get("context") else ""),
        "",
        f"*Instructor preview for {slot}: `{card['item_id']}`, the pack's preview draw, not a student's: each "
        "student sees the item drawn for them.*"
        if getattr(variant, "preview", False)
        else f"*Your item for {slot}: `{card['item_id']}`, drawn for you from your instructor's item bank.*",
    ]
    return Markdown("\n".join(lines))


def drawn_input(variant, slot: str):
    """Show the input drawn for a student's question in a class pack (ps3 C3's criterion): what it is, and that it
    is theirs."""
    value = variant.param(slot)
    whose = (
        "Instructor preview: the pack's preview input, not a student's;"
        if getattr(variant, "preview", False)
        else "Your input for {slot}, drawn for you:"
    ).format(slot=slot)
    return Markdown(f"*{whose}* **{value['label']}** ({value['what']} `{value['id']}`).")


def sources(ids):
    """The sources a lesson uses, as a readable table (id, publisher, title, link), from data/sources.csv."""
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

"""Lesson 07's views of the corpus (:mod:`course.content.corpus`): the occasions and their windows, what the rule
left out and why, the renderings of one answer side by side (each text marked with its language, so that a screen
reader reads it in the right voice and the browser picks a font that has its characters), the statements over time,
and the shares with their intervals. Everything is inline HTML and SVG: no script, no remote resource.
"""

from __future__ import annotations

import html
from datetime import date

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from course.content import corpus
from course.content.data import format_date, load
from course.views.display import show as styled
from course.views.widgets import interactive

LANGUAGES = {
    "zh": "Chinese",
    "ru": "Russian",
    "ko": "Korean",
    "ja": "Japanese",
    "en": "English",
    "it": "Italian",
    "de": "German",
    "id": "Indonesian",
}


#: Stance → (colour, glyph, label): the badges of lesson 03's map (maps.STANCE_STYLE), so that one lesson draws one
#: code one way. The glyph and the label carry the code too: colour is never the only cue.
def _stance_mark(stance: str) -> tuple[str, str, str]:
    from course.views.maps import STANCE_STYLE

    colour, glyph = STANCE_STYLE[stance]
    return colour, glyph, stance


#: Fonts that hold Chinese, Japanese and Korean characters (Debian's fonts-wqy-zenhei, Noto CJK where installed).
CJK_FONTS = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Sans CJK KR', sans-serif"
#: Inline, as display.py does: JupyterLab's own table rules (right-aligned cells) outrank a class selector.
_CELL = 'style="text-align: left; vertical-align: top; padding: 3px 8px"'
_CAPTION = 'style="caption-side: top; text-align: left; font-weight: bold; margin-top: 0.8em"'
_STYLE = (
    "<style>.corpus-text:lang(zh),.corpus-text:lang(ja),.corpus-text:lang(ko){font-family:" + CJK_FONTS + "}"
    ".corpus-renderings td{border-bottom:1px solid #ddd}</style>"
)


#: Where the map draws each government's statements: at its capital, wherever the words were spoken (a UN
#: ambassador's in New York too); the popups and the table say who spoke.
CAPITALS = {
    "China": "beijing",
    "Russia": "moscow",
    "North Korea": "pyongyang",
    "South Korea": "seoul",
    "Japan": "tokyo",
    "United States": "washington",
}


def statements_map():
    """The sampled, coded statements on lesson 03's reactions map: one card per government (at its capital), one
    badge per occasion, coded by stance; a click lists every statement with its words and source."""
    from course.views import maps

    m = corpus.measured()
    frame = pd.DataFrame(
        {
            "date": m["date"],
            "date_precision": m["date_precision"],
            "actor_id": m["actor_id"],
            "place_id": m["government"].map(CAPITALS),
            "quote": m["text"],
            "paraphrase": m["question"],
            "stance": m["stance"],
            "commitment": m["commitment"],
            "source_id": m["source_id"],
            "occasion_id": m["occasion_id"],
        }
    )
    return maps.reactions_map(frame)


def occasions_table():
    """The occasions in date order: kind, window, and how many statements each government gave in the sample."""
    win = corpus.windows()
    sample, _ = corpus.apply_rule()
    by = sample.groupby(["occasion_id", "government"]).size().unstack(fill_value=0)
    rows = []
    for oid, occ in win.iterrows():
        counts = by.loc[oid] if oid in by.index else pd.Series(dtype=int)
        rows.append(
            {
                "occasion": occ["title"],
                "kind": occ["kind"],
                "window": f"{occ['opens']:%Y-%m-%d} to {occ['closes']:%Y-%m-%d}",
                "China": int(counts.get("China", 0)),
                "others": int(counts.sum() - counts.get("China", 0)),
            }
        )
    return styled(pd.DataFrame(rows), caption="Occasions, their windows, and the statements the rule keeps")


def sources_table():
    """The sources the sample rests on, by grade: how many statements each grade carries, and from which outlets."""
    sample, _ = corpus.apply_rule()
    sources = load("sources")
    rows = []
    for grade in dict.fromkeys(corpus.GRADES.values()):
        kept = sample[sample["grade"] == grade]
        outlets = sorted(set(sources.loc[kept["source_id"], "publisher"]))
        rows.append({"grade": grade, "statements": len(kept), "outlets": "; ".join(outlets)})
    return styled(
        pd.DataFrame(rows), caption="What the sampled statements rest on, by the grade of their source"
    )


def excluded_table():
    """Every row the rule left out, with the reason."""
    _, excluded = corpus.apply_rule()
    frame = excluded.reset_index()[["statement_id", "government", "speaker", "date", "why"]]
    precision = load("statements")["date_precision"]
    frame["date"] = [
        format_date(d, precision[s]) for d, s in zip(frame["date"], frame["statement_id"], strict=True)
    ]
    return styled(frame, caption=f"Left out by the rule: {len(frame)} rows")


def renderings_html(utterance_ids: list[str] | None = None) -> str:
    """One table per answer held in several renderings: language, speech, source and grade, the text (marked with
    its language) and the course's note on how it differs."""
    rows = corpus.renderings()
    sources = load("sources")
    if utterance_ids is not None:
        rows = rows[rows["utterance_id"].isin(utterance_ids)]
    parts = [_STYLE]
    for _, group in rows.groupby("utterance_id", sort=False):
        first = group.iloc[0]
        caption = f"{first['speaker']}, {first['date']:%d %B %Y}: {len(group)} renderings"
        head = "".join(
            f"<th scope='col' {_CELL}>{h}</th>" for h in ("language", "words", "source", "the course's note")
        )
        parts.append(
            f'<table class="corpus-renderings"><caption {_CAPTION}>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>"
        )
        for _, row in group.iterrows():
            source = sources.loc[row["source_id"]]
            grade = corpus.GRADES.get(source["kind"], source["kind"])
            speech = "quoted" if row["speech"] == "direct" else "indirect speech"
            note = "" if pd.isna(row["note"]) else str(row["note"])
            parts.append(
                f"<tr><td {_CELL}>{LANGUAGES[row['language']]} ({speech})</td>"
                f'<td {_CELL} class="corpus-text" lang="{row["language"]}">{html.escape(row["text"])}</td>'
                f"<td {_CELL}>{html.escape(source['publisher'])} ({grade})</td><td {_CELL}>{html.escape(note)}</td></tr>"
            )
        parts.append("</tbody></table>")
    return "".join(parts)


def show_renderings(utterance_ids: list[str] | None = None) -> None:
    display(HTML(renderings_html(utterance_ids)))


def _marker(glyph: str, x: float, y: float, colour: str, title: str) -> str:
    """A badge like the map's: a circle in the stance's colour, outlined, with its glyph."""
    return (
        f'<g><title>{html.escape(title)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" '
        f'stroke="#1a1a1a" stroke-width="1.5"/><text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" '
        f'font-size="10" fill="#1a1a1a">{html.escape(glyph)}</text></g>'
    )


def _responsive(width: int, height: int) -> str:
    """Size attributes that let a drawing shrink with its cell (a laptop's notebook is narrower than the drawing)."""
    return f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet"'


#: Timeline lanes, top to bottom: (label, filter on measured rows).
LANES = (
    ("China: the story", lambda m: (m["government"] == "China") & (m["occasion_kind"] == "story")),
    ("China: others' alliances", lambda m: (m["government"] == "China") & (m["occasion_kind"] == "baseline")),
    ("Russia, North Korea", lambda m: m["government"].isin(["Russia", "North Korea"])),
    ("South Korea, Japan, US", lambda m: m["government"].isin(["South Korea", "Japan", "United States"])),
)


def timeline_svg(measured: pd.DataFrame | None = None, width: int = 900) -> str:
    """The sampled, coded statements by date (one lane per group), a marker per statement in its stance's colour
    and shape; June 2024 shaded. Each marker's tooltip holds the speaker, date and stance."""
    m = corpus.measured() if measured is None else measured
    start, end = date(2023, 4, 1), date(2025, 10, 1)
    left, right, top, lane_h = 190, 20, 60, 70
    height = top + lane_h * len(LANES) + 70

    def x(day) -> float:
        day = pd.Timestamp(day).date()
        return left + (day - start).days / (end - start).days * (width - left - right)

    title = "Official statements in the corpus by date and stance, one lane per group; June 2024 shaded"
    band_bottom = top + lane_h * (len(LANES) - 1) + 22
    parts = [
        f'<svg role="img" aria-labelledby="corpus-timeline-title" {_responsive(width, height)} '
        f'style="font:12px sans-serif;max-width:{width}px"><title id="corpus-timeline-title">{title}</title>'
        f'<rect x="{x(date(2024, 6, 1)):.1f}" y="{top - 50}" width="{x(date(2024, 7, 1)) - x(date(2024, 6, 1)):.1f}" '
        f'height="{band_bottom - top + 50}" fill="#eee"/>'
        f'<text x="{x(date(2024, 6, 15)):.1f}" y="{band_bottom + 12}" text-anchor="middle">June 2024</text>'
    ]
    for year in (2024, 2025):
        parts.append(
            f'<line x1="{x(date(year, 1, 1)):.1f}" x2="{x(date(year, 1, 1)):.1f}" y1="{top - 10}" '
            f'y2="{top + lane_h * len(LANES) - 10}" stroke="#999" stroke-dasharray="3,3"/>'
        )
    for year, month in ((2023, 4), (2023, 10), (2024, 1), (2024, 7), (2025, 1), (2025, 7)):
        parts.append(
            f'<text x="{x(date(year, month, 1)):.1f}" y="{top + lane_h * len(LANES) + 6}" '
            f'text-anchor="middle">{date(year, month, 1):%b %Y}</text>'
        )
    for lane, (label, keep) in enumerate(LANES):
        y = top + lane * lane_h + 8
        parts.append(
            f'<text x="{left - 10}" y="{y + 4}" text-anchor="end">{html.escape(label)}</text>'
            f'<line x1="{left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="#ccc"/>'
        )
        rows = m[keep(m)].sort_values("date")
        seen: dict[int, int] = {}
        for _, row in rows.iterrows():
            colour, shape, name = _stance_mark(row["stance"])
            px = x(row["date"])
            slot = seen.get(round(px / 8), 0)  # statements a few days apart stack upwards
            seen[round(px / 8)] = slot + 1
            tip = f"{row['speaker']} ({row['government']}), {row['date']:%d %b %Y}: {name}"
            parts.append(_marker(shape, px, y - slot * 15, colour, tip))
    legend_y = top + lane_h * len(LANES) + 34
    for i, (colour, shape, name) in enumerate(
        _stance_mark(s) for s in ("endorsement", "non-committal", "concern", "condemnation", "warning")
    ):
        lx = left + i * 135
        parts.append(
            _marker(shape, lx, legend_y, colour, name)
            + f'<text x="{lx + 10}" y="{legend_y + 4}">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def interval_svg(measure: str, groups: list[str] | None = None, width: int = 620) -> str:
    """A share per group for one measure (a key of :data:`corpus.MEASURES`): a dot at k/n and a bar over its 95%
    Wilson interval, on a 0-100% axis."""
    table = corpus.comparison()
    groups = list(table.index) if groups is None else groups
    left, right, row_h = 230, 60, 34
    height = 40 + row_h * len(groups)

    def x(value: float) -> float:
        return left + value * (width - left - right)

    label = corpus.MEASURES[measure]
    parts = [
        f'<svg role="img" aria-labelledby="interval-{measure}" {_responsive(width, height)} '
        f'style="font:12px sans-serif;max-width:{width}px"><title id="interval-{measure}">Share of statements with '
        f"{html.escape(label)}, with 95% Wilson intervals</title>"
    ]
    for mark in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{x(mark):.1f}" x2="{x(mark):.1f}" y1="8" y2="{height - 22}" stroke="#ccc"/>'
            f'<text x="{x(mark):.1f}" y="{height - 8}" text-anchor="middle">{mark:.0%}</text>'
        )
    for row, group in enumerate(groups):
        share = table.loc[group, label]
        y = 22 + row * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{html.escape(group)}</text>')
        if not share.n:
            parts.append(f'<text x="{left}" y="{y + 4}">no statements</text>')
            continue
        parts.append(
            f'<line x1="{x(share.low):.1f}" x2="{x(share.high):.1f}" y1="{y}" y2="{y}" stroke="#0072B2" '
            f'stroke-width="4"/><circle cx="{x(share.value):.1f}" cy="{y}" r="5" fill="#111">'
            f"<title>{html.escape(group)}: {html.escape(str(share))}</title></circle>"
            f'<text x="{width - right + 6}" y="{y + 4}">{share.k}/{share.n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def comparison_table():
    """Every group × measure as 'k/n = p% (interval)'."""
    table = corpus.comparison().map(str)
    table.insert(0, "group", [corpus.GROUPS[g][0] for g in table.index])
    return styled(
        table.reset_index(drop=True), caption="Shares of the sampled statements, with 95% Wilson intervals"
    )


def verdict(group: str, other: str, measure: str) -> str:
    """One comparison in words: both shares, and whether their intervals overlap (a rough, honest test for groups
    this small: intervals that do not overlap mean a difference chance alone would rarely give)."""
    table = corpus.comparison()
    label = corpus.MEASURES[measure]
    a, b = table.loc[group, label], table.loc[other, label]
    if not a.n or not b.n:
        return f"{group}: {a}. {other}: {b}. One group is empty: no comparison."
    overlap = a.low <= b.high and b.low <= a.high
    judged = (
        "The intervals overlap: these statements cannot tell the two apart on this measure."
        if overlap
        else "The intervals do not overlap: a difference this large is unlikely to be chance."
    )
    return f"{group}: {a}. {other}: {b}. {judged}"


class MutedExplorer:
    """Compare one group of statements with another on one measure: the shares, their intervals, a sentence."""

    def __init__(self) -> None:
        groups = list(corpus.GROUPS)
        self.group = w.Dropdown(options=groups, value=groups[0], description="Compare")
        self.other = w.Dropdown(options=groups, value=groups[2], description="with")
        self.measure = w.Dropdown(
            options=[(v, k) for k, v in corpus.MEASURES.items()],
            value="non_committal",
            description="Measure",
            layout=w.Layout(width="460px"),
        )
        for control in (self.group, self.other, self.measure):
            control.observe(lambda _change: self.update(), names="value")
        self.output = w.HTML()
        self.widget = w.VBox([w.HBox([self.group, self.other]), self.measure, self.output])
        self.update()

    def html(self) -> str:
        text = verdict(self.group.value, self.other.value, self.measure.value)
        svg = interval_svg(self.measure.value, [self.group.value, self.other.value])
        return f"<p>{html.escape(text)}</p>{svg}"

    def update(self) -> None:
        self.output.value = self.html()

    def static_html(self) -> str:
        return self.html()


def show_explorer() -> MutedExplorer:
    explorer = MutedExplorer()
    if interactive():
        from course.views.widgets import accessible

        display(explorer.widget)
        accessible()
    else:
        display(HTML(explorer.static_html()))
    return explorer

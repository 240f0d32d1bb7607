"""Defence clauses on screen: commitment language highlighted, and a widget to compare renderings.

The phrases and roles are content (:data:`course.content.treaties.MARKERS`); this module gives each role a colour
(the Okabe-Ito palette, readable by colour-blind readers) and a label in text, so colour is never the only cue.
"""

from __future__ import annotations

import html

import ipywidgets as w

from course.content.data import load
from course.content.treaties import CJK, MARKERS, find_markers

#: One colour per role.
COLOURS: dict[str, str] = {
    "trigger": "#F0E442",
    "timing": "#56B4E9",
    "obligation": "#E69F00",
    "scope": "#CC79A7",
    "conditions": "#009E73",
}


def highlight(text: str, roles=None) -> str:
    """HTML of ``text`` with each marker phrase highlighted and labelled with its role."""
    out, pos = [], 0
    for start, end, role in find_markers(text, roles):
        colour = COLOURS[role]
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark style="background:{colour}33;border-bottom:3px solid {colour}" title="{role}">'
            f"{html.escape(text[start:end])}</mark><sub>[{role}]</sub>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def clause_explorer():
    """A widget: choose a rendering of a defence clause and which roles to highlight."""
    clauses = load("treaty_clauses")
    # the highlights are English words: the Chinese original is shown in the lesson's table instead
    english = ~clauses["text"].str.contains(CJK)
    quoted = clauses[
        clauses["text_kind"].isin(["verbatim", "excerpt", "course_translation"])
        & (clauses["topic"] == "defence")
        & english
    ]
    options = [(f"{cid}: {row['rendering']}", cid) for cid, row in quoted.iterrows()]
    choice = w.Dropdown(options=options, description="Clause:", layout=w.Layout(width="720px"))
    boxes = {
        role: w.Checkbox(value=True, description=role, indent=False, layout=w.Layout(width="120px"))
        for role in MARKERS
    }
    shown = w.HTML()

    def update(_change=None) -> None:
        roles = [r for r, box in boxes.items() if box.value]
        text = quoted.loc[choice.value, "text"]
        shown.value = (
            f'<blockquote style="font-size:1.05em;line-height:1.8">{highlight(text, roles)}</blockquote>'
            f"<p><small>Text kind: {quoted.loc[choice.value, 'text_kind']}; "
            f"source {html.escape(str(quoted.loc[choice.value, 'source_id']))}.</small></p>"
        )

    choice.observe(update, names="value")
    for box in boxes.values():
        box.observe(update, names="value")
    update()
    box = w.VBox([choice, w.HBox([w.Label("Highlight:"), *boxes.values()]), shown])
    box.choice, box.roles, box.shown = choice, boxes, shown  # handles for tests
    return box

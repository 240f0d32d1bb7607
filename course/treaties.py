"""Reading defence clauses: compare them side by side and highlight their commitment language.

A clause is read for its **trigger** (what sets it off), its **obligation** (what the other party must do),
its **timing**, its **scope** (how far the obligation goes) and its **conditions** (what it is subject to).
:data:`MARKERS` lists the words that signal each, as they occur in the renderings in data/treaty_clauses.csv.
"""

from __future__ import annotations

import html
import re

#: Commitment language by role, as it appears in the course's renderings. Each highlight carries its label in
#: text, so colour is never the only cue.
MARKERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "trigger": ("#F0E442", ("state of war", "invaded", "armed invasion", "armed attack")),
    "timing": ("#56B4E9", ("without delay", "immediately")),
    "obligation": ("#E69F00", ("military and other assistance", "adopt all measures")),
    "scope": ("#CC79A7", ("all means at its disposal", "all the means at its disposal", "all available means",
                          "by all means at its disposal", "mobilizing all means in its possession",
                          "with all its strength")),
    "conditions": ("#009E73", ("Article 51 of the United Nations Charter", "Article 51 of the UN Charter",
                               "the laws of the Democratic People's Republic of Korea (DPRK) and the Russian Federation",
                               "the laws of the DPRK and the Russian Federation", "the laws of North Korea and Russia",
                               "the laws of each country")),
}  # fmt: skip


#: Chinese characters: a clause in the original Chinese has no English markers to highlight.
CJK = r"[\u4e00-\u9fff]"


def find_markers(text: str, roles=None) -> list[tuple[int, int, str]]:
    """Return (start, end, role) for each marker phrase in ``text`` (longest match first, no overlaps)."""
    roles = list(MARKERS) if roles is None else list(roles)
    unknown = [r for r in roles if r not in MARKERS]
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}; roles: {', '.join(MARKERS)}")
    spans: list[tuple[int, int, str]] = []
    phrases = sorted(((p, r) for r in roles for p in MARKERS[r][1]), key=lambda pr: -len(pr[0]))
    for phrase, role in phrases:
        for match in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, role))
    return sorted(spans)


def highlight(text: str, roles=None) -> str:
    """HTML of ``text`` with each marker phrase highlighted and labelled with its role."""
    out, pos = [], 0
    for start, end, role in find_markers(text, roles):
        colour = MARKERS[role][0]
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark style="background:{colour}33;border-bottom:3px solid {colour}" title="{role}">'
            f"{html.escape(text[start:end])}</mark><sub>[{role}]</sub>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def compare_defence_clauses():
    """One row per treaty: its defence clause (or the note that it has none), the kind of text, and the source."""
    import pandas as pd

    from course.data import load

    clauses, treaties = load("treaty_clauses"), load("treaties")
    chosen = {
        "rus_dprk_2024": "rus2024_art4_chosun",
        "ussr_dprk_1961": "ussr1961_art1",
        "china_dprk_1961": "china1961_art2",
        "rus_dprk_2000": "rus2000_none",
    }
    rows = []
    for treaty_id, clause_id in chosen.items():
        t, c = treaties.loc[treaty_id], clauses.loc[clause_id]
        rows.append(
            {
                "treaty": f"{t['name']} ({t['signed'].year})",
                "article": c["article"] if isinstance(c["article"], str) else "—",
                "text": c["text"],
                "kind of text": str(c["text_kind"]),
                "status": str(t["status"]).replace("_", " "),
                "source": str(c["source_id"]),
            }
        )
    return pd.DataFrame(rows)


def clause_explorer():
    """A widget: choose a rendering of a defence clause and which roles to highlight."""
    import ipywidgets as w

    from course.data import load

    clauses = load("treaty_clauses")
    # the highlights are English words: the Chinese original is shown in the lesson's table instead
    english = ~clauses["text"].str.contains(CJK)
    quoted = clauses[clauses["text_kind"].isin(["verbatim", "excerpt", "course_translation"])
                     & (clauses["topic"] == "defence") & english]  # fmt: skip
    options = [(f"{cid}: {row['rendering']}", cid) for cid, row in quoted.iterrows()]
    choice = w.Dropdown(options=options, description="Clause:", layout=w.Layout(width="720px"))
    boxes = {role: w.Checkbox(value=True, description=role, indent=False, layout=w.Layout(width="120px"))
             for role in MARKERS}  # fmt: skip
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

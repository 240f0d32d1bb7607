"""Reading defence clauses: compare them side by side and find their commitment language.

A clause is read for its **trigger** (what sets it off), its **obligation** (what the other party must do),
its **timing**, its **scope** (how far the obligation goes) and its **conditions** (what it is subject to).
:data:`MARKERS` lists the words that signal each, as they occur in the renderings in data/treaty_clauses.csv.
"""

from __future__ import annotations

import re

import pandas as pd

from course.content.data import load

#: Commitment language by role, as it appears in the course's renderings.
MARKERS: dict[str, tuple[str, ...]] = {
    "trigger": ("state of war", "invaded", "armed invasion", "armed attack"),
    "timing": ("without delay", "immediately"),
    "obligation": ("military and other assistance", "adopt all measures", "act to meet the common danger"),
    "scope": (
        "all means at its disposal",
        "all the means at its disposal",
        "all available means",
        "by all means at its disposal",
        "mobilizing all means in its possession",
        "with all its strength",
    ),
    "conditions": (
        "Article 51 of the United Nations Charter",
        "Article 51 of the UN Charter",
        "the laws of the Democratic People's Republic of Korea (DPRK) and the Russian Federation",
        "the laws of the DPRK and the Russian Federation",
        "the laws of North Korea and Russia",
        "the laws of each country",
        "in accordance with its constitutional provisions and processes",
        "in accordance with its constitutional processes",
    ),
}


#: Chinese characters: a clause in the original Chinese has no English markers to highlight.
CJK = r"[\u4e00-\u9fff]"


def find_markers(text: str, roles=None) -> list[tuple[int, int, str]]:
    """Return (start, end, role) for each marker phrase in ``text`` (longest match first, no overlaps)."""
    roles = list(MARKERS) if roles is None else list(roles)
    unknown = [r for r in roles if r not in MARKERS]
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}; roles: {', '.join(MARKERS)}")
    spans: list[tuple[int, int, str]] = []
    phrases = sorted(((p, r) for r in roles for p in MARKERS[r]), key=lambda pr: -len(pr[0]))
    for phrase, role in phrases:
        for match in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, role))
    return sorted(spans)


def defence_clauses(treaties=None, clauses=None) -> dict[str, str]:
    """Each treaty's defence clause, as ``treaty_id -> clause_id``, read from the data.

    The article is the treaty's ``defence_article`` in data/treaties.csv (empty: the treaty has none, and its row
    in data/treaty_clauses.csv has no article either); of that article's renderings, the first in
    data/treaty_clauses.csv that is in English stands for it.
    """
    treaties = load("treaties") if treaties is None else treaties
    clauses = load("treaty_clauses") if clauses is None else clauses
    chosen = {}
    for treaty_id, treaty in treaties.iterrows():
        article = treaty["defence_article"] if isinstance(treaty["defence_article"], str) else ""
        rows = clauses[clauses["treaty_id"] == treaty_id]
        same = rows["article"].fillna("") == article
        english = ~rows["text"].str.contains(CJK)
        candidates = rows[same & english & ((rows["topic"] == "defence") | (article == ""))]
        if candidates.empty:
            raise ValueError(
                f"{treaty_id}: no English rendering of its defence article {article or '(none)'}"
            )
        chosen[treaty_id] = candidates.index[0]
    return chosen


def compare_defence_clauses() -> pd.DataFrame:
    """One row per treaty: its defence clause (or the note that it has none), the kind of text, and the source."""
    clauses, treaties = load("treaty_clauses"), load("treaties")
    rows = []
    for treaty_id, clause_id in defence_clauses(treaties, clauses).items():
        t, c = treaties.loc[treaty_id], clauses.loc[clause_id]
        rows.append(
            {
                "treaty": f"{t['name']} ({t['signed'].year})",
                "article": c["article"] if isinstance(c["article"], str) else "—",
                "text": c["text"],
                "kind of text": str(c["text_kind"]),
                "whose text": c["rendering"] if isinstance(c["rendering"], str) else "—",
                "status": str(t["status"]).replace("_", " "),
                "source": str(c["source_id"]),
            }
        )
    return pd.DataFrame(rows)

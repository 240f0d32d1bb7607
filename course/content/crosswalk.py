"""Other schemes: the course's codes beside CAMEO event codes and PLOVER event categories.

Event datasets (ICEWS, GDELT, and the newer PLOVER-coded ones) code news reports as "who did what to whom" with a
fixed list of event types. Setting the course's codes beside them shows what each scheme keeps and what it loses:
CAMEO has codes for comments ("Decline comment", "Make pessimistic comment"); PLOVER, its successor, drops comments
altogether, so that a government that declined to judge a treaty leaves no PLOVER event at all.

The mapping is the course's own reading, stated code by code with its reason; the CAMEO code names, the PLOVER
categories and their quad categories are copied from the PLOVER specification (Open Event Data Alliance, "PLOVER:
Political Language Ontology for Verifiable Event Records", draft 0.7b1, ``PLOVER_MANUAL.tex`` in
github.com/openeventdata/PLOVER at commit 0711e39c; its chapter "CAMEO vs. PLOVER" and its list of CAMEO event codes).
The Goldstein conflict-cooperation scale, which GDELT attaches to CAMEO codes, is not in the course's stored sources:
its values are left out rather than recalled.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The specification, in data/sources.csv; the sentences quoted from it are in data/excerpts.csv (tested word for word).
SOURCE_ID = "plover_manual"
SOURCE = (
    "Open Event Data Alliance, PLOVER: Political Language Ontology for Verifiable Event Records, draft 0.7b1, "
    "PLOVER_MANUAL.tex (github.com/openeventdata/PLOVER, commit 0711e39c)"
)

#: CAMEO event codes the crosswalk uses, with their names as the PLOVER specification lists them.
CAMEO = {
    "010": "Make statement, not specified below",
    "011": "Decline comment",
    "012": "Make pessimistic comment",
    "014": "Consider policy option",
    "040": "Consult, not specified below",
    "051": "Praise or endorse",
    "052": "Defend verbally",
    "057": "Sign formal agreement",
    "062": "Cooperate militarily",
    "111": "Criticize or denounce",
    "114": "Complain officially",
    "130": "Threaten, not specified below",
}

#: PLOVER's table "PLOVER equivalents to CAMEO cue categories" (the two-digit CAMEO category → PLOVER), for the
#: categories used here.
CUE_TO_PLOVER = {
    "01": ("MAKE PUBLIC STATEMENT", "dropped"),
    "04": ("CONSULT", "CONSULT"),
    "05": ("ENGAGE IN DIPLOMATIC COOPERATION", "SUPPORT"),
    "06": ("ENGAGE IN MATERIAL COOPERATION", "COOPERATE"),
    "11": ("DISAPPROVE", "ACCUSE"),
    "13": ("THREATEN", "THREATEN"),
}

#: PLOVER's table "Quad categories in PLOVER", for the categories used here.
QUAD = {
    "CONSULT": "Verbal cooperation",
    "SUPPORT": "Verbal cooperation",
    "COOPERATE": "Material cooperation",
    "ACCUSE": "Verbal conflict",
    "THREATEN": "Verbal conflict",
}

#: Two sentences of the specification the lesson quotes (verbatim; where the source has TeX markup, as rendered).
PLOVER_DROPS_COMMENTS = "The CAMEO 01 and 02 categories dealing with comments have been eliminated."
PLOVER_ON_THREATS = "All threats, coercive or forceful warnings with serious potential repercussions."


@dataclass(frozen=True)
class Crossing:
    variable: str
    code: str
    cameo: tuple[str, ...]
    why: str


CROSSWALK: tuple[Crossing, ...] = (
    Crossing(
        "stance",
        "endorsement",
        ("051", "052"),
        "Praise is 051; a party defending its own treaty against a reading of it is 052.",
    ),
    Crossing(
        "stance",
        "non-committal",
        ("011", "010"),
        "Declining to comment is 011; 'a matter between two sovereign states' is a statement that takes no "
        "position, 010.",
    ),
    Crossing("stance", "concern", ("012",), "Worry voiced, nothing rejected: a pessimistic comment."),
    Crossing(
        "stance",
        "condemnation",
        ("111",),
        "Calling the event wrong or a violation is to criticize or denounce.",
    ),
    Crossing(
        "stance",
        "warning",
        ("130",),
        "A response tied to the other side's conduct is a threat in CAMEO's and PLOVER's sense, even with its "
        "measure left open.",
    ),
    Crossing("commitment", "words_only", (), "No act of its own: the statement's stance is the whole event."),
    Crossing("commitment", "review_or_option", ("014",), "An option named and nothing decided: 014."),
    Crossing(
        "commitment",
        "consultation_or_protest",
        ("114", "040"),
        "The course reads a summoned ambassador as an official complaint (114) and talks with allies as "
        "consultation (040); a government's meeting of its own security council has no other party, and event "
        "data code what one actor does to another.",
    ),
    Crossing(
        "commitment",
        "policy_step",
        ("062", "057"),
        "A treaty of mutual military assistance is 062 rather than 057: CAMEO's coders were told to code a "
        "formal agreement for the cooperation it describes (PLOVER: 'Military cooperation or defense should be "
        "coded as COOPERATE'); a signing that names no cooperation stays 057, SUPPORT.",
    ),
)


def plover(cameo_code: str) -> str:
    """The PLOVER category of a CAMEO code, by its two-digit cue category ("dropped" where PLOVER has none)."""
    return CUE_TO_PLOVER[cameo_code[:2]][1]


def table():
    """The crosswalk as a DataFrame: the course's code, CAMEO candidates with names, PLOVER, quad, and why."""
    import pandas as pd

    rows = []
    for crossing in CROSSWALK:
        categories = sorted({plover(c) for c in crossing.cameo} - {"dropped"})
        dropped = bool(crossing.cameo) and not categories
        rows.append(
            {
                "variable": crossing.variable,
                "course code": crossing.code,
                "CAMEO": "; ".join(f"{c} {CAMEO[c]}" for c in crossing.cameo) or "(no event of its own)",
                "PLOVER": ", ".join(categories) or ("(none: PLOVER drops comments)" if dropped else "(none)"),
                "quad": ", ".join(sorted({QUAD[p] for p in categories if p in QUAD})) or "(none)",
                "why": crossing.why,
            }
        )
    return pd.DataFrame(rows)


def _act(commitment: str | None, signal: str) -> str | None:
    """The CAMEO code a commitment beyond words adds, read from the row's recorded act (``commitment_signal``)."""
    text = signal.lower()
    if commitment == "policy_step":
        return "062" if "treaty" in text else "057"
    if commitment == "review_or_option":
        return "014"
    if commitment == "consultation_or_protest":
        if "summon" in text:
            return "114"
        if "consult" in text:
            return "040"
    return None  # words only; or a meeting of one's own council, or a joint statement (the stance's event itself)


def recode(statements):
    """The course's reference codes for ``statements`` recoded into CAMEO and PLOVER: which of them each scheme
    keeps as an event. The stance gives the event; an act beyond words (summoning an ambassador, signing a treaty)
    adds a second one."""
    import pandas as pd

    from course.content.classreport import reference_codes
    from course.content.data import load

    reactions = load("reactions")
    reference = reference_codes(statements)
    stance_codes = {c.code: c.cameo[0] for c in CROSSWALK if c.variable == "stance"}
    rows = []
    for sid in statements:
        stance, commitment = reference["stance"].get(sid), reference["commitment"].get(sid)
        if stance is None:
            continue
        signal = reactions.loc[sid, "commitment_signal"]
        events = [stance_codes[stance]]
        act = _act(commitment, signal if isinstance(signal, str) else "")
        if act:
            events.append(act)
        kept = list(dict.fromkeys(plover(c) for c in events if plover(c) != "dropped"))
        rows.append(
            {
                "statement": sid,
                "course": f"{stance} / {commitment}",
                "CAMEO": "; ".join(f"{c} {CAMEO[c]}" for c in events),
                "PLOVER": ", ".join(kept) or "(no event)",
            }
        )
    return pd.DataFrame(rows)

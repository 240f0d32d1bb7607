"""The course's glossary: every term a lesson teaches, what it means, and where it is taught.

The terms the course already defines in one place are read from there, never restated: the five kinds of sentence
(:data:`course.content.reading.KINDS`), the stance, valence and commitment codes
(:data:`course.content.reactions.STANCES`, :data:`~course.content.reactions.VALENCES`,
:data:`~course.content.reactions.COMMITMENTS`). The rest, the method's own words, are defined here once
(:data:`TERMS`), each with the lesson that teaches it; a test checks that each lesson uses its term.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from course.content import reactions, reading


@dataclass(frozen=True)
class Term:
    """One entry: the term, what it means in this course, the notebook (file stem) that teaches it, and the words
    that lesson uses for it where they differ from the term."""

    term: str
    definition: str
    lesson: str
    cue: str = ""  # the words the lesson uses for it, where they are not the term itself

    @property
    def taught_as(self) -> str:
        return self.cue or self.term


#: The method's own terms, in the order a learner meets them.
TERMS: tuple[Term, ...] = (
    Term(
        "reported speech",
        "An outlet's words for what someone said, without quotation marks ('Li said all parties should…'). It is "
        "the outlet's rendering: never put it in quotation marks as the speaker's.",
        "05_chinas_dilemma",
    ),
    Term(
        "rendering",
        "One outlet's or translator's version of a text or a statement. Two renderings of one clause can differ "
        "in what matters (the trigger, the object, a hedge); compare them before you rely on either.",
        "02_the_treaty",
    ),
    Term(
        "grade of a source",
        "How close a source is to the words it reports: official (a government's own text or transcript), wire "
        "or major outlet, or aggregator (a copy, a machine translation or a rewritten report). Prefer the first; "
        "say which you used.",
        "07_was_it_muted",
        "read the grades",
    ),
    Term(
        "what a reaction avoided",
        "What a statement left unsaid on the question it answered, shown by a contrast with what another "
        "government said or did on the same question, never by a guess about motives.",
        "03_official_reactions",
    ),
    Term(
        "valence",
        "The judgment a statement's words pass on the question they answer: negative, positive or none. A stance "
        "names a speech act (a judgment, a conditional reply, declining to judge) and, except for a warning, fixes "
        "the valence; a warning's is coded from its words.",
        "03_official_reactions",
    ),
    Term(
        "party to the event",
        "A government whose own act is the event (the treaty's two signatories): its statements frame that act, "
        "so the step its rows record is the event itself, set apart when comparing how far governments reacted.",
        "03_official_reactions",
        "parties",
    ),
    Term(
        "codebook",
        "The written rules for coding a statement: for each variable its codes, the rules in the order they "
        "apply (the first that fits decides) and boundary cases from real rows.",
        "03_official_reactions",
    ),
    Term(
        "Cohen's kappa",
        "Agreement between two coders beyond what chance would give: 1 is perfect agreement, 0 is chance.",
        "03_official_reactions",
        "kappa",
    ),
    Term(
        "Krippendorff's alpha",
        "Agreement among any number of coders beyond chance, with missing codes allowed, and for ordered scales "
        "(commitment) giving partial credit to near misses.",
        "03_official_reactions",
    ),
    Term(
        "adjudication",
        "Settling a disagreement between coders by the codebook's rules, and recording why; a rule that keeps "
        "failing is revised, with an entry in the revision log.",
        "03_official_reactions",
    ),
    Term(
        "decision model",
        "A transparent aid that scores a government's options against criteria and weights chosen by the "
        "modeller: a teaching aid, not a forecast. Its output is only as good as its assumptions.",
        "05_chinas_dilemma",
    ),
    Term(
        "flip point",
        "The weight of a criterion at which the model's first option changes: where to look for evidence.",
        "05_chinas_dilemma",
    ),
    Term(
        "invocation",
        "A party's claim that a treaty clause applies (North Korea's of Article 4 in April 2025). Whether the "
        "facts meet the clause's trigger stays a reading of those facts.",
        "06_after_the_treaty",
    ),
)


def entries() -> pd.DataFrame:
    """Every term, A to Z: its meaning and the lesson that teaches it (the kinds of sentence and the codes read
    from where they are defined)."""
    rows = [
        {"term": kind, "meaning": fields["definition"], "taught in": "00_start_here"}
        for kind, fields in reading.KINDS.items()
    ]
    scales = (
        ("stance", reactions.STANCES),
        ("valence", reactions.VALENCES),
        ("commitment", reactions.COMMITMENTS),
    )
    for scale, codes in scales:
        rows += [
            {
                "term": f"{code.label} ({scale})",
                "meaning": code.definition,
                "taught in": "03_official_reactions",
            }
            for code in codes.values()
        ]
    rows += [{"term": t.term, "meaning": t.definition, "taught in": t.lesson} for t in TERMS]
    frame = pd.DataFrame(rows)
    return frame.sort_values("term", key=lambda s: s.str.lower(), kind="stable").set_index("term")

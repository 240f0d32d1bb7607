"""Reading a news analysis: what kind of sentence is this?

The course's first skill. A news analysis mixes sentences of different kinds, and each deserves a different
kind of trust. This module defines the five kinds once (:data:`KINDS`) and a practice set of short passages
from the article the course is built on (:func:`passage_questions`), with the reasoning for each answer.

The passages are quoted verbatim and short from: Nectar Gan, "China is watching warily as Putin and Kim forge
new 'alliance'", CNN (analysis, Hong Kong), June 2024 (source S1 in data/sources.csv). The tests check every
passage against the article's text.
"""

from __future__ import annotations

import pandas as pd

from course.content.quiz import Question

#: The five kinds of sentence, each with a definition, the signal words to look for, and an example.
KINDS: dict[str, dict[str, str]] = {
    "reported fact": {
        "definition": "The writer states in the article's own voice that something happened or is the "
        "case, with no attribution. The publication vouches for it.",
        "signals": "plain past tense; no 'said', 'according to' or quotation marks",
        "example": "South Korea responded by convening an emergency national security meeting",
    },
    "attributed claim": {
        "definition": "An assertion the writer reports as someone else's, without vouching for it. "
        "Ask: who claims it, on what evidence, and who disputes it?",
        "signals": "'according to', 'X said', 'X accused', 'X alleged'",
        "example": "the US has accused China of providing Russia with dual-use goods",
    },
    "denial": {
        "definition": "A party named in a claim rejects it. A denial is itself a claim: it neither proves "
        "nor disproves the original one.",
        "signals": "'rejected', 'denied', 'dismissed'",
        "example": "Both Russia and North Korea have rejected the claim.",
    },
    "analysis": {
        "definition": "Interpretation: motives, risks, likely reactions, comparisons and "
        "characterisations, by the writer or by analysts the writer cites.",
        "signals": "'likely', 'risks', 'in contrast', 'analysts say', evaluative adjectives",
        "example": "Beneath the official reticence, however, China is likely watching warily, analysts say.",
    },
    "direct quote": {
        "definition": "A speaker's own words (or their translation) in quotation marks. The quotation "
        "marks show the words are the speaker's, not the writer's; read who speaks and in what role.",
        "signals": "quotation marks and a named speaker",
        "example": 'Kim, meanwhile, called the new "alliance" a "watershed moment" in bilateral relations.',
    },
}

KIND_NAMES: tuple[str, ...] = tuple(KINDS)

_PROMPT = "What kind of sentence is this?"

#: Practice passages: (verbatim passage from the article, best answer, defensible alternatives, why).
_PASSAGES: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    (
        "South Korea responded by convening an emergency national security meeting",
        "reported fact",
        (),
        "The article states it in its own voice, with no 'said' or 'according to'. Other outlets "
        "(KBS) also reported the meeting, chaired by National Security Adviser Chang Ho-jin.",
        "Is anyone named as the source of this statement?",
    ),
    (
        "Russia has received more than 10,000 shipping containers – the equivalent of 260,000 metric "
        "tons of munitions or munitions-related material – from North Korea since September, "
        "according to a US statement in February.",
        "attributed claim",
        (),
        "'According to a US statement' makes it the US government's claim, which the writer reports "
        "without vouching for it. (The 10,000-container figure appears in a State Department fact "
        "sheet; the 260,000-tonne figure is found in none of the course's other sources: the Yonhap text of "
        "the fact sheet gives only the container count.)",
        "Read the end of the sentence.",
    ),
    (
        "Both Russia and North Korea have rejected the claim.",
        "denial",
        ("reported fact",),
        "The two governments named in the claim reject it. That they denied it is reported as fact, but "
        "the denial is their position: it neither proves nor disproves the US claim.",
        "Who is speaking about whom?",
    ),
    (
        "Beneath the official reticence, however, China is likely watching warily, analysts say.",
        "analysis",
        ("attributed claim",),
        "It interprets what Beijing probably thinks ('likely', 'warily') and credits unnamed analysts. "
        "No official said this; it is an inference from silence.",
        "Does anyone in Beijing say this, or is it someone's reading of Beijing?",
    ),
    (
        'Kim, meanwhile, called the new "alliance" a "watershed moment" in bilateral relations.',
        "direct quote",
        (),
        "The quotation marks hold Kim Jong Un's own words (in translation). They also keep the label "
        "'alliance' at arm's length: the writer reports Kim's word without adopting it.",
        "Look at the quotation marks.",
    ),
    (
        "A spokesperson for China's Foreign Ministry declined to comment on the treaty, calling it a "
        "bilateral matter between Russia and North Korea.",
        "reported fact",
        ("attributed claim",),
        "The writer reports, in its own voice and without quotation marks, what the spokesperson did "
        "(declined to comment) and paraphrases what they said. The exact words, as Business Insider "
        "reported them, are elsewhere: 'a matter between two sovereign states'.",
        "Are there quotation marks? Is the writer vouching that this happened?",
    ),
    (
        "In contrast, the reaction from China, the main political and economic patron for both Russia "
        "and North Korea, has been all but muted.",
        "analysis",
        ("reported fact",),
        "'In contrast' and 'all but muted' are the writer's characterisation and comparison of the "
        "reactions, not an event. Calling China the 'main patron' is also a judgment, though one "
        "supported by trade figures (China was about 97% of North Korea's trade in 2022, per KOTRA).",
        "Which words evaluate rather than report?",
    ),
    (
        "the US has accused China of providing Russia with dual-use goods",
        "attributed claim",
        (),
        "'Has accused' attributes the assertion to the US government; the writer does not say whether "
        "it is true. A careful reader looks for the evidence and for China's response.",
        "Which verb introduces the content?",
    ),
    (
        '"If Putin provides more support to North Korea on nuclear issues, including some technical '
        "assistance, it will become more difficult for China to control the situation on the Korean "
        'Peninsula," Liu said.',
        "direct quote",
        ("analysis",),
        "Quotation marks and a named speaker: Liu Dongshu's own words. Note his role: an assistant "
        "professor at the City University of Hong Kong, an analyst, not an official, so the content "
        "is analysis, not a statement of Chinese policy.",
        "Who is Liu, and what marks his words?",
    ),
)


def passages() -> list[str]:
    """Return the practice passages, verbatim from the article, in quiz order."""
    return [p[0] for p in _PASSAGES]


def passage_questions() -> list[Question]:
    """The sentence-sorting exercise: one question per passage, each answered with one of :data:`KIND_NAMES`.

    Lesson 00 shows them as a form (``course.views.checks.sentences()``).

    Examples
    --------
    >>> questions = passage_questions()
    >>> questions[0].answer
    'reported fact'
    """
    return [
        Question(
            prompt=_PROMPT,
            options=KIND_NAMES,
            answer=answer,
            accepted=accepted,
            explanation=why,
            hint=hint,
            passage=passage,
        )
        for passage, answer, accepted, why, hint in _PASSAGES
    ]


def kinds_table():
    """Return the five kinds of sentence as a pandas DataFrame (kind, definition, signals, example)."""
    rows = [{"kind": name, **fields} for name, fields in KINDS.items()]
    return pd.DataFrame(rows).set_index("kind")

"""The coding scheme for official reactions: stance, valence and commitment.

Reading an official reaction means asking three questions: what did the government *say*, what did it
*commit to*, and what did it *avoid saying*? The course codes every reaction in ``data/reactions.csv`` on two
scales defined here, once, and used by the data validation, the lessons and the problem sets:

- :data:`STANCES`: the position the words take towards the event (unordered categories). A stance joins two
  things a methods course keeps apart: the **speech act** (a judgment, a conditional reply, declining to judge) and
  the **valence** of the judgment. Four stances fix the valence; a warning does not, so
- :data:`VALENCES` is coded apart: the judgment the words pass on the question the statement answers (negative,
  positive, no judgment), constrained by the stance (:data:`STANCE_PARTS`);
- :data:`COMMITMENTS`: how far the reaction goes beyond words (an ordered scale): words only; a review or option
  named; a diplomatic act; a decided measure. One rule assigns it (:func:`commitment_for_signal`): the furthest
  level the row's recorded signal reaches.

Each category has a definition, the signal words to look for, and an example from the course's data. Codes
are an analyst's judgment, not facts: two careful readers can disagree, and the problem sets give partial
credit where the scheme says two codes are neighbours (:func:`stance_distance`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """One category of the scheme."""

    code: str
    label: str
    definition: str
    signals: str
    example: str
    example_source: str


STANCES: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "endorsement",
            "Endorsement",
            "Supports, praises or defends the event or agreement.",
            "'breakthrough', 'new level', 'not directed against third countries'",
            'Putin called the treaty "a truly breakthrough document".',
            "reactions.csv: putin_breakthrough",
        ),
        Code(
            "non-committal",
            "Non-committal",
            "Takes no position on the event: declines to comment, says it has no information, or calls it other "
            "states' business.",
            "'a matter between two sovereign states', 'no information', 'declined to comment'",
            '"The cooperation between Russia and the DPRK is a matter between two sovereign states."',
            "reactions.csv: china_mfa_sovereign_states",
        ),
        Code(
            "concern",
            "Concern",
            "Expresses worry or says it is watching, without calling the event illegitimate.",
            "'concerned', 'concerning', 'of concern', 'grave concerns'",
            '"It is incredibly concerning" (US State Department spokesperson Matthew Miller).',
            "reactions.csv: miller_concerning",
        ),
        Code(
            "condemnation",
            "Condemnation",
            "Rejects the event: calls it wrong, unlawful or a violation.",
            "'condemn', 'violation', 'illegal'",
            '"condemn in the strongest possible terms deepening military cooperation between the DPRK '
            'and Russia"',
            "reactions.csv: trilateral_condemn",
        ),
        Code(
            "warning",
            "Warning",
            "Ties a response to the other side's future conduct: a threat, a red line, or a conditional "
            "reply.",
            "'if this happens, then we will', 'depends on what Russia does', 'will respond'",
            'Putin in Hanoi: supplying lethal weapons to Ukraine "would be a very big mistake" and, "If this '
            "happens, then we will also take appropriate decisions that are unlikely to please South Korea's "
            'current leadership".',
            "reactions.csv: putin_hanoi_mistake",
        ),
    )
}

#: Neighbouring stances: a code one step away from the reference earns partial credit.
STANCE_NEIGHBOURS: frozenset[frozenset[str]] = frozenset(
    {
        frozenset({"non-committal", "concern"}),
        frozenset({"concern", "condemnation"}),
        frozenset({"condemnation", "warning"}),
    }
)

COMMITMENTS: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "words_only",
            "Words only",
            "A statement and nothing more: it records no act and names no measure as possible. Declining to "
            "comment is words only too.",
            "'we are concerned', 'a matter between two states', a conditional reply with the measure left open",
            'Japan\'s Chief Cabinet Secretary said Japan was "seriously concerned".',
            "reactions.csv: hayashi_seriously_concerned",
        ),
        Code(
            "review_or_option",
            "Review or option named",
            "Names a specific measure as under review or possible, and decides nothing: a review, a "
            "reconsideration, an option not ruled out.",
            "'reconsider', 'review', 'not ruled out'",
            "On 23 June South Korea's response 'depends on what Russia does', and lethal aid to Ukraine was not "
            "ruled out.",
            "reactions.csv: chang_depends",
        ),
        Code(
            "consultation_or_protest",
            "Consultation or protest",
            "A diplomatic act beyond words that changes no policy: convening a security meeting, consulting "
            "allies, summoning an ambassador, a joint statement.",
            "'summoned', 'emergency meeting', 'joint statement', 'consultations'",
            "South Korea's First Vice Foreign Minister summoned the Russian ambassador.",
            "reactions.csv: rok_summons_ambassador",
        ),
        Code(
            "policy_step",
            "Concrete policy step",
            "Decides or carries out a specific measure: signs a treaty, imposes sanctions, supplies arms, "
            "changes its military deployments.",
            "'signed', 'under the treaty', 'imposed sanctions', 'supplied'",
            'Putin and Kim signed the treaty; Putin called it "a truly breakthrough document".',
            "reactions.csv: putin_breakthrough",
        ),
    )
}

#: One rule for the commitment scale: a row's code is the furthest level whose markers occur in the words the
#: row records as its commitment signal (``commitment_signal`` in data/reactions.csv). No signal: words only.
COMMITMENT_MARKERS: dict[str, tuple[str, ...]] = {
    "review_or_option": ("reconsider", "consider", "review", "not ruled out", "not rule out"),
    "consultation_or_protest": ("summoned", "meeting", "joint statement", "consultation", "representations"),
    "policy_step": ("signed", "under the treaty", "imposed", "sanctions on", "supplied", "deployed"),
}

#: The third variable: the question a statement answers (``topic`` in data/reactions.csv). A statement about the
#: treaty that speaks of "cooperation" still answers the treaty question; see the codebook's rules.
TARGETS: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "visit",
            "The visit",
            "Putin's trip to Pyongyang itself: whether it should take place, what it is for.",
            "'the visit', 'his trip', a question asked up to 19 June",
            "The course's two statements on the visit are both held out for ps1 A1: code them there.",
            "reactions.csv: held out",
        ),
        Code(
            "treaty",
            "The treaty",
            "The agreement signed on 19 June: what it says, what it is for, whom it threatens.",
            "'the treaty', 'the pact', 'the agreement', 'mutual assistance', 'alliance'",
            'Putin called the treaty "a truly breakthrough document".',
            "reactions.csv: putin_breakthrough",
        ),
        Code(
            "military cooperation",
            "Military cooperation",
            "Arms, technology or other military help between Russia and North Korea, beyond the treaty's text.",
            "'military technology cooperation', 'arms', 'munitions', 'UN Security Council resolutions'",
            '"We are seriously concerned that Russian President (Vladimir) Putin did not rule out military '
            'technology cooperation with North Korea …"',
            "reactions.csv: hayashi_seriously_concerned",
        ),
        Code(
            "arms to Ukraine",
            "Arms to Ukraine",
            "Whether a third state (here South Korea) supplies weapons to Ukraine.",
            "'lethal weapons', 'supplying arms', 'Ukraine'",
            "South Korea's response 'depends on what Russia does'; lethal aid to Ukraine was not ruled out.",
            "reactions.csv: chang_depends",
        ),
        Code(
            "troops in Russia",
            "Troops in Russia",
            "North Korean soldiers in Russia or in the war.",
            "'troops', 'soldiers', 'deployment'",
            "Lin Jian, asked about North Korean troops in Russia: relations between the two are 'solely up to "
            "them'.",
            "reactions.csv: lin_jian_troops",
        ),
    )
}

#: Valence, the second dimension of a stance: the judgment the words pass on the question the statement answers
#: (its target). Condemnation and concern are negative, endorsement positive, non-committal no judgment; a warning
#: can be any of the three (Putin warning Seoul off arms to Ukraine judges them "a very big mistake"; Russia's
#: ambassador calling the treaty "a kind of warning" defends it), which is why valence is coded apart.
VALENCES: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "negative",
            "Negative",
            "The words reject, criticise, oppose or worry about the matter the statement answers; a warning "
            "against it counts.",
            "'a very big mistake', 'condemn', 'concerned', 'violation'",
            'Putin in Hanoi on arms for Ukraine: "this would be a very big mistake", then a conditional reply.',
            "reactions.csv: putin_hanoi_mistake",
        ),
        Code(
            "positive",
            "Positive",
            "The words support, praise or defend it; a warning to those who would oppose it counts.",
            "'breakthrough', 'new level', 'not directed against third countries'",
            'Putin called the treaty "a truly breakthrough document".',
            "reactions.csv: putin_breakthrough",
        ),
        Code(
            "no judgment",
            "No judgment",
            "The words pass no judgment on it: they decline to comment, defer judgment, or make a reply depend "
            "on a third party's conduct without judging the matter itself.",
            "'a matter between two sovereign states', 'no information', 'depends on what Russia does'",
            "South Korea's response 'depends on what Russia does': arms for Ukraine are neither urged nor "
            "rejected.",
            "reactions.csv: chang_depends",
        ),
    )
}

#: What each stance is made of: its speech act, and the valence it fixes (None: a warning's valence is coded from
#: its words, rules V1 to V3 of the codebook).
STANCE_PARTS: dict[str, tuple[str, str | None]] = {
    "endorsement": ("judgment", "positive"),
    "non-committal": ("declining to judge", "no judgment"),
    "concern": ("judgment", "negative"),
    "condemnation": ("judgment", "negative"),
    "warning": ("conditional reply", None),
}

#: The treaty's two parties. What they say about the visit, the treaty or their own military cooperation frames
#: their own act: the commitment such a row records is the treaty's, not a reaction's (the second review's M7), so a
#: comparison of how far governments went in reacting sets these rows apart (:func:`party_to_the_event`).
PARTIES = ("Russia", "North Korea")
PARTY_TOPICS = ("visit", "treaty", "military cooperation")

STANCE_CODES: tuple[str, ...] = tuple(STANCES)
VALENCE_CODES: tuple[str, ...] = tuple(VALENCES)
TARGET_CODES: tuple[str, ...] = tuple(TARGETS)
#: Ordered from least to most committing.
COMMITMENT_CODES: tuple[str, ...] = tuple(COMMITMENTS)


class CodingError(ValueError):
    """A code that is not in the scheme."""


def phrase_form(text: str) -> str:
    """A statement's words as the checks compare them: lower case, one space, curly apostrophes and double quotes
    set aside. One rule for a student's signal (``course.grading``) and a bank's signal words (``content.bank``)."""
    return " ".join(str.lower(text).replace("’", "'").replace('"', "").split())


def require_code(code: str, scheme: dict[str, Code], name: str) -> str:
    if code not in scheme:
        raise CodingError(f"{code!r} is not a {name} code; use one of {', '.join(scheme)}")
    return code


def party_to_the_event(government: str, topic: str) -> bool:
    """Whether a row is a party speaking of its own act (see :data:`PARTIES`).

    Examples
    --------
    >>> party_to_the_event("Russia", "treaty")
    True
    >>> party_to_the_event("Russia", "arms to Ukraine")  # Putin on Seoul's arms for Ukraine reacts to others
    False
    """
    return government in PARTIES and topic in PARTY_TOPICS


def speech_act(stance: str) -> str:
    """The speech act a stance names: 'judgment', 'conditional reply' or 'declining to judge'.

    Examples
    --------
    >>> speech_act("warning")
    'conditional reply'
    >>> speech_act("concern")
    'judgment'
    """
    return STANCE_PARTS[require_code(stance, STANCES, "stance")][0]


def valence_problem(stance: str, valence: str) -> str | None:
    """Why a valence cannot go with a stance (None when it can): four stances fix the valence, a warning does not.

    Examples
    --------
    >>> valence_problem("warning", "positive") is None
    True
    >>> valence_problem("endorsement", "negative")
    "the stance 'endorsement' fixes the valence 'positive'; only a warning's valence is coded from its words"
    """
    require_code(valence, VALENCES, "valence")
    fixed = STANCE_PARTS[require_code(stance, STANCES, "stance")][1]
    if fixed is None or fixed == valence:
        return None
    return (
        f"the stance {stance!r} fixes the valence {fixed!r}; only a warning's valence is coded from its words"
    )


def stance_distance(a: str, b: str) -> int:
    """Return 0 for the same stance, 1 for neighbours (see the scheme), 2 otherwise.

    Examples
    --------
    >>> stance_distance("concern", "condemnation")
    1
    >>> stance_distance("endorsement", "condemnation")
    2
    """
    require_code(a, STANCES, "stance")
    require_code(b, STANCES, "stance")
    if a == b:
        return 0
    return 1 if frozenset({a, b}) in STANCE_NEIGHBOURS else 2


def commitment_for_signal(signal: str | None) -> str:
    """Apply the scheme's one rule for commitments: the furthest level whose markers the signal contains.

    The signal is the words a row records as the ground of its commitment code: an act ("Summoned Russian
    Ambassador ..."), an option ("would reconsider supplying arms") or a decided measure ("Mutual assistance
    under the treaty"). No signal, or words with no marker, is words only.

    Examples
    --------
    >>> commitment_for_signal("Said South Korea would reconsider supplying arms to Ukraine")
    'review_or_option'
    >>> commitment_for_signal("")
    'words_only'
    """
    text = " ".join(str(signal or "").lower().split())
    found = [level for level, markers in COMMITMENT_MARKERS.items() if any(m in text for m in markers)]
    return max(found, key=commitment_rank) if found else "words_only"


def commitment_rank(code: str) -> int:
    """Return the position of a commitment level on the ordered scale (0 = words only)."""
    return COMMITMENT_CODES.index(require_code(code, COMMITMENTS, "commitment"))


#: Credit by distance between a learner's code and the reference: exact 1, a neighbour half, anything further 0.
CREDIT_BY_DISTANCE = {0: 1.0, 1: 0.5}


def score_coding(answer: str, reference: str, kind: str = "stance") -> float:
    """Score a learner's code against the reference: 1 exact, 0.5 neighbouring, 0 otherwise.

    For commitments, neighbouring means one step apart on the ordered scale.
    """
    if kind == "stance":
        return CREDIT_BY_DISTANCE.get(stance_distance(answer, reference), 0.0)
    if kind == "commitment":
        gap = abs(commitment_rank(answer) - commitment_rank(reference))
        return CREDIT_BY_DISTANCE.get(gap, 0.0)
    raise CodingError(f"kind must be 'stance' or 'commitment', not {kind!r}")


def scheme_table():
    """Return both scales as one pandas DataFrame (scale, code, label, definition, signals, example)."""
    import pandas as pd

    rows = [
        {"scale": scale, **{k: getattr(c, k) for k in ("code", "label", "definition", "signals", "example")}}
        for scale, scheme in (("stance", STANCES), ("commitment", COMMITMENTS))
        for c in scheme.values()
    ]
    return pd.DataFrame(rows)

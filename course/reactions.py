"""The coding scheme for official reactions: stance and commitment.

Reading an official reaction means asking three questions: what did the government *say*, what did it
*commit to*, and what did it *avoid saying*? The course codes every reaction in ``data/reactions.csv`` on two
scales defined here, once, and used by the data validation, the lessons and the problem sets:

- :data:`STANCES`: the position the words take towards the event (unordered categories);
- :data:`COMMITMENTS`: how far the reaction goes beyond words (an ordered scale).

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
            "'breakthrough', 'new level', 'defensive', 'not directed against third countries'",
            'Putin called the treaty "a truly breakthrough document".',
            "reactions.csv: putin_breakthrough",
        ),
        Code(
            "non-committal",
            "Non-committal",
            "Takes no position on the event: declines to comment, calls it other states' business, or "
            "welcomes ties in general terms without judging the specifics.",
            "'a matter between two sovereign states', 'no information', 'not comfortable commenting'",
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
            "Rejects the event as wrong, unlawful or unacceptable.",
            "'condemn', 'violation', 'totally unacceptable'",
            '"condemn in the strongest possible terms deepening military cooperation between the DPRK '
            'and Russia"',
            "reactions.csv: trilateral_condemn",
        ),
        Code(
            "warning",
            "Warning",
            "Ties a response to the other side's future conduct: a threat, a red line, or a conditional "
            "reply.",
            "'would be a very big mistake', 'depends on what Russia does', 'will respond'",
            '"As for the supply of lethal weapons to the combat zone, to Ukraine, this would be a very big '
            'mistake"',
            "reactions.csv: putin_hanoi_mistake",
        ),
    )
}

#: Neighbouring stances: a code one step away from the reference earns partial credit.
_STANCE_NEIGHBOURS: frozenset[frozenset[str]] = frozenset(
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
            "A statement and nothing more: no meeting, protest or measure is announced. Declining to "
            "comment is words only too.",
            "'we are concerned', 'will continue to evaluate', 'a matter between two states'",
            'Japan\'s Chief Cabinet Secretary said Japan was "seriously concerned".',
            "reactions.csv: hayashi_seriously_concerned",
        ),
        Code(
            "consultation_or_protest",
            "Consultation or protest",
            "A diplomatic act beyond words, with no change of policy: convening a security meeting, "
            "consulting allies, summoning an ambassador, a joint statement.",
            "'summoned', 'emergency meeting', 'joint statement', 'consultations'",
            "South Korea's First Vice Foreign Minister summoned the Russian ambassador.",
            "reactions.csv: rok_summons_ambassador",
        ),
        Code(
            "policy_step",
            "Concrete policy step",
            "Takes, announces or formally puts under review a specific measure: a treaty, sanctions, arms "
            "supplies, a change of military posture.",
            "'signed', 'will reconsider arms supplies', 'sanctions', 'provide military assistance'",
            "South Korea said it would reconsider supplying arms to Ukraine.",
            "reactions.csv: chang_violation",
        ),
    )
}

STANCE_CODES: tuple[str, ...] = tuple(STANCES)
#: Ordered from least to most committing.
COMMITMENT_CODES: tuple[str, ...] = tuple(COMMITMENTS)


class CodingError(ValueError):
    """A code that is not in the scheme."""


def _require(code: str, scheme: dict[str, Code], name: str) -> str:
    if code not in scheme:
        raise CodingError(f"{code!r} is not a {name} code; use one of {', '.join(scheme)}")
    return code


def stance_distance(a: str, b: str) -> int:
    """Return 0 for the same stance, 1 for neighbours (see the scheme), 2 otherwise.

    Examples
    --------
    >>> stance_distance("concern", "condemnation")
    1
    >>> stance_distance("endorsement", "condemnation")
    2
    """
    _require(a, STANCES, "stance")
    _require(b, STANCES, "stance")
    if a == b:
        return 0
    return 1 if frozenset({a, b}) in _STANCE_NEIGHBOURS else 2


def commitment_rank(code: str) -> int:
    """Return the position of a commitment level on the ordered scale (0 = words only)."""
    return COMMITMENT_CODES.index(_require(code, COMMITMENTS, "commitment"))


def score_coding(answer: str, reference: str, kind: str = "stance") -> float:
    """Score a learner's code against the reference: 1 exact, 0.5 neighbouring, 0 otherwise.

    For commitments, neighbouring means one step apart on the ordered scale.
    """
    if kind == "stance":
        return {0: 1.0, 1: 0.5}.get(stance_distance(answer, reference), 0.0)
    if kind == "commitment":
        gap = abs(commitment_rank(answer) - commitment_rank(reference))
        return {0: 1.0, 1: 0.5}.get(gap, 0.0)
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


def compare_coding(reaction_id: str, stance: str, commitment: str) -> dict[str, object]:
    """Compare a learner's codes for one reaction with the course's reference codes.

    Returns the reference codes, the points (1 for the stance, 0.5 for the commitment, half for a neighbour)
    and an explanation: the definitions of the reference codes and the row's note, if any.
    """
    from course.data import load

    reactions = load("reactions")
    if reaction_id not in reactions.index:
        raise CodingError(f"no reaction {reaction_id!r} in data/reactions.csv")
    _require(stance, STANCES, "stance")
    _require(commitment, COMMITMENTS, "commitment")
    row = reactions.loc[reaction_id]
    ref_stance, ref_commitment = str(row["stance"]), str(row["commitment"])
    points = score_coding(stance, ref_stance, "stance") + 0.5 * score_coding(
        commitment, ref_commitment, "commitment"
    )
    note = row["note"] if isinstance(row["note"], str) and row["note"] else ""
    explanation = (
        f"Reference: {STANCES[ref_stance].label} ({STANCES[ref_stance].definition}) and "
        f"{COMMITMENTS[ref_commitment].label} ({COMMITMENTS[ref_commitment].definition})"
        + (f" Note: {note}" if note else "")
    )
    return {
        "stance": ref_stance,
        "commitment": ref_commitment,
        "points": points,
        "out_of": 1.5,
        "explanation": explanation,
    }

"""A learner's codes for one reaction compared with the course's reference codes (lesson 03's coding practice).

The scheme itself is pure (:mod:`course.content.reactions`); this module reads the reference codes from
``data/reactions.csv``.
"""

from __future__ import annotations

from course.content.data import load
from course.content.reactions import COMMITMENTS, STANCES, VALENCES, CodingError, require_code, score_coding
from course.content.records import text


def compare_coding(reaction_id: str, stance: str, commitment: str) -> dict[str, object]:
    """Compare a learner's codes for one reaction with the course's reference codes.

    Returns the reference codes (with the valence, which the explorer does not ask for), the points (1 for the
    stance, 0.5 for the commitment, half for a neighbour) and an explanation: the definitions of the reference codes
    and the row's note, if any.
    """
    reactions = load("reactions")
    if reaction_id not in reactions.index:
        raise CodingError(f"no reaction {reaction_id!r} in data/reactions.csv")
    require_code(stance, STANCES, "stance")
    require_code(commitment, COMMITMENTS, "commitment")
    row = reactions.loc[reaction_id]
    if text(row["held_out"]):
        raise CodingError(
            f"{reaction_id!r} is held out for {row['held_out']}: code it there; the course's data keep no code for it"
        )
    ref_stance, ref_commitment = str(row["stance"]), str(row["commitment"])
    points = score_coding(stance, ref_stance, "stance") + 0.5 * score_coding(
        commitment, ref_commitment, "commitment"
    )
    note = text(row["note"])
    valence = VALENCES[str(row["valence"])].label.lower()
    explanation = (
        f"Reference: {STANCES[ref_stance].label} ({STANCES[ref_stance].definition} Its valence: {valence}.) and "
        f"{COMMITMENTS[ref_commitment].label} ({COMMITMENTS[ref_commitment].definition})"
        + (f" Note: {note}" if note else "")
    )
    return {
        "stance": ref_stance,
        "valence": str(row["valence"]),
        "commitment": ref_commitment,
        "points": points,
        "out_of": 1.5,
        "explanation": explanation,
    }

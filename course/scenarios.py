"""Transparent scenario models: teaching aids, not forecasts.

Every number here is an assumption a learner can see and change. The functions are pure (no widgets, no
global state) so that they can be unit-tested and used in the problem sets; ``course/widgets.py`` wraps them.

Beijing's options
    A multi-criteria decision model: options scored 1 (bad for Beijing on that criterion) to 5 (good) against
    criteria drawn from the article's reasoning, and weights that say how much each criterion matters.
    :func:`weighted_scores` ranks the options; :func:`flip_weight` finds how far one weight must move before
    the top option changes.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Criteria, with the article's reasoning they come from (the article: Nectar Gan, CNN, June 2024).
CRITERIA: dict[str, tuple[str, str]] = {
    "economic_stability": (
        "Stability for China's economy",
        "The article: Xi 'needs peace and stability in Northeast Asia as he grapples with a raft of domestic "
        "challenges, especially the slowing economy'.",
    ),
    "control_escalation": (
        "Control of the situation; no escalation",
        "Liu Dongshu, quoted in the article: 'China aims to control the situation and prevent escalation'.",
    ),
    "no_collapse": (
        "No North Korean collapse",
        "Liu Dongshu, quoted in the article: China 'does not want North Korea to completely collapse either'.",
    ),
    "ties_with_russia": (
        "Relations with Russia",
        "The article: Russia 'had been largely aligned with China on the issue'; China is the 'main political "
        "and economic patron for both Russia and North Korea'.",
    ),
    "low_us_pressure": (
        "Little exposure to US pressure",
        "The article: the US 'has accused China of providing Russia with dual-use goods'.",
    ),
}

#: Options for Beijing (the first is what the article reports China did).
OPTIONS: dict[str, str] = {
    "stay_muted": "Stay muted: call it a bilateral matter (the June 2024 reaction)",
    "warn_privately": "Warn Moscow privately against military-technology aid",
    "tighten_sanctions": "Tighten enforcement of UN sanctions on Pyongyang",
    "align_openly": "Align openly with Moscow and Pyongyang",
}

#: The course's illustrative scores (1-5) with the assumption behind each; change them and see.
SCORES: dict[str, dict[str, tuple[int, str]]] = {
    "stay_muted": {
        "economic_stability": (4, "disturbs no partner or market"),
        "control_escalation": (2, "does nothing to restrain military cooperation"),
        "no_collapse": (4, "puts no pressure on Pyongyang"),
        "ties_with_russia": (4, "causes no friction with Moscow"),
        "low_us_pressure": (2, "silence can be read in Washington as acquiescence"),
    },
    "warn_privately": {
        "economic_stability": (4, "out of public view, so little market effect"),
        "control_escalation": (3, "signals limits, with no guarantee Moscow listens"),
        "no_collapse": (4, "aimed at Moscow, not at Pyongyang's stability"),
        "ties_with_russia": (3, "some friction, kept private"),
        "low_us_pressure": (3, "invisible to Washington, so limited credit there"),
    },
    "tighten_sanctions": {
        "economic_stability": (3, "costs some trade with North Korea"),
        "control_escalation": (4, "a concrete brake on North Korean programmes"),
        "no_collapse": (2, "pressure on an economy that depends on China's trade"),
        "ties_with_russia": (2, "works against Moscow's supplier"),
        "low_us_pressure": (4, "answers US criticism with action"),
    },
    "align_openly": {
        "economic_stability": (1, "risks sanctions and market reactions"),
        "control_escalation": (1, "endorses what the article says Beijing worries about"),
        "no_collapse": (5, "full backing for Pyongyang"),
        "ties_with_russia": (5, "maximal alignment with Moscow"),
        "low_us_pressure": (1, "invites US and allied pressure"),
    },
}


class ScenarioError(ValueError):
    """Scores or weights that the model cannot use (the message says which)."""


def default_scores():
    """Return the illustrative scores as a DataFrame (rows: options, columns: criteria)."""
    import pandas as pd

    return pd.DataFrame(
        {criterion: {option: SCORES[option][criterion][0] for option in OPTIONS} for criterion in CRITERIA}
    ).astype(float)


def default_weights() -> dict[str, float]:
    """Equal weights: every criterion counts the same until the learner says otherwise."""
    return {criterion: 1.0 / len(CRITERIA) for criterion in CRITERIA}


def assumptions():
    """Return every score with its one-line assumption, as a long DataFrame (option, criterion, score, why)."""
    import pandas as pd

    rows = [
        {"option": OPTIONS[o], "criterion": CRITERIA[c][0], "score": s, "assumption": why}
        for o in OPTIONS
        for c, (s, why) in SCORES[o].items()
    ]
    return pd.DataFrame(rows)


def normalise(weights: Mapping[str, float], criteria) -> dict[str, float]:
    """Check weights (one per criterion, none negative, not all zero) and scale them to sum to 1."""
    missing = [c for c in criteria if c not in weights]
    extra = [c for c in weights if c not in criteria]
    if missing or extra:
        raise ScenarioError(f"weights must cover exactly the criteria; missing {missing}, unknown {extra}")
    values = {c: float(weights[c]) for c in criteria}
    if any(v < 0 or v != v for v in values.values()):
        raise ScenarioError(f"weights cannot be negative or NaN: {values}")
    total = sum(values.values())
    if total == 0:
        raise ScenarioError("at least one weight must be above zero")
    return {c: v / total for c, v in values.items()}


def weighted_scores(scores=None, weights: Mapping[str, float] | None = None):
    """Return each option's weighted score (weights normalised to sum to 1), highest first.

    Parameters
    ----------
    scores : DataFrame, optional
        Rows are options, columns criteria (default :func:`default_scores`).
    weights : mapping criterion -> weight, optional
        Default :func:`default_weights`.
    """
    scores = default_scores() if scores is None else scores
    weights = normalise(default_weights() if weights is None else weights, list(scores.columns))
    if scores.isna().any().any():
        raise ScenarioError("every option needs a score on every criterion")
    total = sum(scores[c] * w for c, w in weights.items())
    return total.sort_values(ascending=False, kind="stable")


def reweight(weights: Mapping[str, float], criterion: str, weight: float) -> dict[str, float]:
    """Give ``criterion`` the share ``weight`` (0-1) and share the rest among the others in their old proportion."""
    if not 0 <= weight <= 1:
        raise ScenarioError(f"a share must be between 0 and 1, not {weight}")
    base = normalise(weights, list(weights))
    others = {c: w for c, w in base.items() if c != criterion}
    rest = sum(others.values())
    if rest == 0:
        scaled = {c: (1 - weight) / len(others) for c in others}
    else:
        scaled = {c: (1 - weight) * w / rest for c, w in others.items()}
    return {**scaled, criterion: weight}


def flip_weight(scores=None, weights: Mapping[str, float] | None = None, criterion: str = "ties_with_russia",
                step: float = 0.001) -> tuple[float, str] | None:  # fmt: skip
    """Return the smallest share of ``criterion`` above its current one at which the top option changes.

    The other weights keep their proportions (see :func:`reweight`). Returns ``(share, new top option)``, or
    ``None`` if raising this criterion up to 1 never changes the top option.
    """
    scores = default_scores() if scores is None else scores
    weights = normalise(default_weights() if weights is None else weights, list(scores.columns))
    if criterion not in weights:
        raise ScenarioError(f"unknown criterion {criterion!r}; criteria: {', '.join(weights)}")
    top = weighted_scores(scores, weights).index[0]
    share = weights[criterion]
    steps = int(round((1 - share) / step))
    for i in range(1, steps + 1):
        trial = min(1.0, share + i * step)
        ranking = weighted_scores(scores, reweight(weights, criterion, trial))
        if ranking.index[0] != top and ranking.iloc[0] > ranking.iloc[1] + 1e-12:
            return round(trial, 6), str(ranking.index[0])
    return None

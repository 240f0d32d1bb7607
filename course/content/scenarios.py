"""Transparent scenario models: teaching aids, not forecasts.

Every number here is an assumption a learner can see and change. The functions are pure (no widgets, no
global state) so that they can be unit-tested and used in the problem sets; ``course/views/widgets.py`` wraps them.

Beijing's options
    A multi-criteria decision model: options scored 1 (bad for Beijing on that criterion) to 5 (good) against
    criteria drawn from the article's reasoning, and weights that say how much each criterion matters.
    :func:`weighted_scores` ranks the options; :func:`flip_weight` finds how far one weight must move before
    the top option changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.content.data import load
from course.content.records import reaction_records

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

#: Short names for tables and charts.
CRITERIA_SHORT: dict[str, str] = {
    "economic_stability": "economy",
    "control_escalation": "control",
    "no_collapse": "no collapse",
    "ties_with_russia": "Russia ties",
    "low_us_pressure": "US pressure",
}

#: Options for Beijing (the first is what the article reports China did).
OPTIONS: dict[str, str] = {
    "stay_muted": "Stay muted: call it a bilateral matter (the public June 2024 reaction)",
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


@dataclass(frozen=True)
class Position:
    """A stated position a decision case's role brief quotes beside the June 2024 reactions: a government's standing
    policy or a party's earlier request, in the words of a passage kept in data/excerpts.csv."""

    party: str
    who: str
    date: str
    excerpt: str  # an excerpt_id of data/excerpts.csv
    words: str  # verbatim within that excerpt
    context: str  # what the words are and when they were said, in the course's words


@dataclass(frozen=True)
class DecisionCase:
    """One government's decision as a transparent model: criteria, options, scores with reasons, and the stated
    positions (rows of data/reactions.csv, and passages of data/excerpts.csv) its role brief is built from.

    The functions below take the case's scores and weights as data, so every case gets the same ranking,
    sensitivity and flip points.
    """

    key: str
    actor: str
    question: str
    criteria: dict[str, tuple[str, str]]
    short: dict[str, str]
    options: dict[str, str]
    scores: dict[str, dict[str, tuple[int, str]]]
    stated: tuple[str, ...] = ()
    criteria_from: str = "the article's reasoning"
    positions: tuple[Position, ...] = ()

    def default_scores(self):
        """The illustrative scores as a DataFrame (rows: options, columns: criteria)."""
        return pd.DataFrame(
            {c: {o: self.scores[o][c][0] for o in self.options} for c in self.criteria}
        ).astype(float)

    def default_weights(self) -> dict[str, float]:
        """Equal weights: every criterion counts the same until the learner says otherwise."""
        return {c: 1.0 / len(self.criteria) for c in self.criteria}

    def assumptions(self):
        """Every score with its one-line assumption (option, criterion, score, assumption)."""
        rows = [
            {"option": self.options[o], "criterion": self.criteria[c][0], "score": s, "assumption": why}
            for o in self.options
            for c, (s, why) in self.scores[o].items()
        ]
        return pd.DataFrame(rows)

    def brief(self):
        """The role brief: each party's stated position on the decision, in its sourced words (data): the June 2024
        reactions first, then the standing positions (:class:`Position`), each with its source."""
        rows = []
        for r in reaction_records(load("reactions").loc[list(self.stated)]):
            context = [r.paraphrase] if r.paraphrase else []
            if r.committed and not r.committed.startswith("Nothing"):  # what it did or said it would do
                context.append(r.committed)
            rows.append(
                {
                    "party": r.government,
                    "who": r.speaker,
                    "date": r.when,
                    "stated": r.words,
                    "context": " ".join(context),
                    "source": ";".join(sid for sid, _ in r.sources),
                }
            )
        excerpts = load("excerpts")
        for p in self.positions:
            passage = excerpts.loc[p.excerpt]
            if p.words not in passage["text"]:
                raise ScenarioError(f"{self.key}: the words given for {p.who} are not in excerpt {p.excerpt}")
            rows.append(
                {
                    "party": p.party,
                    "who": p.who,
                    "date": p.date,
                    "stated": p.words,
                    "context": p.context,
                    "source": str(passage["source_id"]),
                }
            )
        return pd.DataFrame(rows).set_index("party")

    def memo(self):
        """The options memo: for each option, its pros (scores of 4-5) and cons (scores of 1-2), with reasons."""
        rows = []
        for o, label in self.options.items():
            pros = [f"{self.short[c]}: {why}" for c, (s, why) in self.scores[o].items() if s >= 4]
            cons = [f"{self.short[c]}: {why}" for c, (s, why) in self.scores[o].items() if s <= 2]
            rows.append({"option": label, "for": "; ".join(pros) or "—", "against": "; ".join(cons) or "—"})
        return pd.DataFrame(rows).set_index("option")

    def with_criterion(
        self,
        key: str,
        criterion: tuple[str, str],
        short: str,
        scores: Mapping[str, tuple[int, str]],
        *,
        case_key: str,
        criteria_from: str,
    ) -> DecisionCase:
        """The same case seen through one more criterion (every option scored on it, with its reason)."""
        if key in self.criteria:
            raise ScenarioError(f"{self.key} already has a criterion {key!r}")
        if set(scores) != set(self.options):
            raise ScenarioError(f"score every option on {key!r}: {', '.join(self.options)}")
        return DecisionCase(
            key=case_key,
            actor=self.actor,
            question=self.question,
            criteria={**self.criteria, key: criterion},
            short={**self.short, key: short},
            options=dict(self.options),
            scores={o: {**self.scores[o], key: scores[o]} for o in self.options},
            stated=self.stated,
            criteria_from=criteria_from,
            positions=self.positions,
        )


BEIJING = DecisionCase(
    key="beijing",
    actor="Beijing",
    question="How should Beijing answer the Russia-North Korea treaty? (June 2024)",
    criteria=CRITERIA,
    short=CRITERIA_SHORT,
    options=OPTIONS,
    scores=SCORES,
    stated=("china_mfa_sovereign_states", "lin_jian_troops"),
)

#: Beijing through a second lens: the five outside readings plus the goal China's government states for the
#: peninsula (the second review's N3). The first model is unchanged; lesson 05 sets the two side by side.
BEIJING_STATED = BEIJING.with_criterion(
    "stated_goal",
    (
        "China's stated goal for the peninsula",
        "Mao Ning, 9 October 2024: 'China believes that upholding peace and stability on the Korean Peninsula and "
        "advancing the political settlement process of the Korean Peninsula issue serves the common interests of "
        "all parties, and it is what the international community expects'. Li Qiang said the same at the summit "
        "in Seoul on 27 May 2024, in Xinhua's reported speech.",
    ),
    "stated goal",
    {
        "stay_muted": (3, "keeps China's line on the peninsula, and does nothing to steady it"),
        "warn_privately": (
            4,
            "works against what could unsettle the peninsula, without taking sides in public",
        ),
        "tighten_sanctions": (
            3,
            "enforces resolutions China voted for; its statements ask that sanctions serve dialogue, not replace it",
        ),
        "align_openly": (1, "takes one side of a confrontation, against a settlement among 'all parties'"),
    },
    case_key="beijing_stated",
    criteria_from="the article's reasoning, and China's stated goal for the peninsula",
)

#: Seoul's decision, June 2024: arms for Ukraine? Every criterion comes from a stated position: of Seoul itself, of
#: Moscow, of Seoul's allies and of Kyiv. None is the definition of an option.
SEOUL = DecisionCase(
    key="seoul",
    actor="Seoul",
    question="Should Seoul supply arms to Ukraine? (June 2024)",
    criteria={
        "deter_aid": (
            "Deter Russian military aid to North Korea",
            "Chang Ho-jin, 20 June 2024: 'any cooperation that directly or indirectly helps North Korea increase "
            "its military power is a violation of U.N. Security Council resolutions'.",
        ),
        "avoid_rupture": (
            "Keep peaceful relations with Russia",
            "Yoon Suk Yeol, 28 October 2022: 'we are trying to maintain peaceful relations with all countries "
            "around the world, including Russia'. What is at stake, in Putin's words in Hanoi, 20 June 2024: "
            "'If this happens, then we will also take appropriate decisions that are unlikely to please South "
            "Korea's current leadership'.",
        ),
        "allies": (
            "Stay in step with the US and Japan",
            "The US, South Korea and Japan, 24 June 2024: they 'condemn in the strongest possible terms deepening "
            "military cooperation between the DPRK and Russia'.",
        ),
        "no_arms_north": (
            "Give Moscow no occasion to arm North Korea",
            "Putin, in Hanoi, 20 June 2024: 'I said, including in Pyongyang, that we then reserve the right to "
            "supply weapons to other regions of the world,' and 'Keeping in mind our agreements with the "
            "Democratic People's Republic of Korea, I'm not ruling that out.'",
        ),
        "standing_policy": (
            "Keep to Seoul's policy on lethal weapons",
            "Jeon Ha-kyu, defence ministry spokesman, 17 July 2023: 'There's been no change in the government's "
            "position that Korea will not provide lethal weapons,'",
        ),
        "ukraine_asks": (
            "Answer what Ukraine asks for",
            "Zelensky, May 2023 (an interpreter's English): 'An anti-aircraft system is not a weapon but purely "
            "defensive equipment.'",
        ),
    },
    short={
        "deter_aid": "deterrence",
        "avoid_rupture": "Russia ties",
        "allies": "allies",
        "no_arms_north": "retaliation",
        "standing_policy": "stated policy",
        "ukraine_asks": "Kyiv's asks",
    },
    options={
        "no_change": "Leave its policy on arms for Ukraine unchanged",
        "keep_open": "Keep the option open: the response 'depends on what Russia does' (the 23 June line)",
        "non_lethal": "Send Ukraine more non-lethal equipment, as its answer to the treaty",
        "lethal_arms": "Supply lethal arms to Ukraine",
    },
    scores={
        "no_change": {
            "deter_aid": (1, "no cost to Moscow for helping Pyongyang"),
            "avoid_rupture": (5, "takes no step Putin warned against"),
            "allies": (3, "neither breaks with nor adds to the joint condemnation"),
            "no_arms_north": (5, "gives Moscow no occasion for the step Putin held out"),
            "standing_policy": (5, "the policy as it stands"),
            "ukraine_asks": (1, "nothing new for Kyiv"),
        },
        "keep_open": {
            "deter_aid": (3, "a cost Moscow can still avoid"),
            "avoid_rupture": (4, "no step taken: words only"),
            "allies": (4, "matches the joint condemnation without running ahead of it"),
            "no_arms_north": (3, "Putin's warning answered the very announcement of a review"),
            "standing_policy": (3, "the policy kept, but openly under review"),
            "ukraine_asks": (2, "a possibility for Kyiv, nothing delivered"),
        },
        "non_lethal": {
            "deter_aid": (2, "a limited cost to Moscow"),
            "avoid_rupture": (3, "a step, but not the one Putin named"),
            "allies": (4, "visible support beside the allies"),
            "no_arms_north": (4, "not the lethal supply Putin's warning was about"),
            "standing_policy": (5, "within the policy"),
            "ukraine_asks": (3, "equipment Kyiv thanked Seoul for, not the air defence it asked for"),
        },
        "lethal_arms": {
            "deter_aid": (5, "the costliest answer to Moscow"),
            "avoid_rupture": (
                1,
                "the step Putin called 'a very big mistake', with 'appropriate decisions' in reply",
            ),
            "allies": (4, "strong support, though ahead of anything the joint statement asked"),
            "no_arms_north": (1, "the occasion Putin held out for arming North Korea"),
            "standing_policy": (1, "ends the stated policy"),
            "ukraine_asks": (5, "what Kyiv asked for, air defence included"),
        },
    },
    stated=(
        "chang_violation",
        "putin_hanoi_mistake",
        "chang_depends",
        "trilateral_condemn",
        "miller_concerning",
    ),
    criteria_from="the parties' stated positions (the role brief)",
    positions=(
        Position(
            "South Korea",
            "Yoon Suk Yeol",
            "28 October 2022",
            "yonhap_2022_peaceful_relations",
            "It's a matter of sovereignty, and we are trying to maintain peaceful relations with all countries "
            "around the world, including Russia.",
            "Seoul's own aim, stated to reporters after Putin warned Seoul against arming Ukraine; a standing "
            "position, before June 2024.",
        ),
        Position(
            "South Korea",
            "Jeon Ha-kyu (defence ministry)",
            "17 July 2023",
            "joongang_2023_no_change",
            "There's been no change in the government's position that Korea will not provide lethal weapons,",
            "The defence ministry's spokesman, at a briefing: the policy the 20 June announcement put under review.",
        ),
        Position(
            "Russia",
            "Vladimir Putin",
            "20 June 2024",
            "upi_not_ruling_out",
            "Keeping in mind our agreements with the Democratic People's Republic of Korea, I'm not ruling that "
            "out.",
            "Same news conference as his warning to Seoul: Russia does not rule out supplying weapons to North "
            'Korea; UPI reports it as a counter to "acts of aggression" by Washington and Seoul.',
        ),
        Position(
            "Ukraine",
            "Volodymyr Zelensky",
            "May 2023",
            "thestar_2023_sky_shield",
            "I know there are many limitations regarding weapons support, but those principles should not be "
            "applied to defence systems and equipment for protecting our assets,",
            "To the Chosun Ilbo, through an interpreter: Kyiv asked for anti-aircraft and early warning systems "
            "and thanked Seoul for demining vehicles and aid; a standing request, before June 2024.",
        ),
    ),
)


def compare_lenses(outside: DecisionCase | None = None, stated: DecisionCase | None = None):
    """Beijing's options under the article's five criteria and under the same five plus China's stated goal:
    each option's score and rank with equal weights."""
    outside = BEIJING if outside is None else outside
    stated = BEIJING_STATED if stated is None else stated
    rows = {}
    for name, case in (("article's criteria", outside), ("with China's stated goal", stated)):
        ranking = weighted_scores(case.default_scores(), case.default_weights())
        for rank, (option, score) in enumerate(ranking.items(), start=1):
            rows.setdefault(option, {"option": case.options[option]})
            rows[option][f"score ({name})"] = round(float(score), 2)
            rows[option][f"rank ({name})"] = rank
    return pd.DataFrame(list(rows.values())).set_index("option")


def first_flips(case: DecisionCase, criterion: str) -> list[tuple[float, str]]:
    """Every change of the top option as ``criterion``'s share rises from its equal weight to 1 (the others keep
    their proportions): a list of (share, new top option)."""
    weights = case.default_weights()
    flips = []
    while True:
        flip = flip_weight(case.default_scores(), weights, criterion, "up")
        if flip is None:
            return flips
        flips.append(flip)
        if flip[0] + 1e-4 >= 1:  # the share is rounded to 4 decimals: step just past it
            return flips
        weights = reweight(weights, criterion, flip[0] + 1e-4)


def default_scores(case: DecisionCase = BEIJING):
    """Return the illustrative scores as a DataFrame (rows: options, columns: criteria); Beijing's by default."""
    return case.default_scores()


def default_weights(case: DecisionCase = BEIJING) -> dict[str, float]:
    """Equal weights: every criterion counts the same until the learner says otherwise."""
    return case.default_weights()


def assumptions(case: DecisionCase = BEIJING):
    """Return every score with its one-line assumption, as a long DataFrame (option, criterion, score, why)."""
    return case.assumptions()


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


def flip_weight(
    scores=None,
    weights: Mapping[str, float] | None = None,
    criterion: str = "ties_with_russia",
    direction: str = "up",
) -> tuple[float, str] | None:
    """Return the share of ``criterion`` at which the top option changes, moving its share up or down.

    The other weights keep their proportions (see :func:`reweight`), so every option's score is a straight
    line in the share ``w``: ``B + w (s - B)``, where ``s`` is its score on ``criterion`` and ``B`` its weighted
    score on the others. The answer is where the top option's line is crossed first, computed exactly.
    Returns ``(share, new top option)`` with the share rounded to 4 decimals (the new option leads just past
    it), or ``None`` if moving this way never changes the top option.
    """
    scores = default_scores() if scores is None else scores
    weights = normalise(default_weights() if weights is None else weights, list(scores.columns))
    if criterion not in weights:
        raise ScenarioError(f"unknown criterion {criterion!r}; criteria: {', '.join(weights)}")
    if direction not in ("up", "down"):
        raise ScenarioError(f"direction must be 'up' or 'down', not {direction!r}")
    share = weights[criterion]
    others = {c: w for c, w in weights.items() if c != criterion}
    rest = sum(others.values())
    proportions = {c: (w / rest if rest else 1 / len(others)) for c, w in others.items()}
    base = sum(scores[c] * p for c, p in proportions.items())  # B for every option
    slope = scores[criterion] - base  # s - B
    top = weighted_scores(scores, weights).index[0]
    best: tuple[float, str] | None = None
    for option in scores.index:
        if option == top:
            continue
        # option - top = (B_o - B_t) + w (slope_o - slope_t): zero at w = (B_t - B_o) / (slope_o - slope_t)
        gain = slope[option] - slope[top]
        if (direction == "up" and gain <= 0) or (direction == "down" and gain >= 0):
            continue
        cross = (base[top] - base[option]) / gain
        inside = share <= cross < 1 if direction == "up" else 0 < cross <= share  # at 0 or 1 it can only tie
        if inside and (best is None or abs(cross - share) < abs(best[0] - share)):
            best = (float(cross), str(option))
    return None if best is None else (round(best[0], 4), best[1])


def grid_flip(criterion: str, scores=None, step: float = 0.01) -> tuple[float, str] | None:
    """ps3 C3's computation: give ``criterion`` the weight ``w`` and each other criterion ``(1 - w) / (n - 1)``;
    from the default weight upwards in steps of ``step``, the first ``w`` at which another option comes first,
    and that option. ``None`` if none does up to ``w = 1``. (:func:`flip_weight` gives the exact crossing; this is
    the grid a student walks, so the answer is the grid point just past it.)"""
    scores = default_scores() if scores is None else scores
    criteria = list(scores.columns)
    if criterion not in criteria:
        raise ScenarioError(f"unknown criterion {criterion!r}; criteria: {', '.join(criteria)}")
    default = normalise(default_weights(), criteria)
    top = weighted_scores(scores, default).index[0]
    steps = round(1 / step)
    for k in range(round(default[criterion] * steps), steps + 1):
        w = k / steps
        trial = {c: (w if c == criterion else (1 - w) / (len(criteria) - 1)) for c in criteria}
        now = weighted_scores(scores, trial).index[0]
        if now != top:
            return w, str(now)
    return None


def sensitivity(scores=None, weights: Mapping[str, float] | None = None):
    """For each criterion, how far its share must move (up or down) before the top option changes.

    Returns a DataFrame indexed by criterion: current share, the share and new top option going up and going
    down, and the smallest change in either direction (NaN when no move of this criterion changes the answer).
    """
    scores = default_scores() if scores is None else scores
    weights = normalise(default_weights() if weights is None else weights, list(scores.columns))
    rows = []
    for criterion, share in weights.items():
        up = flip_weight(scores, weights, criterion, "up")
        down = flip_weight(scores, weights, criterion, "down")
        changes = [abs(f[0] - share) for f in (up, down) if f]
        rows.append(
            {
                "criterion": criterion,
                "share": round(share, 4),
                "flips up at": up[0] if up else None,
                "new top (up)": up[1] if up else None,
                "flips down at": down[0] if down else None,
                "new top (down)": down[1] if down else None,
                "smallest change": round(min(changes), 4) if changes else None,
            }
        )
    return pd.DataFrame(rows).set_index("criterion")


# ---- estimation with uncertainty: the munitions claim ------------------------------------------------------

#: Sourced defaults: the US claim's "more than 10,000 containers" (a lower bound) and the article's implied
#: 26 t per container (260,000 t / 10,000). Everything else is the learner's assumption.
ESTIMATE_DEFAULTS = {
    "containers": (10_000.0, 10_000.0),
    "tonnes_per_container": (26.0, 26.0),
    "munitions_share": (1.0, 1.0),
}


def container_payloads() -> dict[str, float]:
    """The maximum payload, in tonnes, of a standard 20-foot and 40-foot container (data/figures.csv, sourced)."""
    figures = load("figures")
    return {
        size: float(figures.loc[f"container_payload_{size}", "value"]) / 1000 for size in ("20ft", "40ft")
    }


def payload_check(tonnes_per_container) -> str:
    """What a range of tonnes per container means against a standard container's maximum payload: a plausibility
    check, not a correction (the claim does not say which containers, or how full)."""
    low, high = _check_range("tonnes_per_container", tonnes_per_container, 0)
    cap = container_payloads()
    most = max(cap.values())
    limits = f"a standard 20-foot container takes about {cap['20ft']:.1f} t at most, a 40-foot one {cap['40ft']:.1f} t"
    if low > most:
        return f"Every value in this range is more than any standard container can carry: {limits}."
    if high > most:
        return f"Part of this range is more than any standard container can carry: {limits}."
    if high >= 0.9 * min(cap.values()):
        return f"Near the limit: {limits}; this range assumes every container loaded close to full."
    return f"Within a standard container's limit: {limits}."


def _check_range(name: str, value, low: float = 0.0, high: float | None = None) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{name} must be a pair (low, high) of numbers, not {value!r}") from None
    if lo != lo or hi != hi:
        raise ScenarioError(f"{name} must be numbers, not NaN")
    if lo > hi:
        raise ScenarioError(f"{name}: the low end {lo:g} is above the high end {hi:g}")
    if lo < low or (high is not None and hi > high):
        bounds = f"from {low:g}" + (f" to {high:g}" if high is not None else " up")
        raise ScenarioError(f"{name} must lie {bounds}; got {lo:g} to {hi:g}")
    return lo, hi


def estimate_munitions(
    containers=ESTIMATE_DEFAULTS["containers"],
    tonnes_per_container=ESTIMATE_DEFAULTS["tonnes_per_container"],
    munitions_share=ESTIMATE_DEFAULTS["munitions_share"],
    kg_per_round=None,
    n: int = 20_000,
    seed: int = 2024,
) -> dict:
    """Monte Carlo estimate of the tonnage of munitions (and rounds) implied by the containers claim.

    Each input is a range (low, high), sampled uniformly and independently with a fixed seed, so the same
    assumptions always give the same answer. ``kg_per_round`` has no default: the course's sources give no
    mass per round, so rounds are estimated only when the learner supplies one.

    Returns a dict with the sorted ``tonnes`` samples, their 5th/50th/95th percentiles (``tonnes_p5`` ...),
    the same for ``rounds`` when ``kg_per_round`` is given, and the inputs used.
    """
    c = _check_range("containers", containers, 0)
    t = _check_range("tonnes_per_container", tonnes_per_container, 0)
    m = _check_range("munitions_share", munitions_share, 0, 1)
    k = _check_range("kg_per_round", kg_per_round, 0) if kg_per_round is not None else None
    if k is not None and k[0] == 0:
        raise ScenarioError("kg_per_round must be above 0")
    if not isinstance(n, int) or n < 100:
        raise ScenarioError(f"n must be a whole number of at least 100, not {n!r}")
    rng = np.random.default_rng(seed)
    tonnes = rng.uniform(*c, n) * rng.uniform(*t, n) * rng.uniform(*m, n)
    result = {
        "inputs": {"containers": c, "tonnes_per_container": t, "munitions_share": m, "kg_per_round": k},
        "tonnes": np.sort(tonnes),
    }
    for q in (5, 50, 95):
        result[f"tonnes_p{q}"] = float(np.percentile(tonnes, q))
    if k is not None:
        rounds = tonnes * 1000 / rng.uniform(*k, n)
        result["rounds"] = np.sort(rounds)
        for q in (5, 50, 95):
            result[f"rounds_p{q}"] = float(np.percentile(rounds, q))
    return result


# ---- escalation levels of Russian assistance ------------------------------------------------------------

#: Levels of assistance, least to most, and the statements in data/reactions.csv that address each one.
#: Only what an actor stated is shown: a level with no statement says so.
ESCALATION_LEVELS: dict[str, dict[str, object]] = {
    "none": {
        "label": "No military assistance",
        "reactions": (),
        "china_control": 'The article: Russia "had been largely aligned with China on the issue".',
    },
    "conventional_arms": {
        "label": "Conventional arms for North Korea",
        "reactions": ("miller_concerning", "chang_violation", "trilateral_condemn"),
        "china_control": "The article: Russia's \"desperate need for North Korea to support its grinding war in "
        'Ukraine risks undermining the delicate balance".',
    },
    "military_technology": {
        "label": "Military technology",
        "reactions": (
            "hayashi_seriously_concerned",
            "chang_violation",
            "trilateral_condemn",
            "putin_breakthrough",
        ),
        "china_control": "The article, citing Liu Dongshu: Beijing is worried that Moscow's assistance, \"especially on "
        'military technology", would further enable and embolden the Kim regime.',
    },
    "nuclear_missile_assistance": {
        "label": "Nuclear or missile technical assistance",
        "reactions": ("chang_violation",),
        "china_control": 'Liu Dongshu, quoted in the article: "If Putin provides more support to North Korea on '
        "nuclear issues, including some technical assistance, it will become more difficult for China to "
        'control the situation on the Korean Peninsula".',
    },
}


def escalation_positions(level: str):
    """The stated positions that address ``level``: actor, stance, commitment, words, source (from the data).

    Raises ScenarioError for an unknown level. A level that no statement addresses gives an empty table.
    """
    if level not in ESCALATION_LEVELS:
        raise ScenarioError(f"unknown level {level!r}; levels: {', '.join(ESCALATION_LEVELS)}")
    rows = [
        {
            "actor": f"{r.speaker} ({r.government})",
            "stance": r.stance,
            "commitment": r.commitment,
            "words": r.words,
            "source": ";".join(sid for sid, _ in r.sources),
            "reaction_id": r.reaction_id,
        }
        for r in reaction_records(load("reactions").loc[list(ESCALATION_LEVELS[level]["reactions"])])
    ]
    return pd.DataFrame(rows, columns=["actor", "stance", "commitment", "words", "source", "reaction_id"])

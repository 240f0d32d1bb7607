"""The class report: how far a class's independent codes agree, statement by statement and coder by coder.

For each variable (stance, valence, commitment, target): Krippendorff's alpha with a bootstrap interval; per
statement, the class's majority code, its share, the reference code where the course has one, and the statements
the class split on most; per coder, agreement with the reference and with the class majority, their mean Cohen's
kappa with every other coder, and a flag where a coder stands far from the rest (a careless coder, or one who
misread the codebook); a confusion table of codes against the reference. :func:`build` makes it from gathered coding files;
:mod:`course.views.coding_report` draws it.

:func:`simulate_class` makes a class of coders with known habits (careful, confusing neighbouring codes, careless,
one code for everything) from the reference codes: the tests use it to check that the report recovers them, and
lesson 03's coding lab shows it as what it is, a simulated class.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from course.content.agreement import (
    Alpha,
    agreement_with,
    alpha_with_interval,
    confusion,
    majority,
    pairwise,
)
from course.content.codebook import COLUMN, VARIABLES
from course.content.codingfiles import Codes
from course.content.records import text

#: The coding lab's statements: coded rows the codebook does not use as an example or a boundary case, none held
#: out (:func:`lab_statements` checks).
LAB_SET: tuple[str, ...] = (
    "lin_jian_questione",
    "china_article_bilateral",
    "hayashi_regional_security",
    "japan_article_grave_concerns",
    "rok_article_emergency_meeting",
    "putin_article_new_level",
    "zakharova_not_alliance",
    "zakharova_similar_article",
    "zakharova_no_concerns",
)
#: A coder is flagged as far from the class when the share of their codes that match the others' majority (over
#: every variable, the coder's own vote left out) is this many robust standard deviations (1.4826 × the median
#: absolute deviation, at least 0.05) below the class's median, and under FLAG_SHARE as well.
FLAG_MADS = 3.0
FLAG_SHARE = 0.5
#: Of a far coder's disagreements, the share that go to a neighbouring code above which the report reads them as
#: placing the boundaries elsewhere rather than coding carelessly.
NEIGHBOUR_SHARE = 0.85


@dataclass
class VariableReport:
    name: str
    labels: list[str]
    matrix: np.ndarray  # coders × statements, code index or NaN
    alpha: Alpha
    statements: pd.DataFrame
    coders: pd.DataFrame
    confusion: pd.DataFrame | None


@dataclass
class ClassReport:
    statements: list[str]
    coders: list[str]
    variables: dict[str, VariableReport]
    problems: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    coders_summary: pd.DataFrame | None = None


def reference_codes(statements) -> dict[str, dict[str, str]]:
    """The course's codes for ``statements`` (none for a held-out row): ``{variable: {statement: code}}``."""
    from course.content.data import load

    reactions = load("reactions")
    out: dict[str, dict[str, str]] = {v: {} for v in VARIABLES}
    for sid in statements:
        if sid not in reactions.index:
            continue
        row = reactions.loc[sid]
        if text(row["held_out"]):
            continue
        for variable, column in COLUMN.items():
            if text(row[column]):
                out[variable][sid] = row[column]
    return out


def lab_statements() -> tuple[str, ...]:
    """The coding lab's set, checked: every statement coded, none held out, none shown coded in the codebook."""
    from course.content.codebook import BOUNDARY_CASES

    shown = {case.reaction_id for case in BOUNDARY_CASES} | {
        code.example_source.removeprefix("reactions.csv: ")
        for scheme in (variable.values for variable in VARIABLES.values())
        for code in scheme.values()
    }
    reference = reference_codes(LAB_SET)
    for sid in LAB_SET:
        if sid in shown:
            raise ValueError(f"{sid} is shown coded in the codebook: it cannot be coded blind")
        if any(sid not in reference[v] for v in VARIABLES):
            raise ValueError(f"{sid} has no reference code (held out, or not in data/reactions.csv)")
    return LAB_SET


def reliability_matrix(coders: list[Codes], statements, variable: str, labels: list[str]) -> np.ndarray:
    """The reliability matrix of ``variable``: coders × statements, each cell the code's index in ``labels`` or NaN."""
    index = {code: i for i, code in enumerate(labels)}
    matrix = np.full((len(coders), len(statements)), np.nan)
    for row, coder in enumerate(coders):
        for col, sid in enumerate(statements):
            code = coder.codes[variable].get(sid)
            if code is not None:
                matrix[row, col] = index[code]
    return matrix


def _far_below(values: np.ndarray) -> np.ndarray:
    """True where a value is far below the rest (see FLAG_MADS and FLAG_SHARE)."""
    finite = values[~np.isnan(values)]
    if len(finite) < 5:
        return np.zeros(len(values), dtype=bool)
    median = np.median(finite)
    spread = max(1.4826 * np.median(np.abs(finite - median)), 0.05)
    with np.errstate(invalid="ignore"):
        return (values < median - FLAG_MADS * spread) & (values < FLAG_SHARE)


def _others_majority(matrix: np.ndarray, n: int) -> np.ndarray:
    """coders × statements: the majority code of everyone else (NaN on a tie or when nobody else coded it)."""
    onehot = np.stack([(matrix == k) for k in range(n)], axis=2).astype(int)  # coders × statements × codes
    others = onehot.sum(axis=0)[None, :, :] - onehot
    top = others.max(axis=2)
    winners = (others == top[:, :, None]).sum(axis=2)
    out = others.argmax(axis=2).astype(float)
    out[(top == 0) | (winners > 1)] = np.nan
    return out


def _neighbours(variable: str, labels: list[str]) -> np.ndarray:
    """labels × labels: True where two codes are neighbours (the partial-credit pairs of the scheme)."""
    from course.content.reactions import STANCE_NEIGHBOURS

    near = np.zeros((len(labels), len(labels)), dtype=bool)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            if variable == "commitment":
                near[i, j] = abs(i - j) == 1
            elif variable == "stance":
                near[i, j] = frozenset({a, b}) in STANCE_NEIGHBOURS
    return near


def build(
    coders: list[Codes],
    statements,
    reference: dict[str, dict[str, str]] | None = None,
    problems: list[str] | None = None,
    draws: int = 1000,
) -> ClassReport:
    """The report for ``coders`` on ``statements`` (reference codes from the data unless given)."""
    statements = list(statements)
    reference = reference_codes(statements) if reference is None else reference
    names = [c.coder for c in coders]
    variables = {}
    matched = np.zeros(len(coders))  # codes matching the others' majority, over every variable
    judged = np.zeros(len(coders))
    neighbour = np.zeros(
        len(coders)
    )  # differences on a scale with neighbours that went to a neighbouring code
    neighbour_base = np.zeros(len(coders))  # differences on such a scale
    one_code: dict[int, list[str]] = {}
    for variable, spec in VARIABLES.items():
        labels = list(spec.values)
        n = len(labels)
        matrix = reliability_matrix(coders, statements, variable, labels)
        result = alpha_with_interval(matrix, spec.level, n, draws=draws)
        ref = np.array(
            [labels.index(reference[variable][s]) if s in reference[variable] else np.nan for s in statements]
        )
        major = majority(matrix, n)
        counts = np.array([(matrix == k).sum(axis=0) for k in range(n)]).T  # statements × codes
        coded = (~np.isnan(matrix)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(coded > 0, counts.max(axis=1) / np.maximum(coded, 1), np.nan)
        per_statement = pd.DataFrame(
            {
                "statement": statements,
                "coders": coded,
                "majority": [labels[int(m)] if not np.isnan(m) else "(tie)" for m in major],
                "majority_share": share,
                "reference": [labels[int(r)] if not np.isnan(r) else "" for r in ref],
                "codes": [
                    ", ".join(
                        f"{labels[k]} {counts[i, k]}"
                        for k in np.argsort(-counts[i], kind="stable")
                        if counts[i, k]
                    )
                    for i in range(len(statements))
                ],
            }
        )
        per_statement["split_rank"] = per_statement["majority_share"].rank(method="min").astype("Int64")

        kappa, _, _ = pairwise(matrix, n)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a coder with no pair: NaN, not a warning
            mean_kappa = np.nanmean(kappa, axis=1) if len(coders) > 1 else np.full(len(coders), np.nan)
        if len(coders):
            others = _others_majority(matrix, n)
            both = ~np.isnan(matrix) & ~np.isnan(others)
            agree = both & (matrix == others)
            near = _neighbours(variable, labels)
            if near.any():  # a scale with neighbours: where did each difference go?
                rows, cols = np.nonzero(both & ~agree)
                theirs = others[rows, cols].astype(int)
                keep = near[theirs].any(
                    axis=1
                )  # a code with no neighbour (endorsement) says nothing either way
                rows, cols, theirs = rows[keep], cols[keep], theirs[keep]
                np.add.at(neighbour, rows, near[matrix[rows, cols].astype(int), theirs])
                np.add.at(neighbour_base, rows, 1)
            matched += agree.sum(axis=1)
            judged += both.sum(axis=1)
            for i in range(len(coders)):
                used = set(matrix[i][~np.isnan(matrix[i])])
                if (
                    len(used) == 1
                    and (~np.isnan(matrix[i])).sum() >= 5
                    and len(set(major[~np.isnan(major)])) > 1
                ):
                    one_code.setdefault(i, []).append(f"{variable}: {labels[int(used.pop())]}")
        per_coder = pd.DataFrame(
            {
                "coder": names,
                "coded": (~np.isnan(matrix)).sum(axis=1),
                "vs_reference": agreement_with(matrix, ref) if len(coders) else [],
                "vs_majority": agreement_with(matrix, major) if len(coders) else [],
                "mean_kappa": mean_kappa,
            }
        )
        table = confusion(matrix, ref, labels) if (~np.isnan(ref)).any() and len(coders) else None
        variables[variable] = VariableReport(
            variable, labels, matrix, result, per_statement, per_coder, table
        )

    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(judged > 0, matched / np.maximum(judged, 1), np.nan)
    far = _far_below(pooled)
    flagged, reasons = [], []
    for i, name in enumerate(names):
        counted = f"{int(matched[i])} of {int(judged[i])} codes match the others' majority"
        near_share = neighbour[i] / neighbour_base[i] if neighbour_base[i] else 0.0
        if i in one_code:
            reasons.append(f"one code for every statement ({'; '.join(one_code[i])})")
        elif far[i] and neighbour_base[i] >= 3 and near_share >= NEIGHBOUR_SHARE:
            reasons.append(
                f"far from the class ({counted}), mostly by a neighbouring code ({int(neighbour[i])} of "
                f"{int(neighbour_base[i])} stance and commitment differences): places the boundaries "
                "elsewhere; read the rules together"
            )
        elif far[i]:
            reasons.append(
                f"far from the class ({counted}; {int(neighbour[i])} of {int(neighbour_base[i])} stance "
                "and commitment differences to a neighbouring code): careless, or the codebook misread"
            )
        else:
            reasons.append("")
        if reasons[-1]:
            flagged.append(name)
    summary = pd.DataFrame(
        {
            "coder": names,
            "match_others": pooled,
            "decisions": judged.astype(int),
            "to_neighbour": neighbour.astype(int),
            "differences_on_scales": neighbour_base.astype(int),
            "flag": reasons,
        }
    )
    return ClassReport(statements, names, variables, list(problems or []), flagged, summary)


#: Coder habits for :func:`simulate_class`: the chance a code differs from the reference, and where it goes.
PROFILES = {
    "careful": (0.05, "neighbour"),
    "neighbour-prone": (0.35, "neighbour"),
    "careless": (0.9, "any"),
    "one-code": (1.0, "constant"),
}


def simulate_class(profiles: dict[str, str], statements, seed: int = 0) -> list[Codes]:
    """A simulated class: ``{coder: profile}`` (see :data:`PROFILES`), each coding ``statements`` from the reference
    codes with that habit. Seeded: the same call gives the same class."""
    from course.content.reactions import COMMITMENT_CODES, STANCE_NEIGHBOURS

    rng = np.random.default_rng(seed)
    reference = reference_codes(statements)
    out = []
    for coder, profile in profiles.items():
        error, kind = PROFILES[profile]
        codes = Codes(coder, "simulated")
        constant = {
            v: list(VARIABLES[v].values)[int(rng.integers(len(VARIABLES[v].values)))] for v in VARIABLES
        }
        for sid in statements:
            for variable, spec in VARIABLES.items():
                truth = reference[variable].get(sid)
                if truth is None:
                    continue
                labels = list(spec.values)
                code = truth
                if kind == "constant":
                    code = constant[variable]
                elif rng.random() < error:
                    if kind == "any":
                        code = labels[int(rng.integers(len(labels)))]
                    else:
                        if variable == "commitment":
                            i = COMMITMENT_CODES.index(truth)
                            near = [
                                COMMITMENT_CODES[j] for j in (i - 1, i + 1) if 0 <= j < len(COMMITMENT_CODES)
                            ]
                        elif variable == "stance":
                            near = sorted(
                                next(iter(pair - {truth})) for pair in STANCE_NEIGHBOURS if truth in pair
                            )
                        else:
                            near = [c for c in labels if c != truth]
                        near = near or [c for c in labels if c != truth]  # endorsement has no neighbour
                        code = near[int(rng.integers(len(near)))]
                codes.codes[variable][sid] = code
            codes.why[sid] = f"simulated ({profile})"
        out.append(codes)
    return out

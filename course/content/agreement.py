"""How far independent coders agree: Krippendorff's alpha (with a bootstrap interval), Cohen's kappa for every pair,
percent agreement and confusion tables.

Data come as a *reliability matrix*: one row per coder, one column per unit (statement), each cell the index of the
code on the variable's scale (0, 1, …) or NaN where the coder left the unit uncoded. Alpha comes from the maintained
``krippendorff`` package (nominal for stance and target, ordinal for commitment); the tests check it, and this
module's kappa, against published worked examples.

Cohen's kappa is two lines of arithmetic (observed agreement against the agreement the two coders' own code
frequencies give by chance), computed here for every pair at once with matrix products: a class of 300 gives 44,850
pairs, which a pair-by-pair library call would take seconds to walk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVELS = ("nominal", "ordinal")


@dataclass(frozen=True)
class Alpha:
    value: float
    low: float
    high: float
    level: str
    units: int
    coders: int
    pairable: int  # values in units coded by two coders or more: what alpha rests on
    draws: int


def value_counts(matrix: np.ndarray, n_values: int) -> np.ndarray:
    """Units × values: how many coders gave each unit each code (NaN cells count nowhere)."""
    matrix = np.asarray(matrix, dtype=float)
    counts = np.zeros((matrix.shape[1], n_values), dtype=np.int64)
    coder, unit = np.nonzero(~np.isnan(matrix))
    np.add.at(counts, (unit, matrix[coder, unit].astype(int)), 1)
    return counts


def _alpha_from_counts(counts: np.ndarray, level: str) -> float:
    import krippendorff

    pairable = counts[counts.sum(axis=1) >= 2]
    if pairable.sum() == 0 or (pairable.sum(axis=0) > 0).sum() < 2:
        return float("nan")  # no unit coded twice, or one code only: alpha is undefined
    return float(
        krippendorff.alpha(
            value_counts=pairable, level_of_measurement=level, value_domain=list(range(counts.shape[1]))
        )
    )


def alpha(matrix: np.ndarray, level: str, n_values: int | None = None) -> float:
    """Krippendorff's alpha of a reliability matrix; NaN when undefined (fewer than two codes in pairable units)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    matrix = np.asarray(matrix, dtype=float)
    n_values = n_values or int(np.nanmax(matrix)) + 1
    return _alpha_from_counts(value_counts(matrix, n_values), level)


def alpha_with_interval(
    matrix: np.ndarray, level: str, n_values: int, draws: int = 1000, confidence: float = 0.95, seed: int = 0
) -> Alpha:
    """Alpha and a percentile bootstrap interval over units: statements are resampled with replacement (the
    statements are the sample a class codes; the coders are the class). ``draws`` resamples, fixed ``seed``: the
    same data give the same interval."""
    counts = value_counts(matrix, n_values)
    value = _alpha_from_counts(counts, level)
    rng = np.random.default_rng(seed)
    units = counts.shape[0]
    samples = np.array(
        [_alpha_from_counts(counts[rng.integers(0, units, units)], level) for _ in range(draws)]
    )
    samples = samples[~np.isnan(samples)]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail]) if len(samples) else (float("nan"),) * 2
    pairable = int(counts[counts.sum(axis=1) >= 2].sum())
    coders = int((~np.isnan(np.asarray(matrix, dtype=float))).any(axis=1).sum())
    return Alpha(value, float(low), float(high), level, units, coders, pairable, len(samples))


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' codes (equal-length sequences; a pair with a missing code, None or NaN, is
    left out). NaN when chance agreement is 1 (both coders used one and the same code throughout)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not _missing(x) and not _missing(y)]
    if not pairs:
        return float("nan")
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    codes = {x for x, _ in pairs} | {y for _, y in pairs}
    chance = sum((sum(x == c for x, _ in pairs) / n) * (sum(y == c for _, y in pairs) / n) for c in codes)
    return float("nan") if chance == 1 else (observed - chance) / (1 - chance)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def pairwise(matrix: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every pair of coders at once: (kappa, percent agreement, units both coded), each coders × coders.

    Each pair is judged on the units both coded; kappa's chance term uses each coder's code frequencies on those
    units. The diagonal is NaN."""
    matrix = np.asarray(matrix, dtype=float)
    coded = (~np.isnan(matrix)).astype(float)  # coders × units
    onehot = [(matrix == k).astype(float) for k in range(n_values)]  # NaN == k is False
    both = coded @ coded.T
    agree = sum(o @ o.T for o in onehot)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = agree / both
        # share of i's codes equal to k on the units j also coded, times the same for j
        chance = sum((o @ coded.T) * (o @ coded.T).T for o in onehot) / both**2
        kappa = np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)
    kappa[both == 0] = np.nan
    observed[both == 0] = np.nan
    np.fill_diagonal(kappa, np.nan)
    np.fill_diagonal(observed, np.nan)
    return kappa, observed, both


def agreement_with(matrix: np.ndarray, standard: np.ndarray) -> np.ndarray:
    """Each coder's share of units coded as ``standard`` codes them (a reference key or the class's majority),
    over the units both coded."""
    matrix = np.asarray(matrix, dtype=float)
    standard = np.asarray(standard, dtype=float)
    both = ~np.isnan(matrix) & ~np.isnan(standard)[None, :]
    with np.errstate(invalid="ignore"):
        return np.where(both, matrix == standard[None, :], False).sum(axis=1) / both.sum(axis=1)


def majority(matrix: np.ndarray, n_values: int) -> np.ndarray:
    """Each unit's most frequent code (NaN where nobody coded it or where two codes tie for first)."""
    counts = value_counts(matrix, n_values)
    top = counts.max(axis=1)
    winners = (counts == top[:, None]).sum(axis=1)
    out = counts.argmax(axis=1).astype(float)
    out[(top == 0) | (winners > 1)] = np.nan
    return out


def confusion(codes: np.ndarray, standard: np.ndarray, labels: list[str]):
    """A table of how often each standard code (rows) was coded as each code (columns), over every coder's coded
    units: where the disagreements sit on the scale."""
    import pandas as pd

    codes = np.asarray(codes, dtype=float)
    standard = np.broadcast_to(np.asarray(standard, dtype=float), codes.shape)
    keep = ~np.isnan(codes) & ~np.isnan(standard)
    table = np.zeros((len(labels), len(labels)), dtype=int)
    np.add.at(table, (standard[keep].astype(int), codes[keep].astype(int)), 1)
    return pd.DataFrame(
        table, index=pd.Index(labels, name="standard"), columns=pd.Index(labels, name="coded as")
    )

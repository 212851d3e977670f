"""Fellegi-Sunter: m, u and the match prior by EM on the candidate pairs (u starts from random pairs).

Optional background pairs (non-matches distributed as u) anchor u and the prior when the candidates
hold too few non-matches to learn them from, as on small inputs.

EM runs on the distinct comparison vectors weighted by how many pairs have each one: the same
estimate as on every pair, but a few thousand rows instead of tens of millions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from customers.identity._compare import MISSING

FloatArray = npt.NDArray[np.float64]
LevelArray = npt.NDArray[np.int8]

_SMOOTHING = 0.5
_FLOOR = 1e-6


@dataclass(frozen=True)
class FellegiSunterModel:
    """Per-comparison level probabilities among matches (m) and non-matches (u), and the match prior."""

    m: tuple[FloatArray, ...]
    u: tuple[FloatArray, ...]
    prior: float
    iterations: int
    comparisons: tuple[str, ...] = ()

    def weights(self, levels: LevelArray) -> FloatArray:
        """Match weight of each pair: the sum over comparisons of log2(m/u); a missing value adds 0."""
        total = np.zeros(len(levels), dtype=np.float64)
        for k, (m, u) in enumerate(zip(self.m, self.u, strict=True)):
            column = levels[:, k]
            present = column != MISSING
            ratio = np.log2(m / u)
            total[present] += ratio[column[present]]
        return total

    def posterior(self, levels: LevelArray) -> FloatArray:
        """P(match | comparison vector), with the prior estimated on the candidate pairs."""
        return self.probability(self.weights(levels))

    def probability(self, weights: FloatArray) -> FloatArray:
        """The posterior of pairs with these match weights."""
        log_odds = weights + np.log2(self.prior / (1.0 - self.prior))
        probability: FloatArray = 1.0 / (1.0 + np.exp2(-np.clip(log_odds, -200.0, 200.0)))
        return probability


def _level_frequencies(
    levels: LevelArray,
    weight: FloatArray,
    n_levels: Sequence[int],
    extra: tuple[FloatArray, ...] | None = None,
) -> tuple[FloatArray, ...]:
    """Per comparison, the level frequencies of the pairs at `weight` (plus `extra` pseudo-counts), smoothed."""
    out: list[FloatArray] = []
    for k, size in enumerate(n_levels):
        column = levels[:, k]
        present = column != MISSING
        raw = np.bincount(column[present], weights=weight[present], minlength=size)
        counts = raw.astype(np.float64) + _SMOOTHING / size
        if extra is not None:
            counts = counts + extra[k]
        out.append(np.maximum(counts / counts.sum(), _FLOOR))
    return tuple(out)


def estimate_u(random_levels: LevelArray, n_levels: Sequence[int]) -> tuple[FloatArray, ...]:
    """u probabilities from the comparison vectors of random pairs (almost all non-matches)."""
    return _level_frequencies(random_levels, np.ones(len(random_levels), dtype=np.float64), n_levels)


def fit_em(
    levels: LevelArray,
    u: tuple[FloatArray, ...],
    *,
    counts: FloatArray | None = None,
    comparisons: tuple[str, ...] = (),
    estimate_u_too: bool = True,
    background: float = 0.0,
    max_iter: int = 200,
    tol: float = 1e-6,
) -> FellegiSunterModel:
    """Estimate m, u and the prior by EM on the candidate pairs, u starting from its random-pair estimate.

    `levels` may be distinct comparison vectors with `counts` pairs each (the default is one pair per row).
    Re-estimating u on the candidates matters: blocked non-matches agree on a key far more often than
    random pairs do, and with u held at the random-pair estimate they would all look like matches.

    `background`: pairs outside the candidates taken as non-matches whose comparison vectors follow `u`
    (a Dirichlet prior on u worth that many pairs, which also count in the prior's denominator). On a
    small input the candidates are nearly all matches, so EM alone has no non-matches to learn u from
    and splits the matches into two classes; the background anchors u. On a large input it is
    outweighed by the candidates.
    """
    n_levels = [len(x) for x in u]
    m = tuple(np.linspace(0.05, 1.0, n) ** 3 / (np.linspace(0.05, 1.0, n) ** 3).sum() for n in n_levels)
    model = FellegiSunterModel(m=m, u=u, prior=0.1, iterations=0, comparisons=comparisons)
    weight = np.ones(len(levels), dtype=np.float64) if counts is None else counts.astype(np.float64)
    total = float(weight.sum())
    if total == 0:
        return model
    u_background = tuple(background * x for x in u)
    for iteration in range(1, max_iter + 1):
        p = model.posterior(levels)
        prior = float(np.clip(float((p * weight).sum()) / (total + background), 1e-6, 1 - 1e-6))
        new_m = _level_frequencies(levels, p * weight, n_levels)
        new_u = _level_frequencies(levels, (1.0 - p) * weight, n_levels, u_background) if estimate_u_too else u
        shift = max(float(np.abs(a - b).max()) for a, b in zip(new_m + new_u, model.m + model.u, strict=True))
        model = FellegiSunterModel(m=new_m, u=new_u, prior=prior, iterations=iteration, comparisons=comparisons)
        if shift < tol:
            break
    return model

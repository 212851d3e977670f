"""Unsupervised record linkage of person records: blocking, comparison, Fellegi-Sunter with EM."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from core import ConfigurationError
from customers.identity._blocking import candidate_pairs_dedupe, candidate_pairs_link
from customers.identity._compare import compare_pairs
from customers.identity._model import FellegiSunterModel, estimate_u, fit_em
from customers.identity._normalize import normalize_people

IntArray = npt.NDArray[np.int64]

#: Pairs whose posterior match probability reaches this are matches (the Bayes decision at equal costs).
MATCH_THRESHOLD = 0.5
_RANDOM_PAIRS = 100_000
_SEED = 20240611


@dataclass(frozen=True)
class ScoredPairs:
    """Candidate pairs (row-index labels) with their match weight and posterior match probability."""

    left: IntArray
    right: IntArray
    weight: npt.NDArray[np.float64]
    probability: npt.NDArray[np.float64]
    model: FellegiSunterModel

    def matches(self, threshold: float = MATCH_THRESHOLD) -> set[tuple[int, int]]:
        keep = self.probability >= threshold
        return {(int(a), int(b)) for a, b in zip(self.left[keep], self.right[keep], strict=True)}


def _labels(df: pd.DataFrame) -> IntArray:
    if not pd.api.types.is_integer_dtype(df.index.dtype):
        raise ConfigurationError("person records need an integer row index (e.g. a RangeIndex)")
    if not df.index.is_unique:
        raise ConfigurationError("person records need a unique row index")
    labels: IntArray = df.index.to_numpy(dtype=np.int64)
    return labels


def _random_positions(n_left: int, n_right: int, *, same: bool) -> tuple[IntArray, IntArray]:
    rng = np.random.default_rng(_SEED)
    size = min(_RANDOM_PAIRS, n_left * n_right)
    li = rng.integers(0, n_left, size=size, dtype=np.int64)
    ri = rng.integers(0, n_right, size=size, dtype=np.int64)
    if same:
        keep = li != ri
        li, ri = li[keep], ri[keep]
    return li, ri


def _score(
    left: pd.DataFrame, right: pd.DataFrame, li: IntArray, ri: IntArray, *, same: bool
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], FellegiSunterModel]:
    levels = compare_pairs(left, right, li, ri)
    random_li, random_ri = _random_positions(len(left), len(right), same=same)
    u = estimate_u(compare_pairs(left, right, random_li, random_ri))
    model = fit_em(levels, u)
    return model.weights(levels), model.posterior(levels), model


def score_dedupe(df: pd.DataFrame) -> ScoredPairs:
    """Score every candidate pair of records within `df` (labels ordered i < j)."""
    labels = _labels(df)
    people = normalize_people(df)
    li, ri = candidate_pairs_dedupe(people)
    weight, probability, model = _score(people, people, li, ri, same=True)
    a, b = labels[li], labels[ri]
    return ScoredPairs(np.minimum(a, b), np.maximum(a, b), weight, probability, model)


def score_link(df_a: pd.DataFrame, df_b: pd.DataFrame) -> ScoredPairs:
    """Score every candidate pair (record of `df_a`, record of `df_b`)."""
    labels_a, labels_b = _labels(df_a), _labels(df_b)
    people_a, people_b = normalize_people(df_a), normalize_people(df_b)
    li, ri = candidate_pairs_link(people_a, people_b)
    weight, probability, model = _score(people_a, people_b, li, ri, same=False)
    return ScoredPairs(labels_a[li], labels_b[ri], weight, probability, model)


def match_dedupe(df: pd.DataFrame) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, of row-index labels of `df` judged to be the same person.

    Reads only the ten person fields; an id column such as ``rec_id`` is never looked at.
    """
    return score_dedupe(df).matches()


def match_link(df_a: pd.DataFrame, df_b: pd.DataFrame) -> set[tuple[int, int]]:
    """Pairs (index label in `df_a`, index label in `df_b`) judged to be the same person."""
    return score_link(df_a, df_b).matches()

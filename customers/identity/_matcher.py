"""Unsupervised record linkage of person records: blocking, comparison, Fellegi-Sunter with EM."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from core import ConfigurationError
from customers.identity._blocking import candidate_pairs_dedupe, candidate_pairs_link
from customers.identity._compare import (
    Comparer,
    Comparison,
    LevelArray,
    PatternArray,
    comparisons_for,
    decode_patterns,
    pattern_codes,
    pattern_space,
)
from customers.identity._model import FellegiSunterModel, estimate_u, fit_em
from customers.identity._normalize import CONTACT_FIELDS, PERSON_FIELDS, PeopleTable, check_person_columns, people_table

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Pairs whose posterior match probability reaches this are matches (the Bayes decision at equal costs).
MATCH_THRESHOLD = 0.5
_RANDOM_PAIRS = 100_000
_SEED = 20240611
#: Candidate pairs are compared this many at a time, which bounds the memory of the temporaries.
CHUNK_PAIRS = 1_000_000
#: This many pairs from outside the candidates join EM as non-matches that look like random pairs (see
#: `fit_em`'s `background`). A few hundred records give ~100 candidates, nearly all duplicates: the background
#: is then most of what EM knows of non-matches, and it keeps the prior away from 1. It must stay small
#: beside the blocked non-matches of data with households: a few hundred relatives (same address and
#: surname) have to outweigh it, or u says relatives agree as rarely as strangers and they are linked
#: (with 10,000, a 250-record sample rich in households kept about half its precision). Thousands of
#: records give tens of thousands of candidates, beside which it is negligible.
BACKGROUND_PAIRS = 100


@dataclass(frozen=True)
class ScoredPairs:
    """Candidate pairs (row-index labels) with their match weight and posterior match probability."""

    left: IntArray
    right: IntArray
    weight: FloatArray
    probability: FloatArray
    model: FellegiSunterModel

    def matches(self, threshold: float = MATCH_THRESHOLD) -> set[tuple[int, int]]:
        keep = self.probability >= threshold
        return {(int(a), int(b)) for a, b in zip(self.left[keep], self.right[keep], strict=True)}


@dataclass(frozen=True)
class ScoredCandidates:
    """Candidate pairs by table position with their comparison-vector code; weights are looked up per code."""

    left: IntArray
    right: IntArray
    patterns: PatternArray
    model: FellegiSunterModel
    comparisons: tuple[Comparison, ...]
    pattern_weight: FloatArray
    pattern_probability: FloatArray

    def weight(self) -> FloatArray:
        out: FloatArray = self.pattern_weight[self.patterns]
        return out

    def probability(self) -> FloatArray:
        out: FloatArray = self.pattern_probability[self.patterns]
        return out

    def levels(self, rows: IntArray) -> LevelArray:
        """The comparison vectors of the candidate pairs at `rows`."""
        return decode_patterns(self.patterns[rows], self.comparisons)


def _labels(df: pd.DataFrame) -> IntArray:
    if not pd.api.types.is_integer_dtype(df.index.dtype):
        raise ConfigurationError("person records need an integer row index (e.g. a RangeIndex)")
    if not df.index.is_unique:
        raise ConfigurationError("person records need a unique row index")
    labels: IntArray = df.index.to_numpy(dtype=np.int64)
    return labels


def random_positions(n_left: int, n_right: int, *, same: bool) -> tuple[IntArray, IntArray]:
    rng = np.random.default_rng(_SEED)
    size = min(_RANDOM_PAIRS, n_left * n_right)
    li = rng.integers(0, n_left, size=size, dtype=np.int64)
    ri = rng.integers(0, n_right, size=size, dtype=np.int64)
    if same:
        keep = li != ri
        li, ri = li[keep], ri[keep]
    return li, ri


def score_candidates(
    table: PeopleTable, li: IntArray, ri: IntArray, random_li: IntArray, random_ri: IntArray, *, all_pairs: int
) -> ScoredCandidates:
    """Compare the candidate pairs in chunks, fit the model by EM on their distinct comparison vectors.

    `all_pairs` is how many pairs the task has, candidates or not: `BACKGROUND_PAIRS` of the others (fewer
    if there are fewer) enter EM as non-matches distributed like the random pairs.
    """
    comparisons = comparisons_for(table)
    comparer = Comparer(table, comparisons, expected_pairs=len(li) + len(random_li))
    patterns = np.empty(len(li), dtype=np.int32)
    for start in range(0, len(li), CHUNK_PAIRS):
        stop = start + CHUNK_PAIRS
        patterns[start:stop] = pattern_codes(comparer.levels(li[start:stop], ri[start:stop]), comparisons)
    u = estimate_u(comparer.levels(random_li, random_ri), [c.n_levels for c in comparisons])
    space = pattern_space(comparisons)
    counts = np.bincount(patterns, minlength=space)
    seen = np.flatnonzero(counts)
    seen_levels = decode_patterns(seen, comparisons)
    names = tuple(c.name for c in comparisons)
    background = float(min(all_pairs - len(li), BACKGROUND_PAIRS)) if len(random_li) else 0.0
    model = fit_em(seen_levels, u, counts=counts[seen].astype(np.float64), comparisons=names, background=background)
    pattern_weight = np.zeros(space, dtype=np.float64)
    pattern_weight[seen] = model.weights(seen_levels)
    pattern_probability = np.zeros(space, dtype=np.float64)
    pattern_probability[seen] = model.probability(pattern_weight[seen])
    return ScoredCandidates(li, ri, patterns, model, comparisons, pattern_weight, pattern_probability)


def _person_columns(df: pd.DataFrame) -> pd.DataFrame:
    check_person_columns(df)
    return df[[c for c in (*PERSON_FIELDS, *CONTACT_FIELDS) if c in df.columns]]


def score_dedupe(df: pd.DataFrame) -> ScoredPairs:
    """Score every candidate pair of records within `df` (labels ordered i < j)."""
    labels = _labels(df)
    table = people_table(df)
    li, ri = candidate_pairs_dedupe(table)
    all_pairs = table.size * (table.size - 1) // 2
    scored = score_candidates(table, li, ri, *random_positions(table.size, table.size, same=True), all_pairs=all_pairs)
    a, b = labels[li], labels[ri]
    return ScoredPairs(np.minimum(a, b), np.maximum(a, b), scored.weight(), scored.probability(), scored.model)


def score_link(df_a: pd.DataFrame, df_b: pd.DataFrame) -> ScoredPairs:
    """Score every candidate pair (record of `df_a`, record of `df_b`)."""
    labels_a, labels_b = _labels(df_a), _labels(df_b)
    both = pd.concat([_person_columns(df_a), _person_columns(df_b)], ignore_index=True)
    table = people_table(both)
    n_a = len(df_a)
    li, ri = candidate_pairs_link(table, n_a)
    random_li, random_ri = random_positions(n_a, len(df_b), same=False)
    scored = score_candidates(table, li, ri + n_a, random_li, random_ri + n_a, all_pairs=n_a * len(df_b))
    return ScoredPairs(labels_a[li], labels_b[ri], scored.weight(), scored.probability(), scored.model)


def match_dedupe(df: pd.DataFrame) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, of row-index labels of `df` judged to be the same person.

    Reads only the person fields (and ``email``/``phone`` when present); an id column such as
    ``rec_id`` is never looked at.
    """
    return score_dedupe(df).matches()


def match_link(df_a: pd.DataFrame, df_b: pd.DataFrame) -> set[tuple[int, int]]:
    """Pairs (index label in `df_a`, index label in `df_b`) judged to be the same person."""
    return score_link(df_a, df_b).matches()

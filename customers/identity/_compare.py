"""Comparison vectors: for each candidate pair, one agreement level per comparison (-1 = a value is missing)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from customers.identity._normalize import ADDRESS_FIELDS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
LevelArray = npt.NDArray[np.int8]

MISSING = -1


@dataclass(frozen=True)
class Comparison:
    """One comparison: its name and how many agreement levels it has (0 = disagree ... n_levels - 1 = exact)."""

    name: str
    n_levels: int


COMPARISONS = (
    Comparison("given_name", 4),
    Comparison("surname", 4),
    Comparison("date_of_birth", 4),
    Comparison("soc_sec_id", 4),
    Comparison("address", 5),
)


def _values(people: pd.DataFrame, field: str, positions: IntArray) -> list[str]:
    return [str(v) for v in people[field].to_numpy(dtype=object)[positions]]


def _jaro_winkler(a: list[str], b: list[str]) -> FloatArray:
    if not a:
        return np.empty(0, dtype=np.float64)
    return np.asarray(cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=1), dtype=np.float64)


def _edits(a: list[str], b: list[str]) -> IntArray:
    if not a:
        return np.empty(0, dtype=np.int64)
    return np.asarray(cpdist(a, b, scorer=Levenshtein.distance, workers=1), dtype=np.int64)


def _missing(a: list[str], b: list[str]) -> BoolArray:
    return np.array([not x or not y for x, y in zip(a, b, strict=True)], dtype=bool)


def _equal(a: list[str], b: list[str]) -> BoolArray:
    return np.array([x == y for x, y in zip(a, b, strict=True)], dtype=bool)


def _name_levels(a: list[str], b: list[str], swapped: BoolArray) -> LevelArray:
    similarity = _jaro_winkler(a, b)
    level = np.select([_equal(a, b) | swapped, similarity >= 0.92, similarity >= 0.8], [3, 2, 1], 0)
    return np.where(_missing(a, b), MISSING, level).astype(np.int8)


def _dob_levels(a: list[str], b: list[str]) -> LevelArray:
    edits = _edits(a, b)
    day_month_swap = np.array(
        [
            len(x) == 8 and len(y) == 8 and x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]
            for x, y in zip(a, b, strict=True)
        ],
        dtype=bool,
    )
    year_off = np.array(
        [
            len(x) == 8
            and len(y) == 8
            and x[4:] == y[4:]
            and x[:4].isdigit()
            and y[:4].isdigit()
            and abs(int(x[:4]) - int(y[:4])) <= 1
            for x, y in zip(a, b, strict=True)
        ],
        dtype=bool,
    )
    level = np.select([edits == 0, (edits <= 1) | day_month_swap | year_off, edits <= 2], [3, 2, 1], 0)
    return np.where(_missing(a, b), MISSING, level).astype(np.int8)


def _id_levels(a: list[str], b: list[str]) -> LevelArray:
    edits = _edits(a, b)
    level = np.select([edits == 0, edits <= 1, edits <= 2], [3, 2, 1], 0)
    return np.where(_missing(a, b), MISSING, level).astype(np.int8)


def _address_levels(left: pd.DataFrame, right: pd.DataFrame, li: IntArray, ri: IntArray) -> LevelArray:
    """The whole address as ONE comparison: mean Jaro-Winkler over the address parts both records have."""
    total = np.zeros(len(li), dtype=np.float64)
    count = np.zeros(len(li), dtype=np.float64)
    all_equal = np.ones(len(li), dtype=bool)
    for field in ADDRESS_FIELDS:
        a, b = _values(left, field, li), _values(right, field, ri)
        present = ~_missing(a, b)
        similarity = _jaro_winkler(a, b)
        total += np.where(present, similarity, 0.0)
        count += present
        all_equal &= ~present | _equal(a, b)
    score = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    level = np.select([all_equal & (count >= 4), score >= 0.95, score >= 0.85, score >= 0.7], [4, 3, 2, 1], 0)
    return np.where(count < 2, MISSING, level).astype(np.int8)


def compare_pairs(left: pd.DataFrame, right: pd.DataFrame, li: IntArray, ri: IntArray) -> LevelArray:
    """Agreement levels, shape (n_pairs, len(COMPARISONS)), of record `li[k]` of `left` and `ri[k]` of `right`."""
    given_l, given_r = _values(left, "given_name", li), _values(right, "given_name", ri)
    surname_l, surname_r = _values(left, "surname", li), _values(right, "surname", ri)
    swapped = np.array(
        [
            g1 != s1 and g1 == s2 and s1 == g2
            for g1, s1, g2, s2 in zip(given_l, surname_l, given_r, surname_r, strict=True)
        ],
        dtype=bool,
    )
    columns = [
        _name_levels(given_l, given_r, swapped),
        _name_levels(surname_l, surname_r, swapped),
        _dob_levels(_values(left, "date_of_birth", li), _values(right, "date_of_birth", ri)),
        _id_levels(_values(left, "soc_sec_id", li), _values(right, "soc_sec_id", ri)),
        _address_levels(left, right, li, ri),
    ]
    return np.stack(columns, axis=1) if len(li) else np.empty((0, len(COMPARISONS)), dtype=np.int8)

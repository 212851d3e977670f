"""Comparison vectors: for each candidate pair, one agreement level per comparison (-1 = a value is missing).

Pairs are compared on integer codes: equal codes are equal values, so string similarities are computed
only for pairs whose values differ. Similarities between a field's most frequent values come from one
matrix; edit distances are skipped when a cheap lower bound already exceeds the cutoff; the rest go
to rapidfuzz over two workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.process import cdist, cpdist

from customers.identity._normalize import ADDRESS_FIELDS, Field, PeopleTable, email_local_part

CodeArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
LevelArray = npt.NDArray[np.int8]
PatternArray = npt.NDArray[np.int32]

MISSING = -1
WORKERS = 2
#: At most this many of a field's most frequent values get their pairwise similarities computed once, as a matrix
#: (fewer when there are few pairs to compare: a matrix of k values costs about k * k pair comparisons).
_MATRIX_VALUES = 2048


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
#: Optional comparisons, used when the records have the column: exact; same local part or one edit; different.
EMAIL = Comparison("email", 3)
#: Exact (last 9 digits); one edit apart; different.
PHONE = Comparison("phone", 3)


def comparisons_for(table: PeopleTable) -> tuple[Comparison, ...]:
    """The five person comparisons, plus e-mail and phone when the records have those columns."""
    optional = tuple(c for c in (EMAIL, PHONE) if table.has(c.name))
    return COMPARISONS + optional


def pattern_codes(levels: LevelArray, comparisons: tuple[Comparison, ...]) -> PatternArray:
    """One integer per comparison vector (mixed radix), so EM and scoring work on distinct vectors."""
    code = np.zeros(len(levels), dtype=np.int32)
    base = 1
    for k, comparison in enumerate(comparisons):
        code += (levels[:, k].astype(np.int32) + 1) * base
        base *= comparison.n_levels + 1
    return code


def pattern_space(comparisons: tuple[Comparison, ...]) -> int:
    return int(np.prod([c.n_levels + 1 for c in comparisons]))


def decode_patterns(codes: npt.NDArray[np.integer[Any]], comparisons: tuple[Comparison, ...]) -> LevelArray:
    """The comparison vectors of pattern codes (the inverse of `pattern_codes`)."""
    out = np.empty((len(codes), len(comparisons)), dtype=np.int8)
    rest = codes.astype(np.int64)
    for k, comparison in enumerate(comparisons):
        out[:, k] = rest % (comparison.n_levels + 1) - 1
        rest = rest // (comparison.n_levels + 1)
    return out


def _lookup(values: npt.NDArray[Any], sentinel: Any) -> npt.NDArray[Any]:
    """Per-distinct-value array with a trailing entry for code -1 (missing)."""
    return np.append(values, sentinel)


class _DateParts:
    """Year, month and day of every distinct date of birth, so swaps and year slips compare as integers."""

    def __init__(self, field: Field) -> None:
        values = [str(v) for v in field.values]
        self.full = _lookup(np.array([len(v) == 8 for v in values], dtype=bool), False)
        self.digit_year = _lookup(np.array([v[:4].isdecimal() for v in values], dtype=bool), False)
        self.year = _lookup(np.array([int(v[:4]) if v[:4].isdecimal() else 0 for v in values], dtype=np.int64), 0)
        two = pd.factorize(pd.Series([v[4:6] for v in values] + [v[6:8] for v in values], dtype=object))[0]
        self.month = _lookup(np.asarray(two[: len(values)], dtype=np.int64), -1)
        self.day = _lookup(np.asarray(two[len(values) :], dtype=np.int64), -2)
        self.yyyy = _lookup(np.asarray(pd.factorize(pd.Series([v[:4] for v in values], dtype=object))[0]), -1)
        self.mmdd = _lookup(np.asarray(pd.factorize(pd.Series([v[4:] for v in values], dtype=object))[0]), -1)

    def swapped_or_year_off(self, cl: CodeArray, cr: CodeArray) -> BoolArray:
        full = self.full[cl] & self.full[cr]
        swap = (self.yyyy[cl] == self.yyyy[cr]) & (self.month[cl] == self.day[cr]) & (self.day[cl] == self.month[cr])
        year_off = (
            (self.mmdd[cl] == self.mmdd[cr])
            & self.digit_year[cl]
            & self.digit_year[cr]
            & (np.abs(self.year[cl] - self.year[cr]) <= 1)
        )
        out: BoolArray = full & (swap | year_off)
        return out


class _TopMatrix:
    """Jaro-Winkler between the most frequent values of a field, as one matrix.

    ``cdist`` converts each string once, where ``cpdist`` converts both strings of every pair, so the
    pairs of common values (most pairs: names, suburbs and postcodes follow Zipf) cost a lookup.
    """

    def __init__(self, values: ObjectArray, codes: CodeArray, size: int) -> None:
        counts = np.bincount(codes[codes >= 0], minlength=len(values))
        top = np.argsort(-counts, kind="stable")[: min(size, len(values))]
        self.rank = np.full(len(values) + 1, -1, dtype=np.int64)
        self.rank[top] = np.arange(len(top), dtype=np.int64)
        self.matrix = np.asarray(
            cdist(values[top], values[top], scorer=JaroWinkler.normalized_similarity, workers=WORKERS),
            dtype=np.float32,
        )


def _character_counts(values: ObjectArray) -> npt.NDArray[np.uint8]:
    """Per value, how many of its characters fall in each of 16 bins (code point mod 16, capped at 255).

    Levenshtein and OSA distances are at least the bag distance (the larger one-sided multiset
    difference), and merging characters into bins or capping counts only lowers it, so a bag distance
    above the cutoff settles a pair without computing the distance. Values that are not ASCII get
    all-zero rows and are always computed.
    """
    encoded = [str(v).encode() for v in values]
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    ascii_only = np.array([len(e) == len(str(v)) for e, v in zip(encoded, values, strict=True)], dtype=bool)
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    owner = np.repeat(np.arange(len(values), dtype=np.int64), lengths)
    counts = np.bincount(owner * 16 + data % 16, minlength=len(values) * 16).reshape(len(values), 16)
    out = np.minimum(counts, 255).astype(np.uint8)
    out[~ascii_only] = 0
    return out


def _bag_distance(counts: npt.NDArray[np.uint8], sizes: CodeArray, a: CodeArray, b: CodeArray) -> CodeArray:
    """A lower bound of the edit distance of each pair: max(|A|, |B|) - |A and B| over the binned multisets."""
    common = np.minimum(counts[a], counts[b]).sum(axis=1, dtype=np.int64)
    out: CodeArray = np.maximum(sizes[a], sizes[b]) - common
    return out


class Comparer:
    """Computes agreement levels of record pairs of one `PeopleTable` (both sides index the same table)."""

    def __init__(self, table: PeopleTable, comparisons: tuple[Comparison, ...], *, expected_pairs: int) -> None:
        """`expected_pairs`: how many pairs will be compared; the similarity matrices are sized to it."""
        self.table = table
        self.comparisons = comparisons
        self._matrix_size = min(_MATRIX_VALUES, int(np.sqrt(expected_pairs)))
        self._dates = _DateParts(table["date_of_birth"])
        self._matrices: dict[str, _TopMatrix] = {}
        self._counts: dict[str, tuple[npt.NDArray[np.uint8], CodeArray]] = {}
        self._email_local: CodeArray | None = None
        if table.has("email"):
            local = pd.factorize(pd.Series(table["email"].mapped(email_local_part), dtype=object))[0]
            self._email_local = _lookup(np.asarray(local, dtype=np.int64), -1)

    def _matrix(self, name: str) -> _TopMatrix:
        if name not in self._matrices:
            if name == "names":  # given names and surnames share one vocabulary
                field = self.table["given_name"]
                codes = np.concatenate([field.codes, self.table["surname"].codes])
            else:
                field = self.table[name]
                codes = field.codes
            self._matrices[name] = _TopMatrix(field.values, codes, self._matrix_size)
        return self._matrices[name]

    def levels(self, li: CodeArray, ri: CodeArray) -> LevelArray:
        """Agreement levels, shape (n_pairs, len(comparisons)), of the records at positions `li[k]` and `ri[k]`."""
        if not len(li):
            return np.empty((0, len(self.comparisons)), dtype=np.int8)
        given, surname = self.table["given_name"], self.table["surname"]
        gl, gr, sl, sr = given.codes[li], given.codes[ri], surname.codes[li], surname.codes[ri]
        swapped = (gl != sl) & (gl == sr) & (sl == gr)
        columns: dict[str, LevelArray] = {
            "given_name": self._name_levels(given, gl, gr, swapped),
            "surname": self._name_levels(surname, sl, sr, swapped),
            "date_of_birth": self._dob_levels(li, ri),
            "soc_sec_id": self._id_levels(li, ri),
            "address": self._address_levels(li, ri),
        }
        if self.table.has("email"):
            columns["email"] = self._email_levels(li, ri)
        if self.table.has("phone"):
            columns["phone"] = self._phone_levels(li, ri)
        return np.stack([columns[c.name] for c in self.comparisons], axis=1)

    def _jaro_winkler(self, name: str, field: Field, cl: CodeArray, cr: CodeArray, need: BoolArray) -> FloatArray:
        """Jaro-Winkler similarity where `need` (0 elsewhere); float32 as rapidfuzz returns it, widened."""
        out = np.zeros(len(cl), dtype=np.float64)
        if not need.any():
            return out
        a, b = cl[need], cr[need]
        top = self._matrix(name)
        ra, rb = top.rank[a], top.rank[b]
        hit = (ra >= 0) & (rb >= 0)
        similarity = np.empty(len(a), dtype=np.float32)
        similarity[hit] = top.matrix[ra[hit], rb[hit]]
        miss = ~hit
        if miss.any():
            similarity[miss] = cpdist(
                field.values[a[miss]],
                field.values[b[miss]],
                scorer=JaroWinkler.normalized_similarity,
                workers=WORKERS,
                dtype=np.float32,
            )
        out[need] = similarity
        return out

    def _distance(
        self, scorer: Callable[..., Any], cutoff: int, name: str, cl: CodeArray, cr: CodeArray, need: BoolArray
    ) -> CodeArray:
        """Edit distance where `need` (capped at cutoff + 1), 0 elsewhere; pairs whose bag distance exceeds the
        cutoff are settled without computing it."""
        field = self.table[name]
        out = np.zeros(len(cl), dtype=np.int64)
        if not need.any():
            return out
        if name not in self._counts:
            counts = _character_counts(field.values)
            self._counts[name] = (counts, counts.sum(axis=1, dtype=np.int64))
        counts, sizes = self._counts[name]
        rows = np.flatnonzero(need)
        a, b = cl[rows], cr[rows]
        out[rows] = cutoff + 1
        close = np.abs(sizes[a] - sizes[b]) <= cutoff
        close[close] = _bag_distance(counts, sizes, a[close], b[close]) <= cutoff
        if close.any():
            out[rows[close]] = cpdist(
                field.values[a[close]], field.values[b[close]], scorer=scorer, score_cutoff=cutoff, workers=WORKERS
            )
        return out

    def _name_levels(self, field: Field, cl: CodeArray, cr: CodeArray, swapped: BoolArray) -> LevelArray:
        present = (cl >= 0) & (cr >= 0)
        exact = (cl == cr) | swapped
        similarity = self._jaro_winkler("names", field, cl, cr, present & ~exact)
        level = np.select([exact, similarity >= 0.92, similarity >= 0.8], [3, 2, 1], 0)
        return np.where(present, level, MISSING).astype(np.int8)

    def _dob_levels(self, li: CodeArray, ri: CodeArray) -> LevelArray:
        field = self.table["date_of_birth"]
        cl, cr = field.codes[li], field.codes[ri]
        present = (cl >= 0) & (cr >= 0)
        equal = cl == cr
        edits = self._distance(Levenshtein.distance, 2, "date_of_birth", cl, cr, present & ~equal)
        near = (edits <= 1) | self._dates.swapped_or_year_off(cl, cr)
        level = np.select([equal, near, edits <= 2], [3, 2, 1], 0)
        return np.where(present, level, MISSING).astype(np.int8)

    def _id_levels(self, li: CodeArray, ri: CodeArray) -> LevelArray:
        field = self.table["soc_sec_id"]
        cl, cr = field.codes[li], field.codes[ri]
        present = (cl >= 0) & (cr >= 0)
        equal = cl == cr
        edits = self._distance(Levenshtein.distance, 2, "soc_sec_id", cl, cr, present & ~equal)
        level = np.select([equal, edits <= 1, edits <= 2], [3, 2, 1], 0)
        return np.where(present, level, MISSING).astype(np.int8)

    def _address_levels(self, li: CodeArray, ri: CodeArray) -> LevelArray:
        """The whole address as ONE comparison: mean Jaro-Winkler over the address parts both records have."""
        total = np.zeros(len(li), dtype=np.float64)
        count = np.zeros(len(li), dtype=np.float64)
        all_equal = np.ones(len(li), dtype=bool)
        for name in ADDRESS_FIELDS:
            field = self.table[name]
            cl, cr = field.codes[li], field.codes[ri]
            present = (cl >= 0) & (cr >= 0)
            equal = cl == cr
            similarity = self._jaro_winkler(name, field, cl, cr, present & ~equal)
            total += np.where(present, np.where(equal, 1.0, similarity), 0.0)
            count += present
            all_equal &= ~present | equal
        score = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        level = np.select([all_equal & (count >= 4), score >= 0.95, score >= 0.85, score >= 0.7], [4, 3, 2, 1], 0)
        return np.where(count < 2, MISSING, level).astype(np.int8)

    def _email_levels(self, li: CodeArray, ri: CodeArray) -> LevelArray:
        field = self.table["email"]
        cl, cr = field.codes[li], field.codes[ri]
        present = (cl >= 0) & (cr >= 0)
        equal = cl == cr
        assert self._email_local is not None
        same_local = self._email_local[cl] == self._email_local[cr]
        edits = self._distance(OSA.distance, 1, "email", cl, cr, present & ~equal & ~same_local)
        level = np.select([equal, same_local | (edits <= 1)], [2, 1], 0)
        return np.where(present, level, MISSING).astype(np.int8)

    def _phone_levels(self, li: CodeArray, ri: CodeArray) -> LevelArray:
        field = self.table["phone"]
        cl, cr = field.codes[li], field.codes[ri]
        present = (cl >= 0) & (cr >= 0)
        equal = cl == cr
        edits = self._distance(OSA.distance, 1, "phone", cl, cr, present & ~equal)
        level = np.select([equal, edits <= 1], [2, 1], 0)
        return np.where(present, level, MISSING).astype(np.int8)

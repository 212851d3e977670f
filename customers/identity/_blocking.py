"""Blocking: the union of several cheap keys, so true pairs are kept while the candidate set stays small.

Keys are integer codes (-1 = no key) built from the factorised fields; pairs are generated per block
with numpy and encoded as ``left * n_right + right`` so the union over keys is one sort.

Block sizes are capped twice. A block of more than `MAX_BLOCK_SIZE` records says little and is skipped.
At scale a key with small blocks can still produce far more pairs than it is worth (a date of birth
shared by 40 of a million people): each key may produce at most `pair_budget(n)` pairs, and when it
would produce more its largest blocks are dropped first. The budget is at least a million pairs per
key, far above what data sets of tens of thousands of records produce, so they are blocked as before.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from customers.identity._normalize import Field, PeopleTable, soundex

CodeArray = npt.NDArray[np.int64]

#: Blocks with more records than this are skipped (a key shared by that many records says little).
MAX_BLOCK_SIZE = 400
#: Each key may produce this many pairs per record (and at least `MIN_PAIRS_PER_KEY`) before its largest blocks go.
PAIRS_PER_KEY_PER_RECORD = 3
MIN_PAIRS_PER_KEY = 1_000_000


def pair_budget(n_records: int) -> int:
    """The most pairs one blocking key may contribute for `n_records` records."""
    return max(MIN_PAIRS_PER_KEY, PAIRS_PER_KEY_PER_RECORD * n_records)


def _compact(key: CodeArray) -> CodeArray:
    """Re-number the key values 0..k-1 (so keys combined again do not overflow); -1 stays missing."""
    out = np.full(len(key), -1, dtype=np.int64)
    valid = key >= 0
    out[valid] = pd.factorize(key[valid])[0]
    return out


def combine(*parts: CodeArray) -> CodeArray:
    """One key from several: equal only when every part is equal; missing when any part is missing."""
    key = parts[0].copy()
    missing = key < 0
    for part in parts[1:]:
        missing |= part < 0
        key = np.where(missing, -1, key * (int(part.max(initial=0)) + 1) + np.maximum(part, 0))
        key = _compact(key)
    return np.where(missing, -1, key)


def _names(table: PeopleTable) -> Field:
    """Given names then surnames, in their shared vocabulary (so one derived code works for both)."""
    return Field(np.concatenate([table["given_name"].codes, table["surname"].codes]), table["given_name"].values)


def blocking_keys(table: PeopleTable) -> list[CodeArray]:
    """The blocking keys of the records (one code array per key; -1 = the record has no such key)."""
    n = table.size
    names_sx = _names(table).derive(soundex, sort=True).codes  # sorted, so code order is string order
    given_sx, surname_sx = names_sx[:n], names_sx[n:]
    low, high = np.minimum(given_sx, surname_sx), np.maximum(given_sx, surname_sx)
    prefix3 = _names(table).derive(lambda v: v[:3]).codes
    prefix2 = _names(table).derive(lambda v: v[:2]).codes
    dob = table["date_of_birth"]
    postcode, street_number = table["postcode"].codes, table["street_number"].codes
    keys = [
        table["soc_sec_id"].codes,
        dob.codes,
        combine(surname_sx, postcode),
        combine(low, high),
        combine(prefix3[:n], dob.derive(lambda v: v[:4]).codes),
        combine(prefix3[n:], dob.derive(lambda v: v[4:8]).codes),
        combine(postcode, street_number),
        combine(table["address_1"].derive(soundex).codes, street_number, table["suburb"].derive(lambda v: v[:2]).codes),
        combine(prefix2[:n], prefix2[n:], table["state"].codes),
    ]
    if table.has("email"):
        keys.append(table["email"].codes)
    if table.has("phone"):
        keys.append(table["phone"].derive(lambda v: v[-8:]).codes)
    return keys


def _size_cap(sizes: CodeArray, budget: int | None) -> int:
    """The largest block size such that all blocks up to it (and at most MAX_BLOCK_SIZE) fit the pair budget."""
    usable = np.sort(sizes[(sizes >= 2) & (sizes <= MAX_BLOCK_SIZE)])
    pairs = np.cumsum(usable * (usable - 1) // 2)
    if budget is None or not len(pairs) or pairs[-1] <= budget:
        return MAX_BLOCK_SIZE
    last_of_size = np.r_[usable[1:] != usable[:-1], True]
    fits = last_of_size & (pairs <= budget)
    return int(usable[fits].max()) if fits.any() else 1


def pairs_within(key: CodeArray, *, max_size: int = MAX_BLOCK_SIZE, budget: int | None = None) -> CodeArray:
    """Codes ``i * n + j`` (i < j) of the record pairs sharing a key value, from blocks of at most `max_size`."""
    n = len(key)
    positions = np.flatnonzero(key >= 0)
    order = np.argsort(key[positions], kind="stable")
    positions = positions[order]
    sorted_key = key[positions]
    if len(sorted_key) < 2:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_key)])
    cap = min(max_size, _size_cap(sizes, budget))
    keep = (sizes >= 2) & (sizes <= cap)
    group = np.repeat(np.arange(len(starts)), sizes)
    ends = (starts + sizes)[group]
    count = np.where(keep[group], ends - np.arange(len(sorted_key)) - 1, 0)
    left = np.repeat(np.arange(len(sorted_key)), count)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(count) - count, count)
    codes: CodeArray = positions[left] * n + positions[left + 1 + offset]
    return codes


def pairs_across(key: CodeArray, n_left: int) -> CodeArray:
    """Codes ``i * n_right + j`` of the pairs (record i of the first `n_left`, record j of the rest) sharing a key.

    A block is skipped when either side has more than MAX_BLOCK_SIZE records in it.
    """
    key_l, key_r = key[:n_left], key[n_left:]
    n_right = len(key_r)
    n_codes = int(key.max(initial=-1)) + 1
    count_l = np.bincount(key_l[key_l >= 0], minlength=n_codes)
    count_r = np.bincount(key_r[key_r >= 0], minlength=n_codes)
    usable = (count_l <= MAX_BLOCK_SIZE) & (count_r <= MAX_BLOCK_SIZE)
    right_positions = np.flatnonzero(key_r >= 0)
    right_sorted = right_positions[np.argsort(key_r[right_positions], kind="stable")]
    right_start = np.cumsum(count_r) - count_r
    left_positions = np.flatnonzero(key_l >= 0)
    left_positions = left_positions[usable[key_l[left_positions]]]
    block = key_l[left_positions]
    count = count_r[block]
    left = np.repeat(left_positions, count)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(count) - count, count)
    codes: CodeArray = left * n_right + right_sorted[np.repeat(right_start[block], count) + offset]
    return codes


def union(codes: list[CodeArray]) -> CodeArray:
    """The distinct pair codes, sorted (a plain sort: numpy's unique is far slower on tens of millions)."""
    if not codes:
        return np.empty(0, dtype=np.int64)
    merged = np.sort(np.concatenate(codes))
    out: CodeArray = merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged
    return out


def candidate_pairs_dedupe(table: PeopleTable, *, extra: list[CodeArray] | None = None) -> tuple[CodeArray, CodeArray]:
    """Positions (i, j), i < j, of the record pairs sharing at least one blocking key (plus `extra` pair codes)."""
    budget = pair_budget(table.size)
    codes = union([pairs_within(key, budget=budget) for key in blocking_keys(table)] + (extra or []))
    n = max(table.size, 1)
    return codes // n, codes % n


def candidate_pairs_link(table: PeopleTable, n_left: int) -> tuple[CodeArray, CodeArray]:
    """Positions (i in the first `n_left` records, j in the rest, counted from 0) of cross pairs sharing a key."""
    codes = union([pairs_across(key, n_left) for key in blocking_keys(table)])
    n_right = max(table.size - n_left, 1)
    return codes // n_right, codes % n_right

"""Blocking: the union of several cheap keys, so true pairs are kept while the candidate set stays small."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from customers.identity._normalize import soundex

IntArray = npt.NDArray[np.int64]

#: Blocks with more records than this are skipped (a key shared by that many records says little).
MAX_BLOCK_SIZE = 400


def _join(*parts: pd.Series) -> pd.Series:
    """Concatenate key parts with a separator; empty when any part is empty."""
    key = parts[0].astype(str)
    empty = key == ""
    for part in parts[1:]:
        text = part.astype(str)
        empty |= text == ""
        key = key + "|" + text
    return key.where(~empty, "")


def blocking_keys(people: pd.DataFrame) -> list[pd.Series]:
    """The blocking keys of normalized person records (one string Series per key, ``""`` = no key)."""
    given_sx = people["given_name"].map(soundex)
    surname_sx = people["surname"].map(soundex)
    low = pd.Series(np.where(given_sx < surname_sx, given_sx, surname_sx), index=people.index)
    high = pd.Series(np.where(given_sx < surname_sx, surname_sx, given_sx), index=people.index)
    dob = people["date_of_birth"]
    return [
        people["soc_sec_id"],
        dob,
        _join(surname_sx, people["postcode"]),
        _join(low, high),
        _join(people["given_name"].str[:3], dob.str[:4]),
        _join(people["surname"].str[:3], dob.str[4:8]),
        _join(people["postcode"], people["street_number"]),
        _join(people["address_1"].map(soundex), people["street_number"], people["suburb"].str[:2]),
        _join(people["given_name"].str[:2], people["surname"].str[:2], people["state"]),
    ]


def _frame(key: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"key": key.to_numpy(), "pos": np.arange(len(key), dtype=np.int64)})
    frame = frame[frame["key"] != ""]
    sizes = frame.groupby("key")["pos"].transform("size")
    return frame[sizes <= MAX_BLOCK_SIZE]


def _unique_pairs(left: list[IntArray], right: list[IntArray], n_right: int) -> tuple[IntArray, IntArray]:
    if not left:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    code = np.unique(np.concatenate(left) * n_right + np.concatenate(right))
    return code // n_right, code % n_right


def candidate_pairs_dedupe(people: pd.DataFrame) -> tuple[IntArray, IntArray]:
    """Positions (i, j), i < j, of the record pairs sharing at least one blocking key."""
    left: list[IntArray] = []
    right: list[IntArray] = []
    for key in blocking_keys(people):
        frame = _frame(key)
        merged = frame.merge(frame, on="key", suffixes=("_l", "_r"))
        merged = merged[merged["pos_l"] < merged["pos_r"]]
        left.append(merged["pos_l"].to_numpy(dtype=np.int64))
        right.append(merged["pos_r"].to_numpy(dtype=np.int64))
    return _unique_pairs(left, right, max(len(people), 1))


def candidate_pairs_link(people_a: pd.DataFrame, people_b: pd.DataFrame) -> tuple[IntArray, IntArray]:
    """Positions (i in a, j in b) of the cross-source pairs sharing at least one blocking key."""
    left: list[IntArray] = []
    right: list[IntArray] = []
    for key_a, key_b in zip(blocking_keys(people_a), blocking_keys(people_b), strict=True):
        merged = _frame(key_a).merge(_frame(key_b), on="key", suffixes=("_l", "_r"))
        left.append(merged["pos_l"].to_numpy(dtype=np.int64))
        right.append(merged["pos_r"].to_numpy(dtype=np.int64))
    return _unique_pairs(left, right, max(len(people_b), 1))

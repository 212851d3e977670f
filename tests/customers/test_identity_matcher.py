"""The unsupervised identity matcher on generated person records with typos, gaps and relatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import ConfigurationError
from customers.identity import PERSON_FIELDS, match_dedupe, match_link, score_dedupe, soundex

GIVEN = ["james", "olivia", "liam", "emma", "noah", "ava", "lucas", "mia", "oscar", "chloe", "jack", "ruby"]
SURNAMES = ["smith", "nguyen", "brown", "wilson", "taylor", "martin", "white", "harris", "clarke", "walker"]
STREETS = ["tullaroop street", "giblin street", "kent road", "banksia avenue", "hill close", "ocean parade"]
SUBURBS = ["st james", "bittern", "hawthorn", "glenelg", "manly", "toowong"]
STATES = ["nsw", "vic", "qld", "wa", "sa"]


def _person(rng: np.random.Generator) -> dict[str, str]:
    return {
        "given_name": str(rng.choice(GIVEN)),
        "surname": str(rng.choice(SURNAMES)),
        "street_number": str(rng.integers(1, 300)),
        "address_1": str(rng.choice(STREETS)),
        "address_2": str(rng.choice(["", "unit 4", "flat 2", "rosedale"])),
        "suburb": str(rng.choice(SUBURBS)),
        "postcode": str(rng.integers(2000, 7000)),
        "state": str(rng.choice(STATES)),
        "date_of_birth": f"{rng.integers(1930, 2005)}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}",
        "soc_sec_id": str(rng.integers(1_000_000, 9_999_999)),
    }


def _typo(text: str, rng: np.random.Generator) -> str:
    if len(text) < 2:
        return text
    k = int(rng.integers(0, len(text) - 1))
    return text[:k] + text[k + 1] + text[k] + text[k + 2 :]


def _corrupt(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    copy = dict(record)
    for field in rng.choice(list(PERSON_FIELDS), size=2, replace=False):
        copy[str(field)] = "" if rng.random() < 0.3 else _typo(copy[str(field)], rng)
    return copy


def generated_people(n_people: int, seed: int = 7) -> tuple[pd.DataFrame, set[tuple[int, int]]]:
    """`n_people` people, half of them with one corrupted duplicate; returns the frame and its true pairs."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, str]] = []
    truth: set[tuple[int, int]] = set()
    for _ in range(n_people):
        person = _person(rng)
        rows.append(person)
        if rng.random() < 0.5:
            rows.append(_corrupt(person, rng))
            truth.add((len(rows) - 2, len(rows) - 1))
    return pd.DataFrame(rows), truth


def _f1(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> float:
    hits = len(predicted & truth)
    return 2 * hits / (len(predicted) + len(truth))


def _with(frame: pd.DataFrame, rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)


ALICE = {
    "given_name": "alice",
    "surname": "fairbrother",
    "street_number": "17",
    "address_1": "wattle grove",
    "address_2": "",
    "suburb": "kingsford",
    "postcode": "2032",
    "state": "nsw",
    "date_of_birth": "19840312",
    "soc_sec_id": "4417203",
}


def test_a_duplicate_with_typos_and_a_missing_field_is_matched() -> None:
    frame, _ = generated_people(150)
    duplicate = {**ALICE, "given_name": "alcie", "surname": "fairbrothr", "soc_sec_id": ""}
    frame = _with(frame, [ALICE, duplicate])
    n = len(frame)
    assert (n - 2, n - 1) in match_dedupe(frame)


def test_two_relatives_at_one_address_are_not_matched() -> None:
    frame, _ = generated_people(150)
    brother = {**ALICE, "given_name": "thomas", "date_of_birth": "19811105", "soc_sec_id": "9031556"}
    frame = _with(frame, [ALICE, brother])
    n = len(frame)
    assert (n - 2, n - 1) not in match_dedupe(frame)


def test_dedupe_finds_the_generated_duplicates_and_ignores_rec_id() -> None:
    frame, truth = generated_people(300)
    frame.insert(0, "rec_id", [f"rec-{i}" for i in range(len(frame))])
    predicted = match_dedupe(frame)
    assert all(i < j for i, j in predicted)
    assert _f1(predicted, truth) >= 0.95
    scrambled = frame.assign(rec_id="same-for-everyone")
    assert match_dedupe(scrambled) == predicted


def test_link_pairs_records_across_two_sources() -> None:
    frame, truth = generated_people(300, seed=11)
    left_rows = sorted({i for i, _ in truth})
    right_rows = sorted({j for _, j in truth})
    df_a = frame.iloc[left_rows].reset_index(drop=True)
    df_b = frame.iloc[right_rows].reset_index(drop=True)
    expected = {(k, k) for k in range(len(left_rows))}
    predicted = match_link(df_a, df_b)
    assert _f1(predicted, expected) >= 0.95


def test_index_labels_are_returned_not_positions() -> None:
    frame, _ = generated_people(200, seed=3)
    shifted = frame.set_axis(frame.index + 1000)
    predicted = match_dedupe(shifted)
    assert predicted == {(i + 1000, j + 1000) for i, j in match_dedupe(frame)}


def test_email_and_phone_are_compared_only_when_the_records_have_them() -> None:
    frame, truth = generated_people(200, seed=5)
    duplicate_of = {j: i for i, j in truth}
    person = [duplicate_of.get(k, k) for k in range(len(frame))]
    plain = score_dedupe(frame)
    assert plain.model.comparisons == ("given_name", "surname", "date_of_birth", "soc_sec_id", "address")

    contacts = frame.assign(email=[f"person{p}@example.com" for p in person], phone=[f"+61 4{p:08d}" for p in person])
    scored = score_dedupe(contacts)
    assert scored.model.comparisons[-2:] == ("email", "phone")
    assert len(scored.model.m[-1]) == 3
    assert _f1(scored.matches(), truth) >= _f1(plain.matches(), truth) >= 0.95


def test_missing_person_columns_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="soc_sec_id"):
        match_dedupe(pd.DataFrame({"given_name": ["a"], "surname": ["b"]}))


def test_soundex() -> None:
    assert soundex("Robert") == soundex("Rupert") == "r163"
    assert soundex("Ashcraft") == "a261"
    assert soundex("") == ""

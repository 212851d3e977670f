"""The matcher on small inputs: 250-record samples of the bundled FEBRL sets, shaped like an unseen FEBRL set.

FEBRL's dataset 1 is originals with exactly one duplicate each, and its hidden quarter is 250 records:
125 people, each an original and a duplicate. Each sample here is built the same way from one bundled
set: 125 people who have a duplicate, their original and one of their duplicates (for the link task,
each person's record in 4a and in 4b), shuffled. The matcher sees only the person fields, never rec_id.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customers.identity import match_dedupe, match_link

FEBRL = Path(__file__).resolve().parents[1] / "data" / "febrl"
PEOPLE = 125
SEEDS = range(5)
DEDUPE_SETS = ("febrl_dataset1", "febrl_dataset2", "febrl_dataset3")


@cache
def _records(name: str) -> pd.DataFrame:
    frame = pd.read_csv(FEBRL / f"{name}.csv", dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.assign(person=frame["rec_id"].str.extract(r"^rec-(\d+)-", expand=False))


def _f1(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> float:
    return 2 * len(predicted & truth) / (len(predicted) + len(truth))


def _pairs_of(person: pd.Series) -> set[tuple[int, int]]:
    positions = pd.Series(range(len(person))).groupby(person.to_numpy()).apply(list)
    return {(i, j) for group in positions for k, i in enumerate(group) for j in group[k + 1 :]}


def _dedupe_sample(name: str, seed: int) -> pd.DataFrame:
    frame = _records(name)
    rng = np.random.default_rng(seed)
    duplicate = frame["rec_id"].str.contains("-dup-")
    people = rng.choice(np.sort(frame.loc[duplicate, "person"].unique()), size=PEOPLE, replace=False)
    rows = []
    for person in people:
        mine = frame["person"] == person
        rows.append(frame.index[mine & ~duplicate][0])
        rows.append(rng.choice(frame.index[mine & duplicate]))
    return frame.loc[rows].sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", DEDUPE_SETS)
def test_a_250_record_sample_is_deduplicated_with_f1_of_at_least_0_99(name: str, seed: int) -> None:
    sample = _dedupe_sample(name, seed)
    truth = _pairs_of(sample["person"])
    assert len(sample) == 2 * PEOPLE and len(truth) == PEOPLE

    predicted = match_dedupe(sample.drop(columns=["rec_id", "person"]))

    assert _f1(predicted, truth) >= 0.99, sorted(truth - predicted)[:5]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_250_record_sample_of_the_link_task_is_linked_with_f1_of_at_least_0_99(seed: int) -> None:
    left, right = _records("febrl_dataset4a"), _records("febrl_dataset4b")
    rng = np.random.default_rng(seed)
    people = rng.choice(np.sort(np.intersect1d(left["person"], right["person"])), size=PEOPLE, replace=False)
    sample_a = left[left["person"].isin(people)].sample(frac=1.0, random_state=seed).reset_index(drop=True)
    sample_b = right[right["person"].isin(people)].sample(frac=1.0, random_state=seed + 1).reset_index(drop=True)
    where_b = {person: j for j, person in enumerate(sample_b["person"])}
    truth = {(i, where_b[person]) for i, person in enumerate(sample_a["person"])}
    assert len(truth) == PEOPLE

    predicted = match_link(sample_a.drop(columns=["rec_id", "person"]), sample_b.drop(columns=["rec_id", "person"]))

    assert _f1(predicted, truth) >= 0.99, sorted(truth - predicted)[:5]

"""Clustering person records into people: guarded key links, model links, chains, and the review band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import ConfigurationError
from customers.identity import LINK_REASONS, Resolution, resolve_people, score_dedupe
from tests.customers.test_identity_matcher import ALICE, generated_people

FAMILY_EMAIL = "fairbrothers@example.com"


def people_with_contacts(n_people: int, seed: int = 7) -> tuple[pd.DataFrame, set[tuple[int, int]]]:
    """Generated people (half with a duplicate) with a personal e-mail each and a mobile on two records in three."""
    frame, truth = generated_people(n_people, seed)
    duplicate_of = {j: i for i, j in truth}
    person = [duplicate_of.get(k, k) for k in range(len(frame))]
    frame["email"] = [f"{frame.given_name[p]}.{frame.surname[p]}{p}@example.com" for p in person]
    frame["phone"] = [f"04{p:08d}" if k % 3 else "" for k, p in enumerate(person)]
    return frame, truth


def _with(frame: pd.DataFrame, rows: list[dict[str, str]]) -> tuple[pd.DataFrame, int]:
    """`frame` plus `rows`, and the position of the first added row."""
    combined = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).fillna("")
    return combined, len(frame)


def _probability(frame: pd.DataFrame, i: int, j: int) -> float:
    scored = score_dedupe(frame)
    hit = np.flatnonzero((scored.left == i) & (scored.right == j))
    return float(scored.probability[hit[0]]) if len(hit) else 0.0


def _link_reasons(resolution: Resolution, i: int, j: int) -> list[str]:
    return [link.reason for link in resolution.links if (link.left, link.right) == (i, j)]


MOVED_ALICE = {
    **ALICE,
    "street_number": "4",
    "address_1": "ocean parade",
    "suburb": "manly",
    "postcode": "2095",
    "date_of_birth": "",
    "soc_sec_id": "",
    "email": "alice.f@example.com",
}


def test_a_shared_email_links_records_the_model_alone_would_not() -> None:
    base, _ = people_with_contacts(150)
    frame, k = _with(base, [{**ALICE, "date_of_birth": "", "email": "Alice.F@example.com "}, MOVED_ALICE])

    assert _probability(frame, k, k + 1) < 0.9
    by_key = resolve_people(frame)
    assert by_key.cluster[k] == by_key.cluster[k + 1]
    assert _link_reasons(by_key, k, k + 1) == ["email"]
    without_keys = resolve_people(frame, deterministic_keys=())
    assert without_keys.cluster[k] != without_keys.cluster[k + 1]


def test_a_shared_tax_id_links_and_a_shared_phone_only_when_asked() -> None:
    base, _ = people_with_contacts(150)
    moved = {**MOVED_ALICE, "email": "", "soc_sec_id": ALICE["soc_sec_id"]}
    frame, k = _with(base, [{**ALICE, "date_of_birth": "", "email": ""}, moved])
    resolution = resolve_people(frame)
    assert _link_reasons(resolution, k, k + 1) == ["tax_id"]

    first = {**ALICE, "date_of_birth": "", "soc_sec_id": "", "email": "", "phone": "+61 2 9876 5432"}
    second = {**MOVED_ALICE, "email": "", "phone": "(02) 9876-5432"}
    frame, k = _with(base, [first, second])
    by_default = resolve_people(frame)
    assert by_default.cluster[k] != by_default.cluster[k + 1]
    by_phone = resolve_people(frame, deterministic_keys=("phone",))
    assert _link_reasons(by_phone, k, k + 1) == ["phone"]


def test_the_household_guard_refuses_a_family_email_between_two_people() -> None:
    base, _ = people_with_contacts(150)
    alice = {**ALICE, "email": FAMILY_EMAIL}
    thomas = {**ALICE, "given_name": "thomas", "date_of_birth": "19811105", "soc_sec_id": "", "email": FAMILY_EMAIL}
    frame, k = _with(base, [alice, thomas])

    assert _probability(frame, k, k + 1) >= 0.9  # same address, surname and e-mail: the model alone is fooled
    resolution = resolve_people(frame)
    assert resolution.cluster[k] != resolution.cluster[k + 1]
    assert _link_reasons(resolution, k, k + 1) == []
    unguarded = resolve_people(frame, guard_model_links=False)
    assert _link_reasons(unguarded, k, k + 1) == ["probabilistic"]


def test_the_guard_lets_a_nickname_or_an_initial_through() -> None:
    base, _ = people_with_contacts(150)
    william = {**MOVED_ALICE, "given_name": "william", "email": FAMILY_EMAIL}
    for short in ("bill", "w.", "alice"):
        frame, k = _with(base, [william, {**ALICE, "given_name": short, "date_of_birth": "", "email": FAMILY_EMAIL}])
        expected = [] if short == "alice" else ["email"]
        assert _link_reasons(resolve_people(frame), k, k + 1) == expected, short


def test_a_chain_through_a_sparse_record_does_not_join_two_different_people() -> None:
    base, _ = people_with_contacts(150)
    alice = {**ALICE, "email": FAMILY_EMAIL, "phone": ""}
    sparse = {**ALICE, "given_name": "", "date_of_birth": "", "soc_sec_id": "", "email": FAMILY_EMAIL}
    sparse["phone"] = "0298765432"
    thomas = {**ALICE, "given_name": "thomas", "date_of_birth": "19811105", "soc_sec_id": "9031556"}
    thomas.update(email="", phone="0298765432")
    frame, k = _with(base, [alice, sparse, thomas])
    assert _probability(frame, k, k + 2) < 0.5

    resolution = resolve_people(frame, deterministic_keys=("email", "phone"))
    assert resolution.cluster[k] != resolution.cluster[k + 2]
    assert resolution.cluster[k + 1] in (resolution.cluster[k], resolution.cluster[k + 2])
    for link in resolution.links:
        assert resolution.cluster[link.left] == resolution.cluster[link.right]


def test_uncertain_pairs_are_in_the_band_across_clusters_one_per_cluster_pair() -> None:
    base, _ = people_with_contacts(150)
    frame, k = _with(base, [{**ALICE, "date_of_birth": "", "email": MOVED_ALICE["email"]}, MOVED_ALICE])
    review_from, auto_from = 0.2, 0.9
    assert review_from <= _probability(frame, k, k + 1) < auto_from
    resolution = resolve_people(frame, deterministic_keys=(), review_from=review_from, auto_from=auto_from)
    uncertain = resolution.uncertain

    assert (k, k + 1) in set(zip(uncertain.left.tolist(), uncertain.right.tolist(), strict=True))
    assert np.all((uncertain.probability >= review_from) & (uncertain.probability < auto_from))
    assert np.all(resolution.cluster[uncertain.left] != resolution.cluster[uncertain.right])
    assert np.all(np.diff(uncertain.probability) <= 0)
    cluster_pairs = {
        tuple(sorted((int(resolution.cluster[a]), int(resolution.cluster[b]))))
        for a, b in zip(uncertain.left, uncertain.right, strict=True)
    }
    assert len(cluster_pairs) == len(uncertain)
    row = int(np.flatnonzero(uncertain.left == k)[0])
    agreement = uncertain.agreement(row)
    assert list(agreement) == list(resolution.model.comparisons)
    assert agreement["given_name"] == 3 and agreement["date_of_birth"] == -1 and agreement["email"] == 2
    assert uncertain.weight.shape == uncertain.probability.shape


def test_cluster_labels_are_deterministic_and_numbered_by_first_row() -> None:
    frame, truth = people_with_contacts(200, seed=3)
    first = resolve_people(frame)
    again = resolve_people(frame.set_axis(frame.index + 500))
    np.testing.assert_array_equal(first.cluster, again.cluster)

    first_rows = [int(np.flatnonzero(first.cluster == label)[0]) for label in range(first.cluster.max() + 1)]
    assert first_rows == sorted(first_rows)
    assert first.cluster[0] == 0
    pairs = {(i, j) for i, j in truth if first.cluster[i] == first.cluster[j]}
    assert len(pairs) >= 0.95 * len(truth)

    order = np.random.default_rng(0).permutation(len(frame))
    shuffled = resolve_people(frame.iloc[order].reset_index(drop=True))
    back = np.empty_like(shuffled.cluster)
    back[order] = shuffled.cluster
    same_first = first.cluster[:, None] == first.cluster[None, :]
    same_shuffled = back[:, None] == back[None, :]
    assert np.array_equal(same_first, same_shuffled)


def test_email_and_phone_columns_are_optional() -> None:
    frame, truth = people_with_contacts(150)
    without = resolve_people(frame.drop(columns=["email", "phone"]))
    assert without.model.comparisons == ("given_name", "surname", "date_of_birth", "soc_sec_id", "address")
    assert {LINK_REASONS[r] for r in without.links.reason} <= {"tax_id", "probabilistic"}
    phone_only = resolve_people(frame.drop(columns=["email"]), deterministic_keys=("email", "phone"))
    assert phone_only.model.comparisons[-1] == "phone"
    assert "email" not in {link.reason for link in phone_only.links}
    for resolution in (without, phone_only):
        together = {(i, j) for i, j in truth if resolution.cluster[i] == resolution.cluster[j]}
        assert len(together) >= 0.95 * len(truth)


def test_missing_values_may_be_nan_or_empty() -> None:
    frame, _ = people_with_contacts(100)
    with_nan = frame.replace("", np.nan)
    np.testing.assert_array_equal(resolve_people(frame).cluster, resolve_people(with_nan).cluster)


def test_bad_arguments_are_configuration_errors() -> None:
    frame, _ = people_with_contacts(20)
    with pytest.raises(ConfigurationError, match="unknown deterministic keys"):
        resolve_people(frame, deterministic_keys=("passport",))
    with pytest.raises(ConfigurationError, match="review_from"):
        resolve_people(frame, review_from=0.95, auto_from=0.9)
    with pytest.raises(ConfigurationError, match="soc_sec_id"):
        resolve_people(frame.drop(columns=["soc_sec_id"]))

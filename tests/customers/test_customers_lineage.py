"""Golden record with field-level lineage: observations, supersession, history, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from core import FixedClock, NotFound
from customers import CustomerRepository, CustomersError, FieldValue, ObservationConflict

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def repo(engine: Engine, clock: FixedClock) -> CustomerRepository:
    return CustomerRepository(engine, clock)


def test_newer_observation_supersedes_and_history_keeps_both(repo: CustomerRepository) -> None:
    repo.observe("C-1", "housing", "rent", source_system="crm", source_record_id="crm-1", observed_at=T0)
    repo.observe(
        "C-1",
        "housing",
        "own",
        source_system="crm",
        source_record_id="crm-1",
        observed_at=T0 + timedelta(days=3),
    )
    repo.observe("C-1", "age_in_years", 41, source_system="crm", source_record_id="crm-1", observed_at=T0)

    golden = repo.golden("C-1")

    assert golden.customer_id == "C-1"
    assert golden.fields["housing"] == FieldValue(
        value="own",
        source_system="crm",
        source_record_id="crm-1",
        observed_at=T0 + timedelta(days=3),
        rule="most_recent",
    )
    assert golden.text("housing") == "own"
    assert golden.integer("age_in_years") == 41
    assert [v.value for v in repo.field_history("C-1", "housing")] == ["rent", "own"]


def test_latest_observation_wins_across_sources_whatever_the_insert_order(repo: CustomerRepository) -> None:
    later = T0 + timedelta(hours=1)
    repo.observe("C-1", "property", "car", source_system="core_banking", source_record_id="cb-9", observed_at=later)
    repo.observe("C-1", "property", "real estate", source_system="crm", source_record_id="crm-1", observed_at=T0)

    current = repo.golden("C-1").fields["property"]

    assert (current.value, current.source_system, current.source_record_id) == ("car", "core_banking", "cb-9")
    history = repo.field_history("C-1", "property")
    assert [(v.source_system, v.observed_at) for v in history] == [("crm", T0), ("core_banking", later)]


def test_timestamps_come_back_aware_utc(repo: CustomerRepository, clock: FixedClock) -> None:
    clock.advance(timedelta(minutes=5))
    repo.observe("C-1", "telephone", "yes", source_system="crm", source_record_id="crm-1")
    berlin = datetime(2026, 2, 1, 12, 0, tzinfo=UTC).astimezone(datetime(2026, 2, 1, tzinfo=UTC).astimezone().tzinfo)
    repo.observe("C-2", "telephone", "no", source_system="crm", source_record_id="crm-2", observed_at=berlin)

    first = repo.golden("C-1").fields["telephone"].observed_at
    second = repo.golden("C-2").fields["telephone"].observed_at

    assert first == T0 + timedelta(minutes=5) and first.tzinfo == UTC
    assert second == berlin and second.tzinfo == UTC


def test_same_reading_twice_is_one_observation_and_a_different_value_conflicts(
    repo: CustomerRepository,
) -> None:
    for _ in range(2):
        repo.observe("C-1", "job", "skilled", source_system="crm", source_record_id="crm-1", observed_at=T0)

    assert len(repo.field_history("C-1", "job")) == 1
    with pytest.raises(ObservationConflict, match="crm-1"):
        repo.observe("C-1", "job", "unskilled", source_system="crm", source_record_id="crm-1", observed_at=T0)
    assert repo.golden("C-1").text("job") == "skilled"


def test_gdpr_flags_default_to_false_and_read_true_when_observed(repo: CustomerRepository) -> None:
    repo.observe("C-1", "age_in_years", 30, source_system="crm", source_record_id="crm-1")
    assert not repo.golden("C-1").objects_to_automated_decisions
    assert not repo.golden("C-1").vulnerable

    repo.observe("C-1", "objects_to_automated_decisions", True, source_system="crm", source_record_id="crm-1")
    repo.observe("C-1", "vulnerable", True, source_system="crm", source_record_id="crm-1")

    golden = repo.golden("C-1")
    assert golden.objects_to_automated_decisions and golden.vulnerable


def test_typed_accessors_refuse_a_value_of_the_wrong_type(repo: CustomerRepository) -> None:
    repo.observe("C-1", "age_in_years", "forty", source_system="crm", source_record_id="crm-1")

    with pytest.raises(CustomersError, match="not an integer"):
        repo.golden("C-1").integer("age_in_years")
    assert repo.golden("C-1").integer("missing_field") is None


def test_naive_observed_at_is_refused(repo: CustomerRepository) -> None:
    with pytest.raises(CustomersError, match="timezone"):
        repo.observe("C-1", "job", "x", source_system="crm", source_record_id="crm-1", observed_at=datetime(2026, 1, 1))


def test_unknown_customer_is_not_found(repo: CustomerRepository) -> None:
    with pytest.raises(NotFound) as raised:
        repo.golden("C-404")
    assert (raised.value.kind, raised.value.key) == ("customer", "C-404")
    with pytest.raises(NotFound):
        repo.field_history("C-404", "job")
    with pytest.raises(NotFound):
        repo.applications("C-404")


def test_known_customer_without_data_reads_empty_not_missing(repo: CustomerRepository) -> None:
    repo.observe("C-1", "job", "skilled", source_system="crm", source_record_id="crm-1", observed_at=T0)

    assert repo.field_history("C-1", "housing") == []
    assert repo.applications("C-1") == []
    assert list(repo.golden("C-1").fields) == ["job"]

"""Applications and credit decisions: exactly-once recording by idempotency key, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from core import FixedClock, NotFound
from customers import (
    ApplicationConflict,
    ApplicationIn,
    CustomerRepository,
    CustomersError,
    DecisionConflict,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def repo(engine: Engine, clock: FixedClock) -> CustomerRepository:
    repo = CustomerRepository(engine, clock)
    repo.add_application(_application("A-1"))
    return repo


def _application(application_id: str, customer_id: str = "C-1", amount: float = 5000.0) -> ApplicationIn:
    return ApplicationIn(
        id=application_id,
        customer_id=customer_id,
        amount=amount,
        duration_months=24,
        purpose="car (new)",
        installment_rate=3,
        requested_by="intake",
        source_system="loan_origination",
        source_record_id=f"los-{application_id}",
    )


def test_application_is_recorded_received_and_readable(repo: CustomerRepository, clock: FixedClock) -> None:
    clock.advance(timedelta(hours=1))
    repo.add_application(_application("A-2", amount=800.0))

    first = repo.application("A-1")
    assert (first.status, first.received_at, first.amount) == ("received", T0, 5000.0)
    assert [a.id for a in repo.applications("C-1")] == ["A-1", "A-2"]
    assert [a.id for a in repo.pending_applications()] == ["A-1", "A-2"]
    assert repo.golden("C-1").fields == {}


def test_same_application_twice_is_a_no_op_and_different_content_conflicts(repo: CustomerRepository) -> None:
    repo.add_application(_application("A-1"))
    assert len(repo.applications("C-1")) == 1

    with pytest.raises(ApplicationConflict):
        repo.add_application(_application("A-1", amount=9999.0))


def test_unknown_application_is_not_found(repo: CustomerRepository) -> None:
    with pytest.raises(NotFound) as raised:
        repo.application("A-404")
    assert raised.value.kind == "application"
    with pytest.raises(NotFound):
        repo.decisions("A-404")
    with pytest.raises(NotFound):
        repo.record_credit_decision("A-404", "approved", idempotency_key="k", details={})


def test_decision_updates_the_status_and_the_same_key_writes_once(repo: CustomerRepository, clock: FixedClock) -> None:
    first = repo.record_credit_decision(
        "A-1", "approved", idempotency_key="exec-1", details={"amount": 5000.0, "duration_months": 24}
    )
    clock.advance(timedelta(minutes=1))
    second = repo.record_credit_decision("A-1", "approved", idempotency_key="exec-1", details={"other": 1})

    assert not first.replayed and second.replayed
    assert second.model_copy(update={"replayed": False}) == first
    assert (first.decision, first.decided_at, first.details) == (
        "approved",
        T0,
        {"amount": 5000.0, "duration_months": 24},
    )
    assert repo.decisions("A-1") == [first]
    assert repo.application("A-1").status == "approved"
    assert repo.pending_applications() == []


def test_reusing_a_key_for_another_decision_or_application_is_refused(repo: CustomerRepository) -> None:
    repo.add_application(_application("A-2"))
    repo.record_credit_decision("A-1", "declined", idempotency_key="exec-1", details={})

    with pytest.raises(DecisionConflict, match="exec-1"):
        repo.record_credit_decision("A-1", "approved", idempotency_key="exec-1", details={})
    with pytest.raises(DecisionConflict, match="exec-1"):
        repo.record_credit_decision("A-2", "declined", idempotency_key="exec-1", details={})

    assert len(repo.decisions("A-1")) == 1 and repo.decisions("A-2") == []
    assert repo.application("A-2").status == "received"


def test_a_final_decision_is_not_overturned_but_information_requests_may_repeat(
    repo: CustomerRepository,
) -> None:
    repo.record_credit_decision("A-1", "information_requested", idempotency_key="k1", details={"items": ["x"]})
    repo.record_credit_decision("A-1", "information_requested", idempotency_key="k2", details={"items": ["y"]})
    assert repo.application("A-1").status == "information_requested"
    assert [a.id for a in repo.pending_applications()] == ["A-1"]

    repo.record_credit_decision("A-1", "approved", idempotency_key="k3", details={})
    with pytest.raises(DecisionConflict, match="already approved"):
        repo.record_credit_decision("A-1", "declined", idempotency_key="k4", details={})

    assert [d.decision for d in repo.decisions("A-1")] == ["information_requested"] * 2 + ["approved"]


def test_empty_key_or_unknown_decision_is_refused(repo: CustomerRepository) -> None:
    with pytest.raises(CustomersError, match="idempotency key"):
        repo.record_credit_decision("A-1", "approved", idempotency_key="", details={})
    with pytest.raises(CustomersError, match="unknown credit decision"):
        repo.record_credit_decision("A-1", "maybe", idempotency_key="k", details={})  # type: ignore[arg-type]
    assert repo.decisions("A-1") == []

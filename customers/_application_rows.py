"""Credit applications and decisions as the repository hands them out: views of stored rows, and the
checks that make recording them idempotent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from customers._errors import DecisionConflict
from customers._tables import CreditApplicationRow, CreditDecisionRow, as_utc
from customers._views import ApplicationIn, CreditApplicationView, CreditDecisionKind, CreditDecisionView


def replay(stored: CreditDecisionRow, application_id: str, decision: CreditDecisionKind) -> CreditDecisionView:
    if stored.application_id != application_id or stored.decision != decision:
        raise DecisionConflict(
            application_id,
            f"idempotency key {stored.idempotency_key!r} was already used to record {stored.decision!r} "
            f"for application {stored.application_id!r}; every distinct action needs its own key",
        )
    return decision_view(stored).model_copy(update={"replayed": True})


def same_application(row: CreditApplicationRow, application: ApplicationIn) -> bool:
    return (
        row.customer_id == application.customer_id
        and row.amount == application.amount
        and row.duration_months == application.duration_months
        and row.purpose == application.purpose
        and row.installment_rate == application.installment_rate
        and row.requested_by == application.requested_by
        and row.source_system == application.source_system
        and row.source_record_id == application.source_record_id
        and (application.received_at is None or as_utc(row.received_at) == as_utc(application.received_at))
    )


def application_view(values: Mapping[Any, Any]) -> CreditApplicationView:
    """The view of an application's column values (an ORM row's dump, or a Core row's mapping)."""
    return CreditApplicationView.model_validate({**values, "received_at": as_utc(values["received_at"])})


class _DecisionColumns(Protocol):
    """A decision as stored: a `CreditDecisionRow`, or a Core row of the same columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def application_id(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def idempotency_key(self) -> str: ...
    @property
    def details(self) -> Any: ...
    @property
    def decided_at(self) -> datetime: ...


def decision_view(row: _DecisionColumns) -> CreditDecisionView:
    assert row.id is not None, "a decision row is read back after its insert"
    return CreditDecisionView(
        id=row.id,
        application_id=row.application_id,
        decision=row.decision,
        idempotency_key=row.idempotency_key,
        details=row.details,
        decided_at=as_utc(row.decided_at),
    )

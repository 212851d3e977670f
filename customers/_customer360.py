"""Customer 360: everything Steward knows about one customer, in one value every reader shares."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from core import JsonValue
from customers._repository import CustomerRepository
from customers._signals import AttentionEntry, Event, Evidence, attention, customer_events
from customers._source_tables import CUSTOMER_LINK
from customers._tables import CUSTOMER, as_utc
from customers._views import CreditApplicationView, CreditDecisionView, FieldValue, GoldenRecord

CONSENT_PURPOSES = {
    "marketing": "consent_marketing",
    "profiling": "consent_profiling",
    "automated_decision": "consent_automated_decision",
}
"""Purpose → golden-record field holding the customer's consent (its lineage says where and when)."""


class LinkedRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_system: str
    entity: str
    record_id: str
    reason: str
    linked_at: datetime


class TimelineItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    occurred_at: datetime
    source_system: str
    record_id: str
    details: dict[str, JsonValue]


class Customer360(BaseModel):
    """The golden record with lineage and conflicts, the source records behind it, consents, the
    timeline (complaints, orders, payments, engagement), the attention score, and the credit history."""

    model_config = ConfigDict(frozen=True)

    customer_id: str
    merged_from: list[str]
    erased_at: datetime | None
    """Set when the person's data was erased (GDPR): then only the id and dates remain."""
    golden: GoldenRecord
    records: list[LinkedRecord]
    consents: dict[str, FieldValue | None]
    objects_to_automated_decisions: bool
    attention: AttentionEntry
    open_complaints: list[TimelineItem]
    recent_orders: list[TimelineItem]
    recent_payments: list[TimelineItem]
    recent_engagement: list[TimelineItem]
    applications: list[CreditApplicationView]
    decisions: list[CreditDecisionView]


def _item(event: Event) -> TimelineItem:
    return TimelineItem(
        kind=event.kind,
        occurred_at=event.occurred_at,
        source_system=event.source_system,
        record_id=event.record_id,
        details=event.details,
    )


def customer_360(repo: CustomerRepository, customer_id: str, as_of: datetime | None = None) -> Customer360:
    """The 360 view of a customer (a merged-away id answers with the customer it was merged into)."""
    moment = as_utc(as_of or repo.clock.now())
    golden = repo.golden(customer_id)
    current = golden.customer_id
    with repo.engine.connect() as connection:
        events = [e for e in customer_events(connection, current) if e.occurred_at <= moment]
        records = [
            LinkedRecord(
                source_system=row.source_system,
                entity=row.entity,
                record_id=row.record_id,
                reason=row.reason,
                linked_at=as_utc(row.linked_at),
            )
            for row in connection.execute(
                select(CUSTOMER_LINK)
                .where(CUSTOMER_LINK.c.customer_id == current)
                .order_by(CUSTOMER_LINK.c.source_system, CUSTOMER_LINK.c.entity, CUSTOMER_LINK.c.record_id)
            )
        ]
        erased_at = connection.execute(select(CUSTOMER.c.erased_at).where(CUSTOMER.c.id == current)).scalar_one()
        merged_from = sorted(
            connection.execute(select(CUSTOMER.c.id).where(CUSTOMER.c.merged_into == current)).scalars()
        )
    entry = attention(current, events, moment)
    open_ids = {e.record_id for r in entry.reasons if r.code == "open_complaint" for e in r.evidence}
    applications = repo.applications(current)
    decisions = [d for application in applications for d in repo.decisions(application.id)]
    return Customer360(
        customer_id=current,
        merged_from=merged_from,
        erased_at=as_utc(erased_at) if erased_at else None,
        golden=golden,
        records=records,
        consents={purpose: golden.get(name) for purpose, name in CONSENT_PURPOSES.items()},
        objects_to_automated_decisions=golden.objects_to_automated_decisions,
        attention=entry,
        open_complaints=[_item(e) for e in events if e.kind == "ticket" and e.record_id in open_ids],
        recent_orders=[_item(e) for e in events if e.kind == "order"][-10:],
        recent_payments=[_item(e) for e in events if e.kind in ("invoice", "payment")][-10:],
        recent_engagement=[_item(e) for e in events if e.kind in ("email", "visit", "cart", "contact")][-10:],
        applications=applications,
        decisions=decisions,
    )


__all__ = ["Customer360", "Evidence", "LinkedRecord", "TimelineItem", "customer_360"]

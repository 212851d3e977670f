"""The signals timeline and the features on it: who needs attention this week, and why.

Events of every source land on one timeline per customer (`customer_event`). The features read it
with a small vocabulary of event kinds, which source configurations map their entities onto:
``order`` (amount), ``invoice`` (amount, due_at), ``payment`` (amount, invoice_id), ``ticket``
(status, category, subject, closed_at), ``email`` (action: sent/open/click/unsubscribe),
``visit``, ``cart`` (value, status) and ``contact`` (a sales rep's call, e-mail or meeting).

Attention is a transparent score: each rule that fires adds its weight and one reason with the
evidence behind it (the source records), so a person can check every entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, select

from core import JsonValue
from customers._source_tables import CUSTOMER_EVENT
from customers._tables import as_utc

OPEN_TICKET_STATUSES = frozenset({"open", "pending", "new", "on-hold"})
COMPLAINT_OVERDUE_DAYS = 7
CHURN_SILENCE_DAYS = 120
LATE_PAYMENT_WINDOW_DAYS = 180
ENGAGEMENT_WINDOW_DAYS = 90
CONTACT_GAP_DAYS = 180


@dataclass(frozen=True, slots=True)
class Event:
    customer_id: str
    kind: str
    occurred_at: datetime
    source_system: str
    record_id: str
    details: dict[str, Any]

    def amount(self, key: str = "amount") -> float:
        value = self.details.get(key)
        return float(value) if isinstance(value, int | float) else 0.0


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_system: str
    record_id: str
    kind: str
    occurred_at: datetime
    detail: str


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    weight: float
    text: str
    evidence: list[Evidence]


class Features(BaseModel):
    """What the timeline says about one customer at `as_of`."""

    model_config = ConfigDict(frozen=True)

    as_of: datetime
    events: int
    last_order_at: datetime | None
    days_since_last_order: int | None
    orders_last_365_days: int
    value_last_365_days: float
    orders_before: int
    late_payments_last_180_days: int
    overdue_invoices: int
    overdue_amount: float
    open_tickets: int
    open_complaints: int
    oldest_open_complaint_days: int | None
    email_engagement_last_90_days: int
    email_engagement_previous_90_days: int
    engagement_trend: float | None
    """Change of opens and clicks, last 90 days against the 90 before (-1 = stopped, +1 = doubled)."""
    unsubscribed: bool
    visits_last_30_days: int
    abandoned_carts_last_30_days: int
    days_since_last_contact: int | None


class AttentionEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: str
    score: float
    reasons: list[Reason]
    features: Features

    def as_json(self) -> dict[str, JsonValue]:
        data: dict[str, JsonValue] = self.model_dump(mode="json")
        return data


def _evidence(event: Event, detail: str) -> Evidence:
    return Evidence(
        source_system=event.source_system,
        record_id=event.record_id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        detail=detail,
    )


def _days(as_of: datetime, moment: datetime) -> int:
    return max(0, (as_of - moment).days)


def _due(event: Event) -> datetime | None:
    due = event.details.get("due_at")
    if not isinstance(due, str):
        return None
    try:
        return datetime.combine(date.fromisoformat(due[:10]), datetime.min.time(), tzinfo=event.occurred_at.tzinfo)
    except ValueError:
        return None


@dataclass
class _Timeline:
    events: list[Event] = field(default_factory=list)

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]


def features(events: Sequence[Event], as_of: datetime) -> Features:
    timeline = _Timeline(sorted(events, key=lambda e: e.occurred_at))
    orders = timeline.of("order")
    year_ago = as_of - timedelta(days=365)
    recent_orders = [o for o in orders if o.occurred_at > year_ago]
    last_order = orders[-1].occurred_at if orders else None
    paid: dict[str, datetime] = {}
    for payment in timeline.of("payment"):
        invoice_id = str(payment.details.get("invoice_id", ""))
        paid[invoice_id] = min(paid.get(invoice_id, payment.occurred_at), payment.occurred_at)
    late = 0
    overdue: list[Event] = []
    for invoice in timeline.of("invoice"):
        due = _due(invoice)
        if due is None:
            continue
        paid_at = paid.get(invoice.record_id)
        if paid_at is None and due < as_of:
            overdue.append(invoice)
        elif paid_at is not None and paid_at > due and paid_at > as_of - timedelta(days=LATE_PAYMENT_WINDOW_DAYS):
            late += 1
    tickets = [t for t in timeline.of("ticket") if str(t.details.get("status", "")).lower() in OPEN_TICKET_STATUSES]
    complaints = [t for t in tickets if str(t.details.get("category", "")).lower() == "complaint"]
    engagement_kinds = {"open", "click"}
    emails = timeline.of("email")
    window = timedelta(days=ENGAGEMENT_WINDOW_DAYS)
    last = sum(1 for e in emails if e.details.get("action") in engagement_kinds and e.occurred_at > as_of - window)
    before = sum(
        1
        for e in emails
        if e.details.get("action") in engagement_kinds and as_of - 2 * window < e.occurred_at <= as_of - window
    )
    trend = None if last == before == 0 else (last - before) / max(before, last)
    month = as_of - timedelta(days=30)
    contacts = timeline.of("contact")
    return Features(
        as_of=as_of,
        events=len(timeline.events),
        last_order_at=last_order,
        days_since_last_order=_days(as_of, last_order) if last_order else None,
        orders_last_365_days=len(recent_orders),
        value_last_365_days=round(sum(o.amount() for o in recent_orders), 2),
        orders_before=len(orders) - len(recent_orders),
        late_payments_last_180_days=late,
        overdue_invoices=len(overdue),
        overdue_amount=round(sum(i.amount() for i in overdue), 2),
        open_tickets=len(tickets),
        open_complaints=len(complaints),
        oldest_open_complaint_days=max((_days(as_of, c.occurred_at) for c in complaints), default=None),
        email_engagement_last_90_days=last,
        email_engagement_previous_90_days=before,
        engagement_trend=None if trend is None else round(trend, 3),
        unsubscribed=any(e.details.get("action") == "unsubscribe" for e in emails),
        visits_last_30_days=sum(1 for v in timeline.of("visit") if v.occurred_at > month),
        abandoned_carts_last_30_days=sum(
            1 for c in timeline.of("cart") if c.details.get("status") == "abandoned" and c.occurred_at > month
        ),
        days_since_last_contact=_days(as_of, contacts[-1].occurred_at) if contacts else None,
    )


def attention(customer_id: str, events: Sequence[Event], as_of: datetime) -> AttentionEntry:
    """The customer's attention score at `as_of`, with a reason and its evidence for each rule that fires."""
    feats = features(events, as_of)
    timeline = _Timeline(sorted(events, key=lambda e: e.occurred_at))
    reasons: list[Reason] = []
    complaints = [
        t
        for t in timeline.of("ticket")
        if str(t.details.get("status", "")).lower() in OPEN_TICKET_STATUSES
        and str(t.details.get("category", "")).lower() == "complaint"
    ]
    for ticket in complaints:
        age = _days(as_of, ticket.occurred_at)
        weight = 2.0 + min(age, 60) / 10 if age >= COMPLAINT_OVERDUE_DAYS else 1.0
        subject = str(ticket.details.get("subject") or "no subject")
        reasons.append(
            Reason(
                code="open_complaint",
                weight=round(weight, 2),
                text=f"complaint open for {age} days: {subject}",
                evidence=[_evidence(ticket, f"status {ticket.details.get('status')}, opened {age} days ago")],
            )
        )
    if feats.overdue_invoices:
        overdue = [i for i in timeline.of("invoice") if i.record_id not in _paid_invoices(timeline)]
        overdue = [i for i in overdue if (due := _due(i)) is not None and due < as_of]
        reasons.append(
            Reason(
                code="overdue_invoices",
                weight=1.5 + 0.5 * min(feats.overdue_invoices, 4),
                text=f"{feats.overdue_invoices} unpaid invoice(s) past due, {feats.overdue_amount:.2f} in total",
                evidence=[_evidence(i, f"amount {i.amount():.2f}, due {i.details.get('due_at')}") for i in overdue[:5]],
            )
        )
    if feats.late_payments_last_180_days >= 2:
        reasons.append(
            Reason(
                code="late_payments",
                weight=1.0 + 0.25 * min(feats.late_payments_last_180_days, 6),
                text=f"{feats.late_payments_last_180_days} payments after their due date in the last 180 days",
                evidence=[_evidence(p, "paid late") for p in timeline.of("payment")[-3:]],
            )
        )
    orders = timeline.of("order")
    if (
        feats.days_since_last_order is not None
        and feats.days_since_last_order >= CHURN_SILENCE_DAYS
        and len(orders) >= 3
        and feats.days_since_last_order < 2 * 365
    ):
        span = (orders[-1].occurred_at - orders[0].occurred_at).days
        every = span / (len(orders) - 1) if len(orders) > 1 else 0
        if every and feats.days_since_last_order > 3 * every:
            reasons.append(
                Reason(
                    code="buying_stopped",
                    weight=1.5,
                    text=(
                        f"no order for {feats.days_since_last_order} days; bought {len(orders)} times, "
                        f"about every {every:.0f} days"
                    ),
                    evidence=[_evidence(orders[-1], f"last order, amount {orders[-1].amount():.2f}")],
                )
            )
    if (
        feats.engagement_trend is not None
        and feats.engagement_trend <= -0.5
        and feats.email_engagement_previous_90_days >= 3
    ):
        reasons.append(
            Reason(
                code="engagement_falling",
                weight=1.0,
                text=(
                    f"e-mail opens and clicks fell from {feats.email_engagement_previous_90_days} to "
                    f"{feats.email_engagement_last_90_days} (last 90 days against the 90 before)"
                ),
                evidence=[_evidence(e, f"{e.details.get('action')}") for e in timeline.of("email")[-3:]],
            )
        )
    valuable = feats.value_last_365_days >= 100 or feats.orders_last_365_days >= 4
    if valuable and (feats.days_since_last_contact is None or feats.days_since_last_contact > CONTACT_GAP_DAYS):
        gap = (
            "never contacted"
            if feats.days_since_last_contact is None
            else (f"last contacted {feats.days_since_last_contact} days ago")
        )
        contacts = timeline.of("contact")
        reasons.append(
            Reason(
                code="not_contacted",
                weight=0.75,
                text=f"{gap}, while buying {feats.value_last_365_days:.2f} in the last year",
                evidence=[_evidence(contacts[-1], "last contact")] if contacts else [],
            )
        )
    if feats.abandoned_carts_last_30_days:
        carts = [c for c in timeline.of("cart") if c.details.get("status") == "abandoned"][-3:]
        reasons.append(
            Reason(
                code="abandoned_carts",
                weight=0.5,
                text=f"{feats.abandoned_carts_last_30_days} abandoned cart(s) in the last 30 days",
                evidence=[_evidence(c, f"value {c.amount('value'):.2f}") for c in carts],
            )
        )
    score = round(sum(r.weight for r in reasons), 2)
    return AttentionEntry(customer_id=customer_id, score=score, reasons=reasons, features=feats)


def _paid_invoices(timeline: _Timeline) -> set[str]:
    return {str(p.details.get("invoice_id", "")) for p in timeline.of("payment")}


_EVENT_COLUMNS = (
    CUSTOMER_EVENT.c.customer_id,
    CUSTOMER_EVENT.c.kind,
    CUSTOMER_EVENT.c.occurred_at,
    CUSTOMER_EVENT.c.source_system,
    CUSTOMER_EVENT.c.record_id,
    CUSTOMER_EVENT.c.details,
)


def _to_events(rows: Iterable[Any]) -> list[Event]:
    return [
        Event(row.customer_id, row.kind, as_utc(row.occurred_at), row.source_system, row.record_id, row.details)
        for row in rows
    ]


def customer_events(connection: Connection, customer_id: str) -> list[Event]:
    rows = connection.execute(
        select(*_EVENT_COLUMNS)
        .where(CUSTOMER_EVENT.c.customer_id == customer_id)
        .order_by(CUSTOMER_EVENT.c.occurred_at, CUSTOMER_EVENT.c.id)
    )
    return _to_events(rows)


def attention_list(connection: Connection, as_of: datetime, top: int) -> list[AttentionEntry]:
    """The `top` customers with the highest attention score (ties: customer id), only those with a reason."""
    by_customer: dict[str, list[Event]] = defaultdict(list)
    rows = connection.execute(
        select(*_EVENT_COLUMNS).where(CUSTOMER_EVENT.c.customer_id.is_not(None), CUSTOMER_EVENT.c.occurred_at <= as_of)
    )
    for event in _to_events(rows):
        by_customer[event.customer_id].append(event)
    entries = [attention(customer, events, as_of) for customer, events in by_customer.items()]
    entries = [entry for entry in entries if entry.reasons]
    entries.sort(key=lambda entry: (-entry.score, entry.customer_id))
    return entries[:top]

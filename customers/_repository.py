"""Reads and writes of customer data: observations with lineage, credit applications, credit decisions."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import get_args

from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import Clock, JsonObject, JsonValue, NotFound
from customers import _queries as q
from customers._application_rows import application_view, decision_view, replay, same_application
from customers._errors import ApplicationConflict, CustomersError, DecisionConflict, ObservationConflict
from customers._lineage import DEFAULT_RULES, field_value, golden_record, history
from customers._merge import merge_customers, record_identity_decision
from customers._signals import AttentionEntry, Event, attention_list, customer_events
from customers._source_tables import CUSTOMER_LINK, IDENTITY_DECISION
from customers._survivorship import SurvivorshipRules
from customers._tables import (
    CREDIT_APPLICATION,
    CUSTOMER,
    CreditApplicationRow,
    CreditDecisionRow,
    CustomerRow,
    ObservationRow,
    as_utc,
)
from customers._views import (
    ApplicationIn,
    ApplicationStatus,
    CreditApplicationView,
    CreditDecisionKind,
    CreditDecisionView,
    FieldValue,
    GoldenRecord,
    MergeOutcome,
)

PENDING_STATUSES: tuple[ApplicationStatus, ...] = ("received", "information_requested")
FINAL_STATUSES: tuple[ApplicationStatus, ...] = ("approved", "declined")

_ObservationKey = tuple[str, str, str, str, datetime]


class CustomerBatch:
    """Several writes in one transaction; get one from `CustomerRepository.batch()`."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._new_customers: set[str] = set()
        self._pending: dict[_ObservationKey, ObservationRow] = {}

    def now(self) -> datetime:
        """The repository clock's current time, in UTC."""
        return as_utc(self._clock.now())

    def ensure_customer(self, customer_id: str) -> bool:
        """Create the customer unless it exists; True when it was created."""
        if customer_id in self._new_customers or self._session.get(CustomerRow, customer_id) is not None:
            return False
        self._session.add(CustomerRow(id=customer_id, created_at=self._clock.now()))
        # Tables have no ORM relationships, so the flush order is not FK-aware: write the parent now.
        self._session.flush()
        self._new_customers.add(customer_id)
        return True

    def observe(
        self,
        customer_id: str,
        field: str,
        value: JsonValue,
        *,
        source_system: str,
        source_record_id: str,
        observed_at: datetime | None = None,
    ) -> FieldValue:
        """Record that `source_system` reported `value` for `field`; see `CustomerRepository.observe`."""
        if observed_at is not None and observed_at.tzinfo is None:
            raise CustomersError(f"observed_at {observed_at} has no timezone; pass an aware datetime")
        moment = as_utc(observed_at or self._clock.now())
        key = (customer_id, field, source_system, source_record_id, moment)
        self.ensure_customer(customer_id)
        existing = self._pending.get(key)
        if existing is None and customer_id not in self._new_customers:
            existing = self._session.exec(
                select(ObservationRow).where(
                    ObservationRow.customer_id == customer_id,
                    ObservationRow.field == field,
                    ObservationRow.source_system == source_system,
                    ObservationRow.source_record_id == source_record_id,
                    ObservationRow.observed_at == moment,
                )
            ).first()
        if existing is not None:
            if existing.value != value:
                raise ObservationConflict(customer_id, field, source_system, source_record_id)
            return field_value(existing)
        row = ObservationRow(
            customer_id=customer_id,
            field=field,
            value=value,
            source_system=source_system,
            source_record_id=source_record_id,
            observed_at=moment,
            recorded_at=as_utc(self._clock.now()),
        )
        self._session.add(row)
        self._pending[key] = row
        return field_value(row)

    def add_application(self, application: ApplicationIn) -> CreditApplicationView:
        """Record a received application; the same application twice is a no-op."""
        existing = self._session.get(CreditApplicationRow, application.id)
        if existing is not None:
            if not same_application(existing, application):
                raise ApplicationConflict(application.id)
            return application_view(existing.model_dump())
        self.ensure_customer(application.customer_id)
        row = CreditApplicationRow(
            id=application.id,
            customer_id=application.customer_id,
            amount=application.amount,
            duration_months=application.duration_months,
            purpose=application.purpose,
            installment_rate=application.installment_rate,
            requested_by=application.requested_by,
            status="received",
            received_at=as_utc(application.received_at or self._clock.now()),
            source_system=application.source_system,
            source_record_id=application.source_record_id,
        )
        self._session.add(row)
        return application_view(row.model_dump())

    def existing_application_ids(self, application_ids: Collection[str]) -> set[str]:
        """Those of `application_ids` that are already recorded."""
        if not application_ids:
            return set()
        query = select(CreditApplicationRow.id).where(col(CreditApplicationRow.id).in_(list(application_ids)))
        return set(self._session.exec(query).all())


class CustomerRepository:
    """Customer data on one database: the golden record with lineage, applications and decisions."""

    def __init__(self, engine: Engine, clock: Clock, rules: SurvivorshipRules = DEFAULT_RULES) -> None:
        self._engine = engine
        self._clock = clock
        self._rules = rules
        self._golden_read: dict[str, GoldenRecord] | None = None
        self._application_read: dict[str, CreditApplicationView] | None = None
        self._held: Connection | None = None

    @contextmanager
    def reading_once(self) -> Iterator[CustomerRepository]:
        """This repository for one step of reading: one connection and transaction (a consistent snapshot),
        and each golden record and application read from the database once and then reused.

        For work that reads the same customer through several tools (an agent gathering its evidence);
        a fresh view per step, so nothing stale outlives it. Writes still go through their own transactions.
        """
        with self._engine.connect() as connection:
            view = copy.copy(self)
            view._held = connection
            view._golden_read = {}
            view._application_read = {}
            yield view

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        if self._held is not None:
            yield self._held
        else:
            with self._engine.connect() as connection:
                yield connection

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def rules(self) -> SurvivorshipRules:
        return self._rules

    @contextmanager
    def batch(self) -> Iterator[CustomerBatch]:
        """A unit of work: everything written through the batch commits together, or not at all."""
        with Session(self._engine) as session:
            yield CustomerBatch(session, self._clock)
            session.commit()

    # -- golden record -------------------------------------------------------------------------

    def observe(
        self,
        customer_id: str,
        field: str,
        value: JsonValue,
        *,
        source_system: str,
        source_record_id: str,
        observed_at: datetime | None = None,
    ) -> FieldValue:
        """Record one observation (creating the customer if new); history is kept.

        `observed_at` (default: now) is when the source says the value held; the observation with the
        latest `observed_at` is the golden value. Re-reading the same source record at the same instant
        is a no-op; the same reading with a different value raises `ObservationConflict`.
        """
        with self.batch() as batch:
            return batch.observe(
                customer_id,
                field,
                value,
                source_system=source_system,
                source_record_id=source_record_id,
                observed_at=observed_at,
            )

    def golden(self, customer_id: str) -> GoldenRecord:
        """The surviving value of every field of the customer, each with its lineage and conflicts.

        A customer merged into another answers with the other's record (its data moved there).
        """
        if self._golden_read is not None:
            if customer_id not in self._golden_read:
                self._golden_read[customer_id] = self._read_golden(customer_id)
            return self._golden_read[customer_id]
        return self._read_golden(customer_id)

    def _read_golden(self, customer_id: str) -> GoldenRecord:
        with self._reading() as connection:
            rows = connection.execute(q.GOLDEN, {"customer_id": customer_id}).all()
            if rows and rows[0].merged_into is not None:  # its data moved: read the customer it went to
                customer_id = _follow_merges(connection, customer_id)
                rows = connection.execute(q.GOLDEN, {"customer_id": customer_id}).all()
            if not rows:
                raise NotFound("customer", customer_id)
            staged = connection.execute(q.LINKED_VERSIONS, {"customer_id": customer_id}).all()
        return golden_record(customer_id, [row for row in rows if row.id is not None], staged, self._rules)

    def field_history(self, customer_id: str, field: str) -> list[FieldValue]:
        """Every value any source reported for one field, oldest first (every version of every record)."""
        with self._reading() as connection:
            customer_id = _follow_merges(connection, customer_id)
            rows = connection.execute(q.FIELD_HISTORY, {"customer_id": customer_id, "field": field}).all()
            if not rows:
                raise NotFound("customer", customer_id)
            staged = connection.execute(q.LINKED_VERSIONS, {"customer_id": customer_id}).all()
        return history((row for row in rows if row.id is not None), staged, field=field)

    def canonical_id(self, customer_id: str) -> str:
        """The id a customer is known by now: itself, or the customer it was merged into."""
        with self._reading() as connection:
            return _follow_merges(connection, customer_id)

    def customer_ids(self) -> list[str]:
        with Session(self._engine) as session:
            return list(session.exec(select(CustomerRow.id).order_by(col(CustomerRow.id))).all())

    # -- signals -------------------------------------------------------------------------------

    def attention(self, top: int, as_of: datetime | None = None) -> list[AttentionEntry]:
        """The `top` customers who most need attention at `as_of` (default now), each with reasons."""
        with self._reading() as connection:
            return attention_list(connection, as_utc(as_of or self._clock.now()), top)

    def timeline(self, customer_id: str) -> list[Event]:
        """Every event of the customer from every source, oldest first."""
        with self._reading() as connection:
            return customer_events(connection, _follow_merges(connection, customer_id))

    # -- identity ------------------------------------------------------------------------------

    def merge_customers(
        self,
        customer_id: str,
        other_customer_id: str,
        *,
        record: str,
        other_record: str,
        decided_by: str,
        reference: str,
    ) -> MergeOutcome:
        """Merge two customers into the older one, once per `reference` (a replay changes nothing).

        Everything of the absorbed customer moves (links, observations, events, applications); its id
        stays as a pointer, so old references still find the merged customer.
        """
        with self._engine.begin() as connection:
            done = connection.execute(
                core_select(IDENTITY_DECISION.c.id).where(IDENTITY_DECISION.c.reference == reference)
            ).first()
            first, second = _follow_merges(connection, customer_id), _follow_merges(connection, other_customer_id)
            if done is not None:
                return MergeOutcome(
                    kept=first, absorbed=second if second != first else other_customer_id, replayed=True
                )
            if first == second:
                raise CustomersError(f"customers {customer_id!r} and {other_customer_id!r} are already one customer")
            created = dict(
                connection.execute(
                    core_select(CUSTOMER.c.id, CUSTOMER.c.created_at).where(CUSTOMER.c.id.in_([first, second]))
                ).all()
            )
            for candidate in (first, second):
                if candidate not in created:
                    raise NotFound("customer", candidate)
            keep, absorb = sorted((first, second), key=lambda c: (as_utc(created[c]), c))
            now = as_utc(self._clock.now())
            merge_customers(connection, keep, absorb, now)
            record_identity_decision(connection, record, other_record, "same", decided_by, reference, now)
        return MergeOutcome(kept=keep, absorbed=absorb, replayed=False)

    def keep_apart(self, record: str, other_record: str, *, decided_by: str, reference: str) -> None:
        """Record that two source records are different people, so they are not proposed again."""
        with self._engine.begin() as connection:
            done = connection.execute(
                core_select(IDENTITY_DECISION.c.id).where(IDENTITY_DECISION.c.reference == reference)
            ).first()
            if done is None:
                now = as_utc(self._clock.now())
                record_identity_decision(connection, record, other_record, "distinct", decided_by, reference, now)

    def source_links(self) -> list[tuple[str, str, str, str]]:
        """Every (source system, entity, record id, customer id) link of a person record to its customer."""
        with self._reading() as connection:
            rows = connection.execute(core_select(CUSTOMER_LINK)).all()
        return [(row.source_system, row.entity, row.record_id, row.customer_id) for row in rows]

    def open_applications_of(self, customer_ids: Collection[str]) -> int:
        """How many applications of these customers still wait for a final decision."""
        with self._reading() as connection:
            rows = connection.execute(
                core_select(CREDIT_APPLICATION.c.id).where(
                    CREDIT_APPLICATION.c.customer_id.in_(list(customer_ids)),
                    CREDIT_APPLICATION.c.status.in_(PENDING_STATUSES),
                )
            ).all()
        return len(rows)

    # -- applications --------------------------------------------------------------------------

    def add_application(self, application: ApplicationIn) -> CreditApplicationView:
        """Record a received credit application (status `received`), creating the customer if new."""
        with self.batch() as batch:
            return batch.add_application(application)

    def application(self, application_id: str) -> CreditApplicationView:
        if self._application_read is not None:
            if application_id not in self._application_read:
                self._application_read[application_id] = self._read_application(application_id)
            return self._application_read[application_id]
        return self._read_application(application_id)

    def _read_application(self, application_id: str) -> CreditApplicationView:
        with self._reading() as connection:
            row = connection.execute(q.APPLICATION, {"application_id": application_id}).first()
        if row is None:
            raise NotFound("application", application_id)
        return application_view(row._mapping)

    def applications(self, customer_id: str) -> list[CreditApplicationView]:
        """The customer's applications, oldest first."""
        with self._reading() as connection:
            rows = connection.execute(q.CUSTOMER_APPLICATIONS, {"customer_id": customer_id}).all()
        if not rows:
            raise NotFound("customer", customer_id)
        return [application_view(row._mapping) for row in rows if row.id is not None]

    def pending_applications(self) -> list[CreditApplicationView]:
        """Applications without a final decision (received or waiting for information), oldest first."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(CreditApplicationRow)
                .where(col(CreditApplicationRow.status).in_(PENDING_STATUSES))
                .order_by(col(CreditApplicationRow.received_at), col(CreditApplicationRow.id))
            ).all()
            return [application_view(row.model_dump()) for row in rows]

    # -- decisions -----------------------------------------------------------------------------

    def record_credit_decision(
        self,
        application_id: str,
        decision: CreditDecisionKind,
        *,
        idempotency_key: str,
        details: JsonObject,
    ) -> CreditDecisionView:
        """Record a credit decision and set the application's status, in one transaction; exactly once.

        A second call with the same `idempotency_key` writes nothing and returns the stored decision
        (`replayed=True`); the same key for another application or decision raises `DecisionConflict`,
        and so does a new decision on an application that is already approved or declined.
        """
        if decision not in get_args(CreditDecisionKind):
            known = ", ".join(get_args(CreditDecisionKind))
            raise CustomersError(f"unknown credit decision {decision!r}; use one of: {known}")
        if not idempotency_key:
            raise CustomersError("a credit decision needs a non-empty idempotency key")
        try:
            with Session(self._engine) as session:
                stored = self._decision_by_key(session, idempotency_key)
                if stored is not None:
                    return replay(stored, application_id, decision)
                application = session.exec(
                    select(CreditApplicationRow).where(CreditApplicationRow.id == application_id).with_for_update()
                ).first()
                if application is None:
                    raise NotFound("application", application_id)
                if application.status in FINAL_STATUSES:
                    raise DecisionConflict(
                        application_id, f"it is already {application.status}; a final decision is not changed"
                    )
                row = CreditDecisionRow(
                    application_id=application_id,
                    decision=decision,
                    idempotency_key=idempotency_key,
                    details=details,
                    decided_at=as_utc(self._clock.now()),
                )
                application.status = decision
                session.add(row)
                session.add(application)
                session.commit()
                session.refresh(row)
                return decision_view(row)
        except IntegrityError:
            # A concurrent call with the same key committed first: that one is the execution.
            with Session(self._engine) as session:
                stored = self._decision_by_key(session, idempotency_key)
            if stored is None:
                raise
            return replay(stored, application_id, decision)

    def decisions(self, application_id: str) -> list[CreditDecisionView]:
        """Decisions recorded on an application, oldest first."""
        with self._reading() as connection:
            rows = connection.execute(q.APPLICATION_DECISIONS, {"application_id": application_id}).all()
        if not rows:
            raise NotFound("application", application_id)
        return [decision_view(row) for row in rows if row.id is not None]

    # -- internals -----------------------------------------------------------------------------

    @staticmethod
    def _decision_by_key(session: Session, idempotency_key: str) -> CreditDecisionRow | None:
        return session.exec(
            select(CreditDecisionRow).where(CreditDecisionRow.idempotency_key == idempotency_key)
        ).first()


def _follow_merges(connection: Connection, customer_id: str) -> str:
    for _ in range(100):
        merged_into = connection.execute(q.MERGED_INTO, {"customer_id": customer_id}).scalar_one_or_none()
        if merged_into is None:
            return customer_id
        customer_id = merged_into
    raise CustomersError(f"customer {customer_id!r}: the chain of merges does not end; repair customer.merged_into")

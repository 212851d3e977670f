"""SQLModel tables for customer data; registered on the shared `SQLModel.metadata`.

Timestamps are stored as UTC. SQLite keeps no offset, so values read back are normalised with
`as_utc` before they leave this package.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Column, DateTime, Index, Table, UniqueConstraint, inspect
from sqlmodel import Field, SQLModel


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; a naive value (as SQLite returns it) is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_column(*, index: bool = False) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=index))


class CustomerRow(SQLModel, table=True):
    """One customer known to Steward; its data lives in observations."""

    __tablename__ = "customer"

    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = utc_column()
    merged_into: str | None = Field(default=None, max_length=64)
    """Set when identity resolution merged this customer into another; its data moved there."""
    erased_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    """Set when the person's data was erased (GDPR Art. 17); only this id and the dates remain."""


class ObservationRow(SQLModel, table=True):
    """One value of one field of one customer, as a source system reported it (field-level lineage).

    Rows are never updated: a newer observation supersedes an older one in the golden record, and the
    older one stays for history. The natural key makes re-reading the same source record a no-op.
    """

    __tablename__ = "customer_observation"
    __table_args__ = (
        UniqueConstraint(
            "customer_id",
            "field",
            "source_system",
            "source_record_id",
            "observed_at",
            name="uq_customer_observation_source_reading",
        ),
        Index("ix_customer_observation_customer_field", "customer_id", "field"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", max_length=64)
    field: str = Field(max_length=128)
    value: Any = Field(sa_column=Column(JSON, nullable=True))
    source_system: str = Field(max_length=64)
    source_record_id: str = Field(max_length=128)
    observed_at: datetime = utc_column()
    recorded_at: datetime = utc_column()


class CreditApplicationRow(SQLModel, table=True):
    """A credit application as the loan-origination system received it, with its current status."""

    __tablename__ = "credit_application"

    id: str = Field(primary_key=True, max_length=64)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    amount: float
    duration_months: int
    purpose: str = Field(max_length=128)
    installment_rate: int
    requested_by: str | None = Field(default=None, max_length=128)
    status: str = Field(max_length=32, index=True)
    received_at: datetime = utc_column()
    source_system: str = Field(max_length=64)
    source_record_id: str = Field(max_length=128)


class CreditDecisionRow(SQLModel, table=True):
    """A credit decision executed on an application; the unique idempotency key makes it run once."""

    __tablename__ = "credit_decision"

    id: int | None = Field(default=None, primary_key=True)
    application_id: str = Field(foreign_key="credit_application.id", index=True, max_length=64)
    decision: str = Field(max_length=32)
    idempotency_key: str = Field(unique=True, max_length=200)
    details: Any = Field(sa_column=Column(JSON, nullable=False))
    decided_at: datetime = utc_column()


def core_table(model: type[SQLModel]) -> Table:
    return cast(Table, inspect(model).local_table)


CUSTOMER = core_table(CustomerRow)
OBSERVATION = core_table(ObservationRow)
CREDIT_APPLICATION = core_table(CreditApplicationRow)
CREDIT_DECISION = core_table(CreditDecisionRow)
"""The Core tables behind the models, for read paths that need rows, not ORM objects."""

"""Tables of the ingestion path: load runs, staged source rows, quarantine, identity links, the timeline.

Staged rows are the source of truth for what each system said: every version of a row is kept as
received (`payload`) with its typed fields (`fields`), and the customer's golden record is assembled
from the current and past versions of the rows linked to it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from customers._tables import core_table, utc_column


class IngestRunRow(SQLModel, table=True):
    """One `steward ingest` of one system, with its reconciliation counts."""

    __tablename__ = "ingest_run"

    id: int | None = Field(default=None, primary_key=True)
    source_system: str = Field(max_length=64, index=True)
    started_at: datetime = utc_column()
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    counts: Any = Field(sa_column=Column(JSON, nullable=False))


class StagedRecordRow(SQLModel, table=True):
    """One version of one source row, as received; a changed row gets a new version, the old one stays."""

    __tablename__ = "staging_record"
    __table_args__ = (
        UniqueConstraint("source_system", "entity", "record_id", "version", name="uq_staging_record_version"),
        Index("ix_staging_record_current", "source_system", "entity", "is_current"),
        Index("ix_staging_record_key", "source_system", "entity", "record_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_system: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    role: str = Field(max_length=32)
    record_id: str = Field(max_length=200)
    subject_id: str | None = Field(default=None, max_length=200)
    version: int
    payload: Any = Field(sa_column=Column(JSON, nullable=False))
    fields: Any = Field(sa_column=Column(JSON, nullable=False))
    field_times: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    content_hash: str = Field(max_length=64)
    is_current: bool
    observed_at: datetime = utc_column()
    received_at: datetime = utc_column()
    load_id: int = Field(foreign_key="ingest_run.id", index=True)


class QuarantineRow(SQLModel, table=True):
    """A received row that could not be read or failed validation, kept as received with the reason."""

    __tablename__ = "quarantine_record"
    __table_args__ = (Index("ix_quarantine_record_subject", "source_system", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    load_id: int = Field(foreign_key="ingest_run.id", index=True)
    source_system: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    position: int
    record_id: str | None = Field(default=None, max_length=200)
    """The row's id, when its id column could be read."""
    subject_id: str | None = Field(default=None, max_length=200)
    """The person record (events, applications) or the order (order lines) the row names, when readable:
    erasure finds a person's quarantined rows by it."""
    raw: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    quarantined_at: datetime = utc_column()


class CustomerLinkRow(SQLModel, table=True):
    """Which customer a source person record belongs to, and why it was put there."""

    __tablename__ = "customer_link"

    source_system: str = Field(primary_key=True, max_length=64)
    entity: str = Field(primary_key=True, max_length=64)
    record_id: str = Field(primary_key=True, max_length=200)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    reason: str = Field(max_length=200)
    linked_at: datetime = utc_column()


class IdentityDecisionRow(SQLModel, table=True):
    """A person's verdict on a possible duplicate: two records are (or are not) the same customer."""

    __tablename__ = "identity_decision"

    id: int | None = Field(default=None, primary_key=True)
    left_record: str = Field(max_length=400, index=True)
    right_record: str = Field(max_length=400, index=True)
    verdict: str = Field(max_length=16)
    decided_by: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    decided_at: datetime = utc_column()


class CustomerEventRow(SQLModel, table=True):
    """One event on a customer's signals timeline, from a source event row (its latest version)."""

    __tablename__ = "customer_event"
    __table_args__ = (
        UniqueConstraint("source_system", "entity", "record_id", name="uq_customer_event_source"),
        Index("ix_customer_event_customer_time", "customer_id", "occurred_at"),
        Index("ix_customer_event_subject", "source_system", "subject_entity", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_system: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    record_id: str = Field(max_length=200)
    subject_entity: str = Field(max_length=64)
    subject_id: str = Field(max_length=200)
    customer_id: str | None = Field(default=None, foreign_key="customer.id", max_length=64)
    kind: str = Field(max_length=64)
    occurred_at: datetime = utc_column()
    staged_id: int
    """The staged version this event was built from; a newer version replaces it."""
    details: Any = Field(sa_column=Column(JSON, nullable=False))


class ErasedRecordRow(SQLModel, table=True):
    """A source record of an erased person: ingestion skips it, so erasure survives the next import.

    Only a keyed hash of (system, entity, record id) is kept, never the id itself.
    """

    __tablename__ = "erased_record"

    record_hash: str = Field(primary_key=True, max_length=64)
    erased_at: datetime = utc_column()


INGEST_RUN = core_table(IngestRunRow)
STAGED = core_table(StagedRecordRow)
QUARANTINE = core_table(QuarantineRow)
CUSTOMER_LINK = core_table(CustomerLinkRow)
IDENTITY_DECISION = core_table(IdentityDecisionRow)
CUSTOMER_EVENT = core_table(CustomerEventRow)
ERASED_RECORD = core_table(ErasedRecordRow)


def erased_hash(system: str, entity: str, record_id: str) -> str:
    """The hash under which an erased source record is remembered."""
    text = f"{system}\x1f{entity}\x1f{record_id}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20, person=b"steward-erasure").hexdigest()

"""Merging customers and recording identity verdicts: small writes shared by resolution and the tools."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from customers._source_tables import CUSTOMER_EVENT, CUSTOMER_LINK, IDENTITY_DECISION
from customers._tables import CREDIT_APPLICATION, CUSTOMER, OBSERVATION

RecordKey = tuple[str, str, str]
"""(source system, entity, record id) of a staged person record."""


def record_ref(key: RecordKey) -> str:
    return "/".join(key)


def merge_customers(connection: Connection, keep: str, absorb: str, now: datetime) -> None:
    """Move everything of `absorb` to `keep`; `absorb` stays as a pointer (merged_into) for old references."""
    for table in (CUSTOMER_LINK, OBSERVATION, CUSTOMER_EVENT, CREDIT_APPLICATION):
        connection.execute(update(table).where(table.c.customer_id == absorb).values(customer_id=keep))
    connection.execute(update(CUSTOMER).where(CUSTOMER.c.id == absorb).values(merged_into=keep))
    connection.execute(update(CUSTOMER).where(CUSTOMER.c.merged_into == absorb).values(merged_into=keep))


def record_identity_decision(
    connection: Connection, left: str, right: str, verdict: str, decided_by: str, reference: str | None, now: datetime
) -> None:
    connection.execute(
        insert(IDENTITY_DECISION).values(
            left_record=left,
            right_record=right,
            verdict=verdict,
            decided_by=decided_by,
            reference=reference,
            decided_at=now,
        )
    )


def linked_records(connection: Connection, customer_id: str) -> list[RecordKey]:
    rows = connection.execute(
        select(CUSTOMER_LINK.c.source_system, CUSTOMER_LINK.c.entity, CUSTOMER_LINK.c.record_id).where(
            CUSTOMER_LINK.c.customer_id == customer_id
        )
    )
    return [(row.source_system, row.entity, row.record_id) for row in rows]

"""Field-level lineage: how observations become field values, and which observation is current."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from customers._tables import ObservationRow, as_utc
from customers._views import FieldValue, GoldenRecord


def supersession_key(row: ObservationRow) -> tuple[datetime, datetime, int]:
    """Order of observations of one field, oldest first: the last one is the current value.

    Later `observed_at` wins; ties go to the later `recorded_at`, then to the later insert.
    """
    return (as_utc(row.observed_at), as_utc(row.recorded_at), row.id or 0)


def field_value(row: ObservationRow) -> FieldValue:
    return FieldValue(
        value=row.value,
        source_system=row.source_system,
        source_record_id=row.source_record_id,
        observed_at=as_utc(row.observed_at),
    )


def history(rows: Iterable[ObservationRow]) -> list[FieldValue]:
    """Observations of one field, oldest first."""
    return [field_value(row) for row in sorted(rows, key=supersession_key)]


def golden_record(customer_id: str, rows: Iterable[ObservationRow]) -> GoldenRecord:
    """The golden record of one customer from all of its observations."""
    current: dict[str, ObservationRow] = {}
    for row in rows:
        seen = current.get(row.field)
        if seen is None or supersession_key(row) > supersession_key(seen):
            current[row.field] = row
    return GoldenRecord(
        customer_id=customer_id,
        fields={name: field_value(row) for name, row in sorted(current.items())},
    )

"""Field-level lineage: how observations become field values, and which observation is current."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from pydantic import TypeAdapter

from customers._tables import as_utc
from customers._views import FieldValue, GoldenRecord


class Observation(Protocol):
    """One stored observation: an `ObservationRow`, or a Core row of the same columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def field(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def source_system(self) -> str: ...
    @property
    def source_record_id(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...


def supersession_key(row: Observation) -> tuple[datetime, datetime, int]:
    """Order of observations of one field, oldest first: the last one is the current value.

    Later `observed_at` wins; ties go to the later `recorded_at`, then to the later insert.
    """
    return (as_utc(row.observed_at), as_utc(row.recorded_at), row.id or 0)


def _fields_of(row: Observation) -> dict[str, Any]:
    return {
        "value": row.value,
        "source_system": row.source_system,
        "source_record_id": row.source_record_id,
        "observed_at": as_utc(row.observed_at),
    }


def field_value(row: Observation) -> FieldValue:
    return FieldValue.model_validate(_fields_of(row))


_HISTORY = TypeAdapter(list[FieldValue])


def history(rows: Iterable[Observation]) -> list[FieldValue]:
    """Observations of one field, oldest first."""
    # One validation of the whole list: much cheaper than one model per observation.
    return _HISTORY.validate_python([_fields_of(row) for row in sorted(rows, key=supersession_key)])


def golden_record(customer_id: str, rows: Iterable[Observation]) -> GoldenRecord:
    """The golden record of one customer from all of its observations."""
    current: dict[str, Observation] = {}
    for row in rows:
        seen = current.get(row.field)
        if seen is None or supersession_key(row) > supersession_key(seen):
            current[row.field] = row
    # One validation of the whole record: much cheaper than one model per field.
    return GoldenRecord.model_validate(
        {"customer_id": customer_id, "fields": {name: _fields_of(row) for name, row in sorted(current.items())}}
    )

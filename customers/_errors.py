"""The errors `customers` raises on purpose; each carries the data a caller needs to act on it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from core import StewardError


class CustomersError(StewardError):
    """Something about customer data that Steward detected and can explain."""


class MalformedApplication(CustomersError):
    """A row of an applicant file failed validation; nothing from the file was written."""

    def __init__(self, path: Path, row_number: int, field: str, reason: str) -> None:
        super().__init__(
            f"{path}: line {row_number}, field {field!r}: {reason}. "
            "Nothing from this file was loaded; fix the line and load the file again."
        )
        self.path = path
        self.row_number = row_number
        self.field = field
        self.reason = reason


class ObservationConflict(CustomersError):
    """A source record was observed twice at the same instant with two different values."""

    def __init__(self, customer_id: str, field: str, source_system: str, source_record_id: str) -> None:
        super().__init__(
            f"customer {customer_id!r}, field {field!r}: {source_system} record {source_record_id!r} "
            "already has a different value observed at the same time; give the new reading its own "
            "observed_at (or its own source record id)"
        )
        self.customer_id = customer_id
        self.field = field
        self.source_system = source_system
        self.source_record_id = source_record_id


class ApplicationConflict(CustomersError):
    """An application id is already taken by an application with different content."""

    def __init__(self, application_id: str) -> None:
        super().__init__(
            f"application {application_id!r} already exists with different content; "
            "an application is immutable once received, file a new one instead"
        )
        self.application_id = application_id


class DecisionConflict(CustomersError):
    """A credit decision cannot be recorded: its idempotency key was used for a different decision,
    or the application already has a final decision."""

    def __init__(self, application_id: str, reason: str) -> None:
        super().__init__(f"cannot record a decision for application {application_id!r}: {reason}")
        self.application_id = application_id
        self.reason = reason


class FulfilmentConflict(CustomersError):
    """An order's shipment or hold cannot be recorded: the order already ships or is held under another
    idempotency key, or the key was used for another order."""

    def __init__(self, order_id: str, reason: str) -> None:
        super().__init__(f"cannot record this for order {order_id!r}: {reason}")
        self.order_id = order_id
        self.reason = reason


RefusalReason = Literal[
    "not_open", "unknown_warehouse", "unknown_carrier", "quantities_differ", "capacity", "stock", "invalid"
]


class ShipmentRefused(CustomersError):
    """A shipment that does not fit the order or what is left: nothing was recorded; plan the order again."""

    def __init__(self, order_id: str, reason: RefusalReason, detail: str) -> None:
        super().__init__(f"shipment of order {order_id!r} refused ({reason}): {detail}")
        self.order_id = order_id
        self.reason: RefusalReason = reason
        self.detail = detail

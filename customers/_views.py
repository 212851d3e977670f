"""What `customers` returns and accepts: pydantic values, separate from the table models."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from customers._errors import CustomersError
from customers._fields import OBJECTS_TO_AUTOMATED_DECISIONS, VULNERABLE

ApplicationStatus = Literal["received", "approved", "declined", "information_requested"]
CreditDecisionKind = Literal["approved", "declined", "information_requested"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldValue(_Frozen):
    """One observed value of a field with its lineage: which source record said so, and when."""

    value: JsonValue
    source_system: str
    source_record_id: str
    observed_at: AwareDatetime
    rule: str | None = None
    """The survivorship rule that chose this value (set on golden values, not on history)."""


class GoldenRecord(_Frozen):
    """The current best value of every field of one customer, each with its lineage.

    Survivorship rules (see `customers._survivorship`) choose each value among the source records
    linked to the customer; `conflicts` keeps the differing values that lost, per field.
    """

    customer_id: str
    fields: dict[str, FieldValue]
    conflicts: dict[str, list[FieldValue]] = {}

    def get(self, field: str) -> FieldValue | None:
        return self.fields.get(field)

    def value(self, field: str) -> JsonValue:
        """The field's value, or None when no source has reported it."""
        found = self.fields.get(field)
        return None if found is None else found.value

    def text(self, field: str) -> str | None:
        value = self.value(field)
        if value is None or isinstance(value, str):
            return value
        raise self._wrong_type(field, "text")

    def integer(self, field: str) -> int | None:
        value = self.value(field)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise self._wrong_type(field, "an integer")

    def flag(self, field: str) -> bool:
        """A yes/no field; False when no source has reported it."""
        value = self.value(field)
        if value is None or isinstance(value, bool):
            return bool(value)
        raise self._wrong_type(field, "true or false")

    @property
    def objects_to_automated_decisions(self) -> bool:
        """GDPR Art. 22 objection on record (an opt-out: no recorded objection means none)."""
        return self.flag(OBJECTS_TO_AUTOMATED_DECISIONS)

    @property
    def vulnerable(self) -> bool:
        return self.flag(VULNERABLE)

    def _wrong_type(self, field: str, expected: str) -> CustomersError:
        return CustomersError(
            f"customer {self.customer_id!r}: field {field!r} holds {self.value(field)!r}, not {expected}; "
            "check the source system that reported it"
        )


class ApplicationIn(_Frozen):
    """A credit application to record; `received_at` defaults to the repository clock's now."""

    id: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    amount: float = Field(gt=0)
    duration_months: int = Field(gt=0)
    purpose: str = Field(min_length=1)
    installment_rate: int = Field(ge=1)
    requested_by: str | None = None
    received_at: AwareDatetime | None = None
    source_system: str = Field(min_length=1)
    source_record_id: str = Field(min_length=1)


class CreditApplicationView(_Frozen):
    id: str
    customer_id: str
    amount: float
    duration_months: int
    purpose: str
    installment_rate: int
    requested_by: str | None
    status: ApplicationStatus
    received_at: AwareDatetime
    source_system: str
    source_record_id: str

    @property
    def is_pending(self) -> bool:
        """Still waiting for a final decision (received, or information requested)."""
        return self.status in ("received", "information_requested")


class CreditDecisionView(_Frozen):
    """An executed credit decision.

    `replayed` is True when the call that returned it found the decision already recorded under its
    idempotency key and wrote nothing; it is not stored.
    """

    id: int
    application_id: str
    decision: CreditDecisionKind
    idempotency_key: str
    details: dict[str, JsonValue]
    decided_at: AwareDatetime
    replayed: bool = False


class MergeOutcome(_Frozen):
    """Which customer a merge kept and which it absorbed; `replayed`: it had already been done."""

    kept: str
    absorbed: str
    replayed: bool = False

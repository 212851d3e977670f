"""Validation: a received row becomes a typed record, or the reason it cannot be one.

Values are stored as JSON: dates as ``YYYY-MM-DD``, moments as ISO 8601 in UTC, numbers as numbers.
A row whose id is missing, whose required field is empty, or one of whose values cannot be read as
its declared type is invalid as a whole: it goes to quarantine with the reason, and nothing of it
reaches the golden record.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from core import JsonValue
from customers.sources._config import EntitySpec, FieldSpec
from customers.sources._connectors import RowValues


class InvalidRow(ValueError):
    """A row failed validation; the message is the quarantine reason."""


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    record_id: str
    subject_id: str | None
    """The person record an event or application is about, or the order a line belongs to."""
    fields: dict[str, JsonValue]
    observed_at: datetime | None
    """When the source says the row was last true (its `observed_at` column), if it says."""
    field_observed_at: dict[str, datetime]
    """Per-field moments (a consent's date), where the mapping names one."""


_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE: Final = frozenset({"yes", "y", "true", "t", "1"})
_FALSE: Final = frozenset({"no", "n", "false", "f", "0"})
_HOUSE_NUMBER: Final = re.compile(r"^(?P<street>.*?)[\s,]+(?P<number>\d+[a-zA-Z]?(?:[-/]\d+[a-zA-Z]?)?)$")


def _text(value: JsonValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    raise InvalidRow(f"expected a single value, got {type(value).__name__}")


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time; naive values are UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRow(f"{text!r} is not a date-time (ISO 8601, e.g. 2026-01-31T09:30:00+00:00)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(text: str) -> str:
    candidate = text[:10] if len(text) > 10 and text[10] in "T " else text
    try:
        return date.fromisoformat(candidate).isoformat()
    except ValueError:
        raise InvalidRow(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _number(text: str, spec: FieldSpec, *, integer: bool) -> int | float:
    try:
        number: int | float = int(text) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise InvalidRow(f"{text!r} is not {kind}") from None
    if not integer and not math.isfinite(number):  # NaN, inf
        raise InvalidRow(f"{text!r} is not a finite number")
    if spec.min is not None and number < spec.min:
        raise InvalidRow(f"{text} is below the minimum {spec.min:g}")
    if spec.max is not None and number > spec.max:
        raise InvalidRow(f"{text} is above the maximum {spec.max:g}")
    return number


def _typed(text: str, spec: FieldSpec) -> JsonValue:
    match spec.type:
        case "text":
            if spec.choices is None:
                return text
            for choice in spec.choices:
                if choice.casefold() == text.casefold():
                    return choice
            raise InvalidRow(f"{text!r} is not one of {', '.join(spec.choices)}")
        case "email":
            email = text.lower()
            if not _EMAIL.match(email):
                raise InvalidRow(f"{text!r} is not an e-mail address")
            return email
        case "phone":
            digits = re.sub(r"[^\d+]", "", text)
            if sum(ch.isdigit() for ch in digits) < 6:
                raise InvalidRow(f"{text!r} is not a phone number")
            return digits
        case "date":
            return _date(text)
        case "datetime":
            return parse_moment(text).isoformat()
        case "integer":
            return _number(text, spec, integer=True)
        case "decimal":
            return _number(text, spec, integer=False)
        case "boolean":
            lowered = text.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise InvalidRow(f"{text!r} is not yes or no")
    raise AssertionError(spec.type)


def split_name(text: str, spec: FieldSpec) -> dict[str, JsonValue]:
    if spec.format == "surname, given" and "," in text:
        surname, _, given = text.partition(",")
    elif spec.format == "surname, given":
        surname, given = text, ""
    else:
        given, _, surname = text.rpartition(" ")
        if not given:
            given, surname = surname, ""
    parts = {"given_name": given.strip() or None, "surname": surname.strip() or None}
    return {key: value for key, value in parts.items() if value}


def split_address(text: str) -> dict[str, JsonValue]:
    found = _HOUSE_NUMBER.match(text)
    if found is None:
        return {"street": text}
    return {"street": found.group("street").strip(), "house_number": found.group("number")}


def parse_row(values: RowValues, entity: EntitySpec) -> ParsedRecord:
    """The typed record of one row, or `InvalidRow` naming the first problem."""
    record_id = _text(values.get(entity.id))
    if record_id is None:
        raise InvalidRow(f"the id column {entity.id!r} is empty")
    parent = entity.parent_column
    subject_id = _text(values.get(parent)) if parent else None
    if parent and subject_id is None:
        what = "order" if entity.role == "order_line" else "person record"
        raise InvalidRow(f"the column {parent!r} naming the {what} is empty")
    fields: dict[str, JsonValue] = {}
    field_moments: dict[str, datetime] = {}
    for name, spec in entity.fields.items():
        try:
            text = _text(values.get(spec.column))
            if text is None:
                continue
            if name == "full_name":
                fields.update(split_name(text, spec))
            elif name == "address_line":
                fields.update(split_address(text))
            else:
                fields[name] = _typed(text, spec)
            if spec.observed_at:
                moment = _text(values.get(spec.observed_at))
                if moment is not None:
                    field_moments[name] = parse_moment(moment)
        except InvalidRow as exc:
            raise InvalidRow(f"{name} (column {spec.column!r}): {exc}") from None
    for name in entity.required:
        if name not in fields:
            raise InvalidRow(f"the required field {name} (column {entity.fields[name].column!r}) is empty")
    observed_at = None
    if entity.observed_at:
        text = _text(values.get(entity.observed_at))
        if text is not None:
            try:
                observed_at = parse_moment(text)
            except InvalidRow as exc:
                raise InvalidRow(f"column {entity.observed_at!r}: {exc}") from None
    return ParsedRecord(record_id, subject_id, fields, observed_at, field_moments)

"""Shared reads for pages and API: queue cursors, a customer's 360 if there is one."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Literal

from approval_ui._backend import Backend
from core import NotFound
from customers import Customer360, customer_360
from supervision import QUEUE_STATUSES, QueuePosition, QueuePriority, QueueSort, QueueStatus, SlaDue

STATUSES: tuple[QueueStatus, ...] = QUEUE_STATUSES


PRIORITIES: tuple[QueuePriority, ...] = ("high", "normal")
DUE_CHOICES: tuple[tuple[SlaDue, str], ...] = (
    ("overdue", "Overdue"),
    ("within_4h", "Due within 4 h"),
    ("within_24h", "Due within 24 h"),
)
SORT_CHOICES: tuple[tuple[QueueSort, str], ...] = (("newest", "Newest first"), ("due", "SLA due soonest"))

AuditDirection = Literal["older", "newer"]
MAX_SEQ = 2**63 - 1


class BadCursor(ValueError):
    """A pagination cursor that this app did not write, or one written for another sort."""


def _encode(document: dict[str, object]) -> str:
    raw = json.dumps(document, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, object]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise BadCursor(f"not a cursor of this API: {cursor!r}") from exc
    if not isinstance(data, dict):
        raise BadCursor(f"not a cursor of this API: {cursor!r}")
    return data


def encode_cursor(position: QueuePosition) -> str:
    """The queue position as an opaque cursor that names its sort, so another sort can refuse it."""
    at = None if position.at is None else position.at.isoformat()
    return _encode({"s": position.sort, "t": at, "i": position.id})


def decode_cursor(cursor: str, sort: QueueSort) -> QueuePosition:
    """The position `encode_cursor` wrote; `BadCursor` for anything else or for a cursor of another sort."""
    data = _decode(cursor)
    if data.get("s") != sort:
        raise BadCursor(f"this cursor continues the {data.get('s')!r} order, not {sort!r}: start again without it")
    try:
        at = None if data["t"] is None else datetime.fromisoformat(str(data["t"]))
        if at is None and sort == "newest":
            raise ValueError("a newest-first position has a creation time")
        if at is not None and at.tzinfo is None:
            raise ValueError("naive time")
        return QueuePosition(sort=sort, at=utc_or_none(at), id=str(data["i"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCursor(f"not a queue cursor: {cursor!r}") from exc


def encode_audit_cursor(direction: AuditDirection, seq: int) -> str:
    """A cursor for the audit page older or newer than entry `seq`."""
    return _encode({"d": direction, "q": seq})


def decode_audit_cursor(cursor: str) -> tuple[AuditDirection, int]:
    data = _decode(cursor)
    direction, seq = data.get("d"), data.get("q")
    if direction not in ("older", "newer") or not isinstance(seq, int) or isinstance(seq, bool) or not is_seq(seq):
        raise BadCursor(f"not an audit cursor: {cursor!r}")
    return ("older" if direction == "older" else "newer"), seq


def time_to_due(expires_at: datetime | None, now: datetime) -> str:
    """How long until a deadline, or how long past it, in words a reviewer scans: "in 3 h 20 min"."""
    if expires_at is None:
        return "—"
    seconds = int((expires_at - now).total_seconds())
    minutes = abs(seconds) // 60
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        span = f"{days} d {hours} h"
    elif hours:
        span = f"{hours} h {mins} min"
    else:
        span = f"{mins} min"
    return f"overdue by {span}" if seconds < 0 else f"in {span}"


def utc_or_none(moment: datetime | None) -> datetime | None:
    """A time from a query or form, aware in UTC; one without an offset is taken as UTC, as pages show.

    `ValueError` for a time that has no UTC equivalent (the first hours of year 1 east of Greenwich).
    """
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"{moment.isoformat()} is out of range") from exc


def is_seq(value: int) -> bool:
    """True for a number that can be an audit entry's seq (a positive 64-bit integer)."""
    return 1 <= value <= MAX_SEQ


def customer_or_none(backend: Backend, customer_id: str | None) -> Customer360 | None:
    """The customer's 360, or None when the proposal names no customer or the customer is unknown."""
    if customer_id is None:
        return None
    try:
        return customer_360(backend.customers, customer_id)
    except NotFound:
        return None

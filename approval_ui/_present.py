"""Shared reads for pages and API: queue cursors, the autonomy overview, a customer's 360 if there is one."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from approval_ui._backend import Backend
from approval_ui._models import AutonomyOut
from core import NotFound
from customers import Customer360, customer_360
from supervision import QueuePosition, QueueStatus

STATUSES: tuple[QueueStatus, ...] = (
    "pending",
    "approved",
    "rejected",
    "edited",
    "expired",
    "executing",
    "executed",
    "failed",
    "denied",
)


class BadCursor(ValueError):
    """A pagination cursor that this app did not write."""


def encode_cursor(position: QueuePosition) -> str:
    raw = json.dumps({"t": position.created_at.isoformat(), "i": position.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> QueuePosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        created_at = datetime.fromisoformat(data["t"])
        if created_at.tzinfo is None:
            raise ValueError("naive time")
        return QueuePosition(created_at=created_at, id=str(data["i"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadCursor(f"not a queue cursor: {cursor!r}") from exc


def autonomy_overview(backend: Backend) -> list[AutonomyOut]:
    """Every agent action's level, its ladder, the KPIs it is judged on and its moves so far."""
    rows = []
    for agent, runtime in sorted(backend.supervisor.agents.items()):
        policy = runtime.step.policy
        for action in sorted(policy.actions):
            level, kpi = backend.supervisor.ladder_state(agent, action)
            rows.append(
                AutonomyOut(
                    agent=agent,
                    action=action,
                    level=level,
                    levels=list(policy.levels(action)),
                    kpi=kpi,
                    history=backend.autonomy.history(agent, action),
                )
            )
    return rows


def customer_or_none(backend: Backend, customer_id: str | None) -> Customer360 | None:
    """The customer's 360, or None when the proposal names no customer or the customer is unknown."""
    if customer_id is None:
        return None
    try:
        return customer_360(backend.customers, customer_id)
    except NotFound:
        return None

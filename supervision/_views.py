"""What supervision hands out and takes in: pydantic values, separate from the tables."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import JsonValue as JsonField

from policies import GateDecision, KpiSnapshot, ReviewVerdict

QueueStatus = Literal[
    "pending", "approved", "rejected", "edited", "expired", "executing", "executed", "failed", "denied"
]
"""Where a proposal is: `approved` and `edited` may execute; `denied` was refused by the gate."""

OutcomeLabel = Literal["good", "bad"]
"""What happened after an executed action, as later observed."""

ChangeDirection = Literal["promote", "demote", "manual"]

JsonPayload = dict[str, JsonField]
"""A JSON object; pydantic-checkable spelling of `core.JsonObject`."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProposalSubmission(_Value):
    """An agent's proposal together with the gate's decision on it, ready to be recorded."""

    id: str
    """The agent's proposal id; submitting the same id again is a no-op."""
    agent: str
    action: str
    thread_id: str | None = None
    customer_id: str | None = None
    arguments: JsonPayload
    action_hash: str
    proposal: JsonPayload
    """The full proposal, for display to reviewers."""
    facts: JsonPayload
    """The facts the gate saw."""
    gate: GateDecision
    requested_by: str | None = None
    expires_at: datetime | None = None


class ReviewView(_Value):
    reviewer: str
    verdict: ReviewVerdict
    comment: str | None
    at: datetime
    edited_arguments: JsonPayload | None = None


class QueueItem(_Value):
    """One proposal as the queue sees it now."""

    id: str
    agent: str
    action: str
    status: QueueStatus
    customer_id: str | None
    thread_id: str | None
    arguments: JsonPayload
    action_hash: str
    proposal: JsonPayload
    facts: JsonPayload
    gate: GateDecision
    requested_by: str | None
    created_at: datetime
    expires_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    """Who settled the gate or review: a reviewer id, ``"policy"`` for auto and deny, ``"expiry"``."""
    version: int
    approvals: list[str] = Field(default_factory=list)
    """Reviewers whose approval counts for the current action (an edit restarts the count)."""
    reviews: list[ReviewView] = Field(default_factory=list)
    execution_result: JsonPayload | None = None
    error: str | None = None
    outcome: OutcomeLabel | None = None


class ExecutionClaim(_Value):
    """Permission to run one approved action, with the key that makes running it idempotent."""

    proposal_id: str
    action_hash: str
    idempotency_key: str
    first_attempt: bool
    """False when an earlier claim may have run the action already (re-entry after a crash)."""


class AuditEntry(_Value):
    seq: int
    at: datetime
    kind: str
    subject: str
    actor: str
    payload: JsonPayload
    prev_hash: str
    hash: str


class AuditVerification(_Value):
    """The result of re-walking the audit chain."""

    ok: bool
    count: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None
    """Hash of the newest entry: record it elsewhere to detect a later truncation of the chain."""


class AutonomyStateView(_Value):
    agent: str
    action: str
    level: str
    changed_at: datetime
    changed_by: str


class AutonomyChangeView(_Value):
    agent: str
    action: str
    from_level: str | None
    to_level: str
    direction: ChangeDirection
    reason: str
    actor: str
    at: datetime
    kpi: KpiSnapshot | None = None


class UserView(_Value):
    id: str
    name: str
    roles: tuple[str, ...]
    can_log_in: bool = False
    """True once the user has a password (API tokens are separate)."""


class QueueRow(_Value):
    """One line of the queue as a list shows it: enough to triage, without the evidence."""

    id: str
    agent: str
    action: str
    status: QueueStatus
    customer_id: str | None
    arguments: JsonPayload
    gate_outcome: str
    gate_matched: str
    autonomy_level: str
    created_at: datetime
    expires_at: datetime | None
    """When a pending review expires: its SLA due time."""
    decided_at: datetime | None
    decided_by: str | None


class QueuePosition(_Value):
    """Where a page of the queue ends: the next page starts after this (newest first, then by id)."""

    created_at: datetime
    id: str


class QueuePage(_Value):
    rows: list[QueueRow]
    next_after: QueuePosition | None
    """None on the last page."""

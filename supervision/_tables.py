"""The SQLModel tables behind supervision; what callers see are the views in `_views`.

Every timestamp column is a `UtcDateTime`: stored in UTC and handed back timezone-aware on both
backends (SQLite would otherwise return naive datetimes). JSON payloads use the generic `JSON` type,
which is `json` on PostgreSQL and text on SQLite.
"""

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, Table, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: supervision stores timezone-aware UTC times")
        value = value.astimezone(UTC)
        # SQLite keeps the text as given; dropping the offset keeps every stored value comparable.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ProposalRow(SQLModel, table=True):
    """One proposed action and its whole life: gate, review, execution and outcome."""

    __tablename__ = "supervision_proposal"
    __table_args__ = (
        # The queue (see `_browse`): each page order, under a status or an agent action, is an index range
        # read in order. Each index also holds every filter column, so rows that do not match are
        # skipped inside the index, and counting per state never reads the table.
        Index(
            "ix_supervision_proposal_queue_newest",
            *("status", "created_at", "id", "agent", "action", "priority", "expires_at"),
        ),
        Index("ix_supervision_proposal_queue_due", *("status", "expires_at", "id", "agent", "action", "priority")),
        Index(
            "ix_supervision_proposal_queue_agent_action",
            *("agent", "action", "status", "created_at", "id", "priority", "expires_at"),
        ),
        Index(
            "ix_supervision_proposal_queue_all_newest",
            *("created_at", "id", "status", "agent", "action", "priority", "expires_at"),
        ),
        Index("ix_supervision_proposal_queue_all_due", *("expires_at", "id", "status", "agent", "action", "priority")),
        Index("ix_supervision_proposal_agent_action_decided", "agent", "action", "decided_at"),
        Index("ix_supervision_proposal_awaiting_resume", "awaiting_resume_since"),
        # The reviews escalated to some roles ("escalated to you"), due soonest, with the other filters inside.
        Index(
            "ix_supervision_proposal_escalated",
            *("escalated_to", "status", "expires_at", "id", "created_at", "agent", "action", "priority"),
        ),
    )

    id: str = Field(primary_key=True, max_length=200)
    agent: str = Field(max_length=200)
    action: str = Field(max_length=200)
    status: str = Field(max_length=20)
    priority: str = Field(default="normal", max_length=10, sa_column_kwargs={"server_default": "normal"})
    """`high` or `normal` (`supervision.priority_of`), set from the gate's decision at submission."""
    customer_id: str | None = Field(default=None, max_length=200)
    thread_id: str | None = Field(default=None, max_length=200)
    arguments: dict[str, Any] = Field(sa_type=JSON)
    action_hash: str = Field(max_length=128)
    """The action that may run: the agent's, or the reviewer's after an edit."""
    edited_action: str | None = Field(default=None, max_length=200)
    """The action a reviewer's edit put in place of `action` (e.g. ask for information instead of
    approving); None when the agent's action, perhaps with edited arguments, is what runs. KPIs stay
    grouped by `action`, the one the agent proposed."""
    submitted_hash: str = Field(max_length=128)
    """The action the agent submitted; a re-submission is matched against this, not an edit."""
    proposal: dict[str, Any] = Field(sa_type=JSON)
    facts: dict[str, Any] = Field(sa_type=JSON)
    gate: dict[str, Any] = Field(sa_type=JSON)
    requested_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decided_by: str | None = Field(default=None, max_length=200)
    verdict: str | None = Field(default=None, max_length=20)
    """The human verdict that settled the review (approve, reject, edit); None if no person decided."""
    version: int = Field(default=0, sa_type=Integer)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    executed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    execution_result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    error: str | None = None
    outcome: str | None = Field(default=None, max_length=10)
    outcome_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    awaiting_resume_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Set with a person's (or expiry's) final decision, in its transaction; cleared once the agent's
    thread has run on from it to its end. Recovery after a crash resumes the proposals where it is set."""
    on_timeout: str = Field(default="expire", max_length=10, sa_column_kwargs={"server_default": "expire"})
    """`expire` or `escalate` (`policies.ReviewTimeout`): what the review clock does once `expires_at` passes."""
    escalate_to: str | None = Field(default=None, max_length=200)
    """With `escalate`: the role an overdue review goes to."""
    escalated_sla_seconds: int | None = Field(default=None, sa_type=Integer)
    """With `escalate`: how long the escalated review may wait, from its escalation, before it expires."""
    escalated_to: str | None = Field(default=None, max_length=200)
    """Set when the review was escalated (then `escalate_to`); None while it never was."""
    escalated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ProposalSubjectRow(SQLModel, table=True):
    """One customer or other record a proposal names, as the agent declared it (`supervision.Subject`).

    The queue filters by these rows and erasure finds a proposal by them, wherever the id sits in its
    arguments; an erased customer's rows are deleted with the redaction (the id itself is personal data).
    """

    __tablename__ = "supervision_proposal_subject"
    __table_args__ = (
        # The proposals naming a subject (a customer's filter, erasure), read inside the index.
        Index("ix_supervision_proposal_subject_kind_subject", "kind", "subject_id", "proposal_id"),
    )

    proposal_id: str = Field(foreign_key="supervision_proposal.id", primary_key=True, max_length=200)
    kind: str = Field(primary_key=True, max_length=32)
    subject_id: str = Field(primary_key=True, max_length=200)


class ReviewRow(SQLModel, table=True):
    """One reviewer's verdict on a proposal; a four-eyes proposal has two."""

    __tablename__ = "supervision_review"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: str = Field(foreign_key="supervision_proposal.id", index=True, max_length=200)
    reviewer: str = Field(max_length=200)
    verdict: str = Field(max_length=20)
    comment: str | None = None
    at: datetime = Field(sa_type=UtcDateTime)
    edited_arguments: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    edited_action_hash: str | None = Field(default=None, max_length=128)
    edited_action: str | None = Field(default=None, max_length=200)


class AuditRow(SQLModel, table=True):
    """One link of the append-only audit chain; `seq` is unique and gap-free by construction."""

    __tablename__ = "supervision_audit"
    __table_args__ = (
        # The audit search (`AuditLog.search`): each filter, newest first by seq.
        Index("ix_supervision_audit_subject_seq", "subject", "seq"),
        Index("ix_supervision_audit_kind_seq", "kind", "seq"),
        Index("ix_supervision_audit_actor_seq", "actor", "seq"),
        Index("ix_supervision_audit_at", "at"),
    )

    seq: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UtcDateTime)
    kind: str = Field(max_length=100)
    subject: str = Field(max_length=200)
    actor: str = Field(max_length=200)
    payload: dict[str, Any] = Field(sa_type=JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AutonomyStateRow(SQLModel, table=True):
    """The current autonomy level of one agent action."""

    __tablename__ = "supervision_autonomy_state"

    agent: str = Field(primary_key=True, max_length=200)
    action: str = Field(primary_key=True, max_length=200)
    level: str = Field(max_length=100)
    changed_at: datetime = Field(sa_type=UtcDateTime)
    changed_by: str = Field(max_length=200)


class AutonomyChangeRow(SQLModel, table=True):
    """One move on the autonomy ladder, with the KPI snapshot that justified it (if any)."""

    __tablename__ = "supervision_autonomy_change"
    __table_args__ = (Index("ix_supervision_autonomy_change_agent_action", "agent", "action", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    agent: str = Field(max_length=200)
    action: str = Field(max_length=200)
    from_level: str | None = Field(default=None, max_length=100)
    to_level: str = Field(max_length=100)
    direction: str = Field(max_length=20)
    reason: str
    actor: str = Field(max_length=200)
    at: datetime = Field(sa_type=UtcDateTime)
    kpi: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class AutonomyRequestRow(SQLModel, table=True):
    """A promotion the ladder called for that waits for an ops manager's sign-off, and its decision."""

    __tablename__ = "supervision_autonomy_request"
    __table_args__ = (Index("ix_supervision_autonomy_request_agent_action", "agent", "action", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agent: str = Field(max_length=200)
    action: str = Field(max_length=200)
    from_level: str = Field(max_length=100)
    to_level: str = Field(max_length=100)
    reason: str
    kpi: dict[str, Any] = Field(sa_type=JSON)
    requested_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(max_length=20)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    note: str | None = None
    open_for: str | None = Field(default=None, max_length=401, unique=True)
    """``agent/action`` while the request is pending, else None: at most one open request per action."""


class UserRow(SQLModel, table=True):
    """A person who may review proposals, with their roles and (to log in) an argon2 password hash."""

    __tablename__ = "supervision_user"
    id: str = Field(primary_key=True, max_length=200)
    name: str = Field(max_length=200)
    roles: list[str] = Field(sa_type=JSON)
    password_hash: str | None = Field(default=None, max_length=500)
    password_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Set while the user is disabled: no login, and their sessions and API tokens are refused."""


class ApiTokenRow(SQLModel, table=True):
    """An API token of a user; only the SHA-256 of the token is kept, so a leaked table grants nothing."""

    __tablename__ = "supervision_api_token"

    id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="supervision_user.id", index=True, max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """None: the token lasts until revoked."""
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Written at most once a minute per token."""


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, inspect(model).local_table)


PROPOSAL = _table(ProposalRow)
REVIEW = _table(ReviewRow)
PROPOSAL_SUBJECT = _table(ProposalSubjectRow)
AUDIT = _table(AuditRow)
AUTONOMY_STATE = _table(AutonomyStateRow)
"""The Core tables behind the hot-path models, for reads and inserts that need no ORM objects."""

"""What supervision hands out and takes in: pydantic values, separate from the tables."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import JsonValue as JsonField

from policies import GateDecision, KpiSnapshot, ReviewTimeout, ReviewVerdict

QueueStatus = Literal[
    "pending", "approved", "rejected", "edited", "expired", "executing", "executed", "failed", "denied"
]
"""Where a proposal is: `approved` and `edited` may execute; `denied` was refused by the gate."""

QueuePriority = Literal["high", "normal"]
"""How urgently a proposal wants a person: `high` when a hard limit or rule forced the review or it needs
four eyes (see `supervision.priority_of`)."""

QUEUE_STATUSES: tuple[QueueStatus, ...] = get_args(QueueStatus)
"""Every queue status, in the order pages and the CLI list them."""

QueueSort = Literal["newest", "due"]
"""The order of a queue page: newest first, or SLA due soonest (proposals without a deadline last)."""

SlaDue = Literal["overdue", "within_4h", "within_24h"]
"""A filter on the SLA due time (`expires_at`) against the clock: past it, or due in the next 4 or 24 hours
(not yet past)."""

OutcomeLabel = Literal["good", "bad"]
"""What happened after an executed action, as later observed."""

ChangeDirection = Literal["promote", "demote", "manual"]

JsonPayload = dict[str, JsonField]
"""A JSON object; pydantic-checkable spelling of `core.JsonObject`."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


SUBJECT_KIND_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
SUBJECT_ID_MAX = 200


class Subject(_Value):
    """Something a proposal concerns: a customer (`kind="customer"`) or another record (an application,
    an order). Every subject is kept in the proposal's own indexed rows, so the queue filters by it and
    erasure finds the proposal however deep the id sits in its arguments."""

    kind: str = Field(pattern=SUBJECT_KIND_PATTERN)
    id: str = Field(min_length=1, max_length=SUBJECT_ID_MAX)


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
    subjects: tuple[Subject, ...] = ()
    """Every customer and other record the proposal concerns, as the agent named them."""
    on_timeout: ReviewTimeout = "expire"
    """What happens when the review is still pending at `expires_at` (the action's review clock)."""
    escalate_to: str | None = Field(default=None, min_length=1, max_length=200)
    """With ``escalate``: the role the overdue review goes to."""
    escalated_sla_seconds: int | None = Field(default=None, ge=1)
    """With ``escalate``: how long the escalated review may wait, counted from its escalation."""

    @model_validator(mode="after")
    def _escalation_is_complete(self) -> ProposalSubmission:
        escalates = self.on_timeout == "escalate"
        if escalates != (self.escalate_to is not None) or escalates != (self.escalated_sla_seconds is not None):
            raise ValueError("escalate_to and escalated_sla_seconds go with on_timeout 'escalate', and only with it")
        return self


class DecisionEdit(_Value):
    """What a reviewer changes when deciding `edit`: the arguments, and optionally another action of the
    same agent in place of the proposed one (its arguments then). Checked and re-gated by the Supervisor."""

    arguments: JsonPayload
    action: str | None = None


class GatedEdit(_Value):
    """An edit as the queue records it: checked arguments, their action hash and the gate's new decision."""

    arguments: JsonPayload
    action_hash: str
    gate: GateDecision
    action: str | None = None
    """The replacement action, or None when the proposed action runs with the edited arguments."""
    subjects: tuple[Subject, ...] = ()
    """What the edited arguments name (as the action declares): recorded with the proposal's subjects, so
    a customer an edit adds is found by the queue's filter and by erasure."""


class ReviewView(_Value):
    reviewer: str
    verdict: ReviewVerdict
    comment: str | None
    at: datetime
    edited_arguments: JsonPayload | None = None
    edited_action: str | None = None


class QueueItem(_Value):
    """One proposal as the queue sees it now."""

    id: str
    agent: str
    action: str
    status: QueueStatus
    customer_id: str | None
    thread_id: str | None
    arguments: JsonPayload
    """The arguments of the action that runs (a reviewer's edit replaces the agent's)."""
    action_hash: str
    edited_action: str | None = None
    """The action a reviewer put in place of the agent's `action`; None when `action` is what runs."""
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
    subjects: tuple[Subject, ...] = ()
    """Every customer and other record the proposal names (its customer included), sorted by kind and id;
    an erased customer is no longer among them."""
    on_timeout: ReviewTimeout = "expire"
    """What happens when the review is still pending at `expires_at`: it expires, or (once) it escalates."""
    escalate_to: str | None = None
    """The role an overdue review escalates to (with ``escalate``)."""
    escalated_to: str | None = None
    """The role the review was escalated to, once it waited past its first deadline; None until then."""
    escalated_at: datetime | None = None

    @property
    def runs(self) -> str:
        """The action that executes once approved: the reviewer's replacement, else the agent's."""
        return self.edited_action or self.action


class ReviewTimeouts(_Value):
    """What one pass of the review clock did (`ApprovalQueue.apply_timeouts`): the overdue reviews that
    expired, and those escalated to a role (still pending, with a new deadline)."""

    expired: list[QueueItem] = Field(default_factory=list)
    escalated: list[QueueItem] = Field(default_factory=list)


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


class AuditHead(_Value):
    """One entry of the chain named by its place and hash, printed `SEQ:HASH`: a head to keep elsewhere."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


class ExpectedHead(_Value):
    """A head recorded elsewhere (a ticket, a log shipper, another machine) that the chain must still hold.

    With `seq`, entry `seq` must exist and have `hash`; without it, some entry must have `hash`. The chain
    hashes every entry into the next, so an intact chain that holds the head holds everything up to it
    unchanged: a cut below it, or a rewrite of any entry up to it, loses the hash.
    """

    seq: int | None = Field(default=None, ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class AuditCheckpoint(_Value):
    """A signed statement that entry `seq` of the chain had hash `head_hash` at time `at`.

    `signature` is Ed25519 (hex) by the key whose raw public key is `public_key` (hex) over
    `supervision.checkpoint_message(seq, head_hash, at)`; the key stays outside the database.
    """

    id: int
    seq: int
    head_hash: str
    at: datetime
    public_key: str
    signature: str

    @property
    def head(self) -> AuditHead:
        return AuditHead(seq=self.seq, hash=self.head_hash)


class AnchoredVerification(_Value):
    """The chain walked in full, every checkpoint checked against it and the trusted keys, and the heads
    kept elsewhere looked up in it (`AuditLog.verify_anchored`)."""

    chain: AuditVerification
    head: AuditHead | None
    """The newest entry stored (None: the chain is empty)."""
    checkpoints: int
    """How many checkpoints were checked."""
    newest_checkpoint: AuditCheckpoint | None
    expected_heads: list[AuditHead]
    """The expected heads found in the chain, each with its place."""
    problems: list[str]
    """What does not hold up beyond the chain's own verification: a checkpoint signed by a key that is not
    trusted, or not matching its signature, or anchoring an entry that is gone or changed; an expected head
    the chain no longer holds. Ordered by entry."""

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


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


AutonomyRequestStatus = Literal["pending", "approved", "declined", "superseded"]
"""A promotion request waits (`pending`) until signed off, declined, or made moot by another move."""


class AutonomyRequestView(_Value):
    """A promotion the ladder called for that needs (or needed) an ops manager's sign-off."""

    id: int
    agent: str
    action: str
    from_level: str
    to_level: str
    reason: str
    kpi: KpiSnapshot
    """The KPIs that called for the promotion, as measured when it was requested."""
    requested_at: datetime
    status: AutonomyRequestStatus
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None


SeriesGranularity = Literal["day", "week"]


class KpiBucket(_Value):
    """One day or ISO week of an agent action's supervision, from its proposals' recorded times.

    Counts fall in the bucket of the time they happened: proposals by creation, reviews, expiries and
    automated executions by decision, outcomes by when they were observed. Rates are None without cases.
    """

    label: str
    """``2026-03-02`` for a day, ``2026-W10`` for an ISO week."""
    start: datetime
    end: datetime
    created: int
    automated: int
    """Executed on the gate's `auto` outcome, with no human verdict."""
    reviewed: int
    """Settled by a person's verdict: agreed plus overridden."""
    agreed: int
    overridden: int
    """Rejected or edited by the reviewer."""
    expired: int
    """Reviews that timed out (never counted as rejections)."""
    agreement_rate: float | None
    outcomes_observed: int
    bad_outcomes: int
    bad_outcome_rate: float | None
    backlog: int
    """Reviews pending at the bucket's end (at the time of the snapshot for the current bucket)."""
    median_hours_to_decision: float | None
    """Median time from proposal to a person's verdict, over the verdicts given in the bucket."""


class KpiSeries(_Value):
    """An agent action's KPIs over time: the most recent days or ISO weeks, oldest first, all UTC."""

    agent: str
    action: str
    granularity: SeriesGranularity
    buckets: list[KpiBucket]
    taken_at: datetime


class UserView(_Value):
    id: str
    name: str
    roles: tuple[str, ...]
    can_log_in: bool = False
    """True once the user has a password and while they are not disabled (API tokens are separate)."""
    disabled: bool = False
    """A disabled user cannot log in, and their sessions and API tokens are refused."""


class ApiTokenView(_Value):
    """An API token as `steward users tokens` lists it: never the token itself, only its id and times."""

    id: str
    created_at: datetime
    expires_at: datetime | None = None
    """None: valid until revoked."""
    last_used_at: datetime | None = None
    """Recorded at most once a minute."""
    revoked_at: datetime | None = None


class QueueRow(_Value):
    """One line of the queue as a list shows it: enough to triage, without the evidence."""

    id: str
    agent: str
    action: str
    status: QueueStatus
    customer_id: str | None
    arguments: JsonPayload
    priority: QueuePriority
    gate_outcome: str
    gate_matched: str
    autonomy_level: str
    created_at: datetime
    expires_at: datetime | None
    """When a pending review expires (or escalates): its SLA due time."""
    decided_at: datetime | None
    decided_by: str | None
    escalated_to: str | None = None
    """The role an overdue review was escalated to (its people see it first); None if never escalated."""
    escalated_at: datetime | None = None


class QueuePosition(_Value):
    """Where a page of the queue ends, in the page's sort: the next page starts after this row.

    `at` is the row's `created_at` (sort `newest`) or its `expires_at` (sort `due`; None once the page
    reached the proposals without a deadline); the id breaks ties.
    """

    sort: QueueSort
    at: datetime | None
    id: str


class QueuePage(_Value):
    rows: list[QueueRow]
    next_after: QueuePosition | None
    """None on the last page."""


class AuditPage(_Value):
    """Audit entries matching a search, newest first, and where the neighbouring pages start."""

    entries: list[AuditEntry]
    older_than: int | None
    """Pass as `before_seq` for the next older page; None when no older entry matches."""
    newer_than: int | None
    """Pass as `after_seq` for the next newer page; None when no newer entry matches."""


class AuditChainStatus(_Value):
    """The chain's verification as a page shows it: a full walk, extended by checks of newer entries."""

    verification: AuditVerification
    """Covers entries 1 to `verification.count` (every entry there was at `checked_at`)."""
    walked_at: datetime
    """When the last full walk from entry 1 ran."""
    checked_at: datetime
    """When the entries appended after that walk were last checked, linked to its head."""
    checkpoints: int = 0
    """Signed checkpoints checked at the last full walk (0 when the log has no signer)."""
    checkpoint_problems: list[str] = Field(default_factory=list)
    """What the last full walk found wrong with the checkpoints (see `AnchoredVerification.problems`)."""

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.checkpoint_problems

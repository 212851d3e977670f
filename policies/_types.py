"""The typed values the policy engine takes and returns.

These are the contract between `policies` (pure decisions), `supervision` (which persists them) and
`agents` (which builds the facts and acts on the decisions).
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core import JsonValue

Outcome = Literal["auto", "review", "deny"]
"""What the gate lets happen to a proposed action: run it, ask a person, or refuse it."""

DecisionSource = Literal["hard_limit", "rule", "autonomy", "default"]
"""Which part of the policy file produced a gate decision."""

ReviewVerdict = Literal["approve", "reject", "edit"]
REVIEW_VERDICTS: tuple[ReviewVerdict, ...] = ("approve", "reject", "edit")
"""What a reviewer does with a pending proposal."""

ReviewTimeout = Literal["expire", "escalate"]
"""What happens to a review left waiting past its SLA: it expires (the action does not run), or it is
escalated to a role once (priority raised, the role's people see it first, a new deadline) and expires
only if that deadline passes too. Neither is a rejection."""

Facts = Mapping[str, JsonValue]
"""The variables a policy's CEL conditions see, e.g. ``{"application": {"amount": 5000.0}, ...}``.

Agents build them from typed models (``model_dump(mode="json")``); the engine never guesses a shape.
"""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReviewRequirement(Frozen):
    """Who may decide a proposal that needs review, worked out by the gate from the policy.

    `role_limits` maps each role that may approve to the largest amount it may approve (``None``
    means no limit); a reviewer needs a role whose limit covers `amount`. `approvals_required` is 2
    where the policy asks for four eyes: two distinct reviewers must approve. `requested_by` may
    never approve its own request.
    """

    amount: float | None = None
    role_limits: dict[str, float | None] = Field(default_factory=dict)
    approvals_required: int = Field(default=1, ge=1, le=2)
    requested_by: str | None = None
    shadow: bool = False


class ReviewClock(Frozen):
    """How long a review of one action may wait, and what happens when it waited too long.

    From the action's ``review:`` block in its policy (`Policy.review_clock`); an action without one
    waits the installation's default and then expires.
    """

    sla: timedelta | None = None
    """How long a pending review may wait; None: the installation's default (``STEWARD_REVIEW_SLA_HOURS``)."""
    on_timeout: ReviewTimeout = "expire"
    escalate_to: str | None = None
    """The role an overdue review is escalated to (set exactly when `on_timeout` is ``escalate``)."""
    escalated_sla: timedelta | None = None
    """How long an escalated review may wait before it expires; None: as long as the first wait."""

    def deadline(self, default: timedelta) -> timedelta:
        """How long a new review may wait, given the installation's `default`."""
        return self.sla or default

    def escalation_deadline(self, default: timedelta) -> timedelta | None:
        """How long an escalated review may wait, given the installation's `default`; None when it expires
        at the first deadline instead."""
        if self.on_timeout != "escalate":
            return None
        return self.escalated_sla or self.deadline(default)


class GateDecision(Frozen):
    """The gate's answer for one proposed action under one autonomy level."""

    outcome: Outcome
    source: DecisionSource
    matched: str
    """Name of the hard limit, rule or autonomy band that decided, or ``"default"``."""
    reasons: tuple[str, ...] = ()
    autonomy_level: str
    review: ReviewRequirement
    """Who may decide this action if a person looks at it (always filled, also for auto)."""
    policy_version: str
    """Which policy decided: its content hash, prefixed by its saved version (``v3:1a2b3c4d5e6f``) when the
    policy came from the policy store."""


class Reviewer(Frozen):
    """A person who decides proposals, with the roles that give them authority."""

    id: str
    roles: frozenset[str]


class KpiSnapshot(Frozen):
    """Measured performance of one agent action over a window of recent cases.

    Only reviewed decisions (approve, reject, edit) count towards agreement; expired reviews are
    reported in `expired` and never counted as rejections.
    """

    agent: str
    action: str
    reviewed: int
    reviewed_since_change: int
    """Reviewed cases since the action last moved on its ladder: promotion needs fresh evidence."""
    agreed: int
    agreement_rate: float
    agreement_lower_bound: float
    outcomes_observed: int
    bad_outcomes: int
    bad_outcome_rate: float
    bad_outcome_upper_bound: float
    expired: int = 0
    taken_at: datetime


class LadderChange(Frozen):
    """A move of one agent action on its autonomy ladder, with the evidence behind it."""

    agent: str
    action: str
    from_level: str
    to_level: str
    direction: Literal["promote", "demote"]
    reason: str
    kpi: KpiSnapshot

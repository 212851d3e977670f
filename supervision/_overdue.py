"""Reviews past their deadline: the review clock each proposal carries from its action's policy.

A proposal is submitted with what its policy's ``review:`` block says happens when nobody decided it in
time (`ProposalSubmission.on_timeout`). Past its deadline a review either expires (the action does not
run), or it escalates, once: it stays pending with priority `high`, `escalated_to` names the role whose
people see it first, and it gets a new deadline `escalated_sla_seconds` from the escalation; past that one
it expires. Expiry and escalation are not verdicts: the KPIs never count either as a rejection.

`apply_timeouts` applies the clock to every overdue review (`steward queue expire`, `steward recover`, a
server's start); a decision that finds its proposal overdue applies it to that one first (`ApprovalQueue`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import Clock
from supervision._audit import AuditLog
from supervision._rows import current_approvals, guarded_update, load, reviews_of, view_of
from supervision._tables import ProposalRow
from supervision._views import QueueItem, ReviewTimeouts

MIN_ESCALATED_WAIT = timedelta(minutes=1)
"""The shortest wait an escalated review gets (a row stored without its escalated wait waits as long as
its first deadline gave it, but never less than this)."""


def escalates(proposal: ProposalRow | QueueItem) -> bool:
    """True if `proposal`, overdue, is escalated rather than expired: its clock escalates and it was not yet."""
    return proposal.on_timeout == "escalate" and proposal.escalate_to is not None and proposal.escalated_at is None


class OverdueReviews:
    """Expire or escalate reviews past their deadline; mixed into `ApprovalQueue`."""

    _engine: Engine
    _clock: Clock
    _audit: AuditLog

    def apply_timeouts(self) -> ReviewTimeouts:
        """Apply the review clock to every pending proposal past its deadline, oldest deadline first.

        Each one expires (never counted as a rejection) or, if its clock escalates and it was not yet
        escalated, is escalated to its role and stays pending with a new deadline. Each change is its own
        transaction with its audit entry; a proposal someone decided meanwhile is left as they left it.
        """
        now = self._clock.now()
        with Session(self._engine) as session:
            overdue = list(
                session.exec(
                    select(ProposalRow.id)
                    .where(
                        col(ProposalRow.status) == "pending",
                        col(ProposalRow.expires_at).is_not(None),
                        col(ProposalRow.expires_at) < now,
                    )
                    .order_by(col(ProposalRow.expires_at), col(ProposalRow.id))
                )
            )
        expired: list[QueueItem] = []
        escalated: list[QueueItem] = []
        for proposal_id in overdue:
            with Session(self._engine) as session:
                row = load(session, proposal_id)
                if row.status != "pending" or row.expires_at is None or row.expires_at >= now:
                    continue  # decided, or escalated, since the list was read
                happened = self._time_out(session, row, now)
                if happened is None:
                    continue
                session.commit()
                (expired if happened == "expired" else escalated).append(view_of(session, proposal_id))
        return ReviewTimeouts(expired=expired, escalated=escalated)

    def expire_overdue(self) -> list[QueueItem]:
        """Apply the review clock to every overdue review (`apply_timeouts`); the ones that expired."""
        return self.apply_timeouts().expired

    def _time_out(self, session: Session, row: ProposalRow, now: datetime) -> Literal["expired", "escalated"] | None:
        """Expire or escalate the overdue `row` in `session` (not committed); None if someone changed it first."""
        if escalates(row):
            return "escalated" if self._escalate(session, row, now) else None
        return "expired" if self._expire(session, row, now) else None

    def _escalate(self, session: Session, row: ProposalRow, now: datetime) -> bool:
        if row.escalated_sla_seconds is not None:
            wait = timedelta(seconds=row.escalated_sla_seconds)
        else:
            first = (row.expires_at - row.created_at) if row.expires_at is not None else MIN_ESCALATED_WAIT
            wait = max(first, MIN_ESCALATED_WAIT)
        deadline = now + wait
        values = {"priority": "high", "escalated_to": row.escalate_to, "escalated_at": now, "expires_at": deadline}
        if not guarded_update(session, row, ["pending"], values):
            return False
        self._audit.append(
            session,
            kind="proposal.escalated",
            subject=row.id,
            actor="escalation",
            payload={
                "escalated_to": row.escalate_to,
                "overdue_since": row.expires_at.isoformat() if row.expires_at else None,
                "expires_at": deadline.isoformat(),
                "priority_before": row.priority,
                "approvals": len(current_approvals(reviews_of(session, row.id))),
            },
        )
        return True

    def _expire(self, session: Session, row: ProposalRow, now: datetime) -> bool:
        if not guarded_update(
            session,
            row,
            ["pending"],
            {"status": "expired", "decided_at": now, "decided_by": "expiry", "awaiting_resume_since": now},
        ):
            return False
        self._audit.append(
            session,
            kind="review.expired",
            subject=row.id,
            actor="expiry",
            payload={
                "expires_at": row.expires_at.isoformat() if row.expires_at else None,
                "approvals": len(current_approvals(reviews_of(session, row.id))),
                **({"escalated_to": row.escalated_to} if row.escalated_to is not None else {}),
            },
        )
        return True

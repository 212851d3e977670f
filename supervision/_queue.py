"""The approval queue: proposals, the gate's decision, reviewers' verdicts, expiry and escalation (`_overdue`).

Every state change is one transaction that also writes its audit entry. Concurrent writers are kept
apart by an optimistic `version` column: an UPDATE matches only the version it read, so of two
reviewers deciding at once exactly one wins and the other gets `ApprovalConflict`.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import assert_never

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from core import Clock, ConfigurationError
from policies import GateDecision, Reviewer, ReviewVerdict, check_reviewer
from supervision._audit import AuditDraft, AuditLog
from supervision._browse import likely
from supervision._errors import ActionMismatch, ApprovalConflict, EditDenied, ProposalExpired
from supervision._execution import ExecutionLedger
from supervision._limits import checked_comment
from supervision._overdue import OverdueReviews, escalates
from supervision._priority import priority_of
from supervision._rows import (
    ProposalColumns,
    current_approvals,
    find,
    guarded_update,
    load,
    read_view,
    reviews_by_id,
    reviews_of,
    submitted_item,
    to_view,
    view_of,
)
from supervision._stranded import StrandedProposals
from supervision._subjects import (
    CUSTOMER,
    add_subjects,
    forget,
    named_subjects,
    naming,
    subjects_by_id,
    subjects_by_ids,
    subjects_of,
    write_subjects,
)
from supervision._tables import PROPOSAL, ProposalRow, ReviewRow
from supervision._views import GatedEdit, ProposalSubmission, QueueItem, QueueStatus

ATTEMPTS = 5
"""How often an operation re-reads and retries after losing a race that left the item decidable."""

_INSERT_NEW_PROPOSAL: Mapping[str, Insert] = {
    "sqlite": sqlite_insert(PROPOSAL).on_conflict_do_nothing(index_elements=[PROPOSAL.c.id]),
    "postgresql": postgresql_insert(PROPOSAL).on_conflict_do_nothing(index_elements=[PROPOSAL.c.id]),
}
"""INSERT ... ON CONFLICT (id) DO NOTHING, for each supported database; its rowcount says who won."""


def _utc(moment: datetime) -> datetime:
    """An aware time in UTC, as the database hands it back; a naive one is left for the column to refuse."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC)


class ApprovalQueue(ExecutionLedger, StrandedProposals, OverdueReviews):
    """Records proposals and their gate decisions, takes reviewers' verdicts, and guards execution."""

    def __init__(self, engine: Engine, clock: Clock, audit: AuditLog) -> None:
        self._engine = engine
        self._clock = clock
        self._audit = audit

    # -- submitting ---------------------------------------------------------------------------

    def submit(self, sub: ProposalSubmission) -> QueueItem:
        """Record a gated proposal with the subjects it names (`subjects` plus its customer); submitting the
        same id and action again returns the stored item."""
        subjects = subjects_of(sub)
        # A Core transaction: the proposal, its subjects and its audit entries are three statements and the
        # head's read, with no ORM unit of work around them (this is every proposal's path).
        with self._engine.begin() as connection:
            now = _utc(self._clock.now())
            status, decided_by, decided_at = self._initial_status(sub.gate, now)
            values = {
                "id": sub.id,
                "agent": sub.agent,
                "action": sub.action,
                "status": status,
                "priority": priority_of(sub.gate),
                "customer_id": sub.customer_id,
                "thread_id": sub.thread_id,
                "arguments": sub.arguments,
                "action_hash": sub.action_hash,
                "submitted_hash": sub.action_hash,
                "edited_action": None,
                "proposal": sub.proposal,
                "facts": sub.facts,
                "gate": sub.gate.model_dump(mode="json"),
                "requested_by": sub.requested_by,
                "created_at": now,
                "expires_at": None if sub.expires_at is None else _utc(sub.expires_at),
                "decided_at": decided_at,
                "decided_by": decided_by,
                "verdict": None,
                "version": 0,
                "claimed_at": None,
                "executed_at": None,
                "execution_result": None,
                "error": None,
                "outcome": None,
                "outcome_at": None,
                "on_timeout": sub.on_timeout,
                "escalate_to": sub.escalate_to,
                "escalated_sla_seconds": sub.escalated_sla_seconds,
                "escalated_to": None,
                "escalated_at": None,
            }
            # Insert unless the id exists: a re-submission, or another process a moment ago. One
            # statement decides, so there is no window between a check and the insert.
            insert_new = _INSERT_NEW_PROPOSAL[connection.dialect.name]
            # An INSERT's rowcount is only kept on request.
            inserted = connection.execute(insert_new, values, execution_options={"preserve_rowcount": True})
            if inserted.rowcount != 1:
                stored = find(connection, sub.id)
                assert stored is not None, "an insert that found the id taken is followed by a read of it"
                return self._resubmitted(connection, stored, sub)
            write_subjects(connection, sub.id, subjects)
            # The insert above holds SQLite's write lock: the audit needs no lock statement of its own there.
            self._audit.append_after_write(
                connection,
                [
                    AuditDraft(
                        kind="proposal.submitted",
                        subject=sub.id,
                        actor=sub.agent,
                        payload={
                            "agent": sub.agent,
                            "action": sub.action,
                            "action_hash": sub.action_hash,
                            "thread_id": sub.thread_id,
                            "customer_id": sub.customer_id,
                            "requested_by": sub.requested_by,
                        },
                    ),
                    AuditDraft(
                        kind="gate.decided",
                        subject=sub.id,
                        actor="policy",
                        payload={
                            "outcome": sub.gate.outcome,
                            "matched": sub.gate.matched,
                            "source": sub.gate.source,
                            "level": sub.gate.autonomy_level,
                            "policy_version": sub.gate.policy_version,
                            "status": status,
                        },
                    ),
                ],
            )
        # The row as written is the row as stored (times are UTC, JSON round-trips), and a new
        # proposal has no reviews yet: no need to read it back.
        return submitted_item(values, sub.gate, subjects)

    @staticmethod
    def _initial_status(gate: GateDecision, now: datetime) -> tuple[QueueStatus, str | None, datetime | None]:
        match gate.outcome:
            case "auto":
                return "approved", "policy", now
            case "review":
                return "pending", None, None
            case "deny":
                return "denied", "policy", now
            case unreachable:
                assert_never(unreachable)

    @staticmethod
    def _resubmitted(connection: Connection, row: ProposalColumns, sub: ProposalSubmission) -> QueueItem:
        if row.submitted_hash != sub.action_hash:
            raise ActionMismatch(sub.id)
        return to_view(row, reviews_by_id(connection, row.id), subjects_by_id(connection, row.id))

    # -- reading ------------------------------------------------------------------------------

    def get(self, proposal_id: str) -> QueueItem:
        """The proposal as it is now; `NotFound` for an unknown id."""
        with self._engine.connect() as connection:
            return read_view(connection, proposal_id)

    def list(
        self,
        *,
        status: QueueStatus | None = None,
        agent: str | None = None,
        customer_ids: Collection[str] | None = None,
        limit: int = 100,
    ) -> builtins.list[QueueItem]:
        """Proposals, newest first, optionally only one status, one agent's, or those naming any of some
        customers (by their subjects, wherever the arguments hold the id)."""
        with Session(self._engine) as session:
            conditions = []
            if status is not None:
                conditions.append(col(ProposalRow.status) == status)
            if agent is not None:
                conditions.append(col(ProposalRow.agent) == agent)
            if customer_ids is not None:
                # The customers' few proposals come from the subject index; the rest only test them.
                conditions = [likely(condition) for condition in conditions]
                conditions.append(col(ProposalRow.id).in_(naming(CUSTOMER, customer_ids)))
            statement = select(ProposalRow).where(*conditions)
            statement = statement.order_by(col(ProposalRow.created_at).desc(), col(ProposalRow.id).desc())
            rows = builtins.list(session.exec(statement.limit(limit)))
            reviews: dict[str, builtins.list[ReviewRow]] = defaultdict(builtins.list)
            if rows:
                for review in session.exec(
                    select(ReviewRow)
                    .where(col(ReviewRow.proposal_id).in_([row.id for row in rows]))
                    .order_by(col(ReviewRow.at), col(ReviewRow.id))
                ):
                    reviews[review.proposal_id].append(review)
            subjects = subjects_by_ids(session.connection(), [row.id for row in rows])
            return [to_view(row, reviews[row.id], subjects.get(row.id, ())) for row in rows]

    def subjects_with_proposals(self, kind: str, subject_ids: Collection[str]) -> set[str]:
        """Those of `subject_ids` that some proposal names as a `kind` (an agent's trigger skips them)."""
        with self._engine.connect() as connection:
            return named_subjects(connection, kind, subject_ids)

    # -- reviewing ----------------------------------------------------------------------------

    def ensure_decidable(self, item: QueueItem) -> None:
        """Raise as `decide` would if `item` can no longer be decided: settled (`ApprovalConflict`) or
        expired, by status or by its deadline (`ProposalExpired`). Lets a caller refuse before doing work
        on a decision (re-gating an edit) that the queue would refuse anyway; `decide` still checks. A review
        whose clock escalates it is still decidable past its first deadline (`decide` escalates it first)."""
        if item.status == "expired":
            raise ProposalExpired(item.id)
        if item.status != "pending":
            raise ApprovalConflict(item.id, item.status, item.decided_by)
        if item.expires_at is not None and self._clock.now() > item.expires_at and not escalates(item):
            raise ProposalExpired(item.id)

    def decide(
        self,
        proposal_id: str,
        reviewer: Reviewer,
        verdict: ReviewVerdict,
        *,
        comment: str | None = None,
        edit: GatedEdit | None = None,
    ) -> QueueItem:
        """Record one reviewer's verdict on a pending proposal, if they have the authority for it.

        An approval settles the proposal once enough distinct reviewers approved (four eyes needs two);
        an edit (the `edit` verdict, which needs `edit`: checked arguments, their hash and the gate's decision
        on them) replaces the action and counts as the first approval of the new one; `edit.action` names
        another action of the same agent that the edit puts in place of the proposed one.
        A comment longer than `MAX_COMMENT_LENGTH` or not plain text is refused (`InvalidComment`).
        """
        comment = checked_comment(comment)
        _check_edit(verdict, edit)
        for _ in range(ATTEMPTS):
            with Session(self._engine) as session:
                row = load(session, proposal_id)
                now = self._clock.now()
                if not self._still_pending(session, row, now):
                    continue
                reviews = reviews_of(session, proposal_id)
                approvals = current_approvals(reviews)
                if edit is not None:
                    if edit.gate.outcome == "deny":
                        raise EditDenied(proposal_id, edit.gate.reasons)
                    requirement, prior = edit.gate.review, []
                else:
                    requirement, prior = GateDecision.model_validate(row.gate).review, approvals
                check_reviewer(requirement, reviewer, verdict, prior)

                values: dict[str, object] = {}
                match verdict:
                    case "approve":
                        approvals = [*approvals, reviewer.id]
                        edited = any(review.verdict == "edit" for review in reviews)
                        settled: QueueStatus = "edited" if edited else "approved"
                        final_verdict: ReviewVerdict = "edit" if edited else "approve"
                    case "reject":
                        settled, final_verdict = "rejected", "reject"
                    case "edit":
                        assert edit is not None
                        approvals = [reviewer.id]
                        settled, final_verdict = "edited", "edit"
                        values |= {
                            "arguments": edit.arguments,
                            "action_hash": edit.action_hash,
                            "edited_action": None if edit.action in (None, row.action) else edit.action,
                            "gate": edit.gate.model_dump(mode="json"),
                            # An escalated review stays first in line, whatever the edited action's gate says.
                            "priority": "high" if row.escalated_at is not None else priority_of(edit.gate),
                        }
                    case unreachable:
                        assert_never(unreachable)
                done = verdict == "reject" or len(approvals) >= requirement.approvals_required
                status: QueueStatus = settled if done else "pending"
                if done:
                    values |= {"status": status, "decided_at": now, "decided_by": reviewer.id}
                    values["awaiting_resume_since"] = now  # cleared once the thread ran on (`mark_resumed`)
                    values["verdict"] = final_verdict
                if not guarded_update(session, row, ["pending"], values):
                    session.rollback()
                    continue
                if edit is not None and edit.subjects:
                    add_subjects(session.connection(), proposal_id, edit.subjects)
                session.add(
                    ReviewRow(
                        proposal_id=proposal_id,
                        reviewer=reviewer.id,
                        verdict=verdict,
                        comment=comment,
                        at=now,
                        edited_arguments=edit.arguments if edit else None,
                        edited_action_hash=edit.action_hash if edit else None,
                        edited_action=edit.action if edit else None,
                    )
                )
                self._audit.append(
                    session,
                    kind="review.decided",
                    subject=proposal_id,
                    actor=reviewer.id,
                    payload={
                        "reviewer": reviewer.id,
                        "verdict": verdict,
                        "comment": comment is not None and comment.strip() != "",
                        "status": status,
                        "approvals": len(approvals),
                        "approvals_required": requirement.approvals_required,
                        "action_hash": edit.action_hash if edit else row.action_hash,
                        **({"edited_action": edit.action} if edit is not None and edit.action else {}),
                    },
                )
                session.commit()
                return view_of(session, proposal_id)
        raise ApprovalConflict(proposal_id, "updated concurrently", None)

    def _still_pending(self, session: Session, row: ProposalRow, now: datetime) -> bool:
        """True if `row` may be decided; raises if it was settled or is overdue; False to re-read."""
        if row.status == "expired":
            raise ProposalExpired(row.id)
        if row.status != "pending":
            raise ApprovalConflict(row.id, row.status, row.decided_by)
        if row.expires_at is not None and now > row.expires_at:
            happened = self._time_out(session, row, now)
            if happened is None:
                session.rollback()
                return False
            session.commit()
            if happened == "expired":
                raise ProposalExpired(row.id)
            return False  # escalated: decidable until its new deadline, once re-read
        return True

    def note_proposed_again(self, failed_id: str, new_id: str, *, actor: str) -> None:
        """Audit that `actor` had the agent propose afresh in place of the failed proposal `failed_id`."""
        with Session(self._engine) as session:
            self._audit.append(
                session,
                kind="proposal.proposed_again",
                subject=failed_id,
                actor=actor,
                payload={"failed": failed_id, "proposal": new_id},
            )
            session.commit()

    # -- erasure ---------------------------------------------------------------------------------

    def redact_customers(self, customer_ids: Collection[str]) -> Redaction:
        """Remove the customers' personal data from every proposal that names them (GDPR erasure).

        The proposals are found by their subjects, which the agent declared, so an id deep inside the
        arguments (an order batch's lines) is found as surely as the main customer. Each keeps its id,
        agent, action, status, hashes and times, so the audit chain and the KPIs stay whole; arguments,
        evidence, facts, results and review comments go, and so do the erased ids themselves: their subject
        rows, and `customer_id` where it is one of them. A review still pending can never be decided on data
        that is gone: it expires. Returns the LangGraph threads of the proposals, whose checkpoints hold
        the same data and must be deleted too.
        """
        ids = set(customer_ids)
        redaction = Redaction()
        if not ids:
            return redaction
        now = _utc(self._clock.now())
        with Session(self._engine) as session:
            naming_them = naming(CUSTOMER, ids)
            rows = builtins.list(
                session.exec(
                    select(ProposalRow)
                    .where(col(ProposalRow.id).in_(naming_them))
                    .order_by(col(ProposalRow.id))
                    .execution_options(populate_existing=True)
                )
            )
            drafts: builtins.list[AuditDraft] = []
            for row in rows:
                if row.customer_id in ids:
                    row.customer_id = None
                if row.proposal.get("redacted"):  # redacted for another customer it names: only the ids go
                    session.add(row)
                    continue
                before = row.status
                if row.status == "pending":
                    row.status = "expired"
                    redaction.expired += 1
                row.proposal = {"redacted": True, "id": row.id, "agent": row.agent, "action": row.action}
                row.arguments = {"redacted": True}
                row.facts = {"redacted": True}
                row.execution_result = {"redacted": True} if row.execution_result is not None else None
                row.error = None
                session.add(row)
                for review in session.exec(select(ReviewRow).where(ReviewRow.proposal_id == row.id)):
                    review.comment = None
                    review.edited_arguments = None
                    session.add(review)
                if row.thread_id:
                    redaction.thread_ids.append(row.thread_id)
                redaction.proposals += 1
                drafts.append(
                    AuditDraft(
                        kind="proposal.redacted",
                        subject=row.id,
                        actor="gdpr",
                        payload={
                            "reason": "customer data erased",
                            "status_before": before,
                            "status": row.status,
                            "at": now.isoformat(),
                        },
                    )
                )
            session.flush()
            forget(session.connection(), CUSTOMER, ids)
            self._audit.append_all(session, drafts)
            session.commit()
        return redaction


class Redaction:
    """What erasing customers did to the queue: proposals redacted, reviews expired, threads to delete."""

    def __init__(self) -> None:
        self.proposals = 0
        self.expired = 0
        self.thread_ids: builtins.list[str] = []


def _check_edit(verdict: ReviewVerdict, edit: GatedEdit | None) -> None:
    if verdict == "edit" and edit is None:
        raise ConfigurationError("the 'edit' verdict needs the edit (arguments, action hash and the gate's decision)")
    if verdict != "edit" and edit is not None:
        raise ConfigurationError(f"an edit only goes with the 'edit' verdict, not {verdict!r}")

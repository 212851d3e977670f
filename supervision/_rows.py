"""Shared plumbing for the queue: reading a proposal's rows into a view and guarded updates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import update
from sqlmodel import Session, col, select

from core import NotFound
from policies import GateDecision, ReviewVerdict
from supervision._tables import ProposalRow, ReviewRow
from supervision._views import OutcomeLabel, QueueItem, QueueStatus, ReviewView


def load(session: Session, proposal_id: str) -> ProposalRow:
    """The proposal row, read fresh from the database (never from the session's identity map)."""
    row = session.exec(
        select(ProposalRow).where(col(ProposalRow.id) == proposal_id).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("proposal", proposal_id)
    return row


def reviews_of(session: Session, proposal_id: str) -> list[ReviewRow]:
    return list(
        session.exec(
            select(ReviewRow)
            .where(col(ReviewRow.proposal_id) == proposal_id)
            .order_by(col(ReviewRow.at), col(ReviewRow.id))
        )
    )


def current_approvals(reviews: Iterable[ReviewRow]) -> list[str]:
    """Reviewers whose approval covers the current action: an edit restarts the count with the editor."""
    approvals: list[str] = []
    for review in reviews:
        if review.verdict == "edit":
            approvals = [review.reviewer]
        elif review.verdict == "approve":
            approvals.append(review.reviewer)
    return approvals


def guarded_update(session: Session, row: ProposalRow, from_statuses: Iterable[str], values: Mapping[str, Any]) -> bool:
    """Apply `values` only if nobody changed the row since we read it; bumps `version`.

    Two writers that read the same version race here: the database lets exactly one UPDATE match.
    """
    statement = (
        update(ProposalRow)
        .where(
            col(ProposalRow.id) == row.id,
            col(ProposalRow.version) == row.version,
            col(ProposalRow.status).in_(list(from_statuses)),
        )
        .values(**values, version=ProposalRow.version + 1)
        .execution_options(synchronize_session=False)
    )
    return session.exec(statement).rowcount == 1


def to_view(row: ProposalRow, reviews: list[ReviewRow]) -> QueueItem:
    return QueueItem(
        id=row.id,
        agent=row.agent,
        action=row.action,
        status=cast(QueueStatus, row.status),
        customer_id=row.customer_id,
        thread_id=row.thread_id,
        arguments=row.arguments,
        action_hash=row.action_hash,
        proposal=row.proposal,
        facts=row.facts,
        gate=GateDecision.model_validate(row.gate),
        requested_by=row.requested_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        version=row.version,
        approvals=current_approvals(reviews),
        reviews=[
            ReviewView(
                reviewer=review.reviewer,
                verdict=cast(ReviewVerdict, review.verdict),
                comment=review.comment,
                at=review.at,
                edited_arguments=review.edited_arguments,
            )
            for review in reviews
        ],
        execution_result=row.execution_result,
        error=row.error,
        outcome=cast(OutcomeLabel | None, row.outcome),
    )


def view_of(session: Session, proposal_id: str) -> QueueItem:
    return to_view(load(session, proposal_id), reviews_of(session, proposal_id))

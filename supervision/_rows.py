"""Shared plumbing for the queue: reading a proposal's rows into a view and guarded updates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from core import NotFound
from policies import GateDecision
from supervision._subjects import subjects_by_id
from supervision._tables import PROPOSAL, REVIEW, ProposalRow, ReviewRow
from supervision._views import QueueItem, Subject


class ProposalColumns(Protocol):
    """What a view is built from: a `ProposalRow`, or a Core row of the proposal table."""

    @property
    def id(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def thread_id(self) -> str | None: ...
    @property
    def arguments(self) -> dict[str, Any]: ...
    @property
    def action_hash(self) -> str: ...
    @property
    def submitted_hash(self) -> str: ...
    @property
    def proposal(self) -> dict[str, Any]: ...
    @property
    def facts(self) -> dict[str, Any]: ...
    @property
    def gate(self) -> dict[str, Any]: ...
    @property
    def requested_by(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime | None: ...
    @property
    def decided_at(self) -> datetime | None: ...
    @property
    def decided_by(self) -> str | None: ...
    @property
    def version(self) -> int: ...
    @property
    def execution_result(self) -> dict[str, Any] | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def on_timeout(self) -> str: ...
    @property
    def escalate_to(self) -> str | None: ...
    @property
    def escalated_to(self) -> str | None: ...
    @property
    def escalated_at(self) -> datetime | None: ...


class ReviewColumns(Protocol):
    """A review as stored: a `ReviewRow`, or a Core row of the review table."""

    @property
    def reviewer(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def edited_arguments(self) -> dict[str, Any] | None: ...
    @property
    def edited_action(self) -> str | None: ...


# The read path of `view_of` selects plain rows with Core, with statements built once.
_PROPOSAL_BY_ID = core_select(PROPOSAL).where(PROPOSAL.c.id == bindparam("proposal_id"))
_REVIEWS_OF = (
    core_select(
        REVIEW.c.reviewer,
        REVIEW.c.verdict,
        REVIEW.c.comment,
        REVIEW.c.at,
        REVIEW.c.edited_arguments,
        REVIEW.c.edited_action,
    )
    .where(REVIEW.c.proposal_id == bindparam("proposal_id"))
    .order_by(REVIEW.c.at, REVIEW.c.id)
)


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


def current_approvals(reviews: Iterable[ReviewColumns]) -> list[str]:
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


_ITEM_COLUMNS = (
    "id",
    "agent",
    "action",
    "status",
    "customer_id",
    "thread_id",
    "arguments",
    "action_hash",
    "edited_action",
    "proposal",
    "facts",
    "gate",
    "requested_by",
    "created_at",
    "expires_at",
    "decided_at",
    "decided_by",
    "version",
    "execution_result",
    "error",
    "outcome",
    "on_timeout",
    "escalate_to",
    "escalated_to",
    "escalated_at",
)
"""The proposal columns a `QueueItem` shows (the rest are bookkeeping)."""


def to_view(row: ProposalColumns, reviews: Sequence[ReviewColumns], subjects: Sequence[Subject]) -> QueueItem:
    return item_of({name: getattr(row, name) for name in _ITEM_COLUMNS}, reviews, subjects)


def item_of(columns: Mapping[str, Any], reviews: Sequence[ReviewColumns], subjects: Sequence[Subject]) -> QueueItem:
    """The view of a proposal's column values, its reviews and its subjects (sorted, as `_subjects` hands
    them out); validated in one pass, nested gate and reviews included."""
    document = {name: columns[name] for name in _ITEM_COLUMNS}
    document["subjects"] = tuple(subjects)
    document["approvals"] = current_approvals(reviews)
    document["reviews"] = [
        {
            "reviewer": review.reviewer,
            "verdict": review.verdict,
            "comment": review.comment,
            "at": review.at,
            "edited_arguments": review.edited_arguments,
            "edited_action": review.edited_action,
        }
        for review in reviews
    ]
    return QueueItem.model_validate(document)


def submitted_item(columns: Mapping[str, Any], gate: GateDecision, subjects: Sequence[Subject]) -> QueueItem:
    """The view of a proposal just inserted from a validated `ProposalSubmission`: built without validating
    its payloads a second time (the values are the ones the submission checked), no reviews yet."""
    document = {name: columns[name] for name in _ITEM_COLUMNS}
    document.update(gate=gate, subjects=tuple(subjects), approvals=[], reviews=[])
    return QueueItem.model_construct(**document)


def find(connection: Connection, proposal_id: str) -> ProposalColumns | None:
    """The proposal's stored columns, or None; a plain row, read in the connection's transaction."""
    return connection.execute(_PROPOSAL_BY_ID, {"proposal_id": proposal_id}).first()


def reviews_by_id(connection: Connection, proposal_id: str) -> Sequence[ReviewColumns]:
    """The proposal's reviews, oldest first, as plain rows."""
    return connection.execute(_REVIEWS_OF, {"proposal_id": proposal_id}).all()


def read_view(connection: Connection, proposal_id: str) -> QueueItem:
    """The proposal as `connection` sees it; `NotFound` for an unknown id."""
    row = find(connection, proposal_id)
    if row is None:
        raise NotFound("proposal", proposal_id)
    return to_view(row, reviews_by_id(connection, proposal_id), subjects_by_id(connection, proposal_id))


def view_of(session: Session, proposal_id: str) -> QueueItem:
    """The proposal as stored in the session's transaction; `NotFound` for an unknown id."""
    session.flush()  # as an ORM query would autoflush: the read sees the session's own writes
    return read_view(session.connection(), proposal_id)

"""Decisions that have not yet reached their agent's thread: how recovery finds them after a crash.

A decision is recorded first and carried into the paused thread after, so a process that dies in
between leaves the proposal decided with nothing running it. The queue marks every final decision (and
expiry) in the decision's own transaction (`awaiting_resume_since`), the supervisor clears the mark once
the thread has run on to its end, and an approved, edited or executing proposal is unfinished by its
status alone. `stranded` lists both; the locks keep a recovery from running an action that a live
process is running.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import Clock
from supervision._audit import AuditLog
from supervision._locks import InstallationLocks
from supervision._rows import load, reviews_of, to_view
from supervision._subjects import subjects_by_id
from supervision._tables import ProposalRow
from supervision._views import QueueItem, QueueStatus

IN_FLIGHT: tuple[QueueStatus, ...] = ("approved", "edited", "executing")
"""Statuses whose action has yet to run or to finish running: never at rest."""


class StrandedProposals:
    """Find, lock and release decisions on their way into agents' threads; mixed into `ApprovalQueue`."""

    _engine: Engine
    _clock: Clock
    _audit: AuditLog

    def stranded(self) -> list[QueueItem]:
        """Proposals whose thread may still have work, oldest first.

        Approved, edited or executing ones (their action has yet to run or to finish), and ones a
        person or the expiry settled whose thread has not yet run on from the decision. A live process
        may be busy with some of them: resume them under `execution_lock`, as the supervised step does.
        """
        with Session(self._engine) as session:
            rows = session.exec(
                select(ProposalRow)
                .where(
                    or_(
                        col(ProposalRow.status).in_(IN_FLIGHT),
                        col(ProposalRow.awaiting_resume_since).is_not(None),
                    )
                )
                .order_by(col(ProposalRow.created_at), col(ProposalRow.id))
            ).all()
            connection = session.connection()
            return [to_view(row, reviews_of(session, row.id), subjects_by_id(connection, row.id)) for row in rows]

    def mark_resumed(self, proposal_id: str, *, recovered_from: QueueStatus | None = None) -> None:
        """Clear the mark of a decision whose thread has run on to its end.

        With `recovered_from` (the status recovery found), the audit trail records that recovery, not
        the deciding process, carried the decision on.
        """
        with Session(self._engine) as session:
            session.exec(
                update(ProposalRow)
                .where(col(ProposalRow.id) == proposal_id)
                .values(awaiting_resume_since=None)
                .execution_options(synchronize_session=False)
            )
            if recovered_from is not None:
                row = load(session, proposal_id)
                self._audit.append(
                    session,
                    kind="proposal.recovered",
                    subject=proposal_id,
                    actor="recovery",
                    payload={"found": recovered_from, "status": row.status, "action_hash": row.action_hash},
                )
            session.commit()

    @contextmanager
    def execution_lock(self, proposal_id: str) -> Iterator[None]:
        """Held from claiming a proposal's action to recording how it went, by whoever runs it.

        Whoever gets it knows that no live process is running the action, so an `executing` claim it
        finds was left by a process that died, and running the action again under the claim's
        idempotency key is safe. Waits while another process holds it.
        """
        with InstallationLocks(self._engine).hold("execution", proposal_id):
            yield

    @contextmanager
    def recovery_lock(self) -> Iterator[None]:
        """One recovery at a time per installation (web replicas starting together wait their turn)."""
        with InstallationLocks(self._engine).hold("recovery"):
            yield

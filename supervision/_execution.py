"""The execution ledger half of the queue: claim an approved action, then record how it went.

A claim moves an approved proposal to `executing` atomically and hands out the idempotency key the
action tool passes to the outside system, so a crash between claim and completion re-runs the tool
with the same key and the outside system does the work at most once.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import Clock, JsonObject
from supervision._audit import AuditLog
from supervision._errors import ActionMismatch, AlreadyExecuted, ApprovalConflict, NotExecutable
from supervision._rows import guarded_update, load, view_of
from supervision._views import ExecutionClaim, QueueItem

EXECUTABLE = ("approved", "edited")
_ATTEMPTS = 5


def idempotency_key(proposal_id: str, action_hash: str) -> str:
    return f"{proposal_id}:{action_hash[:16]}"


class ExecutionLedger:
    """Claim, complete and fail executions, and record outcomes; mixed into `ApprovalQueue`."""

    _engine: Engine
    _clock: Clock
    _audit: AuditLog

    def claim_execution(self, proposal_id: str, action_hash: str) -> ExecutionClaim:
        """Take the right to run the approved action `action_hash`; once per approval.

        A second claim of an `executing` item with the same hash is a re-entry after a crash and
        returns `first_attempt=False`: run the tool again with the same idempotency key.
        """
        for _ in range(_ATTEMPTS):
            with Session(self._engine) as session:
                row = load(session, proposal_id)
                if row.status == "executed":
                    raise AlreadyExecuted(proposal_id, row.execution_result)
                if row.status not in (*EXECUTABLE, "executing"):
                    raise NotExecutable(proposal_id, row.status)
                if row.action_hash != action_hash:
                    raise ActionMismatch(proposal_id)
                first_attempt = row.status in EXECUTABLE
                if first_attempt:
                    now = self._clock.now()
                    if not guarded_update(session, row, EXECUTABLE, {"status": "executing", "claimed_at": now}):
                        session.rollback()
                        continue
                key = idempotency_key(proposal_id, action_hash)
                self._audit.append(
                    session,
                    kind="action.claimed",
                    subject=proposal_id,
                    actor=row.agent,
                    payload={
                        "action_hash": action_hash,
                        "idempotency_key": key,
                        "first_attempt": first_attempt,
                    },
                )
                session.commit()
                return ExecutionClaim(
                    proposal_id=proposal_id,
                    action_hash=action_hash,
                    idempotency_key=key,
                    first_attempt=first_attempt,
                )
        raise ApprovalConflict(proposal_id, "updated concurrently", None)

    def verify_claim(self, proposal_id: str, action_hash: str) -> str:
        """The idempotency key if `proposal_id` is executing exactly `action_hash`; for action tools."""
        with Session(self._engine) as session:
            row = load(session, proposal_id)
        if row.status != "executing":
            raise NotExecutable(proposal_id, row.status)
        if row.action_hash != action_hash:
            raise ActionMismatch(proposal_id)
        return idempotency_key(proposal_id, action_hash)

    def complete_execution(self, proposal_id: str, result: JsonObject) -> QueueItem:
        """Record the result of a claimed action: executing → executed."""
        return self._finish(proposal_id, ("executing",), "executed", {"execution_result": result}, "action.executed")

    def fail_execution(self, proposal_id: str, error: str) -> QueueItem:
        """Record that an approved or claimed action failed (or was refused at resume): → failed."""
        return self._finish(proposal_id, (*EXECUTABLE, "executing"), "failed", {"error": error}, "action.failed")

    def record_outcome(self, proposal_id: str, outcome: Literal["good", "bad"]) -> QueueItem:
        """Label what happened after an executed action; feeds the outcome KPIs. A later label replaces it."""
        for _ in range(_ATTEMPTS):
            with Session(self._engine) as session:
                row = load(session, proposal_id)
                if row.status != "executed":
                    raise NotExecutable(proposal_id, row.status)
                previous = row.outcome
                now = self._clock.now()
                if not guarded_update(session, row, ["executed"], {"outcome": outcome, "outcome_at": now}):
                    session.rollback()
                    continue
                self._audit.append(
                    session,
                    kind="outcome.recorded",
                    subject=proposal_id,
                    actor=row.agent,
                    payload={"outcome": outcome, "previous": previous},
                )
                session.commit()
                return view_of(session, proposal_id)
        raise ApprovalConflict(proposal_id, "updated concurrently", None)

    def _finish(
        self,
        proposal_id: str,
        from_statuses: tuple[str, ...],
        status: Literal["executed", "failed"],
        values: dict[str, object],
        kind: str,
    ) -> QueueItem:
        for _ in range(_ATTEMPTS):
            with Session(self._engine) as session:
                row = load(session, proposal_id)
                if row.status == "executed":
                    raise AlreadyExecuted(proposal_id, row.execution_result)
                if row.status not in from_statuses:
                    raise NotExecutable(proposal_id, row.status)
                now = self._clock.now()
                if not guarded_update(session, row, from_statuses, {**values, "status": status, "executed_at": now}):
                    session.rollback()
                    continue
                self._audit.append(
                    session,
                    kind=kind,
                    subject=proposal_id,
                    actor=row.agent,
                    payload={"action_hash": row.action_hash, "from": row.status, "status": status},
                )
                session.commit()
                return view_of(session, proposal_id)
        raise ApprovalConflict(proposal_id, "updated concurrently", None)

"""Recovery: carry on the decisions a crash left between the approval queue and the agents' threads.

A decision travels: recorded in the queue → the paused thread resumed → the action claimed → the
action tool's write → the result recorded → the autonomy ladder reviewed → the decision marked as
carried through. A process may die between any two of these steps. Recovery finds what was left
(`ApprovalQueue.stranded`) and resumes each thread from its checkpoint; what the dead process already
did is not done again:

- a claim it left `executing` is run again under the same idempotency key, so an action tool that
  wrote before the crash finds its write and writes nothing (`replayed`), and the claim is completed;
- the execution lock (held by whoever runs an action) keeps recovery from running an action that a
  live process is running, and the recovery lock lets one recovery run at a time;
- a decision past its review deadline still executes: the decision was made in time;
- the ladder is reviewed for every action recovery carried on, then the decision is marked done.

Recovery first applies the review clock (`ApprovalQueue.apply_timeouts`): a review past its deadline
expires, and its thread finishes with the rest, or escalates to its policy's role and stays paused.

`steward serve` recovers on every start and `steward recover` on demand; a future worker can call
`Supervisor.recover` the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, assert_never, get_args

import structlog
from pydantic import BaseModel, ConfigDict

from supervision import QueueItem, QueueStatus

if TYPE_CHECKING:
    from agents._supervisor import Supervisor

log = structlog.get_logger(__name__)

RecoveryOutcome = Literal["executed", "failed", "finished", "stuck", "error"]
"""What recovery did with one proposal: ran or completed its action (`executed`), saw the action fail
(`failed`), carried its thread to the end with nothing to execute (`finished`: rejected, expired, or
executed before the crash), could not carry it on (`stuck`: no thread or agent to resume), or hit an
error (`error`; tried again by the next recovery)."""

_DONE: frozenset[RecoveryOutcome] = frozenset({"executed", "failed", "finished"})


class RecoveredProposal(BaseModel):
    """One proposal recovery looked at: the status it found and the one it left."""

    model_config = ConfigDict(frozen=True)

    id: str
    agent: str
    action: str
    found: QueueStatus
    status: QueueStatus
    outcome: RecoveryOutcome
    detail: str | None = None
    """Why it is stuck, or the error."""


class RecoveryReport(BaseModel):
    """What one recovery run did."""

    model_config = ConfigDict(frozen=True)

    proposals: tuple[RecoveredProposal, ...] = ()
    ladders_reviewed: tuple[str, ...] = ()
    """`agent/action` of every ladder reviewed after carrying decisions on."""
    expired: tuple[str, ...] = ()
    """Reviews past their deadline that this recovery expired (their threads are among `proposals`)."""
    escalated: tuple[str, ...] = ()
    """Reviews past their deadline that this recovery escalated to their role (still pending)."""

    def ids(self, outcome: RecoveryOutcome) -> list[str]:
        return [entry.id for entry in self.proposals if entry.outcome == outcome]

    def counts(self) -> dict[RecoveryOutcome, int]:
        """How many proposals ended in each outcome, every outcome listed."""
        return {outcome: len(self.ids(outcome)) for outcome in get_args(RecoveryOutcome)}

    @property
    def clean(self) -> bool:
        """True when nothing is left stuck or in error."""
        return not self.ids("stuck") and not self.ids("error")


def recover(supervisor: Supervisor) -> RecoveryReport:
    """Resume every decision left unfinished by a crash, once; a second run finds nothing to do."""
    queue = supervisor.queue
    with queue.recovery_lock():
        timeouts = queue.apply_timeouts()  # an expiry leaves its thread to finish, found below with the rest
        entries = [_recover_one(supervisor, item) for item in queue.stranded()]
        actions = sorted({(entry.agent, entry.action) for entry in entries if entry.outcome in _DONE})
        reviewed: list[str] = []
        failed_ladders: set[tuple[str, str]] = set()
        for agent, action in actions:
            try:
                supervisor.review_ladder(agent, action)
                reviewed.append(f"{agent}/{action}")
            except Exception:
                # Left marked, so the next recovery reviews this ladder again.
                log.exception("recovery.ladder_failed", agent=agent, action=action)
                failed_ladders.add((agent, action))
        for entry in entries:
            if entry.outcome in _DONE and (entry.agent, entry.action) not in failed_ladders:
                queue.mark_resumed(entry.id, recovered_from=entry.found)
    report = RecoveryReport(
        proposals=tuple(entries),
        ladders_reviewed=tuple(reviewed),
        expired=tuple(item.id for item in timeouts.expired),
        escalated=tuple(item.id for item in timeouts.escalated),
    )
    if entries or timeouts.escalated:
        log.info(
            "recovery.done",
            **report.counts(),
            ladders=len(reviewed),
            expired=len(report.expired),
            escalated=len(report.escalated),
        )
    return report


def _recover_one(supervisor: Supervisor, item: QueueItem) -> RecoveredProposal:
    def entry(status: QueueStatus, outcome: RecoveryOutcome, detail: str | None = None) -> RecoveredProposal:
        return RecoveredProposal(
            id=item.id,
            agent=item.agent,
            action=item.action,
            found=item.status,
            status=status,
            outcome=outcome,
            detail=detail,
        )

    if item.agent not in supervisor.agents:
        return entry(item.status, "stuck", f"no {item.agent!r} agent is wired into this installation")
    if item.thread_id is None:
        return entry(item.status, "stuck", "it has no agent thread to resume")
    with structlog.contextvars.bound_contextvars(proposal_id=item.id, agent=item.agent, thread_id=item.thread_id):
        try:
            after = supervisor.resume(item)
        except Exception as exc:  # one proposal's failure must not stop the others, nor a server's start
            log.exception("recovery.failed", found=item.status)
            return entry(item.status, "error", f"{type(exc).__name__}: {exc}")
        outcome: RecoveryOutcome
        match after.status:
            case "executed":
                outcome = "finished" if item.status == "executed" else "executed"
            case "failed":
                outcome = "finished" if item.status == "failed" else "failed"
            case "rejected" | "expired" | "denied":
                outcome = "finished"
            case "pending" | "approved" | "edited" | "executing":
                outcome = "stuck"
            case unreachable:
                assert_never(unreachable)
        detail = None
        if outcome == "stuck":
            detail = f"still {after.status}: its thread has nothing left to run (checkpoint gone?)"
        log.info("recovery.resumed", found=item.status, status=after.status, outcome=outcome)
        return entry(after.status, outcome, detail)

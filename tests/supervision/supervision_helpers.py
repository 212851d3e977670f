"""Helpers for supervision tests: reviewers, gate decisions, submissions and a clock for races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from core import FixedClock
from policies import GateDecision, Outcome, Reviewer, ReviewRequirement
from supervision import ProposalSubmission

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

OFFICER = Reviewer(id="olga", roles=frozenset({"credit_officer"}))
OFFICER_2 = Reviewer(id="oscar", roles=frozenset({"credit_officer"}))
MANAGER = Reviewer(id="mia", roles=frozenset({"credit_manager"}))
CLERK = Reviewer(id="carl", roles=frozenset({"clerk"}))


class RacingClock(FixedClock):
    """A fixed clock whose first `now()` in each registered thread waits for the others.

    Every racer has read the proposal (same version) before any of them writes, so the database,
    not the scheduler, decides the winner.
    """

    def __init__(self, current: datetime) -> None:
        super().__init__(current)
        self._barrier: threading.Barrier | None = None
        self._waiting: set[int] = set()
        self._lock = threading.Lock()

    def race(self, parties: int) -> None:
        self._barrier = threading.Barrier(parties)

    def enter(self) -> None:
        with self._lock:
            self._waiting.add(threading.get_ident())

    def now(self) -> datetime:
        ident = threading.get_ident()
        with self._lock:
            wait = ident in self._waiting
            self._waiting.discard(ident)
        if wait and self._barrier is not None:
            self._barrier.wait(timeout=30)
        return super().now()


def run_racers(clock: RacingClock, *calls: Callable[[], Any]) -> list[Any]:
    """Run `calls` in threads that meet at the clock; each result is a return value or an exception."""
    clock.race(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        clock.enter()
        try:
            results[index] = call()
        except Exception as exc:  # collected for the test to assert on
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def gate(
    outcome: Outcome = "review",
    *,
    amount: float = 5000.0,
    approvals_required: int = 1,
    requested_by: str | None = "rita",
    reasons: tuple[str, ...] = (),
) -> GateDecision:
    return GateDecision(
        outcome=outcome,
        source="rule",
        matched="mid_amounts",
        reasons=reasons,
        autonomy_level="review_all",
        review=ReviewRequirement(
            amount=amount,
            role_limits={"credit_officer": 10_000.0, "credit_manager": None},
            approvals_required=approvals_required,
            requested_by=requested_by,
        ),
        policy_version="sha256:abc",
    )


def submission(
    proposal_id: str = "p-1",
    *,
    outcome: Outcome = "review",
    action_hash: str = "a" * 64,
    agent: str = "credit",
    action: str = "approve_credit",
    expires_in: timedelta | None = timedelta(hours=4),
    now: datetime = START,
    **gate_args: Any,
) -> ProposalSubmission:
    return ProposalSubmission(
        id=proposal_id,
        agent=agent,
        action=action,
        thread_id=f"thread-{proposal_id}",
        customer_id="cust-42",
        arguments={"amount": 5000.0, "term_months": 24},
        action_hash=action_hash,
        proposal={"id": proposal_id, "rationale_codes": ["R1", "R7"]},
        facts={"application": {"amount": 5000.0}},
        gate=gate(outcome, **gate_args),
        requested_by=gate_args.get("requested_by", "rita"),
        expires_at=None if expires_in is None else now + expires_in,
    )


def escalating(
    proposal_id: str = "p-1",
    *,
    to: str = "credit_manager",
    wait: timedelta = timedelta(hours=2),
    expires_in: timedelta = timedelta(hours=4),
    **submission_args: Any,
) -> ProposalSubmission:
    """`submission` whose review escalates to the role `to` at its deadline, then waits `wait` more."""
    plain = submission(proposal_id, expires_in=expires_in, **submission_args)
    return ProposalSubmission.model_validate(
        {
            **plain.model_dump(),
            "on_timeout": "escalate",
            "escalate_to": to,
            "escalated_sla_seconds": int(wait.total_seconds()),
        }
    )

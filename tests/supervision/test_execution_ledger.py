"""Executing an approved action exactly once: claims, completion, failure, outcomes, on both backends."""

from __future__ import annotations

import pytest

from supervision import (
    ActionMismatch,
    AlreadyExecuted,
    ApprovalQueue,
    AuditLog,
    ExecutionClaim,
    GatedEdit,
    NotExecutable,
)
from tests.supervision.supervision_helpers import OFFICER, RacingClock, gate, run_racers, submission

HASH = "a" * 64


def approved(queue: ApprovalQueue, proposal_id: str = "p-1") -> None:
    queue.submit(submission(proposal_id))
    queue.decide(proposal_id, OFFICER, "approve")


def test_claim_then_complete_exactly_once(queue: ApprovalQueue, audit: AuditLog) -> None:
    approved(queue)

    claim = queue.claim_execution("p-1", HASH)
    assert claim == ExecutionClaim(
        proposal_id="p-1", action_hash=HASH, idempotency_key=f"p-1:{HASH[:16]}", first_attempt=True
    )
    assert queue.get("p-1").status == "executing"
    assert queue.verify_claim("p-1", HASH) == claim.idempotency_key

    done = queue.complete_execution("p-1", {"contract": "C-9"})
    assert (done.status, done.execution_result) == ("executed", {"contract": "C-9"})

    with pytest.raises(AlreadyExecuted) as caught:
        queue.claim_execution("p-1", HASH)
    assert caught.value.result == {"contract": "C-9"}
    with pytest.raises(AlreadyExecuted):
        queue.complete_execution("p-1", {"contract": "C-10"})
    with pytest.raises(NotExecutable):
        queue.verify_claim("p-1", HASH)

    assert [entry.kind for entry in audit.entries("p-1")] == [
        "proposal.submitted",
        "gate.decided",
        "review.decided",
        "action.claimed",
        "action.executed",
    ]


def test_reclaim_after_a_crash_is_not_a_first_attempt(queue: ApprovalQueue) -> None:
    approved(queue)
    first = queue.claim_execution("p-1", HASH)
    again = queue.claim_execution("p-1", HASH)  # the worker died before completing
    assert (first.first_attempt, again.first_attempt) == (True, False)
    assert again.idempotency_key == first.idempotency_key


def test_racing_claims_give_one_first_attempt(queue: ApprovalQueue, clock: RacingClock) -> None:
    approved(queue)
    results = run_racers(clock, lambda: queue.claim_execution("p-1", HASH), lambda: queue.claim_execution("p-1", HASH))
    assert all(isinstance(result, ExecutionClaim) for result in results), results
    assert sorted(result.first_attempt for result in results) == [False, True]


def test_auto_approved_actions_may_be_claimed(queue: ApprovalQueue) -> None:
    queue.submit(submission(outcome="auto"))
    assert queue.claim_execution("p-1", HASH).first_attempt


@pytest.mark.parametrize("outcome", ["review", "deny"])
def test_unapproved_actions_are_not_executable(queue: ApprovalQueue, outcome: str) -> None:
    queue.submit(submission(outcome="review" if outcome == "review" else "deny"))
    with pytest.raises(NotExecutable) as caught:
        queue.claim_execution("p-1", HASH)
    assert caught.value.status == ("pending" if outcome == "review" else "denied")


def test_rejected_action_is_not_executable(queue: ApprovalQueue) -> None:
    queue.submit(submission())
    queue.decide("p-1", OFFICER, "reject")
    with pytest.raises(NotExecutable, match="rejected"):
        queue.claim_execution("p-1", HASH)


def test_claim_for_another_action_is_refused(queue: ApprovalQueue) -> None:
    approved(queue)
    with pytest.raises(ActionMismatch):
        queue.claim_execution("p-1", "f" * 64)
    assert queue.get("p-1").status == "approved"

    queue.claim_execution("p-1", HASH)
    with pytest.raises(ActionMismatch):
        queue.claim_execution("p-1", "f" * 64)
    with pytest.raises(ActionMismatch):
        queue.verify_claim("p-1", "f" * 64)


def test_an_edit_binds_execution_to_the_edited_action(queue: ApprovalQueue) -> None:
    queue.submit(submission())
    queue.decide(
        "p-1",
        OFFICER,
        "edit",
        edit=GatedEdit(arguments={"amount": 4000.0}, action_hash="c" * 64, gate=gate(amount=4000.0)),
    )
    with pytest.raises(ActionMismatch):
        queue.claim_execution("p-1", HASH)
    assert queue.claim_execution("p-1", "c" * 64).idempotency_key == f"p-1:{'c' * 16}"


def test_fail_execution(queue: ApprovalQueue, audit: AuditLog) -> None:
    approved(queue)
    queue.claim_execution("p-1", HASH)
    failed = queue.fail_execution("p-1", "core banking timed out")
    assert (failed.status, failed.error) == ("failed", "core banking timed out")
    assert audit.entries("p-1")[-1].kind == "action.failed"
    assert "timed out" not in str(audit.entries("p-1")[-1].payload)  # free text stays out of the chain
    with pytest.raises(NotExecutable):
        queue.claim_execution("p-1", HASH)


def test_fail_before_claim_is_allowed_but_not_from_pending(queue: ApprovalQueue) -> None:
    approved(queue)
    assert queue.fail_execution("p-1", "resume named another action").status == "failed"
    queue.submit(submission("p-2"))
    with pytest.raises(NotExecutable):
        queue.fail_execution("p-2", "nope")


def test_record_outcome_only_for_executed(queue: ApprovalQueue, audit: AuditLog) -> None:
    approved(queue)
    with pytest.raises(NotExecutable):
        queue.record_outcome("p-1", "good")
    queue.claim_execution("p-1", HASH)
    queue.complete_execution("p-1", {})
    assert queue.record_outcome("p-1", "bad").outcome == "bad"
    assert queue.record_outcome("p-1", "good").outcome == "good"
    assert [entry.payload for entry in audit.entries("p-1")[-2:]] == [
        {"outcome": "bad", "previous": None},
        {"outcome": "good", "previous": "bad"},
    ]

"""The approval queue: submission, review transitions, authority, races and expiry, on both backends."""

from __future__ import annotations

import threading
from datetime import timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import ConfigurationError, FixedClock, NotFound
from policies import FourEyesViolation, MissingAuthority, SelfApproval
from supervision import (
    ActionMismatch,
    ApprovalConflict,
    ApprovalQueue,
    AuditLog,
    EditDenied,
    GatedEdit,
    ProposalExpired,
    QueueItem,
)
from tests.supervision.supervision_helpers import (
    CLERK,
    MANAGER,
    OFFICER,
    OFFICER_2,
    START,
    RacingClock,
    gate,
    run_racers,
    submission,
)


def kinds(audit: AuditLog, subject: str) -> list[str]:
    return [entry.kind for entry in audit.entries(subject)]


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# -- submit -------------------------------------------------------------------------------------


def test_submit_review_is_pending_and_audited(queue: ApprovalQueue, audit: AuditLog) -> None:
    item = queue.submit(submission())

    assert item.status == "pending"
    assert item.decided_by is None and item.decided_at is None
    assert item.created_at == START and item.created_at.tzinfo is not None
    assert item.expires_at == START + timedelta(hours=4)
    assert item.arguments == {"amount": 5000.0, "term_months": 24}
    assert item.gate == gate()
    assert item.version == 0 and item.approvals == [] and item.reviews == []
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided"]
    decided = audit.entries("p-1")[1]
    assert decided.actor == "policy"
    assert decided.payload == {
        "outcome": "review",
        "matched": "mid_amounts",
        "source": "rule",
        "level": "review_all",
        "policy_version": "sha256:abc",
        "status": "pending",
    }
    assert queue.get("p-1") == item


def test_submit_returns_the_item_as_stored_whatever_the_callers_timezone(engine: Engine, audit: AuditLog) -> None:
    """`submit` answers without reading the row back, so its answer must equal what `get` reads."""
    local = timezone(timedelta(hours=2))
    queue = ApprovalQueue(engine, FixedClock(START.astimezone(local)), audit)
    sub = submission(outcome="auto").model_copy(
        update={
            "expires_at": (START + timedelta(hours=4)).astimezone(timezone(timedelta(hours=-5))),
            "proposal": {"id": "p-1", "scores": [0.1, 1e-7, 2.5], "nested": {"ok": True, "none": None}},
        }
    )

    item = queue.submit(sub)

    stored = queue.get("p-1")
    assert item == stored
    for moment in ("created_at", "expires_at", "decided_at"):
        assert getattr(item, moment).isoformat() == getattr(stored, moment).isoformat()
    assert item.created_at.utcoffset() == timedelta(0)


def test_submit_auto_is_approved_by_policy(queue: ApprovalQueue) -> None:
    item = queue.submit(submission(outcome="auto"))
    assert (item.status, item.decided_by, item.decided_at) == ("approved", "policy", START)


def test_submit_deny_is_denied_and_never_reviewable(queue: ApprovalQueue) -> None:
    item = queue.submit(submission(outcome="deny"))
    assert (item.status, item.decided_by) == ("denied", "policy")
    with pytest.raises(ApprovalConflict, match="already denied by policy"):
        queue.decide("p-1", OFFICER, "approve")


def test_submit_is_idempotent_by_id(queue: ApprovalQueue, audit: AuditLog, engine: Engine) -> None:
    first = queue.submit(submission())
    again = queue.submit(submission())

    assert again == first
    assert count_rows(engine, "supervision_proposal") == 1
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided"]


def test_submit_same_id_other_action_is_refused(queue: ApprovalQueue) -> None:
    queue.submit(submission())
    with pytest.raises(ActionMismatch):
        queue.submit(submission(action_hash="b" * 64))


def test_resubmitting_after_an_edit_returns_the_edited_item(queue: ApprovalQueue) -> None:
    """An agent that re-runs its gate step after a crash resubmits the original action."""
    queue.submit(submission())
    edited = queue.decide(
        "p-1",
        OFFICER,
        "edit",
        edit=GatedEdit(arguments={"amount": 4000.0}, action_hash="c" * 64, gate=gate(amount=4000.0)),
    )
    assert queue.submit(submission()) == edited
    with pytest.raises(ActionMismatch):
        queue.submit(submission(action_hash="c" * 64))


def test_concurrent_submits_of_one_id_write_it_once(
    queue: ApprovalQueue, clock: RacingClock, engine: Engine, audit: AuditLog
) -> None:
    results = run_racers(clock, lambda: queue.submit(submission()), lambda: queue.submit(submission()))

    assert all(isinstance(result, QueueItem) for result in results)
    assert results[0] == results[1]
    assert count_rows(engine, "supervision_proposal") == 1
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided"]
    assert audit.verify().ok


def test_concurrent_submits_and_other_audited_writes_keep_one_chain(
    queue: ApprovalQueue, engine: Engine, audit: AuditLog
) -> None:
    """A submit appends its entries without a lock statement of its own on SQLite (its insert holds the write
    lock); racing other submits and plain appends, the chain still never forks."""
    per_thread = 8
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def submitter(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            for index in range(per_thread):
                queue.submit(submission(f"{name}-{index}"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    def appender() -> None:
        try:
            barrier.wait(timeout=30)
            for index in range(per_thread):
                with Session(engine) as session:
                    audit.append(session, kind="race", subject="other", actor="tester", payload={"i": index})
                    session.commit()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=submitter, args=(name,)) for name in ("a", "b")]
    threads.append(threading.Thread(target=appender))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert count_rows(engine, "supervision_proposal") == 2 * per_thread
    result = audit.verify()
    assert (result.ok, result.count) == (True, 2 * per_thread * 2 + per_thread)
    assert kinds(audit, "b-3") == ["proposal.submitted", "gate.decided"]


def test_unknown_proposal_is_not_found(queue: ApprovalQueue) -> None:
    with pytest.raises(NotFound):
        queue.get("nope")
    with pytest.raises(NotFound):
        queue.decide("nope", OFFICER, "approve")


def test_list_is_newest_first_and_filters(queue: ApprovalQueue, clock: RacingClock) -> None:
    queue.submit(submission("p-1"))
    clock.advance(timedelta(minutes=1))
    queue.submit(submission("p-2", outcome="auto"))
    clock.advance(timedelta(minutes=1))
    queue.submit(submission("p-3", agent="churn"))

    assert [item.id for item in queue.list()] == ["p-3", "p-2", "p-1"]
    assert [item.id for item in queue.list(status="pending")] == ["p-3", "p-1"]
    assert [item.id for item in queue.list(agent="credit")] == ["p-2", "p-1"]
    assert [item.id for item in queue.list(limit=1)] == ["p-3"]


# -- review transitions -------------------------------------------------------------------------


def test_approve(queue: ApprovalQueue, audit: AuditLog, clock: RacingClock) -> None:
    queue.submit(submission())
    clock.advance(timedelta(minutes=5))
    item = queue.decide("p-1", OFFICER, "approve", comment="fine")

    assert (item.status, item.decided_by, item.decided_at) == (
        "approved",
        "olga",
        START + timedelta(minutes=5),
    )
    assert item.approvals == ["olga"]
    assert item.version == 1
    assert [(r.reviewer, r.verdict, r.comment) for r in item.reviews] == [("olga", "approve", "fine")]
    assert kinds(audit, "p-1")[-1] == "review.decided"
    assert audit.entries("p-1")[-1].payload == {
        "reviewer": "olga",
        "verdict": "approve",
        "comment": True,
        "status": "approved",
        "approvals": 1,
        "approvals_required": 1,
        "action_hash": "a" * 64,
    }


def test_reject(queue: ApprovalQueue) -> None:
    queue.submit(submission())
    item = queue.decide("p-1", OFFICER, "reject", comment="income not verified")
    assert (item.status, item.decided_by) == ("rejected", "olga")
    with pytest.raises(ApprovalConflict, match="already rejected by olga") as caught:
        queue.decide("p-1", OFFICER_2, "approve")
    assert (caught.value.status, caught.value.decided_by) == ("rejected", "olga")


def test_edit_replaces_the_action(queue: ApprovalQueue, audit: AuditLog) -> None:
    queue.submit(submission())
    item = queue.decide(
        "p-1",
        OFFICER,
        "edit",
        edit=GatedEdit(arguments={"amount": 4000.0, "term_months": 24}, action_hash="c" * 64, gate=gate(amount=4000.0)),
    )

    assert item.status == "edited"
    assert item.arguments == {"amount": 4000.0, "term_months": 24}
    assert item.action_hash == "c" * 64
    assert item.gate.review.amount == 4000.0
    assert item.approvals == ["olga"]
    assert item.reviews[0].edited_arguments == {"amount": 4000.0, "term_months": 24}
    assert audit.entries("p-1")[-1].payload["action_hash"] == "c" * 64


def test_the_edit_verdict_and_the_edit_go_together(queue: ApprovalQueue) -> None:
    queue.submit(submission())
    with pytest.raises(ConfigurationError, match="needs the edit"):
        queue.decide("p-1", OFFICER, "edit")
    edit = GatedEdit(arguments={"amount": 4000.0}, action_hash="c" * 64, gate=gate(amount=4000.0))
    with pytest.raises(ConfigurationError, match="only goes with the 'edit' verdict"):
        queue.decide("p-1", OFFICER, "approve", edit=edit)
    assert queue.get("p-1").version == 0


def test_edit_into_a_denied_action_writes_nothing(queue: ApprovalQueue, audit: AuditLog) -> None:
    queue.submit(submission())
    with pytest.raises(EditDenied, match="above cap") as caught:
        queue.decide(
            "p-1",
            OFFICER,
            "edit",
            edit=GatedEdit(
                arguments={"amount": 90_000.0},
                action_hash="d" * 64,
                gate=gate("deny", amount=90_000.0, reasons=("above cap",)),
            ),
        )
    assert caught.value.reasons == ("above cap",)
    item = queue.get("p-1")
    assert (item.status, item.version, item.reviews) == ("pending", 0, [])
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided"]


# -- authority ----------------------------------------------------------------------------------


def test_four_eyes_needs_two_different_reviewers(queue: ApprovalQueue, audit: AuditLog) -> None:
    queue.submit(submission(approvals_required=2))

    first = queue.decide("p-1", OFFICER, "approve")
    assert (first.status, first.approvals, first.decided_by) == ("pending", ["olga"], None)

    with pytest.raises(FourEyesViolation):
        queue.decide("p-1", OFFICER, "approve")
    assert queue.get("p-1").approvals == ["olga"]

    second = queue.decide("p-1", MANAGER, "approve")
    assert (second.status, second.approvals, second.decided_by) == ("approved", ["olga", "mia"], "mia")
    assert [entry.payload["status"] for entry in audit.entries("p-1")[2:]] == ["pending", "approved"]


def test_four_eyes_edit_restarts_the_count_with_the_editor(queue: ApprovalQueue) -> None:
    queue.submit(submission(approvals_required=2))
    queue.decide("p-1", OFFICER, "approve")
    edited = queue.decide(
        "p-1",
        MANAGER,
        "edit",
        edit=GatedEdit(
            arguments={"amount": 4500.0}, action_hash="e" * 64, gate=gate(amount=4500.0, approvals_required=2)
        ),
    )
    assert (edited.status, edited.approvals) == ("pending", ["mia"])

    done = queue.decide("p-1", OFFICER, "approve")
    assert (done.status, done.approvals, done.action_hash) == ("edited", ["mia", "olga"], "e" * 64)


def test_self_approval_is_refused(queue: ApprovalQueue, audit: AuditLog) -> None:
    queue.submit(submission(requested_by="olga"))
    with pytest.raises(SelfApproval):
        queue.decide("p-1", OFFICER, "approve")
    assert queue.get("p-1").status == "pending"
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided"]


def test_missing_authority_writes_nothing(queue: ApprovalQueue, audit: AuditLog, engine: Engine) -> None:
    queue.submit(submission(amount=50_000.0))
    with pytest.raises(MissingAuthority):
        queue.decide("p-1", CLERK, "approve")
    with pytest.raises(MissingAuthority):
        queue.decide("p-1", OFFICER, "approve")  # officers approve up to 10,000

    item = queue.get("p-1")
    assert (item.status, item.version, item.reviews) == ("pending", 0, [])
    assert count_rows(engine, "supervision_review") == 0
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided"]
    assert queue.decide("p-1", MANAGER, "approve").status == "approved"


# -- races --------------------------------------------------------------------------------------


def test_two_reviewers_racing_exactly_one_wins(
    queue: ApprovalQueue, clock: RacingClock, audit: AuditLog, engine: Engine
) -> None:
    queue.submit(submission())

    results = run_racers(
        clock,
        lambda: queue.decide("p-1", OFFICER, "approve"),
        lambda: queue.decide("p-1", OFFICER_2, "reject"),
    )

    winners = [result for result in results if isinstance(result, QueueItem)]
    losers = [result for result in results if isinstance(result, ApprovalConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    item = queue.get("p-1")
    assert item.status == winners[0].status
    assert losers[0].decided_by == item.decided_by
    assert losers[0].status == item.status
    assert item.version == 1
    assert count_rows(engine, "supervision_review") == 1
    assert kinds(audit, "p-1").count("review.decided") == 1
    assert audit.verify().ok


def test_four_eyes_reviewers_racing_both_count(queue: ApprovalQueue, clock: RacingClock) -> None:
    queue.submit(submission(approvals_required=2))

    results = run_racers(
        clock,
        lambda: queue.decide("p-1", OFFICER, "approve"),
        lambda: queue.decide("p-1", MANAGER, "approve"),
    )

    assert all(isinstance(result, QueueItem) for result in results), results
    item = queue.get("p-1")
    assert item.status == "approved"
    assert sorted(item.approvals) == ["mia", "olga"]
    assert item.version == 2


# -- expiry -------------------------------------------------------------------------------------


def test_decide_after_the_deadline_expires_the_proposal(
    queue: ApprovalQueue, clock: RacingClock, audit: AuditLog
) -> None:
    queue.submit(submission())
    clock.advance(timedelta(hours=4))
    assert queue.decide("p-1", OFFICER, "approve").status == "approved"  # on the deadline is in time

    queue.submit(submission("p-2", now=clock.now()))
    clock.advance(timedelta(hours=4, seconds=1))
    with pytest.raises(ProposalExpired):
        queue.decide("p-2", OFFICER, "approve")
    item = queue.get("p-2")
    assert (item.status, item.decided_by, item.reviews) == ("expired", "expiry", [])
    assert kinds(audit, "p-2")[-1] == "review.expired"
    with pytest.raises(ProposalExpired):
        queue.decide("p-2", OFFICER, "approve")


def test_expire_overdue(queue: ApprovalQueue, clock: RacingClock, audit: AuditLog) -> None:
    queue.submit(submission("p-1", expires_in=timedelta(hours=1)))
    queue.submit(submission("p-2", expires_in=timedelta(hours=8)))
    queue.submit(submission("p-3", expires_in=None))
    queue.submit(submission("p-4", expires_in=timedelta(hours=1), outcome="auto"))

    clock.advance(timedelta(hours=2))
    expired = queue.expire_overdue()

    assert [item.id for item in expired] == ["p-1"]
    assert expired[0].status == "expired"
    assert [item.id for item in queue.list(status="pending")] == ["p-3", "p-2"]
    assert queue.get("p-4").status == "approved"
    assert kinds(audit, "p-1")[-1] == "review.expired"
    assert queue.expire_overdue() == []

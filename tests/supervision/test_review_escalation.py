"""The review clock in the queue (both backends): overdue reviews expire or escalate as their policy said,
an escalated one waits for its role with a new deadline and then expires; browsing puts the escalated first
for the role's people; neither expiry nor escalation is ever a rejection in the KPIs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.engine import Engine

from supervision import (
    ApprovalQueue,
    AuditLog,
    GatedEdit,
    KpiStore,
    ProposalExpired,
    ProposalSubmission,
    QueueBrowser,
    priority_of,
)
from tests.supervision.supervision_helpers import (
    MANAGER,
    OFFICER,
    START,
    RacingClock,
    escalating,
    run_racers,
    submission,
)

ROLE = "credit_manager"


def kinds(audit: AuditLog, subject: str) -> list[str]:
    return [entry.kind for entry in audit.entries(subject)]


def test_an_overdue_review_escalates_once_then_expires_at_its_new_deadline(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock, audit: AuditLog
) -> None:
    # A routine review (priority normal): the gate's source is the autonomy level.
    sub = escalating("p-1")
    queue.submit(sub.model_copy(update={"gate": sub.gate.model_copy(update={"source": "autonomy"})}))
    queue.submit(submission("p-plain", expires_in=timedelta(hours=4)))
    stored = queue.get("p-1")
    assert (stored.on_timeout, stored.escalate_to, stored.escalated_to, stored.escalated_at) == (
        "escalate",
        ROLE,
        None,
        None,
    )

    clock.advance(timedelta(hours=4, minutes=1))
    escalated_at = clock.now()
    timeouts = queue.apply_timeouts()

    assert [item.id for item in timeouts.expired] == ["p-plain"]
    assert [item.id for item in timeouts.escalated] == ["p-1"]
    item = queue.get("p-1")
    assert (item.status, item.escalated_to, item.escalated_at) == ("pending", ROLE, escalated_at)
    assert item.expires_at == escalated_at + timedelta(hours=2)
    assert (item.decided_at, item.decided_by, item.reviews) == (None, None, [])
    rows = QueueBrowser(engine, clock).page(status="pending").rows
    assert [(row.id, row.priority, row.escalated_to) for row in rows] == [("p-1", "high", ROLE)]
    entry = audit.entries("p-1")[-1]
    assert (entry.kind, entry.actor) == ("proposal.escalated", "escalation")
    assert entry.payload == {
        "escalated_to": ROLE,
        "overdue_since": (START + timedelta(hours=4)).isoformat(),
        "expires_at": (escalated_at + timedelta(hours=2)).isoformat(),
        "priority_before": "normal",
        "approvals": 0,
    }

    clock.advance(timedelta(hours=1))
    again = queue.apply_timeouts()
    assert (again.expired, again.escalated) == ([], [])  # within its new deadline: left alone

    clock.advance(timedelta(hours=1, minutes=1))
    expired = queue.expire_overdue()  # the old name applies the same clock
    assert [item.id for item in expired] == ["p-1"]
    item = queue.get("p-1")
    assert (item.status, item.decided_by, item.escalated_to) == ("expired", "expiry", ROLE)
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided", "proposal.escalated", "review.expired"]
    assert audit.entries("p-1")[-1].payload["escalated_to"] == ROLE
    assert queue.apply_timeouts().escalated == []  # escalated once only, and expired is final
    assert audit.verify().ok


def test_a_decision_on_an_overdue_review_escalates_it_first_and_then_counts(
    queue: ApprovalQueue, clock: RacingClock, audit: AuditLog
) -> None:
    queue.submit(escalating("p-1"))
    clock.advance(timedelta(hours=5))
    queue.ensure_decidable(queue.get("p-1"))  # overdue, but it escalates rather than expires

    decided = queue.decide("p-1", OFFICER, "approve")

    assert (decided.status, decided.escalated_to, decided.decided_by) == ("approved", ROLE, OFFICER.id)
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided", "proposal.escalated", "review.decided"]


def test_past_its_second_deadline_a_decision_finds_the_review_expired(queue: ApprovalQueue, clock: RacingClock) -> None:
    queue.submit(escalating("p-1"))
    clock.advance(timedelta(hours=5))
    queue.apply_timeouts()
    clock.advance(timedelta(hours=2, minutes=1))

    with pytest.raises(ProposalExpired):
        queue.ensure_decidable(queue.get("p-1"))
    with pytest.raises(ProposalExpired):
        queue.decide("p-1", MANAGER, "approve")
    assert queue.get("p-1").status == "expired"


def test_an_edit_of_an_escalated_review_keeps_it_first_in_line(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    sub = escalating("p-1")
    routine = sub.gate.model_copy(update={"source": "autonomy"})
    assert priority_of(routine) == "normal"  # an edited action gated like this would be routine...
    queue.submit(sub.model_copy(update={"gate": routine}))
    clock.advance(timedelta(hours=5))
    queue.apply_timeouts()

    queue.decide(
        "p-1",
        OFFICER,
        "edit",
        edit=GatedEdit(arguments={"amount": 4000.0, "term_months": 24}, action_hash="b" * 64, gate=routine),
    )

    row = QueueBrowser(engine, clock).page().rows[0]  # ...but an escalated review stays high
    assert (row.id, row.status, row.priority, row.escalated_to) == ("p-1", "edited", "high", ROLE)


def test_a_review_that_expires_never_escalates(queue: ApprovalQueue, clock: RacingClock) -> None:
    queue.submit(submission("p-1", expires_in=timedelta(hours=1)))
    clock.advance(timedelta(hours=2))

    timeouts = queue.apply_timeouts()

    assert ([item.id for item in timeouts.expired], timeouts.escalated) == (["p-1"], [])
    assert queue.get("p-1").escalated_to is None


def test_a_submission_escalates_with_a_role_and_a_wait_or_not_at_all() -> None:
    plain = submission("p-1").model_dump()
    for broken in (
        {"on_timeout": "escalate"},
        {"on_timeout": "escalate", "escalate_to": ROLE},
        {"on_timeout": "escalate", "escalated_sla_seconds": 60},
        {"on_timeout": "expire", "escalate_to": ROLE, "escalated_sla_seconds": 60},
        {"on_timeout": "escalate", "escalate_to": ROLE, "escalated_sla_seconds": 0},
        {"on_timeout": "later"},
    ):
        with pytest.raises(ValidationError):
            ProposalSubmission.model_validate({**plain, **broken})


def test_two_passes_at_once_escalate_a_review_once(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock, audit: AuditLog
) -> None:
    queue.submit(escalating("p-1"))
    clock.advance(timedelta(hours=5))
    other = ApprovalQueue(engine, clock, audit)

    results = run_racers(clock, queue.apply_timeouts, other.apply_timeouts)

    assert sorted(len(result.escalated) for result in results) == [0, 1]
    assert kinds(audit, "p-1").count("proposal.escalated") == 1


def test_a_decision_and_a_pass_at_once_leave_one_consistent_story(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock, audit: AuditLog
) -> None:
    queue.submit(escalating("p-1"))
    clock.advance(timedelta(hours=5))
    other = ApprovalQueue(engine, clock, audit)

    run_racers(clock, lambda: queue.decide("p-1", OFFICER, "approve"), other.apply_timeouts)

    item = queue.get("p-1")
    assert (item.status, item.escalated_to) == ("approved", ROLE)
    assert kinds(audit, "p-1") == ["proposal.submitted", "gate.decided", "proposal.escalated", "review.decided"]
    assert audit.verify().ok


# -- browsing --------------------------------------------------------------------------------------


@pytest.fixture
def escalations(engine: Engine, queue: ApprovalQueue, clock: RacingClock) -> QueueBrowser:
    """Seven reviews an hour apart: e-0 .. e-4 escalate (to the manager, e-3 to the head), n-5 and n-6 do not;
    past every first deadline, e-0 .. e-3 are escalated (e-0 then decided) and e-4 is approved in time."""
    for n in range(7):
        if n < 5:
            queue.submit(escalating(f"e-{n}", to="head_of_credit" if n == 3 else ROLE, now=clock.now()))
        else:
            queue.submit(submission(f"n-{n}", now=clock.now(), expires_in=timedelta(hours=48)))
        clock.advance(timedelta(hours=1))
    queue.decide("e-4", OFFICER, "approve")
    clock.advance(timedelta(hours=4))  # past e-0 .. e-3's deadlines (4 hours each, created 11 to 8 hours ago)
    assert sorted(item.id for item in queue.apply_timeouts().escalated) == ["e-0", "e-1", "e-2", "e-3"]
    clock.advance(timedelta(minutes=1))
    queue.decide("e-0", MANAGER, "reject", comment="too late to run")
    return QueueBrowser(engine, clock)


def test_the_escalated_to_a_viewers_roles_come_due_soonest_and_page_by_keyset(escalations: QueueBrowser) -> None:
    mine = escalations.page(status="pending", escalated_to={ROLE}, sort="due", limit=1)
    seen = [row.id for row in mine.rows]
    while mine.next_after is not None:
        mine = escalations.page(status="pending", escalated_to={ROLE}, sort="due", limit=1, after=mine.next_after)
        seen += [row.id for row in mine.rows]
    # Escalated at the same moment with the same wait: one deadline, the id breaks the tie.
    assert seen == ["e-1", "e-2"]

    both = escalations.page(status="pending", escalated_to=["head_of_credit", ROLE, ROLE])
    assert [row.id for row in both.rows] == ["e-3", "e-2", "e-1"]
    assert all(row.priority == "high" and row.escalated_at is not None for row in both.rows)
    assert escalations.page(escalated_to=[]).rows == []
    assert escalations.page(status="pending", escalated_to={"auditor"}).rows == []
    assert [row.id for row in escalations.page(escalated_to={ROLE}, action="approve_credit").rows] == [
        "e-2",
        "e-1",
        "e-0",
    ]


def test_the_escalated_filter_and_counts(escalations: QueueBrowser) -> None:
    assert [row.id for row in escalations.page(escalated=True).rows] == ["e-3", "e-2", "e-1", "e-0"]
    assert [row.id for row in escalations.page(escalated=False).rows] == ["n-6", "n-5", "e-4"]
    first = escalations.page(escalated=True, limit=3)
    rest = escalations.page(escalated=True, limit=3, after=first.next_after)
    assert [row.id for row in rest.rows] == ["e-0"] and rest.next_after is None
    assert escalations.counts(escalated_to={ROLE}) == {"pending": 2, "rejected": 1}
    assert escalations.counts(escalated=True) == {"pending": 3, "rejected": 1}
    assert escalations.counts(escalated=False) == {"pending": 2, "approved": 1}


# -- KPIs ------------------------------------------------------------------------------------------


def test_escalation_is_neither_a_rejection_nor_a_disagreement(
    queue: ApprovalQueue, kpis: KpiStore, clock: RacingClock
) -> None:
    queue.submit(escalating("approved-late"))
    queue.submit(escalating("never-decided"))
    clock.advance(timedelta(hours=5))
    queue.apply_timeouts()
    queue.decide("approved-late", MANAGER, "approve")
    clock.advance(timedelta(hours=3))
    assert [item.id for item in queue.apply_timeouts().expired] == ["never-decided"]

    snapshot = kpis.snapshot("credit", "approve_credit", window=10, confidence=0.95)

    assert (snapshot.reviewed, snapshot.agreed, snapshot.agreement_rate, snapshot.expired) == (1, 1, 1.0, 1)
    (today,) = kpis.series("credit", "approve_credit", days=1).buckets
    assert (today.reviewed, today.agreed, today.overridden, today.expired) == (1, 1, 0, 1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL plans on its statistics
def test_sqlite_reads_the_escalated_through_their_own_index(engine: Engine, clock: RacingClock) -> None:
    browser = QueueBrowser(engine, clock)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    def plan_of(read: Callable[[], object]) -> str:
        statements.clear()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            read()
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        with engine.connect() as connection:
            return " | ".join(
                str(row[-1])
                for statement, parameters in statements
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )

    escalated_index = "ix_supervision_proposal_escalated"
    for read in (
        lambda: browser.page(status="pending", escalated_to={ROLE, "head_of_credit"}, sort="due"),
        lambda: browser.page(status="pending", escalated_to={ROLE}, action="approve_credit"),
        lambda: browser.page(status="pending", escalated=True),
        lambda: browser.counts(escalated_to={ROLE}),
    ):
        assert escalated_index in plan_of(read)
    assert escalated_index not in plan_of(lambda: browser.page(status="pending"))
    assert "ix_supervision_proposal_queue_newest" in plan_of(lambda: browser.page(status="pending", escalated=False))

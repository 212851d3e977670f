"""KPI snapshots computed from a constructed queue history, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policies import wilson_interval
from supervision import ApprovalQueue, GatedEdit, KpiStore
from tests.supervision.supervision_helpers import MANAGER, OFFICER, START, RacingClock, gate, submission

AGENT, ACTION = "credit", "approve_credit"


class History:
    """Builds proposals one minute apart, each decided or executed as the test says."""

    def __init__(self, queue: ApprovalQueue, clock: RacingClock) -> None:
        self.queue = queue
        self.clock = clock

    def tick(self) -> None:
        self.clock.advance(timedelta(minutes=1))

    def submit(self, proposal_id: str, *, outcome: str = "review", action: str = ACTION) -> None:
        self.tick()
        self.queue.submit(
            submission(
                proposal_id,
                outcome="auto" if outcome == "auto" else "deny" if outcome == "deny" else "review",
                action=action,
                now=self.clock.now(),
            )
        )

    def approve(self, proposal_id: str, *, action: str = ACTION) -> None:
        self.submit(proposal_id, action=action)
        self.queue.decide(proposal_id, OFFICER, "approve")

    def execute(self, proposal_id: str, outcome: str | None = None) -> None:
        self.tick()
        item = self.queue.get(proposal_id)
        self.queue.claim_execution(proposal_id, item.action_hash)
        self.queue.complete_execution(proposal_id, {"done": True})
        if outcome == "good":
            self.queue.record_outcome(proposal_id, "good")
        elif outcome == "bad":
            self.queue.record_outcome(proposal_id, "bad")


@pytest.fixture
def history(queue: ApprovalQueue, clock: RacingClock) -> History:
    h = History(queue, clock)
    h.approve("a1")
    h.execute("a1", "good")
    h.approve("a2")
    h.execute("a2", "bad")
    h.approve("a3")
    h.submit("e1")
    queue.decide(
        "e1",
        OFFICER,
        "edit",
        edit=GatedEdit(arguments={"amount": 1.0}, action_hash="e" * 64, gate=gate(amount=1.0)),
    )
    h.submit("r1")
    queue.decide("r1", OFFICER, "reject")
    h.submit("auto", outcome="auto")
    h.execute("auto", "good")
    h.submit("deny", outcome="deny")
    h.approve("other", action="raise_limit")
    h.approve("a4")
    h.execute("a4")
    h.submit("x1")
    clock.advance(timedelta(hours=5))
    assert [item.id for item in queue.expire_overdue()] == ["x1"]
    return h


def test_snapshot_over_the_whole_history(history: History, kpis: KpiStore, clock: RacingClock) -> None:
    snapshot = kpis.snapshot(AGENT, ACTION, window=50, confidence=0.9)

    assert snapshot.model_dump(exclude={"agreement_lower_bound", "bad_outcome_upper_bound"}) == {
        "agent": AGENT,
        "action": ACTION,
        "reviewed": 6,  # a1 a2 a3 a4 approved, e1 edited, r1 rejected; auto, deny and x1 were not reviewed
        "reviewed_since_change": 6,
        "agreed": 4,
        "agreement_rate": pytest.approx(4 / 6),
        "outcomes_observed": 3,  # a1 good, a2 bad, auto good; a4 has no outcome yet
        "bad_outcomes": 1,
        "bad_outcome_rate": pytest.approx(1 / 3),
        "expired": 1,
        "taken_at": clock.now(),
    }
    assert snapshot.agreement_lower_bound == wilson_interval(4, 6, 0.9)[0]
    assert snapshot.bad_outcome_upper_bound == wilson_interval(1, 3, 0.9)[1]


def test_snapshot_window_takes_the_most_recent(history: History, kpis: KpiStore) -> None:
    snapshot = kpis.snapshot(AGENT, ACTION, window=2, confidence=0.9)

    assert (snapshot.reviewed, snapshot.agreed) == (2, 1)  # r1 (reject) and a4 (approve)
    assert (snapshot.outcomes_observed, snapshot.bad_outcomes) == (1, 0)  # a4 (none) and auto (good)
    assert snapshot.expired == 1  # x1 expired after r1 was decided


def test_reviewed_since_change(history: History, kpis: KpiStore) -> None:
    since = history.queue.get("a3").decided_at  # the ladder moved as a3 was decided
    assert since == START + timedelta(minutes=5)
    snapshot = kpis.snapshot(AGENT, ACTION, window=50, confidence=0.9, since=since)
    assert snapshot.reviewed_since_change == 3  # e1, r1, a4


def test_an_empty_history(kpis: KpiStore) -> None:
    snapshot = kpis.snapshot(AGENT, ACTION, window=10, confidence=0.95)
    assert (snapshot.reviewed, snapshot.agreed, snapshot.outcomes_observed, snapshot.expired) == (0, 0, 0, 0)
    assert (snapshot.agreement_rate, snapshot.agreement_lower_bound) == (0.0, 0.0)
    assert snapshot.bad_outcome_upper_bound == 1.0


def test_expiry_is_not_a_rejection(queue: ApprovalQueue, kpis: KpiStore, clock: RacingClock) -> None:
    queue.submit(submission("ok"))
    queue.decide("ok", OFFICER, "approve")
    queue.submit(submission("late"))
    clock.advance(timedelta(hours=5))
    queue.expire_overdue()

    snapshot = kpis.snapshot(AGENT, ACTION, window=10, confidence=0.95)
    assert (snapshot.reviewed, snapshot.agreed, snapshot.agreement_rate, snapshot.expired) == (1, 1, 1.0, 1)


def test_four_eyes_approval_counts_once_as_agreement(queue: ApprovalQueue, kpis: KpiStore) -> None:
    queue.submit(submission("p", approvals_required=2))
    queue.decide("p", OFFICER, "approve")
    assert kpis.snapshot(AGENT, ACTION, window=10, confidence=0.95).reviewed == 0  # still pending
    queue.decide("p", MANAGER, "approve")
    snapshot = kpis.snapshot(AGENT, ACTION, window=10, confidence=0.95)
    assert (snapshot.reviewed, snapshot.agreed) == (1, 1)

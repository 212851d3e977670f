"""Browsing the queue: filters (agent, action, status, priority, SLA due), both sorts, keyset pages that neither
repeat nor skip, counts per state (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from core import ConfigurationError
from policies import DecisionSource, Outcome
from supervision import ApprovalQueue, GatedEdit, ProposalSubmission, QueueBrowser, QueuePriority, SlaDue, priority_of
from tests.supervision.supervision_helpers import OFFICER, START, RacingClock, submission


def test_pages_walk_every_matching_proposal_once_newest_first(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    for n in range(7):
        queue.submit(submission(f"p-{n}", action="approve_credit" if n % 2 == 0 else "decline_credit"))
        if n != 3:  # p-3 and p-4 share a creation time: the id breaks the tie
            clock.advance(timedelta(minutes=1))
    queue.submit(submission("p-auto", outcome="auto"))
    browser = QueueBrowser(engine, clock)

    seen: list[str] = []
    page = browser.page(limit=3)
    pages = 1
    while True:
        seen += [row.id for row in page.rows]
        if page.next_after is None:
            break
        page = browser.page(limit=3, after=page.next_after)
        pages += 1
    assert seen == ["p-auto", "p-6", "p-5", "p-4", "p-3", "p-2", "p-1", "p-0"]
    assert pages == 3

    pending_approvals = browser.page(status="pending", action="approve_credit", limit=10)
    assert [row.id for row in pending_approvals.rows] == ["p-6", "p-4", "p-2", "p-0"]
    assert pending_approvals.next_after is None
    first = pending_approvals.rows[0]
    assert (first.agent, first.gate_outcome, first.gate_matched, first.customer_id) == (
        "credit",
        "review",
        "mid_amounts",
        "cust-42",
    )
    assert first.expires_at == START + timedelta(hours=4)
    assert browser.page(agent="someone-else").rows == []


def test_counts_per_state_and_the_agent_actions_seen(engine: Engine, queue: ApprovalQueue, clock: RacingClock) -> None:
    for n in range(3):
        queue.submit(submission(f"p-{n}"))
    queue.submit(submission("p-auto", outcome="auto"))
    queue.submit(submission("p-deny", outcome="deny", action="decline_credit"))
    queue.decide("p-0", OFFICER, "reject", comment="no")
    browser = QueueBrowser(engine, clock)

    assert browser.counts() == {"pending": 2, "rejected": 1, "approved": 1, "denied": 1}
    assert browser.counts(action="decline_credit") == {"denied": 1}
    assert browser.agent_actions() == [("credit", "approve_credit"), ("credit", "decline_credit")]


def _from(sub: ProposalSubmission, source: DecisionSource, approvals_required: int = 1) -> ProposalSubmission:
    review = sub.gate.review.model_copy(update={"approvals_required": approvals_required})
    return sub.model_copy(update={"gate": sub.gate.model_copy(update={"source": source, "review": review})})


@pytest.mark.parametrize(
    ("outcome", "source", "approvals_required", "expected"),
    [
        ("review", "hard_limit", 1, "high"),
        ("review", "rule", 1, "high"),
        ("review", "autonomy", 2, "high"),
        ("review", "default", 2, "high"),
        ("review", "autonomy", 1, "normal"),
        ("review", "default", 1, "normal"),
        ("auto", "rule", 1, "normal"),
        ("deny", "hard_limit", 1, "normal"),
    ],
)
def test_priority_follows_what_forced_the_review(
    outcome: Outcome, source: DecisionSource, approvals_required: int, expected: QueuePriority
) -> None:
    decision = _from(submission(outcome=outcome), source, approvals_required).gate
    assert priority_of(decision) == expected


def test_submit_stores_the_priority_and_pages_and_counts_filter_on_it(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    for sub in (
        submission("p-rule"),
        _from(submission("p-band"), "autonomy"),
        _from(submission("p-four-eyes"), "autonomy", approvals_required=2),
        _from(submission("p-limit"), "hard_limit"),
        submission("p-auto", outcome="auto"),
    ):
        queue.submit(sub)
        clock.advance(timedelta(minutes=1))
    browser = QueueBrowser(engine, clock)

    high = browser.page(priority="high")
    assert [(row.id, row.priority) for row in high.rows] == [
        ("p-limit", "high"),
        ("p-four-eyes", "high"),
        ("p-rule", "high"),
    ]
    assert [row.id for row in browser.page(priority="normal", status="pending").rows] == ["p-band"]
    assert browser.counts(priority="high") == {"pending": 3}
    assert browser.counts(priority="normal") == {"pending": 1, "approved": 1}


def test_an_edit_that_needs_four_eyes_raises_the_priority(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    queue.submit(_from(submission("p-1"), "autonomy"))
    browser = QueueBrowser(engine, clock)
    assert [row.priority for row in browser.page().rows] == ["normal"]

    edited = _from(submission("p-1"), "autonomy", approvals_required=2).gate
    queue.decide(
        "p-1", OFFICER, "edit", edit=GatedEdit(arguments={"amount": 4000.0}, action_hash="e" * 64, gate=edited)
    )

    assert [(row.status, row.priority) for row in browser.page().rows] == [("pending", "high")]


def test_sla_due_filters_compare_deadlines_with_the_clock(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    for hours in (1, 2, 5, 6, 20, 30):
        queue.submit(submission(f"d-{hours}h", expires_in=timedelta(hours=hours)))
    queue.submit(submission("d-none", expires_in=None))
    clock.advance(timedelta(hours=2))  # now: d-1h is overdue, d-2h falls due this instant
    browser = QueueBrowser(engine, clock)

    def due(window: SlaDue) -> set[str]:
        return {row.id for row in browser.page(due=window).rows}

    assert due("overdue") == {"d-1h"}
    assert due("within_4h") == {"d-2h", "d-5h"}  # d-6h is due in exactly 4 h: not within
    assert due("within_24h") == {"d-2h", "d-5h", "d-6h", "d-20h"}
    assert browser.counts(due="within_24h") == {"pending": 4}
    assert browser.page(sort="due", due="within_24h").rows[-1].id == "d-20h"


def test_due_soonest_pages_walk_every_proposal_once_without_a_deadline_last(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    deadlines = {"a": 5, "b": 2, "c": None, "d": 2, "e": 9, "f": None, "g": 1, "h": None}
    for proposal_id, hours in deadlines.items():
        queue.submit(submission(proposal_id, expires_in=None if hours is None else timedelta(hours=hours)))
        clock.advance(timedelta(seconds=1))
    queue.submit(submission("z-auto", outcome="auto", expires_in=timedelta(hours=3)))
    browser = QueueBrowser(engine, clock)

    seen: list[str] = []
    positions = []
    page = browser.page(sort="due", status="pending", limit=2)
    while True:
        seen += [row.id for row in page.rows]
        if page.next_after is None:
            break
        positions.append(page.next_after)
        page = browser.page(sort="due", status="pending", limit=2, after=page.next_after)

    assert seen == ["g", "b", "d", "a", "e", "c", "f", "h"]  # 1 h, 2 h (tie: by id), 5 h, 9 h, then none by id
    assert [(p.sort, p.id) for p in positions] == [("due", "b"), ("due", "a"), ("due", "c")]
    assert positions[-1].at is None  # the third page ended inside the no-deadline tail
    assert [row.id for row in browser.page(sort="due", limit=4).rows] == ["g", "b", "d", "z-auto"]

    with pytest.raises(ConfigurationError, match="'newest' order"):
        browser.page(sort="due", after=browser.page(limit=1).next_after)

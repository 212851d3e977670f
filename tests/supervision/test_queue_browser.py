"""Browsing the queue: filters, keyset pages that neither repeat nor skip, counts per state (both backends)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from supervision import ApprovalQueue, QueueBrowser
from tests.supervision.supervision_helpers import OFFICER, START, RacingClock, submission


def test_pages_walk_every_matching_proposal_once_newest_first(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    for n in range(7):
        queue.submit(submission(f"p-{n}", action="approve_credit" if n % 2 == 0 else "decline_credit"))
        if n != 3:  # p-3 and p-4 share a creation time: the id breaks the tie
            clock.advance(timedelta(minutes=1))
    queue.submit(submission("p-auto", outcome="auto"))
    browser = QueueBrowser(engine)

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


def test_counts_per_state_and_the_agent_actions_seen(engine: Engine, queue: ApprovalQueue) -> None:
    for n in range(3):
        queue.submit(submission(f"p-{n}"))
    queue.submit(submission("p-auto", outcome="auto"))
    queue.submit(submission("p-deny", outcome="deny", action="decline_credit"))
    queue.decide("p-0", OFFICER, "reject", comment="no")
    browser = QueueBrowser(engine)

    assert browser.counts() == {"pending": 2, "rejected": 1, "approved": 1, "denied": 1}
    assert browser.counts(action="decline_credit") == {"denied": 1}
    assert browser.agent_actions() == [("credit", "approve_credit"), ("credit", "decline_credit")]

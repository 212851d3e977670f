"""KPI series per day and ISO week, computed by the database from a constructed history, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from policies import Outcome
from supervision import ApprovalQueue, GatedEdit, KpiStore
from tests.supervision.supervision_helpers import MANAGER, OFFICER, RacingClock, gate, submission

AGENT, ACTION = "credit", "approve_credit"
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # ISO week 10 of 2026


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


class Days:
    """Writes proposals through the queue at chosen times, as reviewers and executions would."""

    def __init__(self, queue: ApprovalQueue, clock: RacingClock) -> None:
        self.queue = queue
        self.clock = clock

    def submit(
        self,
        proposal_id: str,
        when: datetime,
        *,
        outcome: Outcome = "review",
        action: str = ACTION,
        expires_in: timedelta | None = None,
    ) -> None:
        self.clock.current = when
        self.queue.submit(submission(proposal_id, now=when, outcome=outcome, action=action, expires_in=expires_in))

    def decide(self, proposal_id: str, when: datetime, verdict: str = "approve") -> None:
        self.clock.current = when
        if verdict == "approve":
            self.queue.decide(proposal_id, OFFICER, "approve")
        elif verdict == "reject":
            self.queue.decide(proposal_id, OFFICER, "reject", comment="no")
        else:
            self.queue.decide(
                proposal_id,
                OFFICER,
                "edit",
                edit=GatedEdit(arguments={"amount": 1.0}, action_hash="e" * 64, gate=gate(amount=1.0)),
            )

    def execute(self, proposal_id: str, when: datetime) -> None:
        self.clock.current = when
        self.queue.claim_execution(proposal_id, self.queue.get(proposal_id).action_hash)
        self.queue.complete_execution(proposal_id, {"done": True})

    def outcome(self, proposal_id: str, when: datetime, label: str) -> None:
        self.clock.current = when
        self.queue.record_outcome(proposal_id, "bad" if label == "bad" else "good")


@pytest.fixture
def days(queue: ApprovalQueue, clock: RacingClock) -> Days:
    """Monday to Thursday noon of one week; see each line for what lands in which bucket."""
    d = Days(queue, clock)
    # Monday: three reviews after 2, 4 and 9 hours; one automated, one denied; one waits until Wednesday.
    d.submit("p1", at(0, 9))
    d.submit("p2", at(0, 9))
    d.submit("p5", at(0, 9))
    d.submit("auto", at(0, 9.5), outcome="auto")
    d.execute("auto", at(0, 9.6))
    d.submit("deny", at(0, 9.7), outcome="deny")
    d.submit("slow", at(0, 10))
    d.decide("p1", at(0, 11))
    d.execute("p1", at(0, 11.1))
    d.decide("p2", at(0, 13), "reject")
    d.decide("p5", at(0, 18))
    # Tuesday: one review after an hour; one review expires; two outcomes observed (one bad).
    d.submit("p3", at(1, 9))
    d.decide("p3", at(1, 10))
    d.execute("p3", at(1, 10.5))
    d.submit("late", at(1, 9), expires_in=timedelta(hours=2))
    clock.current = at(1, 12)
    assert [item.id for item in queue.expire_overdue()] == ["late"]
    d.outcome("p1", at(1, 15), "good")
    d.outcome("p3", at(1, 16), "bad")
    # Wednesday: Monday's slow one is edited after 48 hours; another action's proposals never count.
    d.decide("slow", at(2, 10), "edit")
    d.submit("other", at(2, 11), action="raise_limit")
    d.decide("other", at(2, 12))
    # Thursday: one proposal waiting now, at noon.
    d.submit("p4", at(3, 9))
    clock.current = at(3, 12)
    return d


def test_a_daily_series_counts_each_event_in_the_bucket_it_happened(days: Days, kpis: KpiStore) -> None:
    series = kpis.series(AGENT, ACTION, days=4)

    assert (series.agent, series.action, series.granularity) == (AGENT, ACTION, "day")
    assert series.taken_at == at(3, 12)
    assert [(b.label, b.start, b.end) for b in series.buckets] == [
        (f"2026-03-0{2 + i}", at(i, 0), at(i + 1, 0)) for i in range(4)
    ]
    monday, tuesday, wednesday, thursday = series.buckets
    assert monday.model_dump() == dict(
        label="2026-03-02",
        start=at(0, 0),
        end=at(1, 0),
        created=6,  # p1 p2 p5 auto deny slow
        automated=1,
        reviewed=3,
        agreed=2,
        overridden=1,
        expired=0,
        agreement_rate=pytest.approx(2 / 3),
        outcomes_observed=0,
        bad_outcomes=0,
        bad_outcome_rate=None,
        backlog=1,  # slow, still pending at midnight
        median_hours_to_decision=pytest.approx(4.0),  # of 2, 4 and 9 hours
    )
    assert (tuesday.created, tuesday.reviewed, tuesday.agreed, tuesday.expired) == (2, 1, 1, 1)
    assert (tuesday.outcomes_observed, tuesday.bad_outcomes, tuesday.bad_outcome_rate) == (2, 1, 0.5)
    assert tuesday.backlog == 1  # slow again; late expired at noon
    assert tuesday.median_hours_to_decision == pytest.approx(1.0)
    assert (wednesday.created, wednesday.reviewed, wednesday.overridden, wednesday.agreement_rate) == (0, 1, 1, 0.0)
    assert wednesday.median_hours_to_decision == pytest.approx(48.0)
    assert wednesday.backlog == 0
    assert (thursday.created, thursday.reviewed, thursday.backlog) == (1, 0, 1)  # p4 pending now
    assert (thursday.agreement_rate, thursday.median_hours_to_decision) == (None, None)


def test_a_weekly_series_ends_with_the_current_iso_week_and_adds_up_the_days(days: Days, kpis: KpiStore) -> None:
    daily = kpis.series(AGENT, ACTION, days=4)
    weekly = kpis.series(AGENT, ACTION, days=84)

    assert weekly.granularity == "week"
    assert len(weekly.buckets) == 12
    assert [b.label for b in weekly.buckets[-2:]] == ["2026-W09", "2026-W10"]
    assert weekly.buckets[0].start == MONDAY - timedelta(weeks=11)
    assert all(b.start.weekday() == 0 and b.end - b.start == timedelta(weeks=1) for b in weekly.buckets)
    this_week = weekly.buckets[-1]
    for field in ("created", "automated", "reviewed", "agreed", "overridden", "expired", "outcomes_observed"):
        assert getattr(this_week, field) == sum(getattr(b, field) for b in daily.buckets), field
    assert this_week.backlog == 1  # p4, pending now
    assert this_week.agreement_rate == pytest.approx(3 / 5)
    assert this_week.median_hours_to_decision == pytest.approx(4.0)  # of 1, 2, 4, 9 and 48 hours
    assert all(b.created == b.reviewed == b.backlog == 0 for b in weekly.buckets[:-1])


def test_series_of_several_actions_keeps_them_apart(days: Days, kpis: KpiStore) -> None:
    mine, other, unused = kpis.series_of([(AGENT, ACTION), (AGENT, "raise_limit"), ("nobody", "nothing")], days=7)

    assert [len(s.buckets) for s in (mine, other, unused)] == [7, 7, 7]
    assert sum(b.created for b in mine.buckets) == 9
    assert [(b.created, b.agreed) for b in other.buckets if b.created or b.agreed] == [(1, 1)]
    assert other.buckets[-2].median_hours_to_decision == pytest.approx(1.0)
    assert all(b.created == b.backlog == 0 and b.agreement_rate is None for b in unused.buckets)


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(
    queue: ApprovalQueue, kpis: KpiStore, clock: RacingClock
) -> None:
    d = Days(queue, clock)
    for name, hours in (("a", 1), ("b", 2), ("c", 5), ("d", 20)):
        d.submit(name, at(0, 0))
        d.decide(name, at(0, hours))
    clock.current = at(2, 0)
    series = kpis.series(AGENT, ACTION, days=31)  # the longest daily span
    assert (series.granularity, len(series.buckets), series.buckets[-3].label) == ("day", 31, "2026-03-02")
    monday = series.buckets[-3]
    assert monday.reviewed == 4
    assert monday.median_hours_to_decision == pytest.approx(3.5)


def test_a_half_approved_four_eyes_proposal_is_backlog_until_the_second_approval(
    queue: ApprovalQueue, kpis: KpiStore, clock: RacingClock
) -> None:
    clock.current = at(0, 9)
    queue.submit(submission("p", approvals_required=2, expires_in=None, now=clock.now()))
    clock.current = at(1, 9)
    queue.decide("p", OFFICER, "approve")
    clock.current = at(2, 9)
    queue.decide("p", MANAGER, "approve")
    clock.current = at(3, 9)

    buckets = kpis.series(AGENT, ACTION, days=4).buckets
    assert [b.backlog for b in buckets] == [1, 1, 0, 0]
    assert [b.reviewed for b in buckets] == [0, 0, 1, 0]
    assert buckets[2].median_hours_to_decision == pytest.approx(48.0)


@pytest.mark.parametrize("days", [0, -1, 372])
def test_the_span_is_bounded(kpis: KpiStore, days: int) -> None:
    with pytest.raises(ValueError, match="1 to 371 days"):
        kpis.series(AGENT, ACTION, days=days)


def test_one_day_and_the_longest_span(kpis: KpiStore, clock: RacingClock) -> None:
    clock.current = at(3, 12)
    [today] = kpis.series(AGENT, ACTION, days=1).buckets
    assert (today.start, today.end, today.created) == (at(3, 0), at(4, 0), 0)
    longest = kpis.series(AGENT, ACTION, days=371)
    assert (longest.granularity, len(longest.buckets)) == ("week", 53)

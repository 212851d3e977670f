"""A promotion whose policy asks for sign-off waits for an ops manager; a demotion never waits.

The credit agent runs for real on both backends, with the bundled policy's ladder made short (fewer
reviews and outcomes needed) so a handful of decisions call for each move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from agents import AgentRunner
from core import FixedClock
from policies import default_policy_dir, load_policy
from steward import Settings, Steward
from tests.agents.flow_helpers import AGENT, START, installation, with_credit_policy_changed

ACTION = "approve_credit"
MIN_REVIEWED = 5


def test_the_bundled_policy_asks_for_sign_off_on_credit_approvals_only() -> None:
    policy = load_policy(default_policy_dir() / "credit_approval.yaml")
    assert {action: policy.ladder(action).promotion.sign_off for action in policy.actions} == {
        "approve_credit": True,
        "decline_credit": False,
        "request_information": False,
    }


@pytest.fixture
def short_ladder(steward_settings: Settings, tmp_path: Path) -> Settings:
    """The bundled policies, with approve_credit promoted on 5 agreeing reviews and 3 good outcomes."""
    bundled = (
        "        min_reviewed: 40\n        min_agreement_lower_bound: 0.85\n        confidence: 0.95\n"
        "        min_outcomes: 20\n        max_bad_outcome_upper_bound: 0.25\n        sign_off: true\n"
        "      demotion:\n        min_cases: 10\n"
    )
    short = (
        f"        min_reviewed: {MIN_REVIEWED}\n        min_agreement_lower_bound: 0.5\n        confidence: 0.95\n"
        "        min_outcomes: 3\n        max_bad_outcome_upper_bound: 0.6\n        sign_off: true\n"
        "      demotion:\n        min_cases: 4\n"
    )
    return with_credit_policy_changed(steward_settings, tmp_path / "policies", bundled, short)


@dataclass
class Credits:
    """Runs the credit agent on fresh applications; approvals are reviewed and executed, outcomes good."""

    app: Steward
    clock: FixedClock
    used: set[str] = field(default_factory=set)
    executed: list[str] = field(default_factory=list)

    def approve_one(self) -> str:
        """One more credit a person approved (up to 10,000: one approval), executed and turning out well."""
        agent = AgentRunner(self.app.runtimes["credit_approval"])
        for application in sorted(self.app.customers.pending_applications(), key=lambda a: a.id):
            if application.id in self.used or application.amount > 10_000:
                continue
            self.used.add(application.id)
            self.clock.advance(timedelta(minutes=10))
            run = agent.run(application.id)
            if run.action != ACTION or run.status != "pending":
                continue  # another action, or automated at a band
            self.clock.advance(timedelta(minutes=5))
            decided = self.app.supervisor.decide(run.proposal_id, reviewer_id="head", verdict="approve")
            assert decided.status == "executed"
            self.clock.advance(timedelta(minutes=1))
            assert self.app.supervisor.record_outcome(run.proposal_id, "good") is None
            self.executed.append(run.proposal_id)
            return run.proposal_id
        raise AssertionError("no loaded application is left for another approval")

    def level(self) -> str:
        return self.app.autonomy.level(AGENT, ACTION, default="shadow")

    def pending(self) -> list[int]:
        return [request.id for request in self.app.autonomy.pending_requests(AGENT, ACTION)]


@pytest.mark.slow
def test_a_promotion_waits_for_sign_off_then_applies_and_a_demotion_does_not_wait(short_ladder: Settings) -> None:
    clock = FixedClock(START)
    with installation(short_ladder, clock, applicants=300) as app:
        credits = Credits(app, clock)
        for _ in range(MIN_REVIEWED - 1):
            credits.approve_one()
        assert credits.pending() == []
        credits.approve_one()  # the fifth agreeing review: the ladder calls for shadow -> review_all
        [first] = credits.pending()
        request = app.autonomy.request(first)
        assert (request.from_level, request.to_level, request.kpi.reviewed_since_change) == (
            "shadow",
            "review_all",
            MIN_REVIEWED,
        )
        assert credits.level() == "shadow"  # not applied: it waits
        assert app.autonomy.history(AGENT, ACTION) == []
        credits.approve_one()
        credits.approve_one()
        assert credits.pending() == [first]  # evaluated again and again, requested once

        # Declined: the ladder asks again only on fresh evidence, gathered after the decline.
        clock.advance(timedelta(minutes=1))
        app.autonomy.sign_off(first, actor="ops", approve=False, note="Wait for the month-end review.")
        for _ in range(MIN_REVIEWED - 1):
            credits.approve_one()
            assert credits.pending() == []
        credits.approve_one()
        [second] = credits.pending()
        assert second != first and credits.level() == "shadow"

        clock.advance(timedelta(minutes=1))
        app.autonomy.sign_off(second, actor="ops", approve=True)
        assert credits.level() == "review_all"
        [promotion] = app.autonomy.history(AGENT, ACTION)
        assert (promotion.direction, promotion.actor, promotion.to_level) == ("promote", "ops", "review_all")
        assert promotion.kpi is not None and promotion.kpi.reviewed_since_change >= MIN_REVIEWED

        # Next rung, the same way; then a request for the one after that waits when outcomes turn bad.
        for _ in range(MIN_REVIEWED):
            credits.approve_one()
        [third] = credits.pending()
        app.autonomy.sign_off(third, actor="ops", approve=True)
        assert credits.level() == "band_1"
        for _ in range(MIN_REVIEWED):
            credits.approve_one()
        [fourth] = credits.pending()
        assert app.autonomy.request(fourth).to_level == "band_2"

        change = None
        for proposal_id in credits.executed:  # the loans default after all
            clock.advance(timedelta(minutes=1))
            change = app.supervisor.record_outcome(proposal_id, "bad")
            if change is not None:
                break
        assert change is not None, "a run of defaults must demote the action"
        assert (change.direction, change.from_level, change.to_level) == ("demote", "band_1", "review_all")
        assert credits.level() == "review_all"  # at once, no sign-off
        assert change.kpi.bad_outcome_rate > 0.30
        assert app.autonomy.request(fourth).status == "superseded"
        assert credits.pending() == []
        kinds = [e.kind for e in app.audit.entries(subject=f"{AGENT}/{ACTION}")]
        assert kinds.count("autonomy.promotion_requested") == 4
        assert kinds.count("autonomy.sign_off") == 3
        assert kinds[-2:] == ["autonomy.changed", "autonomy.request_superseded"]
        assert app.audit.verify().ok

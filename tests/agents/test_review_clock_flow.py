"""An action's review clock from its policy, end to end on both backends: the supervised step sets each
proposal's deadline and timeout behaviour, recovery (and `steward recover`) escalates an overdue review to
its role, whose people see it first, and expires it past its second deadline; escalated-then-approved is one
agreement, escalated-then-expired one expiry, never a rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core import FixedClock
from steward import Settings, Steward
from steward.cli import main
from supervision import QueueBrowser
from tests.agents.flow_helpers import AGENT, START, audit_kinds, installation, pending_runs, with_credit_policy_changed

SENIOR = "senior_credit_officer"
BUNDLED = "    description: Grant the credit as applied for.\n"
REVIEW_CLOCK = (
    BUNDLED + "    review:\n      sla: 2h\n      on_timeout: escalate\n"
    f"      escalate_to: {SENIOR}\n      escalated_sla: 1h\n"
)


@pytest.fixture
def settings(steward_settings: Settings, tmp_path: Path) -> Settings:
    """The bundled policies, with `approve_credit` escalating to senior credit officers after 2 hours."""
    return with_credit_policy_changed(steward_settings, tmp_path / "policies", BUNDLED, REVIEW_CLOCK)


def _thread_waits(app: Steward, thread_id: str) -> bool:
    state = app.runtimes[AGENT].graph.get_state({"configurable": {"thread_id": thread_id}})
    return state.next == ("await_review",)


def test_the_policy_sets_each_review_clock_and_an_escalated_review_is_decided_by_its_role(settings: Settings) -> None:
    clock = FixedClock(START)
    with installation(settings, clock) as app:
        (approve,) = pending_runs(app, 1, action="approve_credit")
        (decline,) = pending_runs(app, 1, action="decline_credit")
        stored = app.queue.get(approve.proposal_id)
        assert (stored.expires_at, stored.on_timeout, stored.escalate_to) == (
            START + timedelta(hours=2),
            "escalate",
            SENIOR,
        )
        other = app.queue.get(decline.proposal_id)  # no review block: the installation's default, then expiry
        assert (other.expires_at, other.on_timeout, other.escalate_to) == (START + settings.review_sla, "expire", None)

        # Finding a decline ran the agent on more applications: every approval it proposed escalates.
        approvals = {item.id for item in app.queue.list(status="pending") if item.action == "approve_credit"}
        clock.advance(timedelta(hours=2, minutes=1))
        report = app.supervisor.recover()

        assert approve.proposal_id in approvals
        assert (set(report.escalated), report.expired, report.proposals) == (approvals, (), ())
        item = app.queue.get(approve.proposal_id)
        assert (item.status, item.escalated_to, item.escalated_at) == ("pending", SENIOR, clock.now())
        assert item.expires_at == clock.now() + timedelta(hours=1)
        assert _thread_waits(app, approve.thread_id)  # escalated, the thread stays paused for a person
        first = QueueBrowser(app.engine, clock).page(status="pending", escalated_to={SENIOR}, sort="due").rows
        assert {(row.id, row.priority) for row in first} == {(proposal_id, "high") for proposal_id in approvals}

        decided = app.supervisor.decide(approve.proposal_id, reviewer_id="senior", verdict="approve")

        assert decided.status == "executed"
        assert audit_kinds(app, approve.proposal_id)[:4] == [
            "proposal.submitted",
            "gate.decided",
            "proposal.escalated",
            "review.decided",
        ]
        kpi = app.kpis.snapshot(AGENT, "approve_credit", window=10, confidence=0.95)
        assert (kpi.reviewed, kpi.agreed, kpi.expired) == (1, 1, 0)
        assert app.queue.get(decline.proposal_id).status == "pending"  # its own, longer clock still runs


def test_an_escalated_review_nobody_decides_expires_and_its_thread_finishes(settings: Settings) -> None:
    clock = FixedClock(START)
    with installation(settings, clock) as app:
        (run,) = pending_runs(app, 1, action="approve_credit")
        clock.advance(timedelta(hours=2, minutes=1))
        timeouts = app.supervisor.apply_timeouts()
        assert ([item.id for item in timeouts.escalated], timeouts.expired) == ([run.proposal_id], [])
        clock.advance(timedelta(hours=1, minutes=1))

        report = app.supervisor.recover()

        assert (report.expired, report.escalated) == ((run.proposal_id,), ())
        assert [(entry.id, entry.found, entry.outcome) for entry in report.proposals] == [
            (run.proposal_id, "expired", "finished")
        ]
        assert app.queue.get(run.proposal_id).status == "expired"
        assert not _thread_waits(app, run.thread_id)
        assert audit_kinds(app, run.proposal_id) == [
            "proposal.submitted",
            "gate.decided",
            "proposal.escalated",
            "review.expired",
            "proposal.recovered",
        ]
        kpi = app.kpis.snapshot(AGENT, "approve_credit", window=10, confidence=0.95)
        assert (kpi.reviewed, kpi.agreed, kpi.expired) == (0, 0, 1)
        assert app.customers.decisions(str(app.queue.get(run.proposal_id).arguments["application_id"])) == []
        assert app.audit.verify().ok


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the queue's pass runs on both above
def test_steward_recover_applies_the_review_clock_and_says_so(
    settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # `steward recover` runs on the wall clock: the proposal was made three hours ago, with a 2-hour clock.
    with installation(settings, FixedClock(datetime.now(UTC) - timedelta(hours=3))) as app:
        (run,) = pending_runs(app, 1, action="approve_credit")

    assert main(["recover"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "review clock: 0 overdue review(s) expired, 1 escalated",
        f"  escalated {run.proposal_id}",
        "nothing to recover",
    ]

    assert main(["recover", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"counts", "proposals", "ladders_reviewed", "expired", "escalated"} <= set(report)
    assert (report["escalated"], report["expired"], report["proposals"]) == ([], [], [])  # escalated once only

    assert main(["queue", "list", "--status", "pending", "--json"]) == 0
    (listed,) = [entry for entry in json.loads(capsys.readouterr().out) if entry["id"] == run.proposal_id]
    assert listed["escalated_to"] == SENIOR and listed["escalated_at"]
    assert main(["queue", "list", "--status", "pending"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].endswith("escalated to")
    assert next(line for line in text.splitlines() if line.startswith(run.proposal_id)).endswith(SENIOR)

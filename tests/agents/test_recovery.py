"""Recovery carries on what a crash left between a decision and its end, once, on both backends.

Each test leaves the installation exactly as a process that died at one step would: it makes the steps
before the crash with the same calls the dying process makes (the queue's decision, the claim, the
action tool), and never the ones after. The crash test with real killed processes is
tests/steward/test_crash_recovery.py.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig

from agents import AgentRun, RecoveryReport
from core import FixedClock
from steward import Settings, Steward, open_steward
from supervision import ProposalExpired
from tests.agents.flow_helpers import AGENT, START, audit_kinds, installation, pending_runs, with_credit_policy_changed
from tools import Authorization


def _decide_as_a_crash_leaves_it(app: Steward, proposal_id: str, verdict: str = "approve") -> None:
    """The queue records the decision; the process dies before it resumes the thread."""
    app.queue.decide(proposal_id, app.users.get("officer"), "approve" if verdict == "approve" else "reject")


def _application(app: Steward, proposal_id: str) -> str:
    return str(app.queue.get(proposal_id).arguments["application_id"])


def _thread_done(app: Steward, run: AgentRun) -> bool:
    return app.runtimes["credit_approval"].graph.get_state({"configurable": {"thread_id": run.thread_id}}).next == ()


def _outcomes(report: RecoveryReport) -> dict[str, str]:
    return {entry.id: entry.outcome for entry in report.proposals}


def test_a_decision_recorded_but_not_resumed_is_executed_once(steward_settings: Settings) -> None:
    with installation(steward_settings) as app:
        (run,) = pending_runs(app, 1)
        _decide_as_a_crash_leaves_it(app, run.proposal_id)
        assert app.queue.get(run.proposal_id).status == "approved"
        assert not _thread_done(app, run)

        report = app.supervisor.recover()

        assert _outcomes(report) == {run.proposal_id: "executed"}
        assert report.proposals[0].found == "approved"
        assert report.ladders_reviewed == (f"{AGENT}/{run.action}",)
        assert app.queue.get(run.proposal_id).status == "executed"
        assert len(app.customers.decisions(_application(app, run.proposal_id))) == 1
        assert _thread_done(app, run)
        assert audit_kinds(app, run.proposal_id) == [
            "proposal.submitted",
            "gate.decided",
            "review.decided",
            "action.claimed",
            "action.executed",
            "proposal.recovered",
        ]
        assert app.audit.verify().ok
        assert app.supervisor.recover() == RecoveryReport()  # exactly once


def test_an_approval_past_its_deadline_is_still_executed(steward_settings: Settings) -> None:
    clock = FixedClock(START)
    with installation(steward_settings, clock) as app:
        (run,) = pending_runs(app, 1)
        _decide_as_a_crash_leaves_it(app, run.proposal_id)  # in time
        clock.advance(steward_settings.review_sla + timedelta(hours=1))

        assert app.supervisor.expire_overdue() == []  # a decision was made: expiry leaves it alone
        report = app.supervisor.recover()

        assert _outcomes(report) == {run.proposal_id: "executed"}
        assert len(app.customers.decisions(_application(app, run.proposal_id))) == 1


def test_rejections_and_expiries_left_paused_are_carried_to_their_end(steward_settings: Settings) -> None:
    clock = FixedClock(START)
    with installation(steward_settings, clock) as app:
        rejected, expired, late = pending_runs(app, 3)
        _decide_as_a_crash_leaves_it(app, rejected.proposal_id, "reject")
        clock.advance(steward_settings.review_sla + timedelta(hours=1))
        # A reviewer deciding too late expires the proposal and is refused; nothing resumed its thread.
        with pytest.raises(ProposalExpired):
            app.supervisor.decide(late.proposal_id, reviewer_id="officer", verdict="approve")
        # The expiry recorded; the process dies before it lets the thread finish.
        assert [item.id for item in app.queue.expire_overdue()] == [expired.proposal_id]
        runs = (rejected, expired, late)
        assert not any(_thread_done(app, run) for run in runs)

        report = app.supervisor.recover()

        assert _outcomes(report) == {run.proposal_id: "finished" for run in runs}
        assert [app.queue.get(run.proposal_id).status for run in runs] == ["rejected", "expired", "expired"]
        assert all(_thread_done(app, run) for run in runs)
        assert all(app.customers.decisions(_application(app, run.proposal_id)) == [] for run in runs)
        assert app.supervisor.recover() == RecoveryReport()


@pytest.mark.parametrize("wrote", [False, True], ids=["before-the-write", "after-the-write"])
def test_an_execution_claim_whose_process_died_is_completed_once(steward_settings: Settings, wrote: bool) -> None:
    with installation(steward_settings) as app:
        (run,) = pending_runs(app, 1)
        _decide_as_a_crash_leaves_it(app, run.proposal_id)
        item = app.queue.get(run.proposal_id)
        claim = app.queue.claim_execution(run.proposal_id, item.action_hash)
        application_id = _application(app, run.proposal_id)
        if wrote:  # the action tool wrote; the process died before recording the result
            spec = app.runtimes["credit_approval"].step.actions[item.runs]
            auth = Authorization(
                proposal_id=item.id, action_hash=claim.action_hash, idempotency_key=claim.idempotency_key
            )
            spec.run(app.runtimes["credit_approval"].step.tools, spec.args_model.model_validate(item.arguments), auth)
            assert len(app.customers.decisions(application_id)) == 1
        assert app.queue.get(run.proposal_id).status == "executing"

        report = app.supervisor.recover()

        assert _outcomes(report) == {run.proposal_id: "executed"}
        done = app.queue.get(run.proposal_id)
        assert done.status == "executed"
        assert done.execution_result is not None
        assert done.execution_result["replayed"] is wrote  # the second run found the first one's write
        assert len(app.customers.decisions(application_id)) == 1
        entries = app.audit.entries(subject=run.proposal_id)
        claims = [entry.payload["first_attempt"] for entry in entries if entry.kind == "action.claimed"]
        assert claims == [True, False]  # the dead process's claim, then recovery's re-entry under the same key
        assert audit_kinds(app, run.proposal_id).count("action.executed") == 1
        assert app.audit.verify().ok
        assert app.supervisor.recover() == RecoveryReport()


@pytest.fixture
def quick_ladder(steward_settings: Settings, tmp_path: Path) -> Settings:
    """approve_credit moves up from shadow after a single reviewed case, without sign-off."""
    bundled = (
        "        min_reviewed: 40\n        min_agreement_lower_bound: 0.85\n        confidence: 0.95\n"
        "        min_outcomes: 20\n        max_bad_outcome_upper_bound: 0.25\n        sign_off: true\n"
    )
    quick = (
        "        min_reviewed: 1\n        min_agreement_lower_bound: 0.0\n        confidence: 0.95\n"
        "        min_outcomes: 0\n        max_bad_outcome_upper_bound: 1.0\n        sign_off: false\n"
    )
    return with_credit_policy_changed(steward_settings, tmp_path / "quick-policies", bundled, quick)


@pytest.mark.parametrize("ladder_reviewed", [False, True], ids=["before-the-ladder", "after-the-ladder"])
def test_an_executed_decision_gets_its_ladder_review_and_is_marked_done(
    quick_ladder: Settings, ladder_reviewed: bool
) -> None:
    with installation(quick_ladder) as app:
        (run,) = pending_runs(app, 1, action="approve_credit")
        _decide_as_a_crash_leaves_it(app, run.proposal_id)
        executed = app.supervisor.resume(app.queue.get(run.proposal_id))
        assert executed.status == "executed"
        if ladder_reviewed:  # the process died after the ladder review, before marking the decision done
            assert app.supervisor.review_ladder(AGENT, "approve_credit") is not None
        assert app.autonomy.level(AGENT, "approve_credit", default="shadow") == (
            "review_all" if ladder_reviewed else "shadow"
        )

        report = app.supervisor.recover()

        assert _outcomes(report) == {run.proposal_id: "finished"}
        assert report.ladders_reviewed == (f"{AGENT}/approve_credit",)
        assert app.autonomy.level(AGENT, "approve_credit", default="shadow") == "review_all"  # moved once
        assert len(app.customers.decisions(_application(app, run.proposal_id))) == 1
        assert audit_kinds(app, run.proposal_id).count("action.executed") == 1
        assert app.supervisor.recover() == RecoveryReport()


def test_two_recoveries_at_once_execute_each_action_once(steward_settings: Settings) -> None:
    """Two web replicas starting together: the second recovery waits for the first and finds nothing."""
    with installation(steward_settings) as app:
        runs = pending_runs(app, 3)
        for run in runs:
            _decide_as_a_crash_leaves_it(app, run.proposal_id)
        with open_steward(steward_settings) as other:
            start = threading.Barrier(2)
            reports: list[RecoveryReport] = []

            def recover(replica: Steward) -> None:
                start.wait()
                reports.append(replica.supervisor.recover())

            threads = [threading.Thread(target=recover, args=(replica,)) for replica in (app, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        assert sorted(len(report.proposals) for report in reports) == [0, 3]
        assert sorted(entry.id for report in reports for entry in report.proposals) == sorted(
            run.proposal_id for run in runs
        )
        for run in runs:
            assert app.queue.get(run.proposal_id).status == "executed"
            assert len(app.customers.decisions(_application(app, run.proposal_id))) == 1
            assert audit_kinds(app, run.proposal_id).count("action.claimed") == 1
        assert app.audit.verify().ok


def test_a_decision_whose_thread_is_gone_is_reported_stuck_every_time(steward_settings: Settings) -> None:
    with installation(steward_settings) as app:
        (run,) = pending_runs(app, 1)
        _decide_as_a_crash_leaves_it(app, run.proposal_id)
        app.checkpointer.delete_thread(run.thread_id)

        for _ in range(2):  # never marked done: an operator must look at it
            report = app.supervisor.recover()
            assert _outcomes(report) == {run.proposal_id: "stuck"}
            assert not report.clean
            assert report.proposals[0].detail is not None and "approved" in report.proposals[0].detail
        assert app.queue.get(run.proposal_id).status == "approved"
        assert app.customers.decisions(_application(app, run.proposal_id)) == []


def test_a_review_read_back_into_the_thread_whose_step_was_never_saved_is_carried_on(
    steward_settings: Settings,
) -> None:
    """The killed process had resumed the thread: the review node finished and its writes were saved on the
    paused checkpoint, but the step after it was not (LangGraph saves steps asynchronously). The snapshot
    then names no next node, though the run has not ended; recovery must still carry it on."""
    with installation(steward_settings) as app:
        (run,) = pending_runs(app, 1)
        _decide_as_a_crash_leaves_it(app, run.proposal_id)
        item = app.queue.get(run.proposal_id)
        app.queue.claim_execution(run.proposal_id, item.action_hash)
        config: RunnableConfig = {"configurable": {"thread_id": run.thread_id}}
        paused = app.runtimes["credit_approval"].graph.get_state(config)
        (task,) = paused.tasks
        review = {"proposal_id": item.id, "status": "executing", "action_hash": item.action_hash}
        app.checkpointer.put_writes(
            paused.config,
            [("review", review), ("status", "executing"), ("branch:to:execute", None)],
            task.id,
        )
        crashed = app.runtimes["credit_approval"].graph.get_state(config)
        assert crashed.next == () and crashed.tasks  # what the old resume took for a finished run

        report = app.supervisor.recover()

        assert _outcomes(report) == {run.proposal_id: "executed"}
        assert app.queue.get(run.proposal_id).status == "executed"
        assert len(app.customers.decisions(_application(app, run.proposal_id))) == 1
        assert _thread_done(app, run)

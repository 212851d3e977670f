"""The whole supervised path on both backends: gate, pause, decision in another process, execute once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents import AgentRunner, InvalidEdit
from core import FixedClock, NotFound
from policies import FourEyesViolation, MissingAuthority, SelfApproval
from steward import Settings
from supervision import ApprovalConflict, DecisionEdit
from tests.agents.flow_helpers import AGENT, REPO, START, audit_kinds, find_application, installation, run_steward


@pytest.mark.slow
def test_a_decision_from_another_process_resumes_the_paused_graph_and_executes_once(
    steward_settings: Settings, steward_env: dict[str, str]
) -> None:
    # The deciding process uses the wall clock, so the proposal is made "now" (its SLA has not run out).
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:
        application_id = find_application(app, lambda amount: amount <= 4000)
        run = AgentRunner(app.runtimes["credit_approval"]).run(application_id)
        assert run.status == "pending"  # shadow level: every proposal is reviewed
        paused = app.runtimes["credit_approval"].graph.get_state({"configurable": {"thread_id": run.thread_id}})
        assert paused.next == ("await_review",)
        assert audit_kinds(app, run.proposal_id) == ["proposal.submitted", "gate.decided"]
        assert app.customers.decisions(application_id) == []

    # The process that ran the agent is gone; a reviewer decides from a new one.
    decided = run_steward(steward_env, "queue", "decide", run.proposal_id, "--approve", "--as", "officer")
    assert decided.returncode == 0, decided.stderr
    assert "executed" in decided.stdout

    with installation(steward_settings) as app:
        item = app.queue.get(run.proposal_id)
        assert item.status == "executed"
        assert item.approvals == ["officer"]
        assert item.execution_result is not None
        assert item.execution_result["application_id"] == application_id
        assert len(app.customers.decisions(application_id)) == 1
        assert audit_kinds(app, run.proposal_id) == [
            "proposal.submitted",
            "gate.decided",
            "review.decided",
            "action.claimed",
            "action.executed",
        ]
        # Resuming again (a retry, a second worker) changes nothing.
        again = app.supervisor.resume(item)
        assert again.status == "executed"
        assert len(app.customers.decisions(application_id)) == 1
        assert app.audit.verify().ok

    # A second decision on the same proposal is a conflict, with a one-line reason and a non-zero exit.
    late = run_steward(steward_env, "queue", "decide", run.proposal_id, "--reject", "--as", "senior")
    assert late.returncode != 0
    assert late.stderr.strip().count("\n") == 0
    assert "already" in late.stderr


@pytest.mark.slow
def test_auto_band_executes_without_a_pause(steward_settings: Settings) -> None:
    with installation(steward_settings) as app:
        app.autonomy.set_level(AGENT, "approve_credit", "band_2", actor="ops", reason="test")
        agent = AgentRunner(app.runtimes["credit_approval"])
        runs = [agent.run(a.id) for a in sorted(app.customers.pending_applications(), key=lambda a: a.id)[:40]]
        executed = [r for r in runs if r.status == "executed"]
        assert executed, "band_2 should automate some low-risk approvals among 40 applicants"
        for run in executed:
            item = app.queue.get(run.proposal_id)
            assert item.action == "approve_credit"
            assert item.decided_by == "policy"
            assert item.gate.source == "autonomy"
            assert item.gate.matched in {"band_1", "band_2"}
            assert (
                app.runtimes["credit_approval"].graph.get_state({"configurable": {"thread_id": run.thread_id}}).next
                == ()
            )
        # Everything else is either waiting for a person or was refused; nothing slipped through.
        assert {r.status for r in runs} <= {"executed", "pending", "denied"}


def test_a_denied_proposal_is_never_queued_or_executed(steward_settings: Settings, tmp_path: Path) -> None:
    bundled = (REPO / "policies" / "credit_approval.yaml").read_text()
    assert "application.amount > 50000.0" in bundled
    policy_dir = tmp_path / "policies"
    policy_dir.mkdir()
    (policy_dir / "credit_approval.yaml").write_text(
        bundled.replace("application.amount > 50000.0", "application.amount > 0.0")
    )
    for other in ("identity_resolution.yaml", "order_routing.yaml"):
        (policy_dir / other).write_text((REPO / "policies" / other).read_text())
    settings = steward_settings.model_copy(update={"policy_dir": policy_dir})
    with installation(settings) as app:
        application_id = find_application(app, lambda amount: True)
        run = AgentRunner(app.runtimes["credit_approval"]).run(application_id)
        item = app.queue.get(run.proposal_id)
        assert item.status == "denied"
        assert item.gate.outcome == "deny"
        assert item.gate.source == "hard_limit"
        assert app.queue.list(status="pending") == []
        assert app.customers.decisions(application_id) == []
        assert (
            app.runtimes["credit_approval"].graph.get_state({"configurable": {"thread_id": run.thread_id}}).next == ()
        )


def test_authority_four_eyes_and_self_approval(steward_settings: Settings) -> None:
    with installation(steward_settings, applicants=200) as app:
        agent = AgentRunner(app.runtimes["credit_approval"])
        # Above the officer's limit: the officer may not approve; a senior may.
        mid = agent.run(find_application(app, lambda amount: 5000 < amount <= 10000))
        with pytest.raises(MissingAuthority):
            app.supervisor.decide(mid.proposal_id, reviewer_id="officer", verdict="approve")
        assert app.queue.get(mid.proposal_id).status == "pending"  # nothing half-written
        assert app.supervisor.decide(mid.proposal_id, reviewer_id="senior", verdict="approve").status == "executed"

        # Above the four-eyes threshold: two distinct reviewers with authority.
        large = agent.run(find_application(app, lambda amount: 10000 < amount <= 15000))
        first = app.supervisor.decide(large.proposal_id, reviewer_id="senior", verdict="approve")
        assert first.status == "pending"
        assert first.approvals == ["senior"]
        with pytest.raises(FourEyesViolation):
            app.supervisor.decide(large.proposal_id, reviewer_id="senior", verdict="approve")
        second = app.supervisor.decide(large.proposal_id, reviewer_id="senior2", verdict="approve")
        assert second.status == "executed"
        assert second.approvals == ["senior", "senior2"]


def test_a_reviewer_never_approves_their_own_request(steward_settings: Settings) -> None:
    with installation(steward_settings, applicants=0) as app:
        from customers import load_applicants

        load_applicants(app.customers, steward_settings.german_credit_csv, limit=30, requested_by="officer")
        run = AgentRunner(app.runtimes["credit_approval"]).run(find_application(app, lambda amount: amount <= 4000))
        with pytest.raises(SelfApproval):
            app.supervisor.decide(run.proposal_id, reviewer_id="officer", verdict="approve")
        decided = app.supervisor.decide(run.proposal_id, reviewer_id="officer2", verdict="approve")
        assert (decided.status, decided.approvals, decided.error) == ("executed", ["officer2"], None)
        assert len(app.customers.decisions(str(decided.arguments["application_id"]))) == 1


def test_an_edit_is_gated_again_and_the_edited_action_is_what_executes(steward_settings: Settings) -> None:
    with installation(steward_settings, applicants=200) as app:
        agent = AgentRunner(app.runtimes["credit_approval"])
        app.autonomy.set_level(AGENT, "approve_credit", "review_all", actor="ops", reason="test")
        for application in sorted(app.customers.pending_applications(), key=lambda a: a.id):
            if not 6000 < application.amount <= 10000:
                continue
            run = agent.run(application.id)
            if run.action == "approve_credit":
                break
        else:
            pytest.fail("no approve_credit proposal between 6,000 and 10,000 DM")
        before = app.queue.get(run.proposal_id)
        assert before.gate.review.amount == pytest.approx(application.amount)
        # The officer cannot approve the amount applied for, but may approve a smaller credit:
        # the edit is gated again at the edited amount, which is within the officer's limit.
        edited = app.supervisor.decide(
            run.proposal_id, reviewer_id="officer", verdict="edit", edit=DecisionEdit(arguments={"amount": 4000.0})
        )
        assert edited.status == "executed"
        assert edited.arguments["amount"] == 4000.0
        assert edited.action_hash != before.action_hash
        assert edited.gate.review.amount == pytest.approx(4000.0)
        decisions = app.customers.decisions(application.id)
        assert len(decisions) == 1
        assert decisions[0].details["amount"] == 4000.0


def test_a_reviewer_may_ask_for_information_instead_and_that_is_what_executes(steward_settings: Settings) -> None:
    with installation(steward_settings) as app:
        application_id = find_application(app, lambda amount: amount <= 4000)
        run = AgentRunner(app.runtimes["credit_approval"]).run(application_id)
        proposed = app.queue.get(run.proposal_id)
        with pytest.raises(InvalidEdit, match="items"):
            app.supervisor.decide(
                run.proposal_id,
                reviewer_id="officer",
                verdict="edit",
                edit=DecisionEdit(arguments={}, action="request_information"),
            )
        with pytest.raises(InvalidEdit, match="no action 'wire_money'"):
            app.supervisor.decide(
                run.proposal_id,
                reviewer_id="officer",
                verdict="edit",
                edit=DecisionEdit(arguments={}, action="wire_money"),
            )
        decided = app.supervisor.decide(
            run.proposal_id,
            reviewer_id="officer",
            verdict="edit",
            comment="income not evidenced",
            edit=DecisionEdit(arguments={"items": ["last three payslips"]}, action="request_information"),
        )
        assert decided.status == "executed"
        assert (decided.action, decided.edited_action, decided.runs) == (
            proposed.action,
            "request_information",
            "request_information",
        )
        assert decided.arguments == {"application_id": application_id, "items": ["last three payslips"]}
        assert decided.reviews[-1].edited_action == "request_information"
        [decision] = app.customers.decisions(application_id)
        assert decision.decision == "information_requested"
        assert decision.details["items"] == ["last three payslips"]
        # The agent's proposal was overridden: it counts against the proposed action's agreement.
        _, kpi = app.supervisor.ladder_state(AGENT, proposed.action)
        assert (kpi.reviewed, kpi.agreed) == (1, 0)


def test_concurrent_decisions_one_wins_the_other_gets_a_conflict(steward_settings: Settings) -> None:
    with installation(steward_settings) as app:
        run = AgentRunner(app.runtimes["credit_approval"]).run(find_application(app, lambda amount: amount <= 4000))
        app.supervisor.decide(run.proposal_id, reviewer_id="officer", verdict="reject", comment="no")
        with pytest.raises(ApprovalConflict) as conflict:
            app.supervisor.decide(run.proposal_id, reviewer_id="officer2", verdict="approve")
        assert "officer" in str(conflict.value)
        assert app.queue.get(run.proposal_id).status == "rejected"
        assert app.customers.decisions(find_application(app, lambda amount: amount <= 4000)) == []


def test_an_expired_review_finishes_the_thread_and_is_not_counted_as_a_rejection(
    steward_settings: Settings,
) -> None:
    clock = FixedClock(START)
    with installation(steward_settings, clock) as app:
        run = AgentRunner(app.runtimes["credit_approval"]).run(find_application(app, lambda amount: amount <= 4000))
        clock.advance(steward_settings.review_sla + timedelta(minutes=1))
        expired = app.supervisor.expire_overdue()
        assert [item.id for item in expired] == [run.proposal_id]
        assert expired[0].status == "expired"
        assert (
            app.runtimes["credit_approval"].graph.get_state({"configurable": {"thread_id": run.thread_id}}).next == ()
        )
        kpi = app.kpis.snapshot(AGENT, run.action, window=100, confidence=0.95)
        assert kpi.expired == 1
        assert kpi.reviewed == 0


def test_an_unknown_application_is_a_clear_error_and_writes_nothing(steward_settings: Settings) -> None:
    with installation(steward_settings, applicants=5) as app:
        with pytest.raises(NotFound, match="unknown application 'A-9999'"):
            AgentRunner(app.runtimes["credit_approval"]).run("A-9999")
        assert app.queue.list() == []
        assert app.audit.verify().count == 0


@pytest.mark.slow
def test_bad_outcomes_demote_the_action_at_once_and_the_change_is_audited_with_its_kpis(
    steward_settings: Settings,
) -> None:
    with installation(steward_settings, applicants=300) as app:
        app.autonomy.set_level(AGENT, "approve_credit", "band_2", actor="ops", reason="test")
        agent = AgentRunner(app.runtimes["credit_approval"])
        change = None
        outcomes = 0
        for application in sorted(app.customers.pending_applications(), key=lambda a: a.id):
            if application.amount > 5000:
                continue
            run = agent.run(application.id)
            if run.action != "approve_credit":
                continue
            if run.status == "pending":
                app.supervisor.decide(run.proposal_id, reviewer_id="officer", verdict="approve")
            assert app.queue.get(run.proposal_id).status == "executed"
            change = app.supervisor.record_outcome(run.proposal_id, "bad")  # every approved credit defaults
            outcomes += 1
            if change is not None:
                break
        assert change is not None, "a run of defaults must demote the action"
        assert change.direction == "demote"
        assert (change.from_level, change.to_level) == ("band_2", "review_all")
        assert change.kpi.bad_outcomes == outcomes
        assert app.autonomy.level(AGENT, "approve_credit", default="shadow") == "review_all"
        audited = [e for e in app.audit.entries() if e.kind == "autonomy.changed"]
        assert audited[-1].payload["kpi"]["bad_outcomes"] == outcomes  # type: ignore[index,call-overload]
        history = app.autonomy.history(AGENT, "approve_credit")
        assert history[-1].kpi is not None
        assert history[-1].kpi.bad_outcomes == outcomes


@pytest.mark.slow
def test_outcomes_recorded_outside_the_supervisor_move_the_ladder_before_the_next_pass_proposes(
    steward_settings: Settings,
) -> None:
    """A trigger may label outcomes itself (deliveries read after an ingest); the runner lets the ladder react
    once the trigger has read, before the pass proposes anything."""
    with installation(steward_settings, applicants=300) as app:
        app.autonomy.set_level(AGENT, "approve_credit", "band_2", actor="ops", reason="test")
        agent = AgentRunner(app.runtimes["credit_approval"])
        outcomes = 0
        for application in sorted(app.customers.pending_applications(), key=lambda a: a.id):
            if outcomes == 12 or application.amount > 5000:
                continue
            run = agent.run(application.id)
            if run.action != "approve_credit":
                continue
            if run.status == "pending":
                app.supervisor.decide(run.proposal_id, reviewer_id="officer", verdict="approve")
            app.queue.record_outcome(run.proposal_id, "bad")  # not through the Supervisor: no ladder review
            outcomes += 1
        assert outcomes == 12
        assert app.autonomy.level(AGENT, "approve_credit", default="shadow") == "band_2"

        report = app.runner(AGENT).run_waiting(limit=1)
        assert app.autonomy.level(AGENT, "approve_credit", default="shadow") == "review_all"
        (run,) = report.runs
        kinds = [entry.kind for entry in app.audit.entries()]
        demoted = len(kinds) - 1 - kinds[::-1].index("autonomy.changed")
        submitted = len(kinds) - 1 - kinds[::-1].index("proposal.submitted")
        assert demoted < submitted  # the ladder moved before this pass proposed
        assert app.queue.get(run.proposal_id).gate.autonomy_level in {"review_all", "shadow"}  # not band_2 any more

"""A reviewer's edit changes the terms of an action, never what it applies to, and never to terms the
action tool would refuse: both are checked in the `Supervisor`, below every surface, before anything is
recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from agents import AgentRunner, CannotProposeAgain, InvalidEdit
from core import FixedClock
from customers import MergeCandidate
from steward import Settings, Steward
from supervision import ApprovalConflict, DecisionEdit, ProposalExpired, QueueItem
from tests.agents.flow_helpers import audit_kinds, find_application, installation


@pytest.fixture
def app(steward_settings: Settings) -> Iterator[Steward]:
    with installation(steward_settings, applicants=40) as app:
        yield app


def _pending_credit(app: Steward) -> QueueItem:
    run = AgentRunner(app.runtimes["credit_approval"]).run(find_application(app, lambda amount: amount <= 4000))
    assert run.status == "pending"
    return app.queue.get(run.proposal_id)


def _pending_merge(app: Steward) -> QueueItem:
    first, second = sorted({a.customer_id for a in app.customers.pending_applications()})[:2]
    candidate = MergeCandidate(
        customer_id=first,
        other_customer_id=second,
        record="crm/contact/1",
        other_record="crm/contact/2",
        probability=0.7,
        evidence={"name": "similar", "birth_date": "same", "email": "different", "phone": "different"},
    )
    run = AgentRunner(app.runtimes["identity_resolution"]).run({"candidate": candidate.as_json()})
    assert run.status == "pending"
    return app.queue.get(run.proposal_id)


def _other_value(value: Any) -> Any:
    """A value of the same shape as `value` that differs from it."""
    if isinstance(value, str):
        return value + "-other"
    if isinstance(value, list):
        return [*value, "other"]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return "other"


def _unchanged(app: Steward, before: QueueItem) -> None:
    after = app.queue.get(before.id)
    assert (after.status, after.action_hash, after.arguments, after.reviews) == (
        "pending",
        before.action_hash,
        before.arguments,
        [],
    )


def refuse_identifying_edits(app: Steward, item: QueueItem, reviewer: str) -> set[tuple[str, str]]:
    """Try to change each field no reviewer may change, of every action of the item's agent (the item's own action,
    or another one put in its place): each must be refused before anything is recorded. Returns (action, field)."""
    kinds = audit_kinds(app, item.id)
    checked: set[tuple[str, str]] = set()
    for action, spec in app.supervisor.agents[item.agent].step.actions.items():
        locked = set(spec.args_model.model_fields) - spec.args_model.reviewer_editable
        assert locked, f"{item.agent}/{action} has no field that identifies what it applies to"
        for field in sorted(locked):
            current = item.arguments.get(field, "APP-0000")
            with pytest.raises(InvalidEdit, match=f"{field} of {action} cannot be changed by a reviewer"):
                app.supervisor.decide(
                    item.id,
                    reviewer_id=reviewer,
                    verdict="edit",
                    edit=DecisionEdit(
                        arguments={field: _other_value(current)}, action=None if action == item.runs else action
                    ),
                )
            checked.add((action, field))
    _unchanged(app, item)
    assert audit_kinds(app, item.id) == kinds  # nothing recorded, not even a refusal
    return checked


OWN_TESTS = {"order_routing": "tests/agents/order_routing/test_routing_tools.py"}
"""Agents whose proposals need their own world; their modules run `refuse_identifying_edits` on them."""


def test_no_action_of_any_agent_lets_a_reviewer_change_what_it_applies_to(app: Steward) -> None:
    pending = {"credit_approval": _pending_credit(app), "identity_resolution": _pending_merge(app)}
    assert set(pending) | set(OWN_TESTS) == set(app.supervisor.agents)  # every wired agent is covered
    checked = {
        (agent, *pair) for agent, item in pending.items() for pair in refuse_identifying_edits(app, item, "head")
    }
    assert {(agent, action) for agent, action, _ in checked} == {
        ("credit_approval", "approve_credit"),
        ("credit_approval", "decline_credit"),
        ("credit_approval", "request_information"),
        ("identity_resolution", "merge_customers"),
    }
    assert ("identity_resolution", "merge_customers", "other_customer_id") in checked
    assert ("credit_approval", "approve_credit", "application_id") in checked


def test_an_edit_may_repeat_an_identifying_value_unchanged(app: Steward) -> None:
    item = _pending_credit(app)
    assert item.action == "approve_credit"
    with pytest.raises(InvalidEdit, match="approve_credit has no argument customer_id"):
        app.supervisor.decide(
            item.id, reviewer_id="officer", verdict="edit", edit=DecisionEdit(arguments={"customer_id": "x"})
        )
    decided = app.supervisor.decide(
        item.id,
        reviewer_id="officer",
        verdict="edit",
        edit=DecisionEdit(arguments={"application_id": item.arguments["application_id"], "amount": 500}),
    )
    assert (decided.status, decided.arguments["amount"]) == ("executed", 500)
    assert decided.arguments["application_id"] == item.arguments["application_id"]


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"amount": 10_000_000}, "exceeds the .* applied for"),
        ({"duration_months": 1200}, "exceeds the .* applied for"),
        ({"amount": float("inf")}, "finite number"),
        ({"amount": float("nan")}, "finite number"),
        ({"amount": -5}, "greater than 0"),
        ({"amount": 10**400}, "valid number"),
    ],
)
def test_an_edit_the_action_tool_would_refuse_is_refused_before_it_is_recorded(
    app: Steward, change: dict[str, Any], refusal: str
) -> None:
    item = _pending_credit(app)
    kinds = audit_kinds(app, item.id)
    with pytest.raises(InvalidEdit, match=refusal):
        app.supervisor.decide(item.id, reviewer_id="head", verdict="edit", edit=DecisionEdit(arguments=change))
    _unchanged(app, item)
    assert audit_kinds(app, item.id) == kinds
    application_id = item.arguments["application_id"]
    assert isinstance(application_id, str)
    assert app.customers.decisions(application_id) == []


def test_editing_a_decided_or_expired_proposal_is_a_conflict(app: Steward) -> None:
    decided = _pending_credit(app)
    app.supervisor.decide(decided.id, reviewer_id="officer", verdict="reject", comment="no")
    with pytest.raises(ApprovalConflict):
        app.supervisor.decide(
            decided.id, reviewer_id="officer", verdict="edit", edit=DecisionEdit(arguments={"amount": 10**9})
        )

    overdue = _pending_credit(app)
    assert overdue.expires_at is not None and isinstance(app.clock, FixedClock)
    app.clock.advance(overdue.expires_at - app.clock.now() + timedelta(minutes=1))
    with pytest.raises(ProposalExpired):
        app.supervisor.decide(
            overdue.id, reviewer_id="officer", verdict="edit", edit=DecisionEdit(arguments={"amount": 10**9})
        )
    app.supervisor.expire_overdue()
    with pytest.raises(ProposalExpired):
        app.supervisor.decide(
            overdue.id, reviewer_id="officer", verdict="edit", edit=DecisionEdit(arguments={"amount": 1})
        )


def test_a_failed_execution_shows_its_error_and_the_case_can_be_proposed_again(app: Steward) -> None:
    application_id = find_application(app, lambda amount: amount <= 4000)
    agent = AgentRunner(app.runtimes["credit_approval"])
    first, second = agent.run(application_id), agent.run(application_id)
    assert (first.status, second.status) == ("pending", "pending")
    with pytest.raises(CannotProposeAgain, match="only a failed execution"):
        app.supervisor.propose_again(second.proposal_id, actor="officer")
    app.supervisor.decide(first.proposal_id, reviewer_id="officer", verdict="approve")
    # The application was decided meanwhile: the second approval cannot execute.
    failed = app.supervisor.decide(second.proposal_id, reviewer_id="officer2", verdict="approve")
    assert failed.status == "failed"
    assert failed.error is not None and "already approved" in failed.error

    again = app.supervisor.propose_again(failed.id, actor="officer2")
    assert again.id not in (first.proposal_id, second.proposal_id)
    assert again.thread_id == f"{failed.thread_id}:again"
    assert again.proposal["subject_id"] == application_id
    assert app.supervisor.propose_again(failed.id, actor="officer2").id == again.id  # asking twice: one new run
    assert audit_kinds(app, failed.id)[-1] == "proposal.proposed_again"
    [note] = [e for e in app.audit.entries(subject=failed.id) if e.kind == "proposal.proposed_again"]
    assert (note.actor, note.payload) == ("officer2", {"failed": failed.id, "proposal": again.id})
    assert app.queue.get(failed.id).status == "failed"  # the failure stays on record


@pytest.mark.parametrize("text", ["pay\x00slips", "pay\ud800slips"])
def test_an_edit_with_text_no_database_keeps_is_refused(app: Steward, text: str) -> None:
    item = _pending_credit(app)
    with pytest.raises(InvalidEdit, match=r"NUL character|lone surrogate"):
        app.supervisor.decide(
            item.id,
            reviewer_id="officer",
            verdict="edit",
            edit=DecisionEdit(arguments={"items": [text]}, action="request_information"),
        )
    _unchanged(app, item)

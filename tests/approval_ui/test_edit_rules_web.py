"""The edit rules hold on every web surface: the API and the form are refused what the Supervisor refuses,
and a failed execution shows its error and offers to propose the case again."""

from __future__ import annotations

from agents import AgentRunner
from tests.agents.flow_helpers import audit_kinds, find_application
from tests.approval_ui.web_helpers import Web, csrf_of


def _fresh_pending(web: Web) -> str:
    """A new pending approve_credit proposal for a small amount (the agent may run twice on one application)."""
    run = AgentRunner(web.steward.runtimes["credit_approval"]).run(
        find_application(web.steward, lambda amount: amount <= 4000)
    )
    assert run.status == "pending" and run.action == "approve_credit"
    return run.proposal_id


def test_the_api_refuses_an_edit_of_what_the_proposal_applies_to(web: Web) -> None:
    proposal_id = _fresh_pending(web)
    before = web.steward.queue.get(proposal_id)
    other = next(
        a.id for a in web.steward.customers.pending_applications() if a.id != before.arguments["application_id"]
    )
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('officer')}"
    url = f"/api/proposals/{proposal_id}/decision"

    swapped = client.post(url, json={"verdict": "edit", "arguments": {"application_id": other, "amount": 100}})
    assert swapped.status_code == 400
    assert swapped.json()["code"] == "invalid_edit"
    assert "application_id of approve_credit cannot be changed by a reviewer" in swapped.json()["detail"]

    too_much = client.post(url, json={"verdict": "edit", "arguments": {"duration_months": 999}})
    assert too_much.status_code == 400
    assert "exceeds the" in too_much.json()["detail"] and "applied for" in too_much.json()["detail"]

    after = web.steward.queue.get(proposal_id)
    assert (after.status, after.arguments, after.reviews) == ("pending", before.arguments, [])
    assert audit_kinds(web.steward, proposal_id) == ["proposal.submitted", "gate.decided"]


def test_the_form_passes_a_forged_identifier_on_and_it_is_refused(web: Web) -> None:
    proposal_id = _fresh_pending(web)
    before = web.steward.queue.get(proposal_id)
    officer = web.logged_in("officer")
    page = officer.get(f"/proposals/{proposal_id}").text
    assert 'name="arg_amount"' in page and 'name="arg_application_id"' not in page  # shown read-only
    forged = officer.post(
        f"/proposals/{proposal_id}/decision",
        data={"verdict": "edit", "arg_application_id": "los-application-0001", "csrf_token": csrf_of(page)},
    )
    assert forged.status_code == 400
    assert "application_id of approve_credit cannot be changed by a reviewer" in forged.text
    assert web.steward.queue.get(proposal_id).arguments == before.arguments


def test_a_decided_proposal_edited_through_the_api_is_a_conflict(web: Web) -> None:
    proposal_id = _fresh_pending(web)
    web.steward.supervisor.decide(proposal_id, reviewer_id="officer", verdict="reject", comment="no")
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('officer')}"
    late = client.post(
        f"/api/proposals/{proposal_id}/decision", json={"verdict": "edit", "arguments": {"amount": 10**9}}
    )
    assert (late.status_code, late.json()["code"]) == (409, "already_decided")


def test_a_failed_execution_is_shown_and_proposed_again_from_the_page_and_the_api(web: Web) -> None:
    application_id = find_application(web.steward, lambda amount: amount <= 4000)
    agent = AgentRunner(web.steward.runtimes["credit_approval"])
    first, second, third = (agent.run(application_id) for _ in range(3))
    web.steward.supervisor.decide(first.proposal_id, reviewer_id="officer", verdict="approve")
    for run in (second, third):  # the application is decided now: these approvals cannot execute
        assert web.steward.supervisor.decide(run.proposal_id, reviewer_id="officer", verdict="approve").status == (
            "failed"
        )

    officer = web.logged_in("officer")
    page = officer.get(f"/proposals/{second.proposal_id}").text
    assert 'id="execution-error">Execution failed:' in page and "already approved" in page
    assert f'action="/proposals/{second.proposal_id}/again"' in page
    again = officer.post(f"/proposals/{second.proposal_id}/again", data={"csrf_token": csrf_of(page)})
    assert again.status_code == 303
    fresh_id = again.headers["location"].split("/proposals/")[1].split("?")[0]
    assert fresh_id not in (first.proposal_id, second.proposal_id)
    assert "The agent proposed afresh" in officer.get(again.headers["location"]).text
    assert web.steward.queue.get(fresh_id).proposal["subject_id"] == application_id

    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('officer')}"
    response = client.post(f"/api/proposals/{third.proposal_id}/again")
    assert response.status_code == 200
    assert response.json()["id"] not in (first.proposal_id, third.proposal_id, fresh_id)
    assert client.post(f"/api/proposals/{third.proposal_id}/again").json()["id"] == response.json()["id"]
    not_failed = client.post(f"/api/proposals/{first.proposal_id}/again")
    assert (not_failed.status_code, not_failed.json()["code"]) == (409, "cannot_propose_again")

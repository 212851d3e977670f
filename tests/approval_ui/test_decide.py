"""Deciding from the HTML forms (no JavaScript involved): approve executes, reject needs a reason,
authority and conflicts are explained."""

from __future__ import annotations

import re

import pytest

from agents import AgentRunner
from tests.agents.flow_helpers import audit_kinds, find_application
from tests.approval_ui.web_helpers import Web, csrf_of


@pytest.fixture(scope="module")
def web(web_on_each_backend: Web) -> Web:
    """Every test here runs on SQLite and on PostgreSQL."""
    return web_on_each_backend


def _decide(web: Web, user: str, proposal_id: str, verdict: str, reason: str = "") -> tuple[int, str]:
    client = web.logged_in(user)
    page = client.get(f"/proposals/{proposal_id}")
    assert page.status_code == 200
    response = client.post(
        f"/proposals/{proposal_id}/decision",
        data={"verdict": verdict, "reason": reason, "csrf_token": csrf_of(page.text)},
    )
    if response.status_code == 303:
        return 303, client.get(response.headers["location"]).text
    return response.status_code, response.text


def test_an_officer_approves_and_the_agent_executes_the_action(web: Web) -> None:
    proposal_id = web.small[0]
    status, page = _decide(web, "officer", proposal_id, "approve")
    assert status == 303
    assert "Approved. The agent has resumed" in page
    assert 'id="status">executed<' in page
    item = web.steward.queue.get(proposal_id)
    assert item.status == "executed"
    assert item.approvals == ["officer"]
    application_id = item.arguments["application_id"]
    assert isinstance(application_id, str)
    assert len(web.steward.customers.decisions(application_id)) == 1
    assert audit_kinds(web.steward, proposal_id) == [
        "proposal.submitted",
        "gate.decided",
        "review.decided",
        "action.claimed",
        "action.executed",
    ]


def test_a_rejection_needs_a_reason_and_keeps_it(web: Web) -> None:
    proposal_id = web.small[1]
    status, page = _decide(web, "officer", proposal_id, "reject", "   ")
    assert status == 400
    assert "A rejection needs a reason" in page
    assert web.steward.queue.get(proposal_id).status == "pending"

    status, page = _decide(web, "officer", proposal_id, "reject", "Income not verified")
    assert status == 303
    item = web.steward.queue.get(proposal_id)
    assert item.status == "rejected"
    assert [(r.reviewer, r.verdict, r.comment) for r in item.reviews] == [("officer", "reject", "Income not verified")]
    assert "Income not verified" in page
    application_id = item.arguments["application_id"]
    assert isinstance(application_id, str)
    assert web.steward.customers.decisions(application_id) == []


def test_an_officer_over_their_limit_is_told_it_is_not_theirs_and_a_senior_decides(web: Web) -> None:
    proposal_id = web.large[0]
    status, page = _decide(web, "officer", proposal_id, "approve")
    assert status == 403
    assert "This decision is not yours to make" in page
    assert "senior_credit_officer" in page  # who may decide it instead
    assert web.steward.queue.get(proposal_id).status == "pending"

    status, _ = _decide(web, "senior", proposal_id, "approve")
    assert status == 303
    assert web.steward.queue.get(proposal_id).status == "executed"


def test_the_second_decider_sees_that_someone_else_decided_first(web: Web) -> None:
    proposal_id = web.small[2]
    first, second = web.logged_in("officer"), web.logged_in("officer2")
    first_form, second_form = (c.get(f"/proposals/{proposal_id}").text for c in (first, second))
    assert 'value="approve"' in second_form  # both saw a pending proposal with the decision form

    approved = first.post(
        f"/proposals/{proposal_id}/decision", data={"verdict": "approve", "csrf_token": csrf_of(first_form)}
    )
    assert approved.status_code == 303
    late = second.post(
        f"/proposals/{proposal_id}/decision",
        data={"verdict": "reject", "reason": "too risky", "csrf_token": csrf_of(second_form)},
    )
    assert late.status_code == 409
    assert "Someone else decided first" in late.text
    assert "by officer" in late.text
    item = web.steward.queue.get(proposal_id)
    assert item.status == "executed"
    assert [r.reviewer for r in item.reviews] == ["officer"]


def test_an_auditor_sees_no_decision_form_and_cannot_post_one(web: Web) -> None:
    proposal_id = web.small[3]
    auditor = web.logged_in("auditor")
    page = auditor.get(f"/proposals/{proposal_id}")
    assert page.status_code == 200
    assert 'value="approve"' not in page.text
    assert "your role does not decide proposals" in page.text
    refused = auditor.post(
        f"/proposals/{proposal_id}/decision", data={"verdict": "approve", "csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    assert web.steward.queue.get(proposal_id).status == "pending"


def test_a_decision_without_the_sessions_csrf_token_is_refused(web: Web) -> None:
    proposal_id = web.small[3]
    officer = web.logged_in("officer")
    for token in (None, "forged"):
        data = {"verdict": "approve"} | ({"csrf_token": token} if token else {})
        response = officer.post(f"/proposals/{proposal_id}/decision", data=data)
        assert response.status_code == 403
        assert "The form had expired" in response.text
    assert web.steward.queue.get(proposal_id).status == "pending"


def test_the_proposal_page_shows_evidence_lineage_gate_and_customer_without_personal_data_in_links(web: Web) -> None:
    proposal_id = web.small[4]
    item = web.steward.queue.get(proposal_id)
    page = web.logged_in("officer").get(f"/proposals/{proposal_id}").text
    for text in (
        "Evidence and lineage",
        "Probability of default",
        "Reason codes",
        "Autonomy level",
        item.gate.matched,
        "SLA due",
        f"Customer {item.customer_id}",
    ):
        assert text in page, text
    evidence = item.proposal["evidence"]
    assert isinstance(evidence, list) and evidence
    first = evidence[0]
    assert isinstance(first, dict)
    assert f"<td>{first['source_system']}</td><td>{first['source_record_id']}</td>" in page

    assert item.customer_id is not None
    golden = web.steward.customers.golden(item.customer_id)
    personal = {str(f.value) for f in golden.fields.values() if isinstance(f.value, str) and len(f.value) > 3}
    links = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert links
    assert [link for link in links if any(value in link for value in personal)] == []


def test_the_queue_filters_pages_and_counts(web: Web) -> None:
    officer = web.logged_in("officer")
    page = officer.get("/queue?status=pending").text
    pending = len(web.steward.queue.list(status="pending"))
    assert f'<span class="badge pending">pending</span> {pending}</a>' in page
    assert page.count('href="/proposals/') == pending

    links: list[str] = []
    url = "/queue?status=&agent=credit_approval"
    while True:
        html = officer.get(url).text
        links += re.findall(r'href="/proposals/([^"]+)"', html)
        following = re.search(r'href="(/queue\?[^"]*after=[^"]*)"', html)
        if following is None:
            break
        url = following.group(1).replace("&amp;", "&")
    assert sorted(links) == sorted(item.id for item in web.steward.queue.list(agent="credit_approval"))
    assert officer.get("/queue?after=not-a-cursor").status_code == 400


def _post(web: Web, user: str, proposal_id: str, data: dict[str, str]) -> tuple[int, str]:
    client = web.logged_in(user)
    page = client.get(f"/proposals/{proposal_id}")
    response = client.post(f"/proposals/{proposal_id}/decision", data={**data, "csrf_token": csrf_of(page.text)})
    if response.status_code == 303:
        return 303, client.get(response.headers["location"]).text
    return response.status_code, response.text


def test_an_officer_replaces_the_action_with_a_request_for_information_and_that_is_what_runs(web: Web) -> None:
    proposal_id = web.small[5]
    before = web.steward.queue.get(proposal_id)
    page = web.logged_in("officer").get(f"/proposals/{proposal_id}").text
    assert "Replace with: Request information" in page  # the action's label and description, not the UI's words
    assert "Ask the applicant for more information before deciding" in page
    assert 'name="edited_action" value="request_information"' in page
    application_id = before.arguments["application_id"]
    assert isinstance(application_id, str)  # kept from the proposal, shown read-only (never posted)
    assert f'id="replace-request_information-application_id" value="{application_id}" readonly' in page
    replace = {"verdict": "edit", "edited_action": "request_information"}
    status, page = _post(web, "officer", proposal_id, {**replace, "arg_items": " \n "})
    assert status == 400
    assert "items: List should have at least 1 item" in page
    assert '<details class="decide-more replace" open>' in page  # the refused form is shown again, open
    status, page = _post(
        web,
        "officer",
        proposal_id,
        {**replace, "arg_items": "Last three payslips\nBank statement", "reason": "income unclear"},
    )
    assert status == 303
    assert "Your replacement action was gated again and recorded" in page
    assert re.search(r'id="replaced">A reviewer replaced \w+ credit with <strong>Request information</strong>', page)
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.runs) == ("executed", "request_information")
    assert item.arguments == {"application_id": application_id, "items": ["Last three payslips", "Bank statement"]}
    [decision] = web.steward.customers.decisions(application_id)
    assert decision.decision == "information_requested"


def test_an_officer_approves_with_a_lower_amount_and_the_edit_is_gated_again(web: Web) -> None:
    proposal_id = next(p for p in web.small[6:] if web.steward.queue.get(p).action == "approve_credit")
    before = web.steward.queue.get(proposal_id)
    amount = before.arguments["amount"]
    assert isinstance(amount, float | int)
    page = web.logged_in("officer").get(f"/proposals/{proposal_id}").text
    assert 'name="arg_amount"' in page and 'name="arg_application_id"' not in page  # ids are not editable

    status, page = _post(web, "officer", proposal_id, {"verdict": "edit", "arg_amount": "lots"})
    assert status == 422
    assert "Amount must be a number" in page
    status, page = _post(web, "officer", proposal_id, {"verdict": "edit", "arg_amount": "999999"})
    assert status == 400
    assert "exceeds the" in page and "applied for" in page  # the action tool's own rule, checked before recording
    assert web.steward.queue.get(proposal_id).status == "pending"

    lower = float(amount) - 100
    status, page = _post(web, "officer", proposal_id, {"verdict": "edit", "arg_amount": f"{lower:g}", "reason": "cap"})
    assert status == 303, page
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.arguments["amount"], item.gate.review.amount) == ("executed", lower, lower)
    assert item.action_hash != before.action_hash
    assert [(r.reviewer, r.verdict) for r in item.reviews] == [("officer", "edit")]


def test_the_proposal_page_shows_similar_past_decisions_and_the_customers_lineage(web: Web) -> None:
    decided = web.steward.queue.get(web.large[1])
    if decided.status == "pending":  # run alone: decide it here (any role with the authority for it)
        decided = web.steward.supervisor.decide(decided.id, reviewer_id="head", verdict="approve")
    assert decided.status == "executed"
    pending = next(
        p
        for p in web.large + web.small
        if (item := web.steward.queue.get(p)).status == "pending" and item.action == decided.action
    )
    page = web.logged_in("senior").get(f"/proposals/{pending}").text
    assert 'id="similar"' in page
    assert re.search(r'id="sla"><strong>in \d+ [dh] ', page)  # the SLA clock of a pending review
    assert f'href="/proposals/{decided.id}"' in page
    customer_id = web.steward.queue.get(pending).customer_id
    assert customer_id is not None
    for field in web.steward.customers.golden(customer_id).fields.values():  # the 360 with lineage, inline
        assert field.source_record_id in page


def _four_eyes_proposal(web: Web) -> tuple[str, str]:
    """A new proposal above the four-eyes threshold (10,000 < amount ≤ a senior's 15,000): the proposal
    and its application. Two different reviewers must approve it."""
    application_id = find_application(web.steward, lambda amount: 10_000 < amount <= 15_000)
    run = AgentRunner(web.steward.runtimes["credit_approval"]).run(application_id)
    item = web.steward.queue.get(run.proposal_id)
    assert (item.status, item.gate.review.approvals_required) == ("pending", 2)
    return run.proposal_id, application_id


def test_four_eyes_the_first_approval_waits_for_a_second_reviewer_who_must_be_someone_else(web: Web) -> None:
    proposal_id, application_id = _four_eyes_proposal(web)
    status, page = _decide(web, "senior", proposal_id, "approve")
    assert status == 303
    assert "waiting for a second reviewer" in page and "The agent has resumed" not in page
    assert 'id="status">pending<' in page
    assert (web.steward.queue.get(proposal_id).status, web.steward.queue.get(proposal_id).approvals) == (
        "pending",
        ["senior"],
    )
    assert web.steward.customers.decisions(application_id) == []

    status, page = _decide(web, "senior", proposal_id, "approve")  # the same person again: not a second pair of eyes
    assert status == 403
    assert "already approved this proposal; a second, different reviewer must give the other approval" in page
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.approvals, len(item.reviews)) == ("pending", ["senior"], 1)

    status, page = _decide(web, "head", proposal_id, "approve")
    assert status == 303
    assert "Approved. The agent has resumed" in page and 'id="status">executed<' in page
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.approvals) == ("executed", ["senior", "head"])
    assert len(web.steward.customers.decisions(application_id)) == 1
    assert audit_kinds(web.steward, proposal_id) == [
        "proposal.submitted",
        "gate.decided",
        "review.decided",
        "review.decided",
        "action.claimed",
        "action.executed",
    ]


def test_four_eyes_through_the_api_reports_the_wait_and_refuses_a_double_count(web: Web) -> None:
    proposal_id, application_id = _four_eyes_proposal(web)
    senior, head = web.client(), web.client()
    senior.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('senior')}"
    head.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('head')}"
    url = f"/api/proposals/{proposal_id}/decision"

    first = senior.post(url, json={"verdict": "approve", "reason": "income verified"})
    assert first.status_code == 200
    body = first.json()
    assert (body["status"], body["approvals"], body["gate"]["review"]["approvals_required"]) == (
        "pending",
        ["senior"],
        2,
    )
    again = senior.post(url, json={"verdict": "approve"})
    assert again.status_code == 403
    assert again.json()["code"] == "not_yours"
    assert "a second, different reviewer must give the other approval" in again.json()["detail"]
    assert web.steward.queue.get(proposal_id).approvals == ["senior"]
    assert web.steward.customers.decisions(application_id) == []

    second = head.post(url, json={"verdict": "approve"})
    assert second.status_code == 200
    assert (second.json()["status"], second.json()["approvals"]) == ("executed", ["senior", "head"])
    assert len(web.steward.customers.decisions(application_id)) == 1

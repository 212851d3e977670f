"""Replacing the proposed action with another action of the same agent, from the page and the API, gated
again like any edit; the deprecated `request_information` verdict takes the same path; a proposal of an
agent this installation no longer has still shows, with its raw arguments, and cannot be decided."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace

from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from tests.agents.flow_helpers import audit_kinds
from tests.approval_ui.web_helpers import BUNDLED_ROLES, SECRET, Web, csrf_of, login, password_of


def _api(web: Web, user: str = "officer") -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def _application(web: Web, proposal_id: str) -> str:
    application_id = web.steward.queue.get(proposal_id).arguments["application_id"]
    assert isinstance(application_id, str)
    return application_id


def test_the_page_offers_each_other_action_with_its_form_and_replaces_the_action(web: Web) -> None:
    proposal_id = web.small[0]
    item = web.steward.queue.get(proposal_id)
    others = sorted(set(web.steward.supervisor.agents[item.agent].step.actions) - {item.action})
    officer = web.logged_in("officer")
    page = officer.get(f"/proposals/{proposal_id}").text
    assert sorted(a for a in others if f'name="edited_action" value="{a}"' in page) == others

    posted = {"verdict": "edit", "edited_action": "decline_credit", "csrf_token": csrf_of(page)}
    forged = officer.post(
        f"/proposals/{proposal_id}/decision", data=posted | {"arg_application_id": "los-application-0001"}
    )
    assert forged.status_code == 400  # the read-only id, posted anyway, is refused by the Supervisor
    assert "application_id of decline_credit cannot be changed by a reviewer" in forged.text
    unknown = officer.post(f"/proposals/{proposal_id}/decision", data=posted | {"edited_action": "launch_rocket"})
    assert unknown.status_code == 422
    assert "credit_approval has no other action &#39;launch_rocket&#39;" in unknown.text

    declined = officer.post(
        f"/proposals/{proposal_id}/decision",
        data=posted | {"arg_reason_codes": "R01_CHECKING\n\nR03_HISTORY", "reason": "history too thin"},
    )
    assert declined.status_code == 303
    assert declined.headers["location"].endswith("?done=replace")
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.runs, item.arguments) == (
        "executed",
        "decline_credit",
        {"application_id": _application(web, proposal_id), "reason_codes": ["R01_CHECKING", "R03_HISTORY"]},
    )
    assert [(r.reviewer, r.verdict, r.edited_action, r.comment) for r in item.reviews] == [
        ("officer", "edit", "decline_credit", "history too thin")
    ]
    assert web.steward.customers.decisions(_application(web, proposal_id))[0].decision == "declined"


def test_the_api_replaces_the_action_with_edited_action_and_refuses_what_the_supervisor_refuses(web: Web) -> None:
    proposal_id = web.small[1]
    before = web.steward.queue.get(proposal_id)
    url = f"/api/proposals/{proposal_id}/decision"
    api = _api(web)
    for body, status, text in (
        (
            {"verdict": "edit", "edited_action": "no_such_action", "arguments": {}},
            400,
            "has no action 'no_such_action'",
        ),
        ({"verdict": "approve", "edited_action": "decline_credit"}, 400, "Only an edit replaces the action"),
        ({"verdict": "edit", "edited_action": "decline_credit", "arguments": {}}, 400, "reason_codes: Field required"),
        (
            {"verdict": "edit", "edited_action": "decline_credit", "arguments": {"application_id": "x"}},
            400,
            "application_id of decline_credit cannot be changed",
        ),
        ({"verdict": "edit", "edited_action": "Not An Action"}, 422, "string_pattern_mismatch"),
    ):
        response = api.post(url, json=body)
        assert (response.status_code, text in response.text) == (status, True), response.text
    assert web.steward.queue.get(proposal_id).reviews == []
    assert audit_kinds(web.steward, proposal_id) == ["proposal.submitted", "gate.decided"]

    done = api.post(
        url,
        json={"verdict": "edit", "edited_action": "request_information", "arguments": {"items": ["Payslips"]}},
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["action"], body["edited_action"], body["arguments"]) == (
        "executed",
        before.action,
        "request_information",
        {"application_id": _application(web, proposal_id), "items": ["Payslips"]},
    )


def test_the_deprecated_request_information_verdict_is_the_same_edit(web: Web) -> None:
    proposal_id = web.small[2]
    url = f"/api/proposals/{proposal_id}/decision"
    api = _api(web)
    empty = api.post(url, json={"verdict": "request_information", "items": [" ", ""]})
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid_edit")
    assert "items: List should have at least 1 item" in empty.json()["detail"]
    done = api.post(url, json={"verdict": "request_information", "items": ["Payslips", " ", "ID card"]})
    assert done.status_code == 200, done.text
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.runs, item.arguments["items"]) == (
        "executed",
        "request_information",
        ["Payslips", "ID card"],
    )
    assert [(r.verdict, r.edited_action) for r in item.reviews] == [("edit", "request_information")]
    schema = web.client().get("/openapi.json").json()["components"]["schemas"]["DecisionIn"]
    assert schema["properties"]["items"]["deprecated"] is True
    assert schema["properties"]["verdict"]["enum"] == ["approve", "reject", "edit"]  # the vocabulary stays closed


def test_a_proposal_of_an_agent_no_longer_installed_shows_its_arguments_and_cannot_be_decided(web: Web) -> None:
    proposal_id = web.small[3]
    item = web.steward.queue.get(proposal_id)
    without = replace(web.steward, supervisor=replace(web.steward.supervisor, agents={}))
    app = create_app(lambda: nullcontext(without), UiOptions(session_secret=SECRET, roles=BUNDLED_ROLES))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        login(client, "officer", password_of("officer"))
        page = client.get(f"/proposals/{proposal_id}")
        assert page.status_code == 200
        assert f"<dt>application_id</dt><dd>{item.arguments['application_id']}</dd>" in page.text
        for offered in ("Approve with changes", "Replace with", 'id="figures"', 'name="arg_'):
            assert offered not in page.text, offered
        token = csrf_of(page.text)
        for data, status in (({"verdict": "edit", "arg_amount": "1"}, 422), ({"verdict": "approve"}, 400)):
            response = client.post(f"/proposals/{proposal_id}/decision", data=data | {"csrf_token": token})
            assert response.status_code == status
            assert "is not installed here" in response.text
    assert web.steward.queue.get(proposal_id).status == "pending"


def test_the_proposal_page_shows_the_actions_headline_figures(web: Web) -> None:
    proposal_id = web.small[4]
    item = web.steward.queue.get(proposal_id)
    page = web.logged_in("auditor").get(f"/proposals/{proposal_id}").text
    figures = page[page.index('id="figures"') : page.index("</dl>", page.index('id="figures"'))]
    assert "<dt>Probability of default</dt>" in figures and " %</dd>" in figures
    assert f"<dt>Score</dt><dd>{item.proposal['score']}</dd>" in figures
    assert " DM</dd>" in figures and " months</dd>" in figures

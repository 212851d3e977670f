"""The autonomy dashboard and promotion sign-off, over HTTP: the page, its form, and the JSON API."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from policies import LadderChange
from supervision import AutonomyRequestView
from tests.approval_ui.web_helpers import Web, csrf_of

AGENT = "credit_approval"
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
NS = {"svg": "http://www.w3.org/2000/svg"}


def _api(web: Web, user: str) -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def pending_request(web: Web, action: str) -> AutonomyRequestView:
    """A promotion of `action` to its next level waiting for sign-off, as the ladder records one."""
    supervisor = web.steward.supervisor
    level, kpi = supervisor.ladder_state(AGENT, action)
    levels = supervisor.agents[AGENT].step.policy.levels(action)
    change = LadderChange(
        agent=AGENT,
        action=action,
        from_level=level,
        to_level=levels[levels.index(level) + 1],
        direction="promote",
        reason=f"{kpi.reviewed_since_change} cases reviewed since the last change (test).",
        kpi=kpi,
    )
    return web.steward.autonomy.request_promotion(change)


@pytest.fixture(scope="module")
def history(web: Web) -> Web:
    """Three approvals, one rejection and two outcomes today (UTC) for approve_credit, decided for real."""
    supervisor = web.steward.supervisor
    approvals = [p for p in web.small if web.steward.queue.get(p).action == "approve_credit"]
    assert len(approvals) == 4
    web.clock.advance(timedelta(hours=1))
    for proposal_id in approvals[:3]:
        supervisor.decide(proposal_id, reviewer_id="officer", verdict="approve")
    supervisor.decide(approvals[3], reviewer_id="officer", verdict="reject", comment="income not verified")
    supervisor.record_outcome(approvals[0], "good")
    supervisor.record_outcome(approvals[1], "bad")
    return web


def test_the_dashboard_shows_every_action_with_its_level_kpis_charts_and_requests(history: Web) -> None:
    request = pending_request(history, "decline_credit")
    auditor = history.logged_in("auditor")
    page = auditor.get("/autonomy?days=14")
    assert page.status_code == 200
    html = page.text
    assert "style=" not in html and "<script" not in html  # the CSP allows neither

    for action in ("approve_credit", "decline_credit", "request_information"):
        assert f'id="{AGENT}-{action}"' in html
    assert 'id="identity_resolution-merge_customers"' in html
    assert 'aria-current="step">shadow</li>' in html
    svgs = SVG.findall(html)
    assert len(svgs) == 7 * 6  # credit's three actions, identity's one, order routing's three
    for text in svgs:
        root = ET.fromstring(text)  # well-formed SVG
        assert root.attrib["role"] == "img" and root.find("svg:title", NS) is not None

    # approve_credit's agreement chart: today, the last of 14 daily points, is 3 agreed of 4 reviewed.
    agreement = ET.fromstring(next(s for s in svgs if f"{AGENT}-approve_credit-agreement-title" in s))
    [point] = agreement.findall("svg:circle", NS)
    today = history.clock.now().date().isoformat()
    assert point.find("svg:title", NS).text == f"{today}: Agreement rate 75%"  # type: ignore[union-attr]
    assert len(agreement.findall("svg:text[@class='x-label']", NS)) == 5  # 14 days, every third one labelled
    volume = ET.fromstring(next(s for s in svgs if f"{AGENT}-approve_credit-volume-title" in s))
    assert [bar.attrib["data-series"] for bar in volume.findall("svg:rect[@class='bar']", NS)] == ["Reviewed"]
    assert f'<th scope="row">{today}</th><td class="num">75%</td>' in html  # the agreement data table

    card = html[html.index(f'id="{AGENT}-decline_credit"') : html.index(f'id="{AGENT}-request_information"')]
    assert f'id="request-{request.id}"' in card
    assert "Promotion to review_all waits for sign-off" in card
    assert "An ops manager or an admin signs this off." in card  # an auditor reads, without the form
    assert 'action="/autonomy/requests/' not in html
    assert "Reviewed since the last change" in unescape(html)


def test_an_ops_manager_approves_a_promotion_with_the_form(history: Web) -> None:
    request = pending_request(history, "approve_credit")
    ops = history.logged_in("ops")
    page = ops.get("/autonomy")
    assert f'action="/autonomy/requests/{request.id}"' in page.text

    done = ops.post(
        f"/autonomy/requests/{request.id}",
        data={"decision": "approve", "note": "Sample of 20 checked", "days": "30", "csrf_token": csrf_of(page.text)},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/autonomy?days=30&signed={request.id}#{AGENT}-approve_credit"
    assert history.steward.autonomy.level(AGENT, "approve_credit", default="shadow") == "review_all"
    signed = history.steward.autonomy.request(request.id)
    assert (signed.status, signed.decided_by, signed.note) == ("approved", "ops", "Sample of 20 checked")
    assert history.steward.audit.entries(subject=f"{AGENT}/approve_credit")[-1].kind == "autonomy.sign_off"

    shown = ops.get(done.headers["location"]).text
    assert "Promotion approved: credit_approval.approve_credit moved from shadow to review_all." in shown
    card = shown[shown.index(f'id="{AGENT}-approve_credit"') : shown.index(f'id="{AGENT}-decline_credit"')]
    assert 'aria-current="step">review_all</li>' in card
    assert '<span class="badge promote">promote</span> shadow → review_all' in card
    assert "Signed off by ops" in card and "<td>ops</td>" in card
    assert "approved</strong> by ops" in card  # the sign-off decisions list

    again = ops.post(f"/autonomy/requests/{request.id}", data={"decision": "decline", "csrf_token": csrf_of(shown)})
    assert again.status_code == 409
    assert "already approved by ops" in again.text


def test_the_form_refuses_clearly(history: Web) -> None:
    request = pending_request(history, "request_information")
    ops = history.logged_in("ops")
    token = csrf_of(ops.get("/autonomy").text)
    url = f"/autonomy/requests/{request.id}"

    stale = ops.post(url, data={"decision": "approve", "csrf_token": "forged"})
    assert stale.status_code == 403 and "The form had expired" in stale.text
    unchosen = ops.post(url, data={"note": "kept", "csrf_token": token})
    assert unchosen.status_code == 400
    assert 'role="alert" id="signoff-error">Choose approve or decline.' in unchosen.text
    assert ">kept</textarea>" in unchosen.text  # the note survives the refusal
    for missing in ("999999", "nope", "99999999999999999999"):
        refused = ops.post(f"/autonomy/requests/{missing}", data={"decision": "approve", "csrf_token": token})
        assert refused.status_code == 404, missing
    officer = history.logged_in("officer")
    forbidden = officer.post(url, data={"decision": "approve", "csrf_token": csrf_of(officer.get("/autonomy").text)})
    assert forbidden.status_code == 403
    assert history.steward.autonomy.request(request.id).status == "pending"


def test_the_api_gives_levels_series_and_pending_requests_and_signs_off(history: Web) -> None:
    request = pending_request(history, "request_information")
    reader = _api(history, "engineer")
    rows = reader.get("/api/autonomy").json()
    row = next(r for r in rows if r["action"] == "request_information")
    assert [r["id"] for r in row["pending_requests"]] == [request.id]
    assert row["promotion"]["sign_off"] is False and row["demotion"]["to"] == "review_all"
    assert (row["series"]["granularity"], len(row["series"]["buckets"])) == ("week", 12)
    daily = reader.get("/api/autonomy", params={"days": 30}).json()
    assert {len(r["series"]["buckets"]) for r in daily} == {30}
    assert reader.get("/api/autonomy", params={"days": 0}).status_code == 422

    series = reader.get(f"/api/autonomy/{AGENT}/approve_credit/series", params={"days": 7})
    assert series.status_code == 200
    today = series.json()["buckets"][-1]
    expected = history.steward.kpis.series(AGENT, "approve_credit", days=7).buckets[-1]
    assert today == expected.model_dump(mode="json")
    assert (today["reviewed"], today["agreed"], today["overridden"], today["outcomes_observed"]) == (4, 3, 1, 2)
    unknown = reader.get(f"/api/autonomy/{AGENT}/no_such_action/series")
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        f"no agent action {AGENT}.no_such_action on an autonomy ladder",
    )
    assert reader.post(f"/api/autonomy/requests/{request.id}", json={"decision": "approve"}).status_code == 403

    admin = _api(history, "admin")
    invalid = admin.post(f"/api/autonomy/requests/{request.id}", json={"decision": "maybe"})
    assert (invalid.status_code, invalid.json()["code"]) == (400, "invalid")
    not_json = admin.post(f"/api/autonomy/requests/{request.id}", content=b"approve")
    assert not_json.status_code == 400
    nul = admin.post(f"/api/autonomy/requests/{request.id}", json={"decision": "approve", "note": "a\x00b"})
    assert (nul.status_code, nul.json()["detail"][0]["type"]) == (422, "plain_text")  # PostgreSQL cannot store it
    declined = admin.post(f"/api/autonomy/requests/{request.id}", json={"decision": "decline", "note": "Not yet."})
    assert declined.status_code == 200
    assert (declined.json()["status"], declined.json()["decided_by"], declined.json()["note"]) == (
        "declined",
        "admin",
        "Not yet.",
    )
    again = admin.post(f"/api/autonomy/requests/{request.id}", json={"decision": "approve"})
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    assert admin.post("/api/autonomy/requests/424242", json={"decision": "approve"}).status_code == 404
    assert history.steward.autonomy.level(AGENT, "request_information", default="shadow") == "shadow"


def test_a_session_needs_the_csrf_header_to_sign_off_through_the_api(history: Web) -> None:
    action = "merge_customers"
    supervisor = history.steward.supervisor
    level, kpi = supervisor.ladder_state("identity_resolution", action)
    request = history.steward.autonomy.request_promotion(
        LadderChange(
            agent="identity_resolution",
            action=action,
            from_level=level,
            to_level="review_all",
            direction="promote",
            reason="test",
            kpi=kpi,
        )
    )
    ops = history.logged_in("ops")
    token = csrf_of(ops.get("/autonomy").text)
    refused = ops.post(f"/api/autonomy/requests/{request.id}", json={"decision": "approve"})
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf")
    accepted = ops.post(
        f"/api/autonomy/requests/{request.id}", json={"decision": "approve"}, headers={"X-CSRF-Token": token}
    )
    assert (accepted.status_code, accepted.json()["status"]) == (200, "approved")
    assert history.steward.autonomy.level("identity_resolution", action, default="shadow") == "review_all"


def test_the_openapi_document_describes_every_outcome(web: Web) -> None:
    paths = web.client().get("/openapi.json").json()["paths"]
    assert set(paths["/api/autonomy"]["get"]["responses"]) == {"200", "401", "403", "422"}
    assert set(paths["/api/autonomy/{agent}/{action}/series"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "422",
    }
    sign_off = paths["/api/autonomy/requests/{request_id}"]["post"]
    assert set(sign_off["responses"]) == {"200", "400", "401", "403", "404", "409", "413", "422"}
    body = sign_off["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["decision"]["enum"] == ["approve", "decline"]
    assert body["required"] == ["decision"]

"""The JSON API with tokens (and with a session plus its CSRF header), against its OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.approval_ui.web_helpers import Web, csrf_of


def _api(web: Web, user: str) -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def test_the_queue_pages_with_a_cursor_and_counts_per_state(web: Web) -> None:
    client = _api(web, "officer")
    seen: list[str] = []
    response = client.get("/api/queue", params={"status": "pending", "limit": 2})
    while True:
        assert response.status_code == 200
        body = response.json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        response = client.get("/api/queue", params={"status": "pending", "limit": 2, "cursor": body["next_cursor"]})
    pending = [item.id for item in web.steward.queue.list(status="pending")]
    assert seen == pending
    assert body["counts"]["pending"] == len(pending)
    assert client.get("/api/queue", params={"cursor": "garbage"}).status_code == 400
    assert client.get("/api/queue", params={"status": "bogus"}).status_code == 422


def test_deciding_through_the_api_documents_every_outcome(web: Web) -> None:
    officer = _api(web, "officer")
    small, large = web.small[5], web.large[1]

    assert officer.post(f"/api/proposals/{small}/decision", json={"verdict": "reject"}).json()["code"] == (
        "reason_required"
    )
    over = officer.post(f"/api/proposals/{large}/decision", json={"verdict": "approve"})
    assert (over.status_code, over.json()["code"]) == (403, "not_yours")
    missing = officer.post("/api/proposals/no-such-id/decision", json={"verdict": "approve"})
    assert missing.status_code == 404

    approved = officer.post(f"/api/proposals/{small}/decision", json={"verdict": "approve", "reason": "fine"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "executed"
    again = officer.post(f"/api/proposals/{small}/decision", json={"verdict": "approve"})
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")

    shown = officer.get(f"/api/proposals/{small}").json()
    assert shown["status"] == "executed"
    assert shown["reviews"][0]["comment"] == "fine"
    assert officer.get("/api/proposals/no-such-id").status_code == 404

    document = web.client().get("/openapi.json").json()
    documented = set(document["paths"]["/api/proposals/{proposal_id}/decision"]["post"]["responses"])
    assert {"200", "400", "401", "403", "404", "409", "422"} <= documented


def test_a_session_may_use_the_api_but_must_send_the_csrf_header_to_decide(web: Web) -> None:
    proposal_id = web.small[6]
    client = web.logged_in("officer")
    token = csrf_of(client.get("/autonomy").text)
    assert client.get("/api/queue").status_code == 200
    refused = client.post(f"/api/proposals/{proposal_id}/decision", json={"verdict": "approve"})
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf")
    assert web.steward.queue.get(proposal_id).status == "pending"
    accepted = client.post(
        f"/api/proposals/{proposal_id}/decision", json={"verdict": "approve"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "executed"


def test_customers_autonomy_and_audit(web: Web) -> None:
    auditor = _api(web, "auditor")
    customer_id = web.steward.queue.get(web.small[0]).customer_id
    customer = auditor.get(f"/api/customers/{customer_id}")
    assert customer.status_code == 200
    assert customer.json()["customer_id"] == customer_id
    assert auditor.get("/api/customers/CUS-nobody").status_code == 404

    autonomy = auditor.get("/api/autonomy").json()
    assert {(row["agent"], row["action"]) for row in autonomy} >= {
        ("credit_approval", "approve_credit"),
        ("credit_approval", "decline_credit"),
    }
    assert all(row["level"] in row["levels"] for row in autonomy)

    audit = auditor.get("/api/audit", params={"subject": web.small[0]}).json()
    assert audit["verification"]["ok"] is True
    assert [entry["kind"] for entry in audit["entries"]][:2] == ["proposal.submitted", "gate.decided"]


def test_a_revoked_token_no_longer_works(web: Web) -> None:
    client = _api(web, "engineer")
    assert client.get("/api/autonomy").status_code == 200
    web.steward.users.revoke_tokens("engineer")
    assert client.get("/api/autonomy").status_code == 401

"""CSRF as a sweep: every state-changing route of the app, read from its route table, refuses a request
authenticated by the session cookie whose CSRF token is missing or forged, changes nothing and leaves the
session as it was; the session's own token gets past the check.

API routes are refused before their body is looked at (an empty JSON object would otherwise be a 422);
pages check the token their forms post.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from approval_ui import CSRF_HEADER, SESSION_COOKIE, app_routes
from tests.approval_ui.web_helpers import Web, csrf_of

UNSAFE = sorted((method, path) for method, path in app_routes() if method in {"POST", "PUT", "PATCH", "DELETE"})
AGENT = "credit_approval"


def _url(web: Web, path: str) -> str:
    known = {"proposal_id": web.large[0], "agent": AGENT, "request_id": "1"}
    return re.sub(r"\{(\w+)\}", lambda found: known.get(found.group(1), "1"), path)


def _send(client: TestClient, method: str, url: str, token: str | None) -> int:
    if url.startswith("/api/"):
        headers = {} if token is None else {CSRF_HEADER: token}
        response = client.request(method, url, json={}, headers=headers)
        if response.status_code == 403:
            assert response.json()["code"] == "csrf", response.text
        return response.status_code
    data = {} if token is None else {"csrf_token": token}
    return client.request(method, url, data=data).status_code


def test_the_sweep_covers_every_kind_of_state_changing_route() -> None:
    assert {
        ("POST", "/logout"),
        ("POST", "/login"),
        ("POST", "/policies/{agent}/preview"),
        ("POST", "/api/policies/{agent}/what-if"),
        ("PUT", "/api/policies/{agent}"),
        ("POST", "/api/proposals/{proposal_id}/decision"),
        ("POST", "/proposals/{proposal_id}/decision"),
        ("POST", "/autonomy/requests/{request_id}"),
        ("POST", "/api/autonomy/requests/{request_id}"),
    } <= set(UNSAFE)


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_a_state_changing_route_refuses_a_session_without_its_csrf_token(web: Web, method: str, path: str) -> None:
    client = web.logged_in("admin")
    cookie = client.cookies[SESSION_COOKIE]
    url = _url(web, path)
    for token in (None, "forged"):
        assert _send(client, method, url, token) == 403, (method, path, token)
        client.cookies = {SESSION_COOKIE: cookie}  # a refusal may set a fresh anonymous cookie: use the old one
        assert client.get("/queue").status_code == 200, "the refused request ended the session"
    item = web.steward.queue.get(web.large[0])
    assert (item.status, item.reviews) == ("pending", [])
    assert web.steward.policy_store.latest(AGENT).version == 0


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_the_sessions_own_csrf_token_gets_past_the_check(web: Web, method: str, path: str) -> None:
    client = web.logged_in("admin")
    token = csrf_of(client.get("/queue").text)
    assert _send(client, method, _url(web, path), token) != 403, (method, path)
    item = web.steward.queue.get(web.large[0])
    assert (item.status, item.reviews) == ("pending", [])  # empty bodies decide nothing

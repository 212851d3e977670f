"""Every route, every role, and nobody logged in: the role × route table, enforced alike on pages and API."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from approval_ui import UiOptions, app_routes, create_app
from steward import BUNDLED_ROLES_FILE
from supervision import load_role_catalog
from tests.approval_ui.web_helpers import ROLE_USERS, SECRET, Web, csrf_of, login, password_of

DECIDERS = {"credit_officer", "senior_credit_officer", "head_of_credit", "logistics_planner"}
READERS = DECIDERS | {"ops_manager", "auditor", "admin"}
EVERY_ROLE = READERS | {"engineer"}

# (method, path) → the roles that may use it. Written out here, independently of the app's own table.
TABLE: dict[tuple[str, str], set[str]] = {
    ("GET", "/queue"): READERS,
    ("GET", "/proposals/{proposal_id}"): READERS,
    ("POST", "/proposals/{proposal_id}/decision"): DECIDERS | {"ops_manager", "admin"},
    ("POST", "/proposals/{proposal_id}/again"): DECIDERS | {"ops_manager", "admin"},
    ("GET", "/customers/{customer_id}"): EVERY_ROLE,
    ("GET", "/autonomy"): EVERY_ROLE,
    ("GET", "/audit"): {"ops_manager", "auditor", "admin"},
    ("GET", "/api/queue"): READERS,
    ("GET", "/api/proposals/{proposal_id}"): READERS,
    ("POST", "/api/proposals/{proposal_id}/decision"): DECIDERS | {"ops_manager", "admin"},
    ("POST", "/api/proposals/{proposal_id}/again"): DECIDERS | {"ops_manager", "admin"},
    ("GET", "/api/customers/{customer_id}"): EVERY_ROLE,
    ("GET", "/api/autonomy"): EVERY_ROLE,
    ("POST", "/autonomy/requests/{request_id}"): {"ops_manager", "admin"},
    ("GET", "/api/autonomy/{agent}/{action}/series"): EVERY_ROLE,
    ("POST", "/api/autonomy/requests/{request_id}"): {"ops_manager", "admin"},
    ("GET", "/api/audit"): {"ops_manager", "auditor", "admin"},
    ("GET", "/policies"): {"ops_manager", "auditor", "engineer", "admin"},
    ("GET", "/policies/{agent}"): {"ops_manager", "auditor", "engineer", "admin"},
    ("POST", "/policies/{agent}/preview"): {"ops_manager", "auditor", "engineer", "admin"},
    ("POST", "/policies/{agent}"): {"ops_manager", "admin"},
    ("GET", "/api/policies"): {"ops_manager", "auditor", "engineer", "admin"},
    ("GET", "/api/policies/{agent}"): {"ops_manager", "auditor", "engineer", "admin"},
    ("POST", "/api/policies/{agent}/what-if"): {"ops_manager", "auditor", "engineer", "admin"},
    ("PUT", "/api/policies/{agent}"): {"ops_manager", "admin"},
    ("GET", "/evals"): {"ops_manager", "auditor", "engineer", "admin"},
    ("GET", "/evals/{report_id}"): {"ops_manager", "auditor", "engineer", "admin"},
    ("GET", "/api/evals"): {"ops_manager", "auditor", "engineer", "admin"},
    ("GET", "/api/evals/{report_id}"): {"ops_manager", "auditor", "engineer", "admin"},
}
PUBLIC = {("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/openapi.json")}

# One user per role (the helpers' `officer` has credit_officer only, and so on).
USER_OF_ROLE = {
    "credit_officer": "officer",
    "senior_credit_officer": "senior",
    "head_of_credit": "head",
    "logistics_planner": "planner",
    "ops_manager": "ops",
    "auditor": "auditor",
    "engineer": "engineer",
    "admin": "admin",
}


def test_the_table_names_every_route_of_the_app(web: Web) -> None:
    served = {(method, path) for method, path, _ in _openapi_and_pages(web)}
    assert app_routes() | {("GET", "/openapi.json")} == set(TABLE) | PUBLIC
    assert {route for route in served if route[1].startswith("/api/")} == {r for r in TABLE if r[1].startswith("/api/")}
    assert set(USER_OF_ROLE) == {role for roles in ROLE_USERS.values() for role in roles}


def _openapi_and_pages(web: Web) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every operation the OpenAPI document describes."""
    document = web.client().get("/openapi.json").json()
    return [
        (method.upper(), path, operation.get("summary", ""))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _a_report(web: Web) -> int:
    """The id of a saved eval report (one is saved the first time a route needs it)."""
    saved = web.steward.reports.latest() or [
        web.steward.reports.save("credit", dataset="test", metrics=[], report={}, actor="test")
    ]
    return saved[0].id


def _request(web: Web, client: TestClient, method: str, path: str, *, csrf: str, api: bool) -> int:
    proposal_id = web.large[-1]  # decided by nobody here: every allowed decision is refused for lack of a reason
    customer_id = web.steward.queue.get(proposal_id).customer_id
    assert customer_id is not None
    url = path.replace("{proposal_id}", proposal_id).replace("{customer_id}", customer_id)
    if "{report_id}" in url:
        url = url.replace("{report_id}", str(_a_report(web)))
    url = url.replace("{agent}", "credit_approval")
    url = url.replace("{action}", "approve_credit")
    if method == "GET":
        return client.get(url).status_code
    if path.startswith("/api/policies/"):  # an empty policy: every allowed preview or change is refused (400)
        body = {"text": ""} if method == "POST" else {"text": "", "reason": "", "expected_version": 0}
        return client.request(method, url, json=body).status_code
    if api:
        return client.post(url, json={"verdict": "reject", "reason": ""}).status_code
    return client.post(url, data={"verdict": "reject", "reason": "", "csrf_token": csrf}).status_code


@pytest.mark.parametrize("role", sorted(USER_OF_ROLE))
def test_each_role_reaches_exactly_its_routes(web: Web, role: str) -> None:
    user = USER_OF_ROLE[role]
    page_client = web.logged_in(user)
    csrf = csrf_of(page_client.get("/login?next=/autonomy", follow_redirects=True).text)
    api_client = web.client()
    api_client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    outcome = {}
    for (method, path), allowed in TABLE.items():
        api = path.startswith("/api/")
        status = _request(web, api_client if api else page_client, method, path, csrf=csrf, api=api)
        if role not in allowed:
            expected = 403
        elif path.endswith("/again"):
            expected = 409  # allowed in, then refused: only a failed proposal is proposed again
        elif method == "POST":
            expected = 400  # allowed in, then refused: a rejection needs a reason
        elif method == "PUT":
            expected = 400  # allowed in, then refused: an empty policy does not validate
        else:
            expected = 200
        outcome[(method, path)] = (status, expected)
    assert {route: got for route, (got, expected) in outcome.items() if got != expected} == {}
    assert web.steward.queue.get(web.large[-1]).status == "pending"


def test_nobody_logged_in_is_sent_to_the_login_page_or_told_to_authenticate(web: Web) -> None:
    client = web.client()
    for method, path in TABLE:
        api = path.startswith("/api/")
        status = _request(web, client, method, path, csrf="", api=api)
        assert status == (401 if api else 303), (method, path)
    unauthorised = client.get("/api/queue", headers={"Authorization": "Bearer stw_0_wrong"})
    assert unauthorised.status_code == 401
    assert unauthorised.headers["www-authenticate"] == "Bearer"
    assert client.get("/queue").headers["location"].startswith("/login?next=")
    for method, path in PUBLIC - {("POST", "/login"), ("POST", "/logout")}:
        assert client.request(method, path).status_code in (200, 303)


DEPLOYMENT_ROLES = """\
roles:
  queue_watcher:
    description: Watches the queue and reads proposals; decides nothing.
    permissions: [queue.read, proposal.read]
  engineer:
    description: Engineers of this deployment also read the audit log.
    permissions: [customer.read, autonomy.read, policy.read, eval.read, audit.read]
"""


def test_a_role_from_a_deployment_file_gets_exactly_its_permissions_on_the_routes(web: Web, tmp_path: Path) -> None:
    roles_file = tmp_path / "roles.yaml"
    roles_file.write_text(DEPLOYMENT_ROLES, encoding="utf-8")
    options = UiOptions(session_secret=SECRET, roles=load_role_catalog(BUNDLED_ROLES_FILE, roles_file))
    web.steward.users.add("watcher", name="Wendy Watcher", roles=("queue_watcher",))
    web.steward.users.set_password("watcher", password_of("watcher"))
    proposal_id = web.large[-1]
    customer_id = web.steward.queue.get(proposal_id).customer_id
    routes = {
        "/api/queue": 200,
        f"/api/proposals/{proposal_id}": 200,
        f"/api/customers/{customer_id}": 403,
        "/api/audit": 403,
        "/api/policies": 403,
    }
    with TestClient(create_app(lambda: nullcontext(web.steward), options), follow_redirects=False) as deployed:
        deployed.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('watcher')}"
        assert {path: deployed.get(path).status_code for path in routes} == routes
        decision = deployed.post(f"/api/proposals/{proposal_id}/decision", json={"verdict": "approve"})
        assert (decision.status_code, decision.json()["code"]) == (403, "forbidden")
        engineer = {"Authorization": f"Bearer {web.steward.users.issue_token('engineer')}"}
        assert deployed.get("/api/audit", headers=engineer).status_code == 200  # the deployment widened engineer
        del deployed.headers["Authorization"]
        login(deployed, "watcher", password_of("watcher"))
        page = deployed.get("/queue")
        assert page.status_code == 200
        assert 'href="/queue"' in page.text and 'href="/audit"' not in page.text
        assert deployed.get("/audit").status_code == 403

    # The app with Steward's bundled roles only does not know the role: it allows nothing.
    bundled = web.client()
    bundled.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('watcher')}"
    assert bundled.get("/api/queue").status_code == 403
    engineer_only = {"Authorization": f"Bearer {web.steward.users.issue_token('engineer')}"}
    assert bundled.get("/api/audit", headers=engineer_only).status_code == 403
    assert web.steward.queue.get(proposal_id).status == "pending"

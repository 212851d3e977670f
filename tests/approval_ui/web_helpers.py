"""Building blocks for the web tests: an installation with one user per role and pending proposals."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agents import AgentRunner
from approval_ui import UiOptions, create_app
from core import FixedClock
from steward import BUNDLED_ROLES_FILE, Settings, Steward, load_roles
from supervision import UserDirectory, load_role_catalog
from tests.agents.flow_helpers import START, installation

SECRET = "test-session-secret-" + "x" * 40
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""argon2id with cheap parameters: the same code path, a hundred times faster than the production default."""
BUNDLED_ROLES = load_role_catalog(BUNDLED_ROLES_FILE)
"""The roles Steward ships with, for apps the tests build beside `web_installation`'s."""

ROLE_USERS: dict[str, tuple[str, ...]] = {
    "officer": ("credit_officer",),
    "officer2": ("credit_officer",),
    "senior": ("senior_credit_officer", "credit_officer"),
    "head": ("head_of_credit", "senior_credit_officer", "credit_officer"),
    "planner": ("logistics_planner",),
    "ops": ("ops_manager",),
    "auditor": ("auditor",),
    "engineer": ("engineer",),
    "admin": ("admin",),
}


def password_of(user: str) -> str:
    return f"password-of-{user}"


@dataclass
class Web:
    """An installation served by the app, and the pending proposals made for the test."""

    steward: Steward
    app: FastAPI
    clock: FixedClock
    small: list[str] = field(default_factory=list)
    """Pending proposals for amounts an officer may decide (≤ 4,000)."""
    large: list[str] = field(default_factory=list)
    """Pending proposals above the officer's limit, within a senior's, one approval (5,000 < amount ≤ 10,000)."""

    def client(self, *, base_url: str = "http://testserver") -> TestClient:
        return TestClient(self.app, base_url=base_url, follow_redirects=False)

    def logged_in(self, user: str) -> TestClient:
        client = self.client()
        login(client, user, password_of(user))
        return client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def login(client: TestClient, user: str, password: str, *, next: str = "/queue") -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": csrf_of(form.text), "next": next},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next


def _propose(steward: Steward, accept: Callable[[float], bool], count: int, used: set[str]) -> list[str]:
    """Run the credit agent on `count` loaded applications (each once) whose amount `accept`s; all wait for review."""
    agent = AgentRunner(steward.runtimes["credit_approval"])
    ids: list[str] = []
    for application in sorted(steward.customers.pending_applications(), key=lambda a: a.id):
        if len(ids) == count:
            break
        if application.id in used or not accept(application.amount):
            continue
        used.add(application.id)
        run = agent.run(application.id)
        assert run.status == "pending"
        ids.append(run.proposal_id)
    assert len(ids) == count, "not enough loaded applications fit the test"
    return ids


@contextmanager
def web_installation(settings: Settings, *, small: int = 3, large: int = 1) -> Iterator[Web]:
    """Steward with a user per role (passwords set), `small` and `large` pending credit proposals, and the app."""
    clock = FixedClock(START)
    with installation(settings, clock, applicants=60) as opened:
        steward = replace(opened, users=UserDirectory(opened.engine, clock, hasher=FAST_HASHER))
        for user, roles in ROLE_USERS.items():
            steward.users.add(user, name=user.title(), roles=roles)
            steward.users.set_password(user, password_of(user))
        app = create_app(lambda: nullcontext(steward), UiOptions(session_secret=SECRET, roles=load_roles(settings)))
        web = Web(steward=steward, app=app, clock=clock)
        used: set[str] = set()
        web.small = _propose(steward, lambda amount: amount <= 4000, small, used)
        web.large = _propose(steward, lambda amount: 5000 < amount <= 10000, large, used)
        with TestClient(web.app):  # runs the app's lifespan: the state every client shares
            yield web

"""Sessions and API tokens end when they should: logout, a password change, a role taken away, a disabled
user, a revoked or expired token. Each test replays what it held before (the cookie, the token)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.approval_ui.web_helpers import Web, csrf_of, login, password_of


def _user(web: Web, user: str, roles: tuple[str, ...] = ("credit_officer",)) -> str:
    """A user of this test alone (the installation is shared by the module)."""
    web.steward.users.add(user, name=user.title(), roles=roles)
    web.steward.users.set_password(user, password_of(user))
    return user


def _replay(web: Web, cookie: str) -> TestClient:
    """A browser that never logged in, holding a copy of someone's session cookie."""
    client = web.client()
    client.cookies.set("steward_session", cookie)
    return client


def _session_cookie(client: TestClient) -> str:
    value = client.cookies.get("steward_session")
    assert value is not None
    return value


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_opens_nothing(web: Web) -> None:
    user = _user(web, "lou")
    client = web.logged_in(user)
    cookie = _session_cookie(client)
    queue = client.get("/queue")
    assert queue.status_code == 200
    assert _replay(web, cookie).get("/queue").status_code == 200  # the copy works while the session lives

    assert client.post("/logout", data={"csrf_token": csrf_of(queue.text)}).status_code == 303

    copied = _replay(web, cookie)
    assert copied.get("/queue").headers["location"] == "/login?next=%2Fqueue"
    assert copied.get("/api/queue").status_code == 401
    with web.steward.engine.connect() as connection:
        stored = connection.execute(text("select token_hash from supervision_web_session")).scalars().all()
    assert stored and all(len(value) == 64 and value not in cookie for value in stored)  # hashes only


def test_a_password_change_ends_every_session_of_the_user_and_only_theirs(web: Web) -> None:
    user, other = _user(web, "pat"), _user(web, "pia")
    laptop, phone, colleague = web.logged_in(user), web.logged_in(user), web.logged_in(other)
    assert laptop.get("/queue").status_code == 200 and phone.get("/queue").status_code == 200

    web.steward.users.set_password(user, "a brand new passphrase")

    assert laptop.get("/queue").status_code == 303
    assert phone.get("/queue").status_code == 303
    assert colleague.get("/queue").status_code == 200
    fresh = web.client()
    login(fresh, user, "a brand new passphrase")
    assert fresh.get("/queue").status_code == 200


def test_taking_a_role_away_ends_the_users_sessions_adding_one_does_not(web: Web) -> None:
    user = _user(web, "rob", ("credit_officer", "auditor"))
    client = web.logged_in(user)
    assert client.get("/audit").status_code == 200

    web.steward.users.add(user, name="Rob", roles=("credit_officer", "auditor", "ops_manager"))
    assert client.get("/audit").status_code == 200  # more rights: the session goes on

    web.steward.users.add(user, name="Rob", roles=("credit_officer",))
    cookie = _session_cookie(client)
    assert client.get("/queue").status_code == 303
    assert _replay(web, cookie).get("/queue").status_code == 303


def test_a_disabled_user_loses_sessions_and_tokens_at_once_and_cannot_log_in(web: Web) -> None:
    user = _user(web, "dee")
    client = web.logged_in(user)
    api = web.client()
    api.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    assert client.get("/queue").status_code == 200
    assert api.get("/api/queue").status_code == 200

    web.steward.users.disable(user)

    assert client.get("/queue").status_code == 303
    assert api.get("/api/queue").status_code == 401
    browser = web.client()
    form = browser.get("/login")
    response = browser.post(
        "/login", data={"username": user, "password": password_of(user), "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text  # says nothing about the account's state

    web.steward.users.enable(user)
    login(browser, user, password_of(user))
    assert browser.get("/queue").status_code == 200
    assert api.get("/api/queue").status_code == 401  # tokens revoked by the disable stay revoked


def test_expired_and_revoked_tokens_answer_401_and_use_is_recorded_at_most_once_a_minute(web: Web) -> None:
    user = _user(web, "tia")
    tokens = {
        "lasting": web.steward.users.issue_token(user),
        "short": web.steward.users.issue_token(user, expires_in=timedelta(days=1)),
    }
    lasting, short = web.client(), web.client()
    lasting.headers["Authorization"] = f"Bearer {tokens['lasting']}"
    short.headers["Authorization"] = f"Bearer {tokens['short']}"

    def last_used() -> dict[str, datetime | None]:
        by_id = {token.id: token.last_used_at for token in web.steward.users.tokens(user)}
        return {name: by_id[token.split("_")[1]] for name, token in tokens.items()}

    assert last_used() == {"lasting": None, "short": None}
    used_at = web.clock.now()
    assert lasting.get("/api/queue").status_code == 200
    assert short.get("/api/queue").status_code == 200
    web.clock.advance(timedelta(seconds=30))
    assert lasting.get("/api/queue").status_code == 200  # within the minute: not written again
    assert last_used() == {"lasting": used_at, "short": used_at}

    web.clock.advance(timedelta(days=1))
    assert short.get("/api/queue").status_code == 401
    assert lasting.get("/api/queue").status_code == 200
    assert last_used() == {"lasting": web.clock.now(), "short": used_at}

    assert web.steward.users.revoke_tokens(user) == 2  # the expired one too: nothing live is left behind
    assert lasting.get("/api/queue").status_code == 401


def test_a_session_ends_when_its_lifetime_is_over(web: Web) -> None:
    user = _user(web, "eve")
    client = web.logged_in(user)
    web.clock.advance(timedelta(hours=7, minutes=59))
    assert client.get("/queue").status_code == 200
    web.clock.advance(timedelta(minutes=2))
    assert client.get("/queue").status_code == 303

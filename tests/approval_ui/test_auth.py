"""Logging in and out: CSRF on the form, signed HttpOnly cookies, rate limiting, safe redirects."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from approval_ui import UiOptions, create_app
from tests.approval_ui.web_helpers import BUNDLED_ROLES, SECRET, Web, csrf_of, login, password_of


def test_login_sets_a_signed_httponly_samesite_cookie_and_logout_clears_it(web: Web) -> None:
    client = web.client()
    assert client.get("/queue").headers["location"] == "/login?next=%2Fqueue"
    form = client.get("/login")
    assert form.status_code == 200
    assert 'for="username"' in form.text and 'for="password"' in form.text
    response = client.post(
        "/login",
        data={"username": "officer", "password": password_of("officer"), "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http (tests); see the https test below

    queue = client.get("/queue")
    assert queue.status_code == 200
    assert "officer" in queue.text

    logout = client.post("/logout", data={"csrf_token": csrf_of(queue.text)})
    assert logout.status_code == 303
    assert client.get("/queue").status_code == 303


def test_the_cookie_is_secure_over_https(web: Web) -> None:
    client = web.client(base_url="https://testserver")
    form = client.get("/login")
    assert "Secure" in form.headers["set-cookie"]
    response = client.post(
        "/login",
        data={"username": "officer", "password": password_of("officer"), "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_a_login_without_the_forms_csrf_token_is_refused(web: Web) -> None:
    client = web.client()
    client.get("/login")
    response = client.post("/login", data={"username": "officer", "password": password_of("officer")})
    assert response.status_code == 403
    assert client.get("/queue").status_code == 303  # still not logged in
    forged = client.post(
        "/login", data={"username": "officer", "password": password_of("officer"), "csrf_token": "guess"}
    )
    assert forged.status_code == 403


def test_a_wrong_password_says_so_without_telling_which_part_was_wrong(web: Web) -> None:
    client = web.client()
    for user in ("officer", "nobody"):
        form = client.get("/login")
        response = client.post(
            "/login", data={"username": user, "password": "wrong password", "csrf_token": csrf_of(form.text)}
        )
        assert response.status_code == 401
        assert "Wrong user name or password." in response.text


def test_logins_are_throttled_per_user_and_address_after_three_failures(web: Web) -> None:
    """The growing delays, the per-user ceiling and known browsers: tests/approval_ui/test_login_throttle.py."""
    client = web.client()

    def attempt(user: str, password: str) -> int:
        client.cookies.clear()
        form = client.get("/login")
        response = client.post(
            "/login", data={"username": user, "password": password, "csrf_token": csrf_of(form.text)}
        )
        return response.status_code

    assert [attempt("head", "wrong password") for _ in range(3)] == [401] * 3
    assert attempt("head", password_of("head")) == 429  # even the right password waits
    assert attempt("HEAD", password_of("head")) == 429  # the user name is not case-sensitive here
    assert attempt("senior", password_of("senior")) == 303  # another user from the same address is not blocked
    web.clock.advance(timedelta(seconds=1))
    assert attempt("head", password_of("head")) == 303


def test_a_tampered_cookie_is_no_session(web: Web) -> None:
    client = web.logged_in("officer")
    value = client.cookies.get("steward_session")
    assert value is not None
    assert client.get("/queue").status_code == 200
    client.cookies.clear()
    client.cookies.set("steward_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/queue").status_code == 303


def test_login_only_redirects_within_the_site(web: Web) -> None:
    client = web.client()
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "officer",
            "password": password_of("officer"),
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/queue"
    login(web.client(), "senior", password_of("senior"), next=f"/proposals/{web.small[0]}")


def test_pages_send_security_headers(web: Web) -> None:
    response = web.client().get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    css = web.client().get("/static/steward.css")
    assert css.status_code == 200
    assert "font-family" in css.text


def test_the_throttle_is_shared_by_every_process_of_the_installation(web: Web) -> None:
    """A second app over the same database (another worker or replica) sees the same failures."""
    other = create_app(lambda: nullcontext(web.steward), UiOptions(session_secret=SECRET, roles=BUNDLED_ROLES))
    with TestClient(other, follow_redirects=False) as second:
        first = web.client()
        for client in (first, second, first):
            form = client.get("/login")
            data = {"username": "admin", "password": "wrong password", "csrf_token": csrf_of(form.text)}
            assert client.post("/login", data=data).status_code == 401
        form = second.get("/login")
        data = {"username": "admin", "password": password_of("admin"), "csrf_token": csrf_of(form.text)}
        assert second.post("/login", data=data).status_code == 429
    with web.steward.engine.connect() as connection:
        stored = connection.execute(text("select key from supervision_login_failure")).scalars().all()
    assert stored and all("admin" not in key and "testclient" not in key for key in stored)  # keyed hashes only
    web.clock.advance(timedelta(minutes=16))

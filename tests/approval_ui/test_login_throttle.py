"""The login throttle slows whoever keeps failing, not the account's owner, and sees the real client address.

Time is the installation's fixed clock: a delay is observed by its Retry-After and passed by advancing it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from steward import Settings
from steward._web import server_config
from tests.approval_ui.web_helpers import BUNDLED_ROLES, SECRET, Web, csrf_of, login, password_of

if TYPE_CHECKING:
    import httpx2  # what the test client speaks


def _user(web: Web, user: str) -> str:
    """A user of this test alone (the installation and its failure counts are shared by the module)."""
    web.steward.users.add(user, name=user.title(), roles=("credit_officer",))
    web.steward.users.set_password(user, password_of(user))
    return user


def _from(web: Web, address: str) -> TestClient:
    """A browser whose connection comes from `address`."""
    return TestClient(web.app, follow_redirects=False, client=(address, 40000))


def _known_browser(web: Web, user: str, address: str) -> TestClient:
    """A browser the user logged in from before (and logged out of): a known client of the account."""
    browser = _from(web, address)
    login(browser, user, password_of(user))
    queue = browser.get("/queue")
    assert browser.post("/logout", data={"csrf_token": csrf_of(queue.text)}).status_code == 303
    return browser


def _attempt(client: TestClient, user: str, password: str, **headers: str) -> httpx2.Response:
    form = client.get("/login", headers=headers)
    data = {"username": user, "password": password, "csrf_token": csrf_of(form.text)}
    return client.post("/login", data=data, headers=headers)


def _wrong(client: TestClient, user: str, **headers: str) -> int:
    return _attempt(client, user, "wrong password", **headers).status_code


def _fail(web: Web, client: TestClient, user: str, times: int) -> None:
    """`times` failed logins, each waiting out the delay the one before earned (as a patient attacker would)."""
    for _ in range(times):
        response = _attempt(client, user, "wrong password")
        while response.status_code == 429:
            web.clock.advance(timedelta(seconds=int(response.headers["Retry-After"])))
            response = _attempt(client, user, "wrong password")
        assert response.status_code == 401


def test_each_failure_beyond_the_third_doubles_the_wait_up_to_a_cap(web: Web) -> None:
    user = _user(web, "gus")
    client = _from(web, "10.1.0.1")
    assert [_wrong(client, user) for _ in range(3)] == [401, 401, 401]
    waits = []
    for _ in range(12):
        refused = _attempt(client, user, "wrong password")
        assert refused.status_code == 429
        assert "Too many failed attempts" in refused.text
        wait = int(refused.headers["Retry-After"])
        waits.append(wait)
        web.clock.advance(timedelta(seconds=wait - 1))
        assert _wrong(client, user) == 429  # a second early is still too early
        web.clock.advance(timedelta(seconds=1))
        assert _wrong(client, user) == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]

    assert _attempt(client, user, password_of(user)).status_code == 429  # even the right password waits
    web.clock.advance(timedelta(minutes=15))
    assert _attempt(client, user, password_of(user)).status_code == 303
    assert _wrong(_from(web, "10.1.0.1"), user) == 401  # the success forgot this address's failures


def test_an_attacker_at_one_address_does_not_slow_the_owner_elsewhere_or_on_a_known_browser(web: Web) -> None:
    user = _user(web, "ola")
    owner = _known_browser(web, user, "10.2.0.7")
    attacker = _from(web, "10.2.0.66")
    _fail(web, attacker, user, 8)
    assert _wrong(attacker, user) == 429

    behind_the_same_nat = _from(web, "10.2.0.66")  # an unknown browser at the attacker's address waits
    assert _attempt(behind_the_same_nat, user, password_of(user)).status_code == 429
    owner_on_the_attackers_network = _from(web, "10.2.0.66")
    owner_on_the_attackers_network.cookies = owner.cookies  # the owner's known browser, moved to that network
    assert _attempt(owner_on_the_attackers_network, user, password_of(user)).status_code == 303
    assert _attempt(_from(web, "10.2.0.8"), user, password_of(user)).status_code == 303  # a new browser elsewhere


def test_a_distributed_attack_stops_unknown_browsers_but_not_the_owners_known_browser(web: Web) -> None:
    user, other = _user(web, "kim"), _user(web, "kit")
    owner = _known_browser(web, user, "10.3.0.7")
    colleague_browser = _known_browser(web, other, "10.3.0.9")  # known, but for another account

    assert [_wrong(_from(web, f"10.3.1.{n}"), user) for n in range(50)] == [401] * 50  # 50 addresses, once each

    stranger = _attempt(_from(web, "10.3.0.8"), user, password_of(user))
    assert stranger.status_code == 429
    assert 0 < int(stranger.headers["Retry-After"]) <= 3600
    assert _attempt(colleague_browser, user, password_of(user)).status_code == 429
    assert _attempt(owner, user, password_of(user)).status_code == 303
    assert _attempt(_from(web, "10.3.0.8"), other, password_of(other)).status_code == 303  # other users unaffected

    web.clock.advance(timedelta(hours=1, seconds=1))  # the failures left the window
    assert _attempt(_from(web, "10.3.0.8"), user, password_of(user)).status_code == 303


def test_a_known_browser_cookie_is_bound_to_its_user_and_signed(web: Web) -> None:
    user = _user(web, "max")
    owner = _known_browser(web, user, "10.4.0.7")
    cookies = [cookie for cookie in owner.cookies.jar if cookie.name.startswith("steward_client_")]
    assert len(cookies) == 1
    assert cookies[0].path == "/login"
    assert cookies[0].has_nonstandard_attr("HttpOnly")
    value = cookies[0].value
    assert value is not None and user not in value
    for n in range(50):
        _wrong(_from(web, f"10.4.1.{n}"), user)
    forged = _from(web, "10.4.0.8")
    forged.cookies.set(cookies[0].name, value[:-2] + "xx", path="/login")
    assert _attempt(forged, user, password_of(user)).status_code == 429
    assert _attempt(owner, user, password_of(user)).status_code == 303


def test_a_forged_x_forwarded_for_is_ignored_unless_a_trusted_proxy_sends_it(web: Web) -> None:
    user = _user(web, "fay")
    direct = _from(web, "10.5.0.1")
    assert [_wrong(direct, user, **{"X-Forwarded-For": f"192.0.2.{n}"}) for n in range(4)] == [401, 401, 401, 429]

    proxied = create_app(
        lambda: nullcontext(web.steward),
        UiOptions(session_secret=SECRET, roles=BUNDLED_ROLES, trusted_proxies=("10.5.9.0/24",)),
    )
    with TestClient(proxied, follow_redirects=False, client=("10.5.9.2", 40000)) as proxy:
        forwarded = [_wrong(proxy, user, **{"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(4)]
        assert forwarded == [401, 401, 401, 401]  # four clients behind the proxy, one failure each
        again = [_wrong(proxy, user, **{"X-Forwarded-For": "198.51.100.77"}) for _ in range(4)]
        assert again == [401, 401, 401, 429]  # one client behind the proxy
        https = proxy.get("/login", headers={"X-Forwarded-For": "198.51.100.6", "X-Forwarded-Proto": "https"})
        assert "Secure" in https.headers["set-cookie"]  # the proxy says the browser used https
        proxy.cookies.clear()
        assert _attempt(proxy, user, password_of(user), **{"X-Forwarded-For": "198.51.100.5"}).status_code == 303
    with TestClient(proxied, follow_redirects=False, client=("10.5.8.2", 40000)) as outsider:  # not in the network
        assert _wrong(outsider, user, **{"X-Forwarded-For": "198.51.100.200"}) == 401
        assert [_wrong(outsider, user, **{"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)] == [401, 401, 429]
        claimed = outsider.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in claimed.headers["set-cookie"]


@pytest.fixture(scope="module")
def served(web: Web, module_settings: Settings) -> Iterator[str]:
    """The test app under uvicorn as `steward serve` configures it, on a local port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = server_config(web.app, module_settings, "127.0.0.1", sock.getsockname()[1])
    config.lifespan = "off"  # the installation's app already runs
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


def test_steward_serve_does_not_let_a_local_client_forge_its_address(web: Web, served: str) -> None:
    """uvicorn's own proxy handling trusts 127.0.0.1 by default; `steward serve` leaves it to the app."""
    user = _user(web, "ian")
    statuses = []
    with httpx.Client(base_url=served, follow_redirects=False) as client:
        for n in range(4):
            forged = {"X-Forwarded-For": f"192.0.2.{n}"}
            form = client.get("/login", headers=forged)
            data = {"username": user, "password": "wrong password", "csrf_token": csrf_of(form.text)}
            statuses.append(client.post("/login", data=data, headers=forged).status_code)
    assert statuses == [401, 401, 401, 429]

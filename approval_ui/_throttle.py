"""The login throttle: an attacker's failed logins slow the attacker, not the account's owner.

Two counts, both in the database (`supervision.LoginFailures`, so every process and replica sees the
same ones), each under a keyed hash, never a name or an address:

- **per user name and client**: the first `free_failures` failures cost nothing; after that each
  attempt waits twice as long after the last failure as the one before (1 s, 2 s, 4 s, ... up to
  `max_delay`). The client is the browser's known-client cookie for this user when it has one, else
  its address (as the app sees it: see `UiOptions.trusted_proxies`).
- **per user name, over all clients**: at `user_ceiling` failures within the window, browsers that are
  not a known client of that user are refused until the count falls. A known client still passes.

A known client is a browser that logged in as the user before: each successful login sets a signed
cookie (path /login, HttpOnly, SameSite=Strict) with a random client id and a keyed hash of the user
name. It only lets the browser *try*: the password is still checked, and the client's own failures slow
it like any other client's. So someone hammering an account from elsewhere cannot keep its owner out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from approval_ui._security import client_address
from core import Clock
from supervision import LoginFailures, RecentFailures

KNOWN_CLIENT_COOKIE = "steward_client_"
"""Prefix of the known-client cookies; one per user who logged in from the browser."""
FIRST_DELAY = timedelta(seconds=1)


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta = timedelta(hours=1)
    """How long a failure counts."""
    free_failures: int = 3
    """Failures per user name and client before attempts are delayed."""
    max_delay: timedelta = timedelta(minutes=15)
    """The longest delay between attempts of one client."""
    user_ceiling: int = 50
    """Failures per user name within the window after which only known clients may try."""
    known_client_max_age: timedelta = timedelta(days=90)


@dataclass(frozen=True)
class LoginAttempt:
    """One login attempt as the throttle sees it; `wait` is set when it must be refused."""

    user: str
    """The user name as typed, stripped and case-folded."""
    client_key: str
    user_key: str
    known_client: str | None
    """The id of this browser's known-client cookie for the user, if it has one."""
    wait: timedelta | None


class LoginThrottle:
    """Decides whether a login attempt may go ahead, and remembers how it went."""

    def __init__(self, failures: LoginFailures, clock: Clock, secret: str, policy: ThrottlePolicy) -> None:
        self._failures = failures
        self._clock = clock
        self._secret = secret.encode()
        self._policy = policy
        self._cookies = URLSafeTimedSerializer(secret, salt="steward.known-client")

    def attempt(self, request: Request, user: str) -> LoginAttempt:
        name = user.strip().casefold()
        known = self._known_client(request, name)
        client = f"client:{known}" if known is not None else f"address:{client_address(request)}"
        client_key, user_key = self._key("client", name, client), self._key("user", name)
        recent = self._failures.recent([client_key, user_key])
        waits = [self._client_wait(recent[client_key])]
        if known is None:
            waits.append(self._ceiling_wait(recent[user_key]))
        wait = max((w for w in waits if w is not None), default=None)
        return LoginAttempt(user=name, client_key=client_key, user_key=user_key, known_client=known, wait=wait)

    def failed(self, attempt: LoginAttempt) -> None:
        self._failures.record([attempt.client_key, attempt.user_key])

    def succeeded(self, attempt: LoginAttempt, request: Request, response: Response) -> None:
        """Forget this client's failures (not the user's: an attack elsewhere goes on) and mark it known."""
        self._failures.clear(attempt.client_key)
        client_id = attempt.known_client or secrets.token_urlsafe(16)
        tag = self._user_tag(attempt.user)
        response.set_cookie(
            KNOWN_CLIENT_COOKIE + tag[:16],
            self._cookies.dumps({"c": client_id, "u": tag}),
            max_age=int(self._policy.known_client_max_age.total_seconds()),
            path="/login",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def _client_wait(self, failures: RecentFailures) -> timedelta | None:
        beyond = failures.count - self._policy.free_failures
        if beyond < 0 or failures.last is None:
            return None
        delay = min(FIRST_DELAY * 2 ** min(beyond, 30), self._policy.max_delay)
        wait = failures.last + delay - self._clock.now()
        return wait if wait > timedelta(0) else None

    def _ceiling_wait(self, failures: RecentFailures) -> timedelta | None:
        if failures.count < self._policy.user_ceiling or failures.first is None:
            return None
        # The earliest moment the count can fall below the ceiling: its oldest failure leaves the window.
        return max(failures.first + self._policy.window - self._clock.now(), timedelta(seconds=1))

    def _known_client(self, request: Request, name: str) -> str | None:
        tag = self._user_tag(name)
        value = request.cookies.get(KNOWN_CLIENT_COOKIE + tag[:16])
        if not value:
            return None
        try:
            data = self._cookies.loads(value, max_age=int(self._policy.known_client_max_age.total_seconds()))
        except BadSignature:  # also covers an expired signature
            return None
        if not isinstance(data, dict) or data.get("u") != tag or not isinstance(data.get("c"), str):
            return None
        return str(data["c"])

    def _user_tag(self, name: str) -> str:
        return self._key("known-client", name)

    def _key(self, *parts: str) -> str:
        return hmac.new(self._secret, "\0".join(parts).encode(), hashlib.sha256).hexdigest()

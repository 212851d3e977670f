"""Sessions, CSRF tokens, login throttling and who is asking.

A session is a signed, timestamped cookie (HttpOnly, SameSite=Lax, Secure over https) holding the user
id and the session's CSRF token; nothing else, and no personal data. Every form carries the token and
every POST checks it. API clients send `Authorization: Bearer <token>` instead (or use the session and
send the CSRF token in `X-CSRF-Token`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from approval_ui._permissions import Permission, permissions_of
from policies import Reviewer
from supervision import LoginFailures

SESSION_COOKIE = "steward_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Session:
    """What the session cookie says: who is logged in (None before login) and the CSRF token."""

    user_id: str | None
    csrf: str

    @classmethod
    def fresh(cls, user_id: str | None = None) -> Session:
        return cls(user_id=user_id, csrf=secrets.token_urlsafe(32))

    def csrf_matches(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(self.csrf.encode(), offered.encode())


class SessionCodec:
    """Signs sessions into cookie values and reads them back; a forged, altered or stale cookie reads as none."""

    def __init__(self, secret: str, max_age: timedelta) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="steward.session")
        self._max_age = max_age

    def read(self, request: Request) -> Session | None:
        value = request.cookies.get(SESSION_COOKIE)
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=int(self._max_age.total_seconds()))
        except BadSignature:  # also covers an expired signature
            return None
        if not isinstance(data, dict):
            return None
        user_id, csrf = data.get("u"), data.get("c")
        if not isinstance(csrf, str) or not (user_id is None or isinstance(user_id, str)):
            return None
        return Session(user_id=user_id, csrf=csrf)

    def write(self, request: Request, response: Response, session: Session) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self._serializer.dumps({"u": session.user_id, "c": session.csrf}),
            max_age=int(self._max_age.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def clear(request: Request, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )


@dataclass(frozen=True)
class Principal:
    """Who is asking, how they proved it, and what the role table lets them do."""

    reviewer: Reviewer
    via: Literal["session", "token"]
    session: Session | None = None

    @property
    def user_id(self) -> str:
        return self.reviewer.id

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.reviewer.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


class LoginThrottle:
    """Refuses further login attempts for a user name from one address after too many recent failures.

    The failures live in the database (`supervision.LoginFailures`), so every process and replica
    counts the same attempts; they are stored under a keyed hash of the name and address.
    """

    def __init__(self, failures: LoginFailures, max_failures: int, secret: str) -> None:
        self._failures = failures
        self._max_failures = max_failures
        self._secret = secret.encode()

    def retry_after(self, user: str, address: str) -> timedelta | None:
        """How long until another attempt is allowed, or None when it is allowed now."""
        return self._failures.retry_after(self._key(user, address), self._max_failures)

    def failed(self, user: str, address: str) -> None:
        self._failures.record(self._key(user, address))

    def succeeded(self, user: str, address: str) -> None:
        self._failures.clear(self._key(user, address))

    def _key(self, user: str, address: str) -> str:
        text = f"{user.strip().casefold()}\0{address}"
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path on this site (never `//host` or a full URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"

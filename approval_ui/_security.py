"""Sessions, CSRF tokens and who is asking.

A session is a signed, timestamped cookie (HttpOnly, SameSite=Lax, Secure over https) holding the
session's CSRF token and, once logged in, the random token of a session kept on the server
(`supervision.WebSessions`), which logout, a password change, a role taken away or disabling the user
ends; nothing else, and no personal data. Every form carries the CSRF token and every POST checks it.
API clients send `Authorization: Bearer <token>` instead (or use the session and send the CSRF token
in `X-CSRF-Token`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from policies import Reviewer
from supervision import Permission

SESSION_COOKIE = "steward_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Session:
    """What the session cookie says: the server-side session's token (None before login) and the CSRF token."""

    token: str | None
    csrf: str

    @classmethod
    def fresh(cls, token: str | None = None) -> Session:
        return cls(token=token, csrf=secrets.token_urlsafe(32))

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
        token, csrf = data.get("s"), data.get("c")
        if not isinstance(csrf, str) or not (token is None or isinstance(token, str)):
            return None
        return Session(token=token, csrf=csrf)

    def write(self, request: Request, response: Response, session: Session) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self._serializer.dumps({"s": session.token, "c": session.csrf}),
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
    """Who is asking, how they proved it, and what their roles let them do (`RoleCatalog.permissions_of`)."""

    reviewer: Reviewer
    via: Literal["session", "token"]
    permissions: frozenset[Permission]
    session: Session | None = None

    @property
    def user_id(self) -> str:
        return self.reviewer.id

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def client_address(request: Request) -> str:
    """The client's address: the peer's, or the one a trusted proxy forwarded (`UiOptions.trusted_proxies`)."""
    return request.client.host if request.client is not None else "unknown"


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path on this site (never `//host` or a full URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"

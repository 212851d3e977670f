"""The app's running state (opened in its lifespan) and the dependencies that check who is asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from approval_ui._backend import Backend, UiOptions
from approval_ui._security import CSRF_HEADER, Principal, Session, SessionCodec
from approval_ui._throttle import LoginThrottle
from supervision import Permission, QueueBrowser, WebSessions

HERE = Path(__file__).resolve().parent
Surface = Literal["page", "api"]


@dataclass(frozen=True)
class UiState:
    backend: Backend
    options: UiOptions
    sessions: SessionCodec
    """Reads and writes the session cookie."""
    logins: WebSessions
    """The server-side sessions the cookies name."""
    throttle: LoginThrottle
    browser: QueueBrowser
    templates: Jinja2Templates


def ui_state(request: Request) -> UiState:
    state: UiState = request.app.state.ui
    return state


Ui = Annotated[UiState, Depends(ui_state)]


class NotAuthenticated(Exception):
    """Nobody is logged in (page: go to the login form) or the token is missing or wrong (API: 401)."""

    def __init__(self, surface: Surface) -> None:
        super().__init__("not authenticated")
        self.surface = surface


class Forbidden(Exception):
    """None of the user's roles (as the role catalog declares them) gives this permission."""

    def __init__(self, surface: Surface, permission: Permission) -> None:
        super().__init__(f"forbidden: needs {permission}")
        self.surface = surface
        self.permission = permission


class CsrfRefused(Exception):
    """A session-authenticated API call that changes something came without the session's CSRF token."""


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_principal(ui: UiState, session: Session | None) -> Principal | None:
    """Who the session belongs to: one query for the live server-side session and the user's current roles."""
    if session is None or session.token is None:
        return None
    reviewer = ui.logins.reviewer(session.token)
    if reviewer is None:
        return None
    return Principal(reviewer, "session", ui.options.roles.permissions_of(reviewer.roles), session=session)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def principal_of(request: Request, ui: UiState, surface: Surface) -> Principal | None:
    """Who is asking: a session on pages; a bearer token (else the session) on the API."""
    if surface == "api":
        token = _bearer(request)
        if token is not None:
            reviewer = ui.backend.users.user_for_token(token) if token else None
            if reviewer is None:
                return None
            return Principal(reviewer, "token", ui.options.roles.permissions_of(reviewer.roles))
    return session_principal(ui, ui.sessions.read(request))


def access(surface: Surface, permission: Permission) -> Callable[[Request], Principal]:
    """A dependency that lets the request through only for a user whose roles grant `permission`.

    The role catalog (`UiOptions.roles`) grants access to a page or endpoint; whether a person may decide
    a particular proposal is then the policy's call (role limits, four eyes, no self-approval), checked
    when they decide.

    An API call that changes something (any method but GET, HEAD, OPTIONS) made with the session cookie
    must also send the session's CSRF token in `X-CSRF-Token`; it is refused before its body is looked at.
    (Pages check the token their forms post.)
    """

    def check(request: Request) -> Principal:
        principal = principal_of(request, ui_state(request), surface)
        if principal is None:
            raise NotAuthenticated(surface)
        if not principal.can(permission):
            raise Forbidden(surface, permission)
        if (
            surface == "api"
            and principal.session is not None
            and request.method not in SAFE_METHODS
            and not principal.session.csrf_matches(request.headers.get(CSRF_HEADER))
        ):
            raise CsrfRefused()
        return principal

    return check

"""The app's running state (opened in its lifespan) and the dependencies that check who is asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from approval_ui._backend import Backend, UiOptions
from approval_ui._permissions import Permission
from approval_ui._security import LoginThrottle, Principal, Session, SessionCodec
from core import NotFound
from supervision import QueueBrowser

HERE = Path(__file__).resolve().parent
Surface = Literal["page", "api"]


@dataclass(frozen=True)
class UiState:
    backend: Backend
    options: UiOptions
    sessions: SessionCodec
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
    """The role table does not give the user this permission."""

    def __init__(self, surface: Surface, permission: Permission) -> None:
        super().__init__(f"forbidden: needs {permission}")
        self.surface = surface
        self.permission = permission


def session_principal(ui: UiState, session: Session | None) -> Principal | None:
    if session is None or session.user_id is None:
        return None
    try:
        reviewer = ui.backend.users.get(session.user_id)  # roles are read afresh on every request
    except NotFound:
        return None
    return Principal(reviewer=reviewer, via="session", session=session)


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
            return None if reviewer is None else Principal(reviewer=reviewer, via="token")
    return session_principal(ui, ui.sessions.read(request))


def access(surface: Surface, permission: Permission) -> Callable[[Request], Principal]:
    """A dependency that lets the request through only for a user whose roles grant `permission`."""

    def check(request: Request) -> Principal:
        principal = principal_of(request, ui_state(request), surface)
        if principal is None:
            raise NotAuthenticated(surface)
        if not principal.can(permission):
            raise Forbidden(surface, permission)
        return principal

    return check

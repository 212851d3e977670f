"""`steward serve`: the approval web app wired to this installation, recovered at start, and its refusal
to start unusable."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
import uvicorn
from fastapi import FastAPI

from approval_ui import UiOptions
from approval_ui import create_app as create_ui_app
from steward._roles import load_roles
from steward._settings import Settings
from steward._wiring import Steward, open_steward
from supervision import RoleCatalog

log = structlog.get_logger(__name__)


def no_users_hint(roles: RoleCatalog) -> str:
    """What to do when nobody can log in: create an admin, then reviewers with the installation's roles."""
    return (
        "no user can log in yet, so the web app would lock everyone out. Create an admin first:\n"
        "  steward users add USER --role admin          (reads the password from standard input)\n"
        f"and reviewers with --role (repeatable) one of: {', '.join(name for name in roles.names if name != 'admin')}."
    )


def session_secret(settings: Settings) -> str:
    """STEWARD_SESSION_SECRET, else `<home>/session.key`, made once (readable by this user only)."""
    if settings.session_secret:
        return settings.session_secret
    home = settings.home
    path = home / "session.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def create_app(settings: Settings) -> FastAPI:
    """The approval app over this installation; Steward is opened once, when the app starts."""
    options = UiOptions(
        session_secret=session_secret(settings), roles=load_roles(settings), trusted_proxies=settings.trusted_proxies
    )
    return create_ui_app(lambda: open_recovered(settings), options)


@contextmanager
def open_recovered(settings: Settings) -> Iterator[Steward]:
    """Steward opened to serve: decisions a crash left unfinished are carried on before the first request."""
    with open_steward(settings) as app:
        report = app.supervisor.recover()
        if not report.clean:
            log.warning("serve.recovery_incomplete", stuck=report.ids("stuck"), errors=report.ids("error"))
        yield app


def someone_can_log_in(settings: Settings) -> bool:
    with open_steward(settings) as app:
        return any(user.can_log_in for user in app.users.list())


def server_config(app: FastAPI, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """How `steward serve` runs the app under uvicorn.

    The app believes X-Forwarded-* headers from STEWARD_TRUSTED_PROXIES only (`UiOptions.trusted_proxies`);
    uvicorn's own proxy handling would believe them from any local client (its default
    FORWARDED_ALLOW_IPS), so it is off.
    """
    return uvicorn.Config(app, host=host, port=port, log_level=settings.log_level.lower(), proxy_headers=False)


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the web app until interrupted; refuse (exit 1) when no user could log in."""
    if not someone_can_log_in(settings):
        print(f"steward: {no_users_hint(load_roles(settings))}", file=sys.stderr)
        return 1
    print(f"Steward approval UI on http://{host}:{port}/  (JSON API under /api/, OpenAPI at /openapi.json)")
    uvicorn.Server(server_config(create_app(settings), settings, host, port)).run()
    return 0

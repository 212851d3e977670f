"""`steward serve`: the approval web app wired to this installation, and its refusal to start unusable."""

from __future__ import annotations

import os
import secrets
import sys

from fastapi import FastAPI

from approval_ui import UiOptions
from approval_ui import create_app as create_ui_app
from steward._settings import Settings
from steward._wiring import open_steward

NO_USERS_HINT = (
    "no user can log in yet, so the web app would lock everyone out. Create an admin first:\n"
    "  steward users add USER --role admin          (reads the password from standard input)\n"
    "and reviewers with --role credit_officer, senior_credit_officer, ops_manager, auditor or engineer."
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
    return create_ui_app(lambda: open_steward(settings), UiOptions(session_secret=session_secret(settings)))


def someone_can_log_in(settings: Settings) -> bool:
    with open_steward(settings) as app:
        return any(user.can_log_in for user in app.users.list())


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the web app until interrupted; refuse (exit 1) when no user could log in."""
    import uvicorn

    if not someone_can_log_in(settings):
        print(f"steward: {NO_USERS_HINT}", file=sys.stderr)
        return 1
    print(f"Steward approval UI on http://{host}:{port}/  (JSON API under /api/, OpenAPI at /openapi.json)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower(), proxy_headers=True)
    return 0

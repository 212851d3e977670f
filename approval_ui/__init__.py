"""The approval web app and JSON API: reviewers decide proposals, everyone reads what their role allows.

`create_app(open_backend, options)` builds a FastAPI app over the same services the CLI uses; the
composition root (`steward`) passes `open_steward`. Pages are server-rendered HTML that work without
JavaScript; the API lives under `/api/`, described at `/openapi.json`.
"""

from approval_ui._app import app_routes, create_app
from approval_ui._backend import Backend, OpenBackend, UiOptions
from approval_ui._permissions import ROLE_PERMISSIONS, ROLES, Permission, Role, permissions_of
from approval_ui._security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "ROLES",
    "ROLE_PERMISSIONS",
    "SESSION_COOKIE",
    "Backend",
    "OpenBackend",
    "Permission",
    "Role",
    "UiOptions",
    "app_routes",
    "create_app",
    "permissions_of",
]

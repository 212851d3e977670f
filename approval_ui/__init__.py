"""The approval web app and JSON API: reviewers decide proposals, everyone reads what their role allows.

`create_app(open_backend, options)` builds a FastAPI app over the same services the CLI uses; the
composition root (`steward`) passes `open_steward`. Pages are server-rendered HTML that work without
JavaScript; the API lives under `/api/`, described at `/openapi.json`.
"""

from approval_ui._app import app_routes, create_app
from approval_ui._backend import Backend, OpenBackend, UiOptions
from approval_ui._security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE
from supervision import Permission

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Backend",
    "OpenBackend",
    "Permission",
    "UiOptions",
    "app_routes",
    "create_app",
]

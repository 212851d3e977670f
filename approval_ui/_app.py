"""`create_app`: the FastAPI app with its pages, its JSON API, static files and security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from approval_ui import _api, _ops, _pages, _policy_pages, _reports
from approval_ui._backend import OpenBackend, UiOptions
from approval_ui._limits import MAX_BODY_BYTES, TOO_LARGE, BodyLimit, document_limits, echo_safe
from approval_ui._security import CSRF_HEADER, SessionCodec
from approval_ui._state import HERE, CsrfRefused, Forbidden, NotAuthenticated, UiState, session_principal, ui_state
from approval_ui._throttle import LoginThrottle, ThrottlePolicy
from supervision import LoginFailures, QueueBrowser, WebSessions

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

API_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: TOO_LARGE,
}
"""The `code` of an API error raised as an HTTPException, by status."""


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")

    def when(moment: datetime | None) -> str:
        return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"

    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    def shown(value: object) -> str:
        if isinstance(value, list | tuple):
            return "; ".join(str(item) for item in value)
        return str(value)

    templates.env.filters["when"] = when
    templates.env.filters["shown"] = shown
    templates.env.filters["percent"] = percent
    return templates


def create_app(open_backend: OpenBackend, options: UiOptions) -> FastAPI:
    """The approval web app over the services `open_backend` opens once, when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_backend() as backend:
            app.state.ui = UiState(
                backend=backend,
                options=options,
                sessions=SessionCodec(options.session_secret, options.session_max_age),
                logins=WebSessions(backend.engine, backend.clock, options.session_max_age),
                throttle=LoginThrottle(
                    LoginFailures(backend.engine, backend.clock, options.login_window),
                    backend.clock,
                    options.session_secret,
                    ThrottlePolicy(
                        window=options.login_window,
                        free_failures=options.login_free_failures,
                        max_delay=options.login_max_delay,
                        user_ceiling=options.login_user_ceiling,
                    ),
                ),
                browser=QueueBrowser(backend.engine, backend.clock),
                templates=_templates(),
            )
            yield

    app = FastAPI(
        title="Steward approval API",
        description=(
            "The human-approval queue, proposals and decisions, customers, autonomy and audit. "
            "Authenticate with `Authorization: Bearer <token>` (`steward users token USER`). "
            f"Request bodies are limited to {MAX_BODY_BYTES // 1024} KiB (413); JSON numbers must be finite (422)."
        ),
        version="1",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load their scripts from a CDN; /openapi.json is the contract
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(_pages.router)
    app.include_router(_api.router)
    for feature in (_ops, _policy_pages, _reports):
        app.include_router(feature.router)
    app.add_middleware(BodyLimit)  # inside the security headers, which its refusals carry too
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_limits(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    if options.trusted_proxies:
        # Only these peers may say who the client is (X-Forwarded-For) and whether it used https
        # (X-Forwarded-Proto); from anyone else the headers are ignored. Outermost, so every route sees it.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(options.trusted_proxies))

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if exc.surface == "api":
            return JSONResponse(
                {"detail": "authenticate with a bearer token or a session", "code": "not_authenticated"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """FastAPI's 422, without echoing a long or non-finite input (which cannot even be written as JSON)."""
        return JSONResponse({"detail": echo_safe(exc.errors())}, status_code=422)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        detail = f"a session-authenticated {request.method} needs the session's CSRF token in {CSRF_HEADER}"
        return JSONResponse({"detail": detail, "code": "csrf"}, 403)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """API errors carry a `code` beside the `detail`, as `ErrorOut` documents; pages keep FastAPI's own.

        A body that is not even text (FastAPI's undocumented 400) is answered like any other body that is
        not JSON: 422, which every operation with a body documents.
        """
        if not request.url.path.startswith("/api/") or not isinstance(exc.detail, str):
            return await http_exception_handler(request, exc)
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            error = {"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error"}
            return await invalid_request(request, RequestValidationError([error]))
        code = API_ERROR_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return JSONResponse({"detail": exc.detail, "code": code}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if exc.surface == "api":
            return JSONResponse({"detail": f"your roles do not allow {exc.permission}", "code": "forbidden"}, 403)
        ui = ui_state(request)
        principal = session_principal(ui, ui.sessions.read(request))
        return _pages.error_page(
            ui, request, principal, 403, "Your roles do not give you access to this page. Ask an admin if you need it."
        )

    return app


def app_routes() -> set[tuple[str, str]]:
    """Every (method, path) the app serves besides /openapi.json and /static: what the role table must cover."""
    return {
        (method, route.path)
        for router in (_pages.router, _api.router, _ops.router, _policy_pages.router, _reports.router)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
        if method != "HEAD"
    }

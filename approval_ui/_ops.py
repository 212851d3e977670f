"""The ops manager's autonomy dashboard and promotion sign-off: the /autonomy page, its form, and the JSON API.

Reading needs `autonomy.read`; approving or declining a promotion that waits for sign-off needs
`autonomy.signoff` (ops managers and admins). An approval applies the promotion as the signer's move.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from approval_ui._api import AUTH_RESPONSES
from approval_ui._dashboard import DEFAULT_DAYS, SPANS, autonomy_overview, cards
from approval_ui._limits import plain_text
from approval_ui._models import AutonomyOut, ErrorOut, SignOffIn
from approval_ui._pages import error_page, render
from approval_ui._security import Principal
from approval_ui._state import Ui, UiState, access
from core import NotFound
from supervision import MAX_SERIES_DAYS, AutonomyConflict, AutonomyRequestClosed, AutonomyRequestView, KpiSeries

log = structlog.get_logger(__name__)

AutonomyReader = Annotated[Principal, Depends(access("page", "autonomy.read"))]
SignOffPage = Annotated[Principal, Depends(access("page", "autonomy.signoff"))]
AutonomyApiReader = Annotated[Principal, Depends(access("api", "autonomy.read"))]
SignOffApi = Annotated[Principal, Depends(access("api", "autonomy.signoff"))]

SignOffCode = Literal["invalid", "csrf", "not_found", "already_decided", "level_moved"]
LARGEST_ID = 2**31 - 1


class SignOffRefused(Exception):
    """Nothing was signed off; `status` is the HTTP status, `message` says why and what to do."""

    def __init__(self, status: int, code: SignOffCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def sign_off(
    ui: UiState, principal: Principal, request_id: str, decision: str | None, note: str | None
) -> AutonomyRequestView:
    """Approve or decline a pending promotion as `principal`; one path for the form and the API."""
    if decision not in ("approve", "decline"):
        raise SignOffRefused(400, "invalid", "Choose approve or decline.")
    if note is not None and not plain_text(note):
        raise SignOffRefused(400, "invalid", "The note must be plain text (no NUL characters).")
    number = int(request_id) if request_id.isascii() and request_id.isdigit() else 0
    if not 1 <= number <= LARGEST_ID:
        raise SignOffRefused(404, "not_found", "There is no such promotion request.")
    try:
        decided = ui.backend.autonomy.sign_off(
            number, actor=principal.user_id, approve=decision == "approve", note=note
        )
    except NotFound as exc:
        raise SignOffRefused(404, "not_found", "There is no such promotion request.") from exc
    except AutonomyRequestClosed as exc:
        who = f" by {exc.decided_by}" if exc.decided_by else ""
        raise SignOffRefused(
            409, "already_decided", f"This promotion was already {exc.status}{who}; the page now shows where it stands."
        ) from exc
    except AutonomyConflict as exc:
        raise SignOffRefused(
            409,
            "level_moved",
            f"{exc.agent}.{exc.action} moved to {exc.actual} since this promotion was requested, so it no longer "
            "applies and was closed; the ladder asks again when the KPIs call for it.",
        ) from exc
    log.info("ui.autonomy.signed_off", request_id=number, user=principal.user_id, decision=decided.status)
    return decided


# -- page -------------------------------------------------------------------------------------------

router = APIRouter()
"""Pages (left out of the OpenAPI document) and API routes alike; the API's paths start with /api/."""


def _days(text: str | None) -> int:
    chosen = int(text) if text and text.isascii() and text.isdigit() else DEFAULT_DAYS
    return chosen if chosen in dict(SPANS) else DEFAULT_DAYS


def _signed_message(ui: UiState, signed: str | None) -> str | None:
    if not signed or not signed.isascii() or not signed.isdigit() or not 1 <= int(signed) <= LARGEST_ID:
        return None
    try:
        done = ui.backend.autonomy.request(int(signed))
    except NotFound:
        return None
    where = f"{done.agent}.{done.action}"
    if done.status == "approved":
        return f"Promotion approved: {where} moved from {done.from_level} to {done.to_level}."
    if done.status == "declined":
        return f"Promotion declined: {where} stays at {done.from_level}."
    return None


def _dashboard(
    ui: UiState,
    request: Request,
    principal: Principal,
    *,
    days: int,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    notes: dict[int, str] | None = None,
) -> HTMLResponse:
    built = cards(ui.backend, autonomy_overview(ui.backend, days))
    context = {
        "cards": built,
        "days": days,
        "spans": SPANS,
        "message": message,
        "error": error,
        "notes": notes or {},
        "pending": [waiting for card in built for waiting in card.row.pending_requests],
    }
    return render(ui, request, "autonomy.html", context, principal=principal, status_code=status_code)


@router.get("/autonomy", include_in_schema=False)
def autonomy_page(
    request: Request,
    ui: Ui,
    principal: AutonomyReader,
    days: Annotated[str | None, Query(max_length=4)] = None,
    signed: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return _dashboard(ui, request, principal, days=_days(days), message=_signed_message(ui, signed))


@router.post("/autonomy/requests/{request_id}", include_in_schema=False)
def sign_off_form(
    request: Request,
    ui: Ui,
    request_id: str,
    principal: SignOffPage,
    decision: Annotated[str | None, Form(max_length=20)] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
    days: Annotated[str | None, Form(max_length=4)] = None,
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if principal.session is None or not principal.session.csrf_matches(csrf_token):
        return error_page(
            ui, request, principal, 403, "The form had expired; reload the autonomy page and decide again."
        )
    try:
        decided = sign_off(ui, principal, request_id, decision, note)
    except SignOffRefused as exc:
        kept = {int(request_id): note} if request_id.isdigit() and len(request_id) < 10 else {}
        return _dashboard(
            ui, request, principal, days=_days(days), error=exc.message, status_code=exc.status, notes=kept
        )
    target = f"/autonomy?days={_days(days)}&signed={decided.id}#{decided.agent}-{decided.action}"
    return RedirectResponse(target, status_code=303)


# -- API --------------------------------------------------------------------------------------------

Days = Annotated[
    int, Query(ge=1, le=MAX_SERIES_DAYS, description="Span to chart: up to 31 days per day, longer per ISO week.")
]


@router.get(
    "/api/autonomy",
    tags=["api"],
    response_model=list[AutonomyOut],
    responses=AUTH_RESPONSES,
    summary="Every agent action's autonomy level, KPIs, criteria, moves, KPI series and pending promotions",
)
def api_autonomy(ui: Ui, _: AutonomyApiReader, days: Days = DEFAULT_DAYS) -> list[AutonomyOut]:
    return autonomy_overview(ui.backend, days)


@router.get(
    "/api/autonomy/{agent}/{action}/series",
    tags=["api"],
    response_model=KpiSeries,
    responses={**AUTH_RESPONSES, 404: {"model": ErrorOut, "description": "No such agent action on a ladder."}},
    summary="One agent action's KPIs per day or ISO week: volume, agreement, outcomes, backlog, time to decision",
)
def api_series(ui: Ui, agent: str, action: str, _: AutonomyApiReader, days: Days = DEFAULT_DAYS) -> KpiSeries:
    runtime = ui.backend.supervisor.agents.get(agent)
    if runtime is None or action not in runtime.step.policy.actions:
        raise HTTPException(status_code=404, detail=f"no agent action {agent}.{action} on an autonomy ladder")
    return ui.backend.supervisor.kpis.series(agent, action, days=days)


async def _raw_body(request: Request) -> bytes:
    return await request.body()


_SIGN_OFF_BODY = SignOffIn.model_json_schema()


@router.post(
    "/api/autonomy/requests/{request_id}",
    tags=["api"],
    response_model=AutonomyRequestView,
    responses={
        **AUTH_RESPONSES,
        400: {
            "model": ErrorOut,
            "description": "The body is not a decision (approve or decline) with an optional note.",
        },
        403: {"model": ErrorOut, "description": "Not an ops manager or admin, or a session without the CSRF header."},
        404: {"model": ErrorOut, "description": "No such promotion request."},
        409: {"model": ErrorOut, "description": "Already decided, or the action's level moved since the request."},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _SIGN_OFF_BODY}}}},
    summary="Approve (apply) or decline a promotion that waits for sign-off",
)
def api_sign_off(
    ui: Ui,
    request_id: str,
    principal: SignOffApi,
    body: Annotated[bytes, Depends(_raw_body)],
) -> Any:
    try:
        decision = SignOffIn.model_validate_json(body or b"null")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        message = f'send {{"decision": "approve" | "decline", "note": ...}}: {where}: {first["msg"]}'
        return JSONResponse({"detail": message, "code": "invalid"}, 400)
    try:
        return sign_off(ui, principal, request_id, decision.decision, decision.note)
    except SignOffRefused as exc:
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=exc.status)

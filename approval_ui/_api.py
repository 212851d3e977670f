"""The JSON API under /api/: the same reads and decisions as the pages, for tokens (or a session)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from approval_ui._decide import Decision, DecisionRefused, decide
from approval_ui._models import AuditOut, AutonomyOut, DecisionIn, DecisionRefusedOut, ErrorOut, QueuePageOut
from approval_ui._present import BadCursor, autonomy_overview, decode_cursor, encode_cursor
from approval_ui._security import CSRF_HEADER, Principal
from approval_ui._state import Ui, access
from core import NotFound
from customers import Customer360, customer_360
from supervision import QueueItem, QueueStatus

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid bearer token or session."},
    403: {"model": ErrorOut, "description": "The user's roles do not allow this."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such item."}}

router = APIRouter(prefix="/api", tags=["api"], responses=AUTH_RESPONSES)


def _not_found(exc: NotFound) -> HTTPException:
    return HTTPException(status_code=404, detail=str(exc))


@router.get(
    "/queue",
    response_model=QueuePageOut,
    responses={400: {"model": ErrorOut, "description": "The cursor is not one this API wrote."}},
    summary="A page of the queue, newest first, with counts per state",
)
def api_queue(
    ui: Ui,
    _: Annotated[Principal, Depends(access("api", "queue.read"))],
    agent: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=200)] = None,
    status: QueueStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> QueuePageOut:
    try:
        after = decode_cursor(cursor) if cursor else None
    except BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    page = ui.browser.page(agent=agent, action=action, status=status, after=after, limit=limit)
    return QueuePageOut(
        items=page.rows,
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
        counts=ui.browser.counts(agent=agent, action=action),
    )


@router.get("/proposals/{proposal_id}", response_model=QueueItem, responses=NOT_FOUND, summary="One proposal")
def api_proposal(
    ui: Ui, proposal_id: str, _: Annotated[Principal, Depends(access("api", "proposal.read"))]
) -> QueueItem:
    try:
        return ui.backend.queue.get(proposal_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


@router.post(
    "/proposals/{proposal_id}/decision",
    response_model=QueueItem,
    responses={
        400: {"model": DecisionRefusedOut, "description": "A rejection without a reason, or a refused decision."},
        403: {"model": ErrorOut, "description": "Not allowed by the role table or by the policy's authority."},
        404: {"model": DecisionRefusedOut, "description": "No such proposal."},
        409: {"model": DecisionRefusedOut, "description": "Someone else decided first, or the review expired."},
    },
    summary="Approve or reject a pending proposal; a final approval resumes the agent, which executes it",
)
def api_decide(
    request: Request,
    ui: Ui,
    proposal_id: str,
    body: DecisionIn,
    principal: Annotated[Principal, Depends(access("api", "proposal.decide"))],
) -> Any:
    if principal.session is not None and not principal.session.csrf_matches(request.headers.get(CSRF_HEADER)):
        return JSONResponse(
            {"detail": f"a session-authenticated decision needs the {CSRF_HEADER} header", "code": "csrf"}, 403
        )
    try:
        return decide(ui.backend, principal, proposal_id, Decision(verdict=body.verdict, reason=body.reason))
    except DecisionRefused as exc:
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=exc.status)


@router.get("/customers/{customer_id}", response_model=Customer360, responses=NOT_FOUND, summary="A customer's 360")
def api_customer(
    ui: Ui, customer_id: str, _: Annotated[Principal, Depends(access("api", "customer.read"))]
) -> Customer360:
    try:
        return customer_360(ui.backend.customers, customer_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


@router.get("/autonomy", response_model=list[AutonomyOut], summary="Every agent action's autonomy level and KPIs")
def api_autonomy(ui: Ui, _: Annotated[Principal, Depends(access("api", "autonomy.read"))]) -> list[AutonomyOut]:
    return autonomy_overview(ui.backend)


@router.get("/audit", response_model=AuditOut, summary="Audit entries (newest last) and the chain's verification")
def api_audit(
    ui: Ui,
    _: Annotated[Principal, Depends(access("api", "audit.read"))],
    subject: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditOut:
    entries = ui.backend.audit.entries(subject=subject)
    return AuditOut(entries=entries[-limit:], verification=ui.backend.audit.verify())

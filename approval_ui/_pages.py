"""The HTML pages: login, the queue, a proposal with its decision form, a customer, autonomy, audit.

Everything works without JavaScript: plain links and forms, each form with its CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agents import Proposal
from approval_ui._decide import Decision, DecisionRefused, WebVerdict, decide
from approval_ui._present import (
    STATUSES,
    BadCursor,
    autonomy_overview,
    customer_or_none,
    decode_cursor,
    encode_cursor,
)
from approval_ui._security import CSRF_FIELD, Principal, Session, client_address, safe_next
from approval_ui._state import Ui, UiState, access, session_principal
from core import NotFound
from supervision import QueueItem, QueueStatus

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)

QueueReader = Annotated[Principal, Depends(access("page", "queue.read"))]
ProposalReader = Annotated[Principal, Depends(access("page", "proposal.read"))]
Decider = Annotated[Principal, Depends(access("page", "proposal.decide"))]
CustomerReader = Annotated[Principal, Depends(access("page", "customer.read"))]
AutonomyReader = Annotated[Principal, Depends(access("page", "autonomy.read"))]
AuditReader = Annotated[Principal, Depends(access("page", "audit.read"))]


def render(
    ui: UiState,
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    principal: Principal | None = None,
    session: Session | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session = session or (principal.session if principal else None)
    return ui.templates.TemplateResponse(
        request,
        template,
        {"user": principal, "csrf_token": session.csrf if session else "", "csrf_field": CSRF_FIELD, **context},
        status_code=status_code,
    )


def error_page(ui: UiState, request: Request, principal: Principal | None, status: int, message: str) -> HTMLResponse:
    return render(
        ui, request, "error.html", {"status": status, "message": message}, principal=principal, status_code=status
    )


# -- login ----------------------------------------------------------------------------------------


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login")
def login_form(request: Request, ui: Ui, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    session = ui.sessions.read(request)
    if session_principal(ui, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    session = session if session is not None and session.user_id is None else Session.fresh()
    response = render(ui, request, "login.html", {"next": safe_next(next), "error": None}, session=session)
    ui.sessions.write(request, response, session)
    return response


@router.post("/login")
def login(
    request: Request,
    ui: Ui,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    session = ui.sessions.read(request)
    target = safe_next(next)

    def again(message: str, status: int) -> HTMLResponse:
        fresh = Session.fresh()
        response = render(
            ui,
            request,
            "login.html",
            {"next": target, "error": message, "username": username},
            session=fresh,
            status_code=status,
        )
        ui.sessions.write(request, response, fresh)
        return response

    if session is None or not session.csrf_matches(csrf_token):
        return again("The form had expired. Please log in again.", 403)
    address = client_address(request)
    wait = ui.throttle.retry_after(username, address)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        log.warning("ui.login.throttled")
        refused = again(f"Too many failed attempts. Try again in about {minutes} minute(s).", 429)
        refused.headers["Retry-After"] = str(max(1, int(wait.total_seconds())))
        return refused
    reviewer = ui.backend.users.verify_password(username.strip(), password)
    if reviewer is None:
        ui.throttle.failed(username, address)
        log.info("ui.login.failed")
        return again("Wrong user name or password.", 401)
    ui.throttle.succeeded(username, address)
    log.info("ui.login.succeeded", user=reviewer.id)
    response = RedirectResponse(target, status_code=303)
    ui.sessions.write(request, response, Session.fresh(reviewer.id))  # a new token: no session fixation
    return response


@router.post("/logout")
def logout(request: Request, ui: Ui, csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    session = ui.sessions.read(request)
    if session is None or not session.csrf_matches(csrf_token):
        return error_page(ui, request, None, 403, "The form had expired; reload the page and log out again.")
    response = RedirectResponse("/login", status_code=303)
    ui.sessions.clear(request, response)
    return response


# -- queue and proposals --------------------------------------------------------------------------


@router.get("/queue")
def queue_page(
    request: Request,
    ui: Ui,
    principal: QueueReader,
    agent: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=20)] = "pending",
    after: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:
    agent, action = agent or None, action or None
    chosen: QueueStatus | None = next((s for s in STATUSES if s == status), None)
    try:
        position = decode_cursor(after) if after else None
    except BadCursor:
        return error_page(ui, request, principal, 400, "That page link is broken; start again from the queue.")
    page = ui.browser.page(agent=agent, action=action, status=chosen, after=position, limit=ui.options.page_size)
    filters = {"agent": agent or "", "action": action or "", "status": chosen or ""}
    next_query = None
    if page.next_after is not None:
        next_query = {**filters, "after": encode_cursor(page.next_after)}
    pairs = ui.browser.agent_actions()
    return render(
        ui,
        request,
        "queue.html",
        {
            "rows": page.rows,
            "counts": ui.browser.counts(agent=agent, action=action),
            "statuses": STATUSES,
            "agents": sorted({a for a, _ in pairs}),
            "actions": sorted({b for _, b in pairs}),
            "filters": filters,
            "next_query": next_query,
            "now": ui.backend.clock.now(),
        },
        principal=principal,
    )


def _proposal_context(ui: UiState, item: QueueItem) -> dict[str, Any]:
    try:
        proposal: Proposal | None = Proposal.model_validate(item.proposal)
    except ValueError:
        proposal = None  # redacted (the customer's data was erased) or from an agent with another shape
    return {
        "item": item,
        "proposal": proposal,
        "customer": customer_or_none(ui.backend, item.customer_id),
        "now": ui.backend.clock.now(),
    }


def _proposal_page(
    ui: UiState,
    request: Request,
    principal: Principal,
    proposal_id: str,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    reason: str = "",
) -> HTMLResponse:
    try:
        item = ui.backend.queue.get(proposal_id)
    except NotFound:
        return error_page(ui, request, principal, 404, "There is no such proposal.")
    context = _proposal_context(ui, item) | {"message": message, "error": error, "reason": reason}
    return render(ui, request, "proposal.html", context, principal=principal, status_code=status_code)


DONE_MESSAGES = {
    "approve": "Approved. The agent has resumed with your decision.",
    "reject": "Rejected. The agent has recorded your reason.",
}


@router.get("/proposals/{proposal_id}")
def proposal_page(
    request: Request,
    ui: Ui,
    proposal_id: str,
    principal: ProposalReader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return _proposal_page(ui, request, principal, proposal_id, message=DONE_MESSAGES.get(done or ""))


@router.post("/proposals/{proposal_id}/decision")
def decide_form(
    request: Request,
    ui: Ui,
    proposal_id: str,
    principal: Decider,
    verdict: Annotated[str | None, Form(max_length=20)] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if principal.session is None or not principal.session.csrf_matches(csrf_token):
        return error_page(ui, request, principal, 403, "The form had expired; reload the proposal and decide again.")
    chosen: WebVerdict
    if verdict == "approve":
        chosen = "approve"
    elif verdict == "reject":
        chosen = "reject"
    else:
        return _proposal_page(
            ui, request, principal, proposal_id, error="Choose approve or reject.", status_code=400, reason=reason
        )
    try:
        decide(ui.backend, principal, proposal_id, Decision(verdict=chosen, reason=reason))
    except DecisionRefused as exc:
        return _proposal_page(
            ui, request, principal, proposal_id, error=exc.message, status_code=exc.status, reason=reason
        )
    return RedirectResponse(f"/proposals/{proposal_id}?done={chosen}", status_code=303)


# -- customers, autonomy, audit -------------------------------------------------------------------


@router.get("/customers/{customer_id}")
def customer_page(request: Request, ui: Ui, customer_id: str, principal: CustomerReader) -> HTMLResponse:
    customer = customer_or_none(ui.backend, customer_id)
    if customer is None:
        return error_page(ui, request, principal, 404, "There is no such customer.")
    ids = [customer.customer_id, *customer.merged_from]
    proposals = ui.backend.queue.list(customer_ids=ids, limit=50)
    return render(ui, request, "customer.html", {"customer": customer, "proposals": proposals}, principal=principal)


@router.get("/autonomy")
def autonomy_page(request: Request, ui: Ui, principal: AutonomyReader) -> HTMLResponse:
    return render(ui, request, "autonomy.html", {"rows": autonomy_overview(ui.backend)}, principal=principal)


@router.get("/audit")
def audit_page(
    request: Request,
    ui: Ui,
    principal: AuditReader,
    subject: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    entries = ui.backend.audit.entries(subject=subject or None)[-200:]
    return render(
        ui,
        request,
        "audit.html",
        {"entries": list(reversed(entries)), "verification": ui.backend.audit.verify(), "subject": subject or ""},
        principal=principal,
    )

"""The HTML pages: login, the queue, a proposal with its decision form, a customer, autonomy, audit.

Everything works without JavaScript: plain links and forms, each form with its CSRF token.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agents import Proposal
from approval_ui._decide import Decision, DecisionRefused, WebVerdict, decide, propose_again
from approval_ui._edit import BadEditForm, can_request_information, changed_arguments, edit_fields
from approval_ui._present import (
    DUE_CHOICES,
    PRIORITIES,
    SORT_CHOICES,
    STATUSES,
    BadCursor,
    customer_or_none,
    decode_cursor,
    encode_cursor,
    is_seq,
    time_to_due,
    utc_or_none,
)
from approval_ui._security import CSRF_FIELD, Principal, Session, safe_next
from approval_ui._similar import similar_cases
from approval_ui._state import Ui, UiState, access, session_principal
from core import NotFound
from supervision import DecisionHistory, QueueItem, QueuePriority, QueueSort, QueueStatus, SlaDue, SubjectMatch

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)

QueueReader = Annotated[Principal, Depends(access("page", "queue.read"))]
ProposalReader = Annotated[Principal, Depends(access("page", "proposal.read"))]
Decider = Annotated[Principal, Depends(access("page", "proposal.decide"))]
CustomerReader = Annotated[Principal, Depends(access("page", "customer.read"))]
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
    session = session if session is not None and session.token is None else Session.fresh()
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
    attempt = ui.throttle.attempt(request, username)
    if attempt.wait is not None:
        seconds = math.ceil(attempt.wait.total_seconds())
        when = f"{seconds} second(s)" if seconds < 60 else f"about {round(seconds / 60)} minute(s)"
        log.warning("ui.login.throttled")
        refused = again(f"Too many failed attempts. Try again in {when}.", 429)
        refused.headers["Retry-After"] = str(seconds)
        return refused
    reviewer = ui.backend.users.verify_password(username.strip(), password)
    if reviewer is None:
        ui.throttle.failed(attempt)
        log.info("ui.login.failed")
        return again("Wrong user name or password.", 401)
    log.info("ui.login.succeeded", user=reviewer.id)
    response = RedirectResponse(target, status_code=303)
    ui.throttle.succeeded(attempt, request, response)
    if session.token is not None:
        ui.logins.end(session.token)  # logging in again replaces the browser's session
    # A new server-side session and CSRF token: no session fixation, and logout can end it.
    ui.sessions.write(request, response, Session.fresh(ui.logins.start(reviewer.id)))
    return response


@router.post("/logout")
def logout(request: Request, ui: Ui, csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    session = ui.sessions.read(request)
    if session is None or not session.csrf_matches(csrf_token):
        return error_page(ui, request, None, 403, "The form had expired; reload the page and log out again.")
    if session.token is not None:
        ui.logins.end(session.token)  # the cookie alone no longer opens anything, even if it was copied
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
    priority: Annotated[str | None, Query(max_length=20)] = None,
    due: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    after: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:
    agent, action = agent or None, action or None
    chosen: QueueStatus | None = next((s for s in STATUSES if s == status), None)
    chosen_priority: QueuePriority | None = next((p for p in PRIORITIES if p == priority), None)
    chosen_due: SlaDue | None = next((d for d, _ in DUE_CHOICES if d == due), None)
    chosen_sort: QueueSort = next((o for o, _ in SORT_CHOICES if o == sort), "newest")
    try:
        position = decode_cursor(after, chosen_sort) if after else None
    except BadCursor:
        return error_page(ui, request, principal, 400, "That page link is broken; start again from the queue.")
    page = ui.browser.page(
        agent=agent,
        action=action,
        status=chosen,
        priority=chosen_priority,
        due=chosen_due,
        sort=chosen_sort,
        after=position,
        limit=ui.options.page_size,
    )
    filters = {
        "agent": agent or "",
        "action": action or "",
        "status": chosen or "",
        "priority": chosen_priority or "",
        "due": chosen_due or "",
        "sort": chosen_sort,
    }
    next_query = None
    if page.next_after is not None:
        next_query = {**filters, "after": encode_cursor(page.next_after)}
    pairs = ui.browser.agent_actions()
    now = ui.backend.clock.now()
    return render(
        ui,
        request,
        "queue.html",
        {
            "rows": page.rows,
            "due_in": {row.id: time_to_due(row.expires_at, now) for row in page.rows},
            "counts": ui.browser.counts(agent=agent, action=action, priority=chosen_priority, due=chosen_due),
            "statuses": STATUSES,
            "priorities": PRIORITIES,
            "due_choices": DUE_CHOICES,
            "sort_choices": SORT_CHOICES,
            "agents": sorted({a for a, _ in pairs}),
            "actions": sorted({b for _, b in pairs}),
            "filters": filters,
            "next_query": next_query,
            "now": now,
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
        "due_in": time_to_due(item.expires_at, ui.backend.clock.now()),
        "edit_fields": edit_fields(ui.backend, item),
        "similar": similar_cases(item, DecisionHistory(ui.backend.engine).settled(item.agent, item.action)),
        "can_request_information": can_request_information(ui.backend, item),
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
    "first_approval": (
        "Your approval is recorded. This proposal needs two approvals (four eyes): it is waiting for a second "
        "reviewer, and the agent resumes once someone else approves it too."
    ),
    "reject": "Rejected. The agent has recorded your reason.",
    "edit": "Your changed action was gated again and recorded; it runs once it has the approvals it needs.",
    "request_information": "Information requested: the applicant is asked for what you listed.",
    "again": "The agent proposed afresh on today's data, in place of the proposal that failed.",
}
WEB_VERDICTS: tuple[WebVerdict, ...] = ("approve", "reject", "edit", "request_information")


async def form_fields(request: Request) -> dict[str, str]:
    """Every text field of the posted form (the edit form's inputs are named by the action's arguments)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


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
    form: Annotated[dict[str, str], Depends(form_fields)],
    verdict: Annotated[str | None, Form(max_length=20)] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
    items: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if principal.session is None or not principal.session.csrf_matches(csrf_token):
        return error_page(ui, request, principal, 403, "The form had expired; reload the proposal and decide again.")
    chosen = next((v for v in WEB_VERDICTS if v == verdict), None)
    if chosen is None:
        return _proposal_page(
            ui,
            request,
            principal,
            proposal_id,
            error="Choose approve, reject, approve with changes, or request information.",
            status_code=400,
            reason=reason,
        )
    arguments = None
    if chosen == "edit":
        try:
            arguments = changed_arguments(edit_fields(ui.backend, ui.backend.queue.get(proposal_id)), form)
        except NotFound:
            return error_page(ui, request, principal, 404, "There is no such proposal.")
        except BadEditForm as exc:
            return _proposal_page(ui, request, principal, proposal_id, error=str(exc), status_code=400, reason=reason)
    decision = Decision(verdict=chosen, reason=reason, arguments=arguments, items=tuple(items.splitlines()))
    try:
        decided = decide(ui.backend, principal, proposal_id, decision)
    except DecisionRefused as exc:
        return _proposal_page(
            ui, request, principal, proposal_id, error=exc.message, status_code=exc.status, reason=reason
        )
    done = "first_approval" if chosen == "approve" and decided.status == "pending" else chosen
    return RedirectResponse(f"/proposals/{proposal_id}?done={done}", status_code=303)


@router.post("/proposals/{proposal_id}/again")
def propose_again_form(
    request: Request,
    ui: Ui,
    proposal_id: str,
    principal: Decider,
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if principal.session is None or not principal.session.csrf_matches(csrf_token):
        return error_page(ui, request, principal, 403, "The form had expired; reload the proposal and try again.")
    try:
        fresh = propose_again(ui.backend, principal, proposal_id)
    except DecisionRefused as exc:
        return _proposal_page(ui, request, principal, proposal_id, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/proposals/{fresh.id}?done=again", status_code=303)


# -- customers, autonomy, audit -------------------------------------------------------------------


@router.get("/customers/{customer_id}")
def customer_page(request: Request, ui: Ui, customer_id: str, principal: CustomerReader) -> HTMLResponse:
    customer = customer_or_none(ui.backend, customer_id)
    if customer is None:
        return error_page(ui, request, principal, 404, "There is no such customer.")
    ids = [customer.customer_id, *customer.merged_from]
    proposals = ui.backend.queue.list(customer_ids=ids, limit=50)
    return render(ui, request, "customer.html", {"customer": customer, "proposals": proposals}, principal=principal)


@router.get("/audit")
def audit_page(
    request: Request,
    ui: Ui,
    principal: AuditReader,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    match: Annotated[str | None, Query(max_length=20)] = None,
    since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    before: Annotated[str | None, Query(max_length=20)] = None,
    after: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The audit search, a page at a time (newest first), under the chain's verification status.

    The status comes from `AuditLog.chain_status`: re-walking the whole chain on every view is O(n)
    (2.5 s with 100,000 entries), so the page shows the last full walk (at most ten minutes old), with its
    time, extended by a check of every entry appended since (under a millisecond).
    """
    subject_match: SubjectMatch = "prefix" if match == "prefix" else "exact"
    form = {
        "kind": kind or "",
        "actor": actor or "",
        "subject": subject or "",
        "match": subject_match,
        "from": since or "",
        "to": until or "",
    }
    problems = []
    window: dict[str, datetime | None] = {}
    for name, value in (("from", since), ("to", until)):
        try:
            window[name] = utc_or_none(datetime.fromisoformat(value)) if value else None
        except ValueError:
            problems.append(f"“{name}” is not a date and time (use YYYY-MM-DD HH:MM, UTC).")
    seqs: dict[str, int | None] = {}
    for name, value in (("before", before), ("after", after)):
        seqs[name] = int(value) if value and value.isdecimal() and is_seq(int(value)) else None
        if value and seqs[name] is None:
            problems.append("That page link is broken; search again.")
    page = None
    if not problems:
        page = ui.backend.audit.search(
            kind=kind or None,
            actor=actor or None,
            subject=subject or None,
            subject_match=subject_match,
            since=window["from"],
            until=window["to"],
            before_seq=seqs["before"],
            after_seq=seqs["after"],
            limit=ui.options.page_size,
        )
    return render(
        ui,
        request,
        "audit.html",
        {
            "page": page,
            "problems": problems,
            "form": form,
            "older_query": {**form, "before": page.older_than} if page and page.older_than else None,
            "newer_query": {**form, "after": page.newer_than} if page and page.newer_than else None,
            "chain": ui.backend.audit.chain_status(),
        },
        principal=principal,
        status_code=400 if problems else 200,
    )

"""The HTML pages: login, the queue, a proposal with its decision form, a customer, autonomy, audit.

Everything works without JavaScript: plain links and forms, each form with its CSRF token.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agents import Proposal
from approval_ui._decide import Decision, DecisionRefused, decide, propose_again
from approval_ui._edit import action_title, edit_form, edit_from_form, headline_figures, replacement_forms, row_headline
from approval_ui._escalation import ESCALATION_CHOICES, EscalationChoice, EscalationScope, escalated_to_you
from approval_ui._forms import BadForm, posted_inputs
from approval_ui._limits import plain_text
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
from policies import REVIEW_VERDICTS
from supervision import (
    DecisionHistory,
    QueueItem,
    QueuePage,
    QueuePriority,
    QueueSort,
    QueueStatus,
    SlaDue,
    SubjectMatch,
)

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
    customer: Annotated[str | None, Query(max_length=200)] = None,
    escalated: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    agent, action, customer = agent or None, action or None, (customer or "").strip() or None
    if customer is not None and not plain_text(customer):
        return error_page(ui, request, principal, 400, "A customer id is plain text (no NUL character).")
    chosen: QueueStatus | None = next((s for s in STATUSES if s == status), None)
    chosen_priority: QueuePriority | None = next((p for p in PRIORITIES if p == priority), None)
    chosen_due: SlaDue | None = next((d for d, _ in DUE_CHOICES if d == due), None)
    chosen_sort: QueueSort = next((o for o, _ in SORT_CHOICES if o == sort), "newest")
    chosen_escalation: EscalationChoice | None = next((e for e, _ in ESCALATION_CHOICES if e == escalated), None)
    scope = EscalationScope.of(chosen_escalation, principal.reviewer)
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
        customer=customer,
        sort=chosen_sort,
        after=position,
        limit=ui.options.page_size,
        escalated=scope.escalated,
        escalated_to=scope.escalated_to,
    )
    # The reviews escalated to the viewer's roles come first, above the first page (`_escalation.py`).
    mine = QueuePage(rows=[], next_after=None)
    if position is None and chosen_escalation is None:
        mine = escalated_to_you(ui.browser, principal.reviewer, agent=agent, action=action)
    filters = {
        "agent": agent or "",
        "action": action or "",
        "status": chosen or "",
        "priority": chosen_priority or "",
        "due": chosen_due or "",
        "customer": customer or "",
        "escalated": chosen_escalation or "",
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
            "escalated_rows": mine.rows,
            "escalated_more": mine.next_after is not None,
            "escalation_choices": ESCALATION_CHOICES,
            "due_in": {row.id: time_to_due(row.expires_at, now) for row in [*mine.rows, *page.rows]},
            "headline": {
                row.id: row_headline(ui.backend, row.agent, row.action, row.arguments)
                for row in [*mine.rows, *page.rows]
            },
            "counts": ui.browser.counts(
                agent=agent,
                action=action,
                priority=chosen_priority,
                due=chosen_due,
                customer=customer,
                escalated=scope.escalated,
                escalated_to=scope.escalated_to,
            ),
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


def _proposal_context(
    ui: UiState, item: QueueItem, posted: Mapping[str, str] | None = None, chosen: str | None = None
) -> dict[str, Any]:
    """What the proposal page shows; `posted` (a refused edit's inputs) refills the form of `chosen` (the
    replacement action, or "" for the edit of the action that runs), which is shown open."""
    try:
        proposal: Proposal | None = Proposal.model_validate(item.proposal)
    except ValueError:
        proposal = None  # redacted (the customer's data was erased) or from an agent with another shape
    backend = ui.backend
    return {
        "item": item,
        "proposal": proposal,
        "customer": customer_or_none(backend, item.customer_id),
        "now": backend.clock.now(),
        "due_in": time_to_due(item.expires_at, backend.clock.now()),
        "title": action_title(backend, item.agent, item.action),
        "runs_title": action_title(backend, item.agent, item.runs),
        "figures": headline_figures(backend, item),
        "edit_form": edit_form(backend, item, posted if chosen == "" else None),
        "replacement_forms": replacement_forms(backend, item, posted, chosen),
        "open_form": chosen,
        "similar": similar_cases(item, DecisionHistory(backend.engine).settled(item.agent, item.action)),
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
    posted: Mapping[str, str] | None = None,
    chosen: str | None = None,
) -> HTMLResponse:
    try:
        item = ui.backend.queue.get(proposal_id)
    except NotFound:
        return error_page(ui, request, principal, 404, "There is no such proposal.")
    context = _proposal_context(ui, item, posted, chosen) | {"message": message, "error": error, "reason": reason}
    return render(ui, request, "proposal.html", context, principal=principal, status_code=status_code)


DONE_MESSAGES = {
    "approve": "Approved. The agent has resumed with your decision.",
    "first_approval": (
        "Your approval is recorded. This proposal needs two approvals (four eyes): it is waiting for a second "
        "reviewer, and the agent resumes once someone else approves it too."
    ),
    "reject": "Rejected. The agent has recorded your reason.",
    "edit": "Your changed action was gated again and recorded; it runs once it has the approvals it needs.",
    "replace": "Your replacement action was gated again and recorded; it runs once it has the approvals it needs.",
    "again": "The agent proposed afresh on today's data, in place of the proposal that failed.",
}


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
    edited_action: Annotated[str | None, Form(max_length=100)] = None,
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if principal.session is None or not principal.session.csrf_matches(csrf_token):
        return error_page(ui, request, principal, 403, "The form had expired; reload the proposal and decide again.")
    chosen = next((v for v in REVIEW_VERDICTS if v == verdict), None)
    if chosen is None:
        return _proposal_page(
            ui,
            request,
            principal,
            proposal_id,
            error="Choose approve, reject, approve with changes, or replace with another action.",
            status_code=400,
            reason=reason,
        )
    decision = Decision(verdict=chosen, reason=reason)
    shown_again: dict[str, Any] = {}
    if chosen == "edit":
        try:
            item = ui.backend.queue.get(proposal_id)
        except NotFound:
            return error_page(ui, request, principal, 404, "There is no such proposal.")
        replacing = edited_action or None
        shown_again = {"posted": posted_inputs(form), "chosen": "" if replacing in (None, item.runs) else replacing}
        try:
            edit = edit_from_form(ui.backend, item, form, replacing)
        except BadForm as exc:
            return _proposal_page(
                ui, request, principal, proposal_id, error=str(exc), status_code=422, reason=reason, **shown_again
            )
        decision = Decision(verdict="edit", reason=reason, arguments=edit.arguments, edited_action=edit.action)
    try:
        decided = decide(ui.backend, principal, proposal_id, decision)
    except DecisionRefused as exc:
        return _proposal_page(
            ui, request, principal, proposal_id, error=exc.message, status_code=exc.status, reason=reason, **shown_again
        )
    done: str = "first_approval" if chosen == "approve" and decided.status == "pending" else chosen
    if decision.edited_action is not None:
        done = "replace"
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

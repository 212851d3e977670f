"""The JSON API under /api/: the same reads and decisions as the pages, for tokens (or a session)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from approval_ui._decide import DecisionRefused, decide, propose_again
from approval_ui._escalation import EscalationChoice, EscalationScope, escalated_to_you
from approval_ui._models import AuditOut, DecisionIn, DecisionRefusedOut, ErrorOut, QueuePageOut
from approval_ui._present import (
    BadCursor,
    decode_audit_cursor,
    decode_cursor,
    encode_audit_cursor,
    encode_cursor,
    utc_or_none,
)
from approval_ui._security import Principal
from approval_ui._state import Ui, access
from core import NotFound
from customers import Customer360, customer_360
from supervision import QueueItem, QueuePriority, QueueSort, QueueStatus, SlaDue, SubjectMatch

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid bearer token or session."},
    403: {
        "model": ErrorOut,
        "description": "The user's roles do not allow this (`forbidden`), or a session-authenticated change came "
        "without its CSRF token in X-CSRF-Token (`csrf`).",
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such item."}}

router = APIRouter(prefix="/api", tags=["api"], responses=AUTH_RESPONSES)


def _not_found(exc: NotFound) -> HTTPException:
    return HTTPException(status_code=404, detail=str(exc))


BAD_CURSOR: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The cursor is not one this API wrote for this sort (or these pages)."}
}


@router.get(
    "/queue",
    response_model=QueuePageOut,
    responses=BAD_CURSOR,
    summary="A page of the queue, filtered and sorted, with counts per state",
)
def api_queue(
    ui: Ui,
    principal: Annotated[Principal, Depends(access("api", "queue.read"))],
    agent: Annotated[str | None, Query(max_length=200, description="Only this agent's proposals.")] = None,
    action: Annotated[str | None, Query(max_length=200, description="Only proposals of this action.")] = None,
    status: Annotated[QueueStatus | None, Query(description="Only proposals in this state (all if omitted).")] = None,
    priority: Annotated[
        QueuePriority | None,
        Query(description="`high`: a hard limit or rule forced the review, or it needs four eyes; else `normal`."),
    ] = None,
    due: Annotated[
        SlaDue | None,
        Query(
            description="SLA due time (`expires_at`) against the server's clock: `overdue` (past), `within_4h` "
            "or `within_24h` (not yet past)."
        ),
    ] = None,
    sort: Annotated[
        QueueSort,
        Query(description="`newest` first (by creation), or `due` soonest (those without a deadline last)."),
    ] = "newest",
    cursor: Annotated[
        str | None,
        Query(max_length=1000, description="`next_cursor` of the previous page, fetched with the same `sort`."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    escalated: Annotated[
        EscalationChoice | None,
        Query(
            description="`mine`: only reviews escalated to one of your roles; `any`: only escalated reviews; "
            "`none`: only those never escalated. A review escalates when its policy says so and it waited past "
            "its deadline."
        ),
    ] = None,
    customer: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[^\x00]*$",
            description="Only proposals that name this customer id, as their customer or anywhere in their "
            "arguments (the subjects their agent declared); empty for all.",
        ),
    ] = None,
) -> QueuePageOut:
    try:
        after = decode_cursor(cursor, sort) if cursor else None
    except BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    customer = customer or None
    scope = EscalationScope.of(escalated, principal.reviewer)
    page = ui.browser.page(
        agent=agent,
        action=action,
        status=status,
        priority=priority,
        due=due,
        customer=customer,
        sort=sort,
        after=after,
        limit=limit,
        escalated=scope.escalated,
        escalated_to=scope.escalated_to,
    )
    first = after is None and escalated is None
    return QueuePageOut(
        items=page.rows,
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
        counts=ui.browser.counts(
            agent=agent,
            action=action,
            priority=priority,
            due=due,
            customer=customer,
            escalated=scope.escalated,
            escalated_to=scope.escalated_to,
        ),
        escalated_to_you=escalated_to_you(ui.browser, principal.reviewer, agent=agent, action=action).rows
        if first
        else [],
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
        400: {
            "model": DecisionRefusedOut,
            "description": "A rejection without a reason, an edit that cannot be applied, or a refused decision.",
        },
        403: {"model": ErrorOut, "description": "Not allowed by the role table or by the policy's authority."},
        404: {"model": DecisionRefusedOut, "description": "No such proposal."},
        409: {"model": DecisionRefusedOut, "description": "Someone else decided first, or the review expired."},
    },
    summary=(
        "Approve, reject, or edit (changed arguments or another action of the agent, re-gated) a pending "
        "proposal; a final approval resumes the agent, which executes it"
    ),
)
def api_decide(
    ui: Ui,
    proposal_id: str,
    body: DecisionIn,
    principal: Annotated[Principal, Depends(access("api", "proposal.decide"))],
) -> Any:
    try:
        return decide(ui.backend, principal, proposal_id, body.decision())
    except DecisionRefused as exc:
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=exc.status)


@router.post(
    "/proposals/{proposal_id}/again",
    response_model=QueueItem,
    responses={
        400: {"model": DecisionRefusedOut, "description": "The agent could not propose again (the data changed)."},
        403: {"model": ErrorOut, "description": "Not allowed by the role table."},
        404: {"model": DecisionRefusedOut, "description": "No such proposal."},
        409: {"model": DecisionRefusedOut, "description": "The proposal did not fail, or its run is no longer kept."},
    },
    summary=(
        "Have the agent propose afresh in place of a proposal whose execution failed; returns the new proposal "
        "(asking twice returns the same one)"
    ),
)
def api_propose_again(
    ui: Ui,
    proposal_id: str,
    principal: Annotated[Principal, Depends(access("api", "proposal.decide"))],
) -> Any:
    try:
        return propose_again(ui.backend, principal, proposal_id)
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


def _iso_time(value: object) -> object:
    """ISO 8601 text only (pydantic alone would also read a bare number as seconds since 1970), in UTC."""
    return utc_or_none(datetime.fromisoformat(value)) if isinstance(value, str) else value


IsoTime = Annotated[datetime, BeforeValidator(_iso_time)]


@router.get(
    "/audit",
    response_model=AuditOut,
    responses=BAD_CURSOR,
    summary="Search the audit log (a page at a time, newest first) with the chain's verification",
)
def api_audit(
    ui: Ui,
    _: Annotated[Principal, Depends(access("api", "audit.read"))],
    kind: Annotated[str | None, Query(max_length=100, description="Only entries of this kind.")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Only entries by this actor.")] = None,
    subject: Annotated[
        str | None, Query(max_length=200, description="Only entries about this subject (see `subject_match`).")
    ] = None,
    subject_match: Annotated[
        SubjectMatch, Query(description="`exact` id, or `prefix` (`credit/` finds every credit agent action).")
    ] = "exact",
    since: Annotated[
        IsoTime | None, Query(alias="from", description="Entries at or after this time (UTC without an offset).")
    ] = None,
    until: Annotated[
        IsoTime | None, Query(alias="to", description="Entries before this time (UTC without an offset).")
    ] = None,
    cursor: Annotated[
        str | None,
        Query(max_length=1000, description="`next_cursor` (older) or `previous_cursor` (newer) of a page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
) -> AuditOut:
    before_seq = after_seq = None
    if cursor:
        try:
            direction, seq = decode_audit_cursor(cursor)
        except BadCursor as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        before_seq, after_seq = (seq, None) if direction == "older" else (None, seq)
    page = ui.backend.audit.search(
        kind=kind,
        actor=actor,
        subject=subject,
        subject_match=subject_match,
        since=since,
        until=until,
        before_seq=before_seq,
        after_seq=after_seq,
        limit=limit,
    )
    chain = ui.backend.audit.chain_status()
    return AuditOut(
        entries=list(reversed(page.entries)),
        next_cursor=None if page.older_than is None else encode_audit_cursor("older", page.older_than),
        previous_cursor=None if page.newer_than is None else encode_audit_cursor("newer", page.newer_than),
        verification=chain.verification,
        walked_at=chain.walked_at,
        checked_at=chain.checked_at,
    )

"""The policy editor: read an agent's policy and its versions, preview a change on recent history, save it.

Pages work without JavaScript: one form holds the YAML, with a "Preview what-if" button (no reason
needed) and a "Save" button (a reason is required); both post the CSRF token. The JSON API offers the
same under /api/policies. A save names the version it was based on, so a manager who edited an old
version is told that someone saved first instead of silently undoing their change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from approval_ui._api import AUTH_RESPONSES, NOT_FOUND
from approval_ui._models import ErrorOut
from approval_ui._pages import error_page, render
from approval_ui._policy_models import PolicyChangeIn, PolicyOut, PolicyRefusedOut, PolicyTextIn
from approval_ui._security import Principal
from approval_ui._state import Ui, UiState, access
from core import NotFound
from policies import PolicyFileError, WhatIfBudgetExceeded, WhatIfReport
from supervision import PolicyChangeRefused, PolicyConflict, PolicyVersion, PolicyVersionInfo

log = structlog.get_logger(__name__)

PolicyReader = Annotated[Principal, Depends(access("page", "policy.read"))]
PolicyWriter = Annotated[Principal, Depends(access("page", "policy.write"))]
ApiPolicyReader = Annotated[Principal, Depends(access("api", "policy.read"))]
ApiPolicyWriter = Annotated[Principal, Depends(access("api", "policy.write"))]

router = APIRouter()
"""Pages (left out of the OpenAPI document) and API routes in one router: `app_routes` lists its routes."""

TAGS: list[str | Enum] = ["policies"]
INVALID: dict[int | str, dict[str, Any]] = {
    400: {
        "model": PolicyRefusedOut,
        "description": "The policy does not validate, or a condition is over a size or cost limit (`line` says where).",
    }
}
OVER_BUDGET: dict[int | str, dict[str, Any]] = {
    422: {
        "description": (
            "A body that does not validate (FastAPI's list of problems), or a replay that ran out of its time "
            "budget (`code`: `what_if_budget`); nothing is saved either way."
        ),
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/HTTPValidationError"},
                        {"$ref": "#/components/schemas/PolicyRefusedOut"},
                    ]
                }
            }
        },
    }
}


# -- pages ----------------------------------------------------------------------------------------


@router.get("/policies", include_in_schema=False)
def policies_page(request: Request, ui: Ui, principal: PolicyReader) -> HTMLResponse:
    store = ui.backend.policy_store
    rows = [store.latest(agent) for agent in store.agents()]
    return render(ui, request, "policies.html", {"rows": rows}, principal=principal)


@dataclass(frozen=True)
class Edited:
    """What the manager posted, shown again as they left it when a preview or save comes back."""

    text: str
    expected_version: int | None
    reason: str


def _editor(
    ui: UiState,
    request: Request,
    principal: Principal,
    agent: str,
    edited: Edited | None = None,
    *,
    shown: PolicyVersion | None = None,
    report: WhatIfReport | None = None,
    error: str | None = None,
    error_line: int | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    store = ui.backend.policy_store
    try:
        latest = store.latest(agent)
    except NotFound:
        return error_page(ui, request, principal, 404, "No agent has that name.")
    shown = shown or latest
    context = {
        "agent": agent,
        "latest": latest,
        "shown": shown,
        "text": shown.text if edited is None else edited.text,
        "expected_version": latest.version
        if edited is None or edited.expected_version is None
        else edited.expected_version,
        "history": store.history(agent),
        "reason": "" if edited is None else edited.reason,
        "report": report,
        "error": error,
        "error_line": error_line,
        "message": message,
    }
    return render(ui, request, "policy.html", context, principal=principal, status_code=status_code)


@router.get("/policies/{agent}", include_in_schema=False)
def policy_page(
    request: Request,
    ui: Ui,
    agent: str,
    principal: PolicyReader,
    version: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    saved: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
) -> HTMLResponse:
    shown = None
    if version is not None:
        try:
            shown = ui.backend.policy_store.get(agent, version)
        except NotFound:
            return error_page(ui, request, principal, 404, "That policy has no such version.")
    message = None if saved is None else f"Saved as version {saved}. Agents use it from their next decision."
    return _editor(ui, request, principal, agent, shown=shown, message=message)


def _posted(
    text: Annotated[str, Form(max_length=100_000)] = "",
    expected_version: Annotated[int | None, Form(ge=0, le=1_000_000)] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> tuple[Edited, str | None]:
    """The editor's form as posted (lines with LF: browsers post a textarea's lines with CRLF) and its CSRF token."""
    return Edited(text=text.replace("\r\n", "\n"), expected_version=expected_version, reason=reason), csrf_token


Posted = Annotated[tuple[Edited, str | None], Depends(_posted)]


def _form_problem(principal: Principal, csrf_token: str | None) -> str | None:
    if principal.session is None or not principal.session.csrf_matches(csrf_token):
        return "The form had expired; reload the policy and try again."
    return None


@router.post("/policies/{agent}/preview", include_in_schema=False)
def preview_form(
    request: Request,
    ui: Ui,
    agent: str,
    principal: PolicyReader,
    posted: Posted,
) -> Response:
    edited, csrf_token = posted
    problem = _form_problem(principal, csrf_token)
    if problem is not None:
        return error_page(ui, request, principal, 403, problem)
    try:
        report = ui.backend.policy_store.what_if(agent, edited.text)
    except NotFound:
        return error_page(ui, request, principal, 404, "No agent has that name.")
    except PolicyFileError as exc:
        return _editor(ui, request, principal, agent, edited, error=exc.reason, error_line=exc.line, status_code=400)
    except WhatIfBudgetExceeded as exc:
        return _editor(ui, request, principal, agent, edited, error=str(exc), status_code=422)
    return _editor(ui, request, principal, agent, edited, report=report)


@router.post("/policies/{agent}", include_in_schema=False)
def save_form(
    request: Request,
    ui: Ui,
    agent: str,
    principal: PolicyWriter,
    posted: Posted,
) -> Response:
    edited, csrf_token = posted
    problem = _form_problem(principal, csrf_token)
    if problem is not None:
        return error_page(ui, request, principal, 403, problem)
    if edited.expected_version is None:
        problem = "Reload the policy: the form lacks the version it was based on."
        return _editor(ui, request, principal, agent, edited, error=problem, status_code=400)
    try:
        saved = ui.backend.policy_store.save(
            agent,
            edited.text,
            author=principal.user_id,
            reason=edited.reason,
            expected_version=edited.expected_version,
        )
    except NotFound:
        return error_page(ui, request, principal, 404, "No agent has that name.")
    except PolicyFileError as exc:
        return _editor(ui, request, principal, agent, edited, error=exc.reason, error_line=exc.line, status_code=400)
    except PolicyChangeRefused as exc:
        return _editor(ui, request, principal, agent, edited, error=str(exc), status_code=400)
    except PolicyConflict as exc:
        message = (
            f"Someone saved version {exc.actual_version} while you were editing version {exc.expected_version}. "
            "Your text is kept below: compare it with the history, then save again on top of the new version."
        )
        return _editor(ui, request, principal, agent, edited, error=message, status_code=409)
    log.info("policy.saved", agent=agent, version=saved.version, user=principal.user_id)
    return RedirectResponse(f"/policies/{agent}?saved={saved.version}", status_code=303)


# -- API ------------------------------------------------------------------------------------------


def _not_found(exc: NotFound) -> JSONResponse:
    return JSONResponse(ErrorOut(detail=str(exc), code="not_found").model_dump(), status_code=404)


def _refused(
    status: int, exc: PolicyFileError | PolicyChangeRefused | PolicyConflict | WhatIfBudgetExceeded
) -> JSONResponse:
    if isinstance(exc, PolicyFileError):
        body = PolicyRefusedOut(detail=str(exc), code="invalid_policy", line=exc.line)
    elif isinstance(exc, PolicyConflict):
        body = PolicyRefusedOut(detail=str(exc), code="conflict", current_version=exc.actual_version)
    elif isinstance(exc, WhatIfBudgetExceeded):
        body = PolicyRefusedOut(detail=str(exc), code="what_if_budget")
    else:
        body = PolicyRefusedOut(detail=str(exc), code="invalid_change")
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


@router.get(
    "/api/policies",
    response_model=list[PolicyVersionInfo],
    responses=AUTH_RESPONSES,
    tags=TAGS,
    summary="Each agent's policy version in force",
)
def api_policies(ui: Ui, _: ApiPolicyReader) -> list[PolicyVersionInfo]:
    store = ui.backend.policy_store
    return [store.latest(agent).info() for agent in store.agents()]


@router.get(
    "/api/policies/{agent}",
    response_model=PolicyOut,
    responses=AUTH_RESPONSES | NOT_FOUND,
    tags=TAGS,
    summary="An agent's policy in force (YAML) and its version history",
)
def api_policy(ui: Ui, agent: str, _: ApiPolicyReader) -> Any:
    store = ui.backend.policy_store
    try:
        latest = store.latest(agent)
    except NotFound as exc:
        return _not_found(exc)
    return PolicyOut(
        agent=agent, version=latest.version, label=latest.label, text=latest.text, history=store.history(agent)
    )


@router.post(
    "/api/policies/{agent}/what-if",
    response_model=WhatIfReport,
    responses=AUTH_RESPONSES | NOT_FOUND | INVALID | OVER_BUDGET,
    tags=TAGS,
    summary="Validate a candidate policy and replay the agent's last 500 proposals under it (nothing is saved)",
    description=(
        "Conditions are held to size, nesting and cost limits (400, `invalid_policy`, with the `line`). The "
        "replay has a time budget (`STEWARD_WHAT_IF_SECONDS`, 5 seconds by default); past it the answer is 422 "
        "with `code` `what_if_budget`."
    ),
)
def api_what_if(ui: Ui, agent: str, body: PolicyTextIn, _: ApiPolicyReader) -> Any:
    try:
        return ui.backend.policy_store.what_if(agent, body.text)
    except NotFound as exc:
        return _not_found(exc)
    except PolicyFileError as exc:
        return _refused(400, exc)
    except WhatIfBudgetExceeded as exc:
        return _refused(422, exc)


@router.put(
    "/api/policies/{agent}",
    response_model=PolicyVersion,
    tags=TAGS,
    responses=AUTH_RESPONSES
    | {
        400: {"model": PolicyRefusedOut, "description": "The policy does not validate, or the reason is missing."},
        403: {"model": ErrorOut, "description": "Not allowed, or a session without the X-CSRF-Token header."},
        404: {"model": ErrorOut, "description": "No such agent."},
        409: {"model": PolicyRefusedOut, "description": "Someone saved a newer version than `expected_version`."},
    },
    summary="Save a new version of an agent's policy; agents use it from their next decision",
)
def api_save(ui: Ui, agent: str, body: PolicyChangeIn, principal: ApiPolicyWriter) -> Any:
    try:
        saved = ui.backend.policy_store.save(
            agent, body.text, author=principal.user_id, reason=body.reason, expected_version=body.expected_version
        )
    except NotFound as exc:
        return _not_found(exc)
    except (PolicyFileError, PolicyChangeRefused) as exc:
        return _refused(400, exc)
    except PolicyConflict as exc:
        return _refused(409, exc)
    log.info("policy.saved", agent=agent, version=saved.version, user=principal.user_id)
    return saved

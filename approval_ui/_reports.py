"""Eval reports for engineers: the latest run of each offline evaluation, its metrics against their bars.

Reports are written by `steward eval credit|identity` and by the demo (`supervision.EvalReportStore`);
these pages and endpoints only read them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse

from approval_ui._api import AUTH_RESPONSES
from approval_ui._models import ErrorOut
from approval_ui._pages import error_page, render
from approval_ui._security import Principal
from approval_ui._state import Ui, access
from core import NotFound
from supervision import EvalReport

router = APIRouter()

PageReader = Annotated[Principal, Depends(access("page", "eval.read"))]
ApiReader = Annotated[Principal, Depends(access("api", "eval.read"))]
HISTORY = 10
ReportId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/evals", include_in_schema=False)
def evals_page(request: Request, ui: Ui, principal: PageReader) -> HTMLResponse:
    latest = ui.backend.reports.latest()
    history = {report.name: ui.backend.reports.history(report.name, limit=HISTORY) for report in latest}
    return render(ui, request, "evals.html", {"latest": latest, "history": history}, principal=principal)


@router.get("/evals/{report_id}", include_in_schema=False)
def eval_page(request: Request, ui: Ui, report_id: ReportId, principal: PageReader) -> HTMLResponse:
    try:
        report = ui.backend.reports.get(report_id)
    except NotFound:
        return error_page(ui, request, principal, 404, "There is no such eval report.")
    document = json.dumps(report.report, indent=2, sort_keys=True)
    return render(ui, request, "eval.html", {"report": report, "document": document}, principal=principal)


@router.get(
    "/api/evals",
    tags=["api"],
    response_model=list[EvalReport],
    responses=AUTH_RESPONSES,
    summary="The latest report of each eval",
)
def api_evals(ui: Ui, _: ApiReader) -> list[EvalReport]:
    return ui.backend.reports.latest()


@router.get(
    "/api/evals/{report_id}",
    tags=["api"],
    response_model=EvalReport,
    responses={**AUTH_RESPONSES, 404: {"model": ErrorOut, "description": "No such eval report."}},
    summary="One eval report",
)
def api_eval(ui: Ui, report_id: ReportId, _: ApiReader) -> Any:
    try:
        return ui.backend.reports.get(report_id)
    except NotFound as exc:
        return JSONResponse({"detail": str(exc), "code": "not_found"}, status_code=404)

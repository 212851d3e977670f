"""What the JSON API returns and takes: pydantic models, separate from the stores' own values."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from approval_ui._decide import RefusalCode, WebVerdict
from core import JsonValue
from policies import DemotionCriteria, KpiSnapshot, PromotionCriteria
from supervision import AuditEntry, AuditVerification, AutonomyChangeView, AutonomyRequestView, KpiSeries, QueueRow


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorOut(_Out):
    detail: str
    code: str


class QueuePageOut(_Out):
    items: list[QueueRow]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")
    counts: dict[str, int] = Field(
        description="Proposals per state, with every filter but `status` applied (states with none left out)."
    )


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: WebVerdict
    reason: str | None = Field(default=None, max_length=2000, description="Required to reject.")
    arguments: dict[str, JsonValue] | None = Field(
        default=None,
        description="For `edit`: the arguments to change (the others stay as proposed); the edit is gated again.",
    )
    items: list[str] | None = Field(
        default=None,
        max_length=50,
        description="For `request_information`: what the applicant should provide, one entry per item.",
    )


class DecisionRefusedOut(_Out):
    detail: str
    code: RefusalCode


class AutonomyOut(_Out):
    agent: str
    action: str
    level: str
    levels: list[str]
    kpi: KpiSnapshot
    history: list[AutonomyChangeView]
    promotion: PromotionCriteria = Field(description="What it takes to climb a level; `sign_off`: a person agrees.")
    demotion: DemotionCriteria
    series: KpiSeries = Field(description="The KPIs per day or ISO week over the requested span.")
    pending_requests: list[AutonomyRequestView] = Field(description="Promotions waiting for sign-off (at most one).")


class SignOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "decline"]
    note: str | None = Field(default=None, max_length=2000, description="Why; kept with the request.")


class AuditOut(_Out):
    entries: list[AuditEntry] = Field(
        description="The page's entries in chain order: the newest that match, or those just older or newer "
        "than the cursor's entry."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for older entries; null when there are none.")
    previous_cursor: str | None = Field(description="Pass as `cursor` for newer entries; null when there are none.")
    verification: AuditVerification = Field(
        description="The whole chain's verification: the last full walk, extended by checks of every entry "
        "appended since (see `walked_at`)."
    )
    walked_at: datetime = Field(description="When the chain was last walked in full, from entry 1.")
    checked_at: datetime = Field(description="When the entries appended since that walk were checked.")

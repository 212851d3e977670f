"""What the JSON API returns and takes: pydantic models, separate from the stores' own values."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from approval_ui._decide import RefusalCode, WebVerdict
from policies import KpiSnapshot
from supervision import AuditEntry, AuditVerification, AutonomyChangeView, QueueRow


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorOut(_Out):
    detail: str
    code: str


class QueuePageOut(_Out):
    items: list[QueueRow]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")
    counts: dict[str, int] = Field(description="Proposals per state, with the agent and action filters applied.")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: WebVerdict
    reason: str | None = Field(default=None, max_length=2000, description="Required to reject.")


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


class AuditOut(_Out):
    entries: list[AuditEntry]
    verification: AuditVerification

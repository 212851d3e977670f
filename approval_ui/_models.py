"""What the JSON API returns and takes: pydantic models, separate from the stores' own values."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from approval_ui._decide import Decision, RefusalCode
from approval_ui._limits import (
    MAX_ARGUMENT_CHARS,
    MAX_ARGUMENT_DEPTH,
    MAX_ARGUMENT_LIST,
    MAX_ECHO_CHARS,
    MAX_EDIT_ARGUMENTS,
)
from core import JsonValue
from policies import REVIEW_VERDICTS, DemotionCriteria, KpiSnapshot, PromotionCriteria, ReviewVerdict
from supervision import (
    MAX_COMMENT_LENGTH,
    AuditEntry,
    AuditVerification,
    AutonomyChangeView,
    AutonomyRequestView,
    KpiSeries,
    QueueRow,
)

ItemText = Annotated[str, StringConstraints(max_length=MAX_ARGUMENT_CHARS)]


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
    escalated_to_you: list[QueueRow] = Field(
        default_factory=list,
        description="On the first page (no `cursor`, no `escalated` filter): up to 20 pending reviews escalated to "
        "one of your roles, due soonest, under the `agent` and `action` filters. Show them first; the full list is "
        "`escalated=mine&status=pending&sort=due`.",
    )


ActionName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: ReviewVerdict = Field(
        description="`approve`, `reject` (with a reason), or `edit`: approve with changed `arguments`, or another "
        "action of the same agent in place of the proposed one (`edited_action`); an edit is gated again."
    )
    reason: str | None = Field(default=None, max_length=MAX_COMMENT_LENGTH, description="Required to reject.")
    arguments: dict[str, JsonValue] | None = Field(
        default=None,
        max_length=MAX_EDIT_ARGUMENTS,
        description=(
            "For `edit`: the arguments to change (the others stay as proposed); the edit is gated again. "
            "With `edited_action`: that action's arguments (the current arguments it also takes are kept, and "
            "only those its model declares editable may differ). "
            f"Each a value or a list of up to {MAX_ARGUMENT_LIST} (nested at most {MAX_ARGUMENT_DEPTH} deep), "
            f"texts up to {MAX_ARGUMENT_CHARS} characters; the action's own rules may allow less."
        ),
    )
    edited_action: ActionName | None = Field(
        default=None,
        description="For `edit`: another action of the proposal's agent to run in place of the proposed one.",
    )
    items: list[ItemText] | None = Field(
        default=None,
        max_length=MAX_ARGUMENT_LIST,
        description="Deprecated (how clients asked for information before any action could be replaced): sent "
        "with the name of another action of the agent as the `verdict`, it is the same as `edit` with that "
        '`edited_action` and `arguments: {"items": [...]}` (blank entries dropped). Send that instead.',
        json_schema_extra={"deprecated": True},
    )

    @model_validator(mode="before")
    @classmethod
    def _action_named_as_verdict(cls, data: Any) -> Any:
        """The deprecated form: a verdict naming an action, with `items`, is the edit that replaces the action."""
        named = isinstance(data, dict) and "items" in data and "edited_action" not in data
        if named and data.get("verdict") not in REVIEW_VERDICTS:
            return {**data, "verdict": "edit", "edited_action": data.get("verdict")}
        return data

    def decision(self) -> Decision:
        """The decision this body asks for (deprecated `items` become the replacement action's argument)."""
        arguments = self.arguments
        if self.items is not None and self.verdict == "edit":
            arguments = {**(arguments or {}), "items": [item.strip() for item in self.items if item.strip()]}
        return Decision(self.verdict, self.reason, arguments=arguments, edited_action=self.edited_action)

    @field_validator("arguments")
    @classmethod
    def _bounded(cls, arguments: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
        for name, value in (arguments or {}).items():
            problem = _argument_problem(value, 1) if len(name) <= MAX_ECHO_CHARS else "has too long a name"
            if problem is not None:
                raise ValueError(f"argument {name[:MAX_ECHO_CHARS]!r} {problem}")
        return arguments


def _argument_problem(value: JsonValue, depth: int) -> str | None:
    """Why an edit's argument value is out of bounds (see `DecisionIn.arguments`), or None."""
    if isinstance(value, str):
        return None if len(value) <= MAX_ARGUMENT_CHARS else f"has a text over {MAX_ARGUMENT_CHARS} characters"
    if isinstance(value, list | dict):
        if depth >= MAX_ARGUMENT_DEPTH:
            return f"is nested deeper than {MAX_ARGUMENT_DEPTH} levels"
        if len(value) > MAX_ARGUMENT_LIST:
            return f"has more than {MAX_ARGUMENT_LIST} entries"
        entries = value.values() if isinstance(value, dict) else value
        return next((p for p in (_argument_problem(entry, depth + 1) for entry in entries) if p is not None), None)
    return None


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

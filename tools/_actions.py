"""Action tools: the credit decisions. Each runs only under a claimed authorization, and exactly once.

The supervision layer approves a proposal for one exact action, identified by `action_hash(name,
arguments)`, and claims one execution of it under an idempotency key. An action tool checks both,
then records the decision through `CustomerRepository.record_credit_decision` with that key, so a
second run (a resumed graph, a retried worker) finds the decision already there and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from core import JsonObject, JsonValue, StewardError
from customers import ApplicationStatus, CreditDecisionKind
from tools._context import ToolContext
from tools._errors import ActionNotAuthorized, InvalidToolArguments
from tools._evidence import ToolOutput
from tools._read import ToolInput

ActionName = Literal["approve_credit", "decline_credit", "request_information"]
MAX_ITEMS = 50
"""At most this many reason codes or requested items in one action."""
MAX_ITEM_LENGTH = 500
"""At most this many characters in one reason code or requested item."""
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ITEM_LENGTH)]


def action_hash(action: str, arguments: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``{"action": ..., "arguments": ...}``.

    Canonical: sorted keys, compact separators, UTF-8, and a float with an integral value written as
    an integer (as RFC 8785 does), so ``5000`` and ``5000.0`` name the same action. Hash the
    arguments as ``args.model_dump(mode="json")`` of the tool's argument model.
    """
    document = {"action": action, "arguments": _canonical(dict(arguments))}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


@dataclass(frozen=True)
class Authorization:
    """The supervision layer's permission to execute one exact action of one proposal, once."""

    proposal_id: str
    action_hash: str
    idempotency_key: str


class ApproveCreditArgs(ToolInput):
    """Approve an application. The amount may be lowered (a counter-offer) but never exceed the
    amount applied for, and the duration may not exceed the duration applied for: an approval never
    takes more risk than the application that was assessed."""

    reviewer_editable = frozenset({"amount", "duration_months"})

    application_id: str = Field(min_length=1, max_length=200)
    amount: float = Field(gt=0, description="Approved amount, at most the amount applied for.")
    duration_months: int = Field(gt=0, description="Approved duration, at most the duration applied for.")


class DeclineCreditArgs(ToolInput):
    """Decline an application, with the reason codes that a notice to the applicant will cite."""

    reviewer_editable = frozenset({"reason_codes"})

    application_id: str = Field(min_length=1, max_length=200)
    reason_codes: list[NonEmpty] = Field(min_length=1, max_length=MAX_ITEMS)


class RequestInformationArgs(ToolInput):
    """Ask the applicant for more information before deciding; the application stays open."""

    reviewer_editable = frozenset({"items"})

    application_id: str = Field(min_length=1, max_length=200)
    items: list[NonEmpty] = Field(min_length=1, max_length=MAX_ITEMS, description="What the applicant should provide.")


class ActionResult(ToolOutput):
    """What an action tool did; `replayed` means the execution had already happened and nothing ran."""

    action: ActionName
    application_id: str
    decision: CreditDecisionKind
    application_status: ApplicationStatus
    proposal_id: str
    idempotency_key: str
    decision_id: int
    decided_at: AwareDatetime
    replayed: bool


def check_approve_credit(ctx: ToolContext, args: ApproveCreditArgs) -> None:
    """The terms `approve_credit` accepts: never more than the application that was assessed.

    The supervision layer runs this on a reviewer's edit before recording it, so an accepted edit is
    one the tool will carry out; the tool runs it again before writing.
    """
    application = ctx.customers.application(args.application_id)
    if args.amount > application.amount:
        raise InvalidToolArguments(
            "approve_credit",
            f"amount {args.amount:g} exceeds the {application.amount:g} applied for in {application.id!r}",
        )
    if args.duration_months > application.duration_months:
        raise InvalidToolArguments(
            "approve_credit",
            f"duration {args.duration_months} months exceeds the {application.duration_months} applied for "
            f"in {application.id!r}",
        )


def approve_credit(ctx: ToolContext, args: ApproveCreditArgs, auth: Authorization) -> ActionResult:
    """Approve a credit application on the terms given."""
    authorize(ctx, "approve_credit", args.model_dump(mode="json"), auth)
    check_approve_credit(ctx, args)
    details: JsonObject = {"amount": args.amount, "duration_months": args.duration_months}
    return _record(ctx, "approve_credit", "approved", args.application_id, details, auth)


def decline_credit(ctx: ToolContext, args: DeclineCreditArgs, auth: Authorization) -> ActionResult:
    """Decline a credit application with its reason codes."""
    authorize(ctx, "decline_credit", args.model_dump(mode="json"), auth)
    reason_codes: list[JsonValue] = list(args.reason_codes)
    details: JsonObject = {"reason_codes": reason_codes}
    return _record(ctx, "decline_credit", "declined", args.application_id, details, auth)


def request_information(ctx: ToolContext, args: RequestInformationArgs, auth: Authorization) -> ActionResult:
    """Ask the applicant for the listed items; the application waits for them."""
    authorize(ctx, "request_information", args.model_dump(mode="json"), auth)
    items: list[JsonValue] = list(args.items)
    details: JsonObject = {"items": items}
    return _record(ctx, "request_information", "information_requested", args.application_id, details, auth)


def authorize(ctx: ToolContext, action: str, arguments: JsonObject, auth: Authorization) -> None:
    """Refuse unless `auth` was issued for exactly this action and its execution has been claimed."""
    if action_hash(action, arguments) != auth.action_hash:
        raise ActionNotAuthorized(action, auth.proposal_id, "the approval was for a different action")
    try:
        claimed_key = ctx.grants.verify_claim(auth.proposal_id, auth.action_hash)
    except StewardError as exc:
        raise ActionNotAuthorized(action, auth.proposal_id, f"no claimed execution ({exc})") from exc
    if claimed_key != auth.idempotency_key:
        raise ActionNotAuthorized(action, auth.proposal_id, "the claimed execution carries a different idempotency key")


def _record(
    ctx: ToolContext,
    action: ActionName,
    decision: CreditDecisionKind,
    application_id: str,
    details: JsonObject,
    auth: Authorization,
) -> ActionResult:
    recorded = ctx.customers.record_credit_decision(
        application_id,
        decision,
        idempotency_key=auth.idempotency_key,
        details={**details, "proposal_id": auth.proposal_id, "action_hash": auth.action_hash},
    )
    return ActionResult(
        action=action,
        application_id=application_id,
        decision=recorded.decision,
        application_status=ctx.customers.application(application_id).status,
        proposal_id=auth.proposal_id,
        idempotency_key=recorded.idempotency_key,
        decision_id=recorded.id,
        decided_at=recorded.decided_at,
        replayed=recorded.replayed,
    )

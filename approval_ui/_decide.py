"""Deciding a proposal from the web: one path for the HTML form and the API, with clear refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import structlog

from agents import AgentNotInstalled, CannotProposeAgain, InvalidEdit
from approval_ui._backend import Backend
from approval_ui._security import Principal
from core import JsonObject, NotFound, StewardError
from policies import AuthorityError, ReviewVerdict
from supervision import ApprovalConflict, DecisionEdit, EditDenied, ProposalExpired, QueueItem

log = structlog.get_logger(__name__)

RefusalCode = Literal[
    "reason_required",
    "invalid_edit",
    "edit_denied",
    "not_found",
    "not_yours",
    "already_decided",
    "expired",
    "refused",
    "cannot_propose_again",
]


class DecisionRefused(Exception):
    """The decision was not recorded; `status` is the HTTP status, `message` says why and what to do."""

    def __init__(self, status: int, code: RefusalCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Decision:
    verdict: ReviewVerdict
    """`edit` approves the action with changed arguments, or (with `edited_action`) another action of the
    same agent in its place; either is gated again, and counts as disagreeing with the agent."""
    reason: str | None
    arguments: JsonObject | None = None
    """For `edit`: the changed arguments (the others stay as proposed)."""
    edited_action: str | None = None
    """For `edit`: the action to run in place of the proposed one (its arguments in `arguments`)."""


def decide(backend: Backend, principal: Principal, proposal_id: str, decision: Decision) -> QueueItem:
    """Record the decision and, when it is final, let the agent resume (and execute an approval)."""
    reason = (decision.reason or "").strip() or None
    edit: DecisionEdit | None = None
    verdict = decision.verdict
    match verdict:
        case "reject" if reason is None:
            raise DecisionRefused(400, "reason_required", "A rejection needs a reason: say why in a sentence.")
        case "edit":
            if not decision.arguments and decision.edited_action is None:
                raise DecisionRefused(400, "invalid_edit", "An edit needs at least one changed argument.")
            edit = DecisionEdit(arguments=dict(decision.arguments or {}), action=decision.edited_action)
    if edit is None and decision.edited_action is not None:
        raise DecisionRefused(400, "invalid_edit", "Only an edit replaces the action.")
    try:
        return backend.supervisor.decide(
            proposal_id, reviewer_id=principal.user_id, verdict=verdict, comment=reason, edit=edit
        )
    except AgentNotInstalled as exc:
        raise DecisionRefused(
            400, "refused", f"The agent {exc.agent!r} of this proposal is not installed here, so it cannot be decided."
        ) from exc
    except InvalidEdit as exc:
        raise DecisionRefused(400, "invalid_edit", f"The change cannot be applied: {exc.reason}.") from exc
    except EditDenied as exc:
        raise DecisionRefused(400, "edit_denied", f"The policy denies the changed action: {exc}") from exc
    except NotFound as exc:
        raise DecisionRefused(404, "not_found", str(exc)) from exc
    except AuthorityError as exc:
        log.info("ui.decision.not_authorised", proposal_id=proposal_id, reviewer=principal.user_id)
        raise DecisionRefused(403, "not_yours", f"This decision is not yours to make: {exc}") from exc
    except ApprovalConflict as exc:
        who = f" by {exc.decided_by}" if exc.decided_by else ""
        raise DecisionRefused(
            409, "already_decided", f"Someone else decided first ({exc.status}{who}); reload to see the decision."
        ) from exc
    except ProposalExpired as exc:
        raise DecisionRefused(409, "expired", str(exc)) from exc
    except StewardError as exc:
        raise DecisionRefused(400, "refused", str(exc)) from exc


def propose_again(backend: Backend, principal: Principal, proposal_id: str) -> QueueItem:
    """Have the agent propose afresh in place of a proposal whose execution failed; the new proposal."""
    try:
        return backend.supervisor.propose_again(proposal_id, actor=principal.user_id)
    except NotFound as exc:
        raise DecisionRefused(404, "not_found", str(exc)) from exc
    except CannotProposeAgain as exc:
        raise DecisionRefused(409, "cannot_propose_again", str(exc)) from exc
    except StewardError as exc:
        raise DecisionRefused(400, "refused", f"The agent could not propose again: {exc}") from exc

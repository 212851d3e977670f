"""Deciding a proposal from the web: one path for the HTML form and the API, with clear refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import structlog

from approval_ui._backend import Backend
from approval_ui._security import Principal
from core import NotFound, StewardError
from policies import AuthorityError
from supervision import ApprovalConflict, ProposalExpired, QueueItem

log = structlog.get_logger(__name__)

WebVerdict = Literal["approve", "reject"]
RefusalCode = Literal["reason_required", "not_found", "not_yours", "already_decided", "expired", "refused"]


class DecisionRefused(Exception):
    """The decision was not recorded; `status` is the HTTP status, `message` says why and what to do."""

    def __init__(self, status: int, code: RefusalCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Decision:
    verdict: WebVerdict
    reason: str | None


def decide(backend: Backend, principal: Principal, proposal_id: str, decision: Decision) -> QueueItem:
    """Record the decision and, when it is final, let the agent resume (and execute an approval)."""
    reason = (decision.reason or "").strip() or None
    if decision.verdict == "reject" and reason is None:
        raise DecisionRefused(400, "reason_required", "A rejection needs a reason: say why in a sentence.")
    try:
        return backend.supervisor.decide(
            proposal_id, reviewer_id=principal.user_id, verdict=decision.verdict, comment=reason
        )
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

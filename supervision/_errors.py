"""What supervision refuses to do, each error carrying the data a caller needs to react."""

from __future__ import annotations

from collections.abc import Sequence

from core import JsonObject, StewardError


class SupervisionError(StewardError):
    """The root of supervision's errors."""


class ApprovalConflict(SupervisionError):
    """Someone else decided the proposal first (or it is no longer pending)."""

    def __init__(self, proposal_id: str, status: str, decided_by: str | None) -> None:
        who = decided_by or "someone else"
        super().__init__(f"proposal {proposal_id!r} was already {status} by {who}; reload it to see the decision")
        self.proposal_id = proposal_id
        self.status = status
        self.decided_by = decided_by


class ProposalExpired(SupervisionError):
    """The review window closed before a decision; the agent has to propose again."""

    def __init__(self, proposal_id: str) -> None:
        super().__init__(f"proposal {proposal_id!r} expired before it was decided; ask the agent for a fresh proposal")
        self.proposal_id = proposal_id


class ActionMismatch(SupervisionError):
    """The action offered differs from the one submitted or approved (its hash does not match)."""

    def __init__(self, proposal_id: str) -> None:
        super().__init__(
            f"the action for proposal {proposal_id!r} differs from the one that was submitted or approved; "
            "an approval covers exactly one action: submit a new proposal for a different one"
        )
        self.proposal_id = proposal_id


class NotExecutable(SupervisionError):
    """The proposal is in a state from which it may not run (pending, rejected, expired, ...)."""

    def __init__(self, proposal_id: str, status: str) -> None:
        super().__init__(f"proposal {proposal_id!r} is {status} and may not be executed (or completed) in that state")
        self.proposal_id = proposal_id
        self.status = status


class AlreadyExecuted(SupervisionError):
    """The action already ran; its recorded result is attached so the caller can reuse it."""

    def __init__(self, proposal_id: str, result: JsonObject | None) -> None:
        super().__init__(f"proposal {proposal_id!r} was already executed; use the recorded result")
        self.proposal_id = proposal_id
        self.result = result


class EditDenied(SupervisionError):
    """The reviewer's edited action is one the gate denies outright; nothing was recorded."""

    def __init__(self, proposal_id: str, reasons: Sequence[str]) -> None:
        detail = "; ".join(reasons) if reasons else "no reason given"
        super().__init__(
            f"the edited action for proposal {proposal_id!r} is denied by policy ({detail}); "
            "change the edit or reject the proposal"
        )
        self.proposal_id = proposal_id
        self.reasons = tuple(reasons)


class InvalidComment(SupervisionError):
    """A reviewer's comment that is too long or not plain text; nothing was recorded."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"the review comment {problem}")
        self.problem = problem


class AutonomyConflict(SupervisionError):
    """A ladder change was computed from a level that is no longer current."""

    def __init__(self, agent: str, action: str, expected: str, actual: str) -> None:
        super().__init__(
            f"{agent}/{action} is at level {actual!r}, not {expected!r} as the change assumed; "
            "re-evaluate the ladder with fresh KPIs"
        )
        self.agent = agent
        self.action = action
        self.expected = expected
        self.actual = actual


class WeakPassword(SupervisionError):
    """A password too short to protect an account that can approve money going out."""

    def __init__(self, min_length: int) -> None:
        super().__init__(f"the password is too short: use at least {min_length} characters (a passphrase is best)")
        self.min_length = min_length


class UserDisabled(SupervisionError):
    """The user is disabled: they act nowhere (decide, sign off, change a policy) and get no new API token."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} is disabled; `steward users enable {user_id}` first if they should return")
        self.user_id = user_id


class AutonomyRequestClosed(SupervisionError):
    """A promotion request was already signed off, declined or superseded; only a pending one is decided."""

    def __init__(self, request_id: int, status: str, decided_by: str | None) -> None:
        who = f" by {decided_by}" if decided_by else ""
        super().__init__(
            f"autonomy request {request_id} is already {status}{who}; list the pending ones with "
            "`steward autonomy requests` or reload the autonomy page"
        )
        self.request_id = request_id
        self.status = status
        self.decided_by = decided_by

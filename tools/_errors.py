"""The errors tools raise on purpose; unknown customers and applications raise `core.NotFound`."""

from __future__ import annotations

from collections.abc import Sequence

from core import StewardError


class ToolError(StewardError):
    """A tool could not do what it was asked; the message says why and what to do."""


class ToolUnavailable(ToolError):
    """The tool needs a dependency this context was built without (for example a credit scorer)."""

    def __init__(self, tool: str, missing: str) -> None:
        super().__init__(f"tool {tool!r} is unavailable: no {missing} is configured in the tool context")
        self.tool = tool
        self.missing = missing


class ActionNotAuthorized(ToolError):
    """An action tool refused to run: no valid, claimed approval matches this exact action."""

    def __init__(self, action: str, proposal_id: str, reason: str) -> None:
        super().__init__(
            f"{action} for proposal {proposal_id!r} refused: {reason}; "
            "an action runs only with the authorization the supervision layer issued for it"
        )
        self.action = action
        self.proposal_id = proposal_id
        self.reason = reason


class InvalidToolArguments(ToolError):
    """The arguments are well-formed but do not fit the data (for example more than was applied for)."""

    def __init__(self, tool: str, reason: str) -> None:
        super().__init__(f"{tool}: {reason}")
        self.tool = tool
        self.reason = reason


class IncompleteCustomerRecord(ToolError):
    """The golden record lacks fields a tool needs (for example a credit model's inputs)."""

    def __init__(self, customer_id: str, missing: Sequence[str]) -> None:
        super().__init__(
            f"customer {customer_id!r} lacks {', '.join(missing)}; load these fields from their source "
            "systems before asking again"
        )
        self.customer_id = customer_id
        self.missing = tuple(missing)

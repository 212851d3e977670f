"""Errors the agents raise on purpose."""

from core import StewardError


class AgentError(StewardError):
    """Something went wrong in an agent run that the caller can act on."""


class InvalidEdit(AgentError):
    """A reviewer's edit of a proposal cannot be applied."""

    def __init__(self, proposal_id: str, reason: str) -> None:
        super().__init__(f"edit of proposal {proposal_id} refused: {reason}")
        self.proposal_id = proposal_id
        self.reason = reason


class CannotProposeAgain(AgentError):
    """Only a proposal whose execution failed can be proposed again, and only while its run is kept."""

    def __init__(self, proposal_id: str, reason: str) -> None:
        super().__init__(f"proposal {proposal_id} cannot be proposed again: {reason}")
        self.proposal_id = proposal_id
        self.reason = reason


class AgentNotInstalled(AgentError):
    """A proposal names an agent this installation does not have (removed, or not registered here)."""

    def __init__(self, agent: str, installed: list[str]) -> None:
        super().__init__(f"no agent {agent!r} is installed here (installed: {', '.join(installed) or 'none'})")
        self.agent = agent

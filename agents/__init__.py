"""Agents: one LangGraph graph per use case, and the supervised-action step they share.

Each agent gathers evidence with read tools, scores it with a decision model, and proposes one typed
action. The shared step (`SupervisedStep`) gates it, pauses for review when the policy says so, and
executes it exactly once; the `Supervisor` turns reviewers' decisions into resumed threads.
"""

from agents._errors import AgentError, CannotProposeAgain, InvalidEdit
from agents._proposal import Proposal
from agents._recovery import RecoveredProposal, RecoveryOutcome, RecoveryReport
from agents._state import SupervisedState
from agents._supervised import ActionSpec, ReviewOutcome, ReviewRequest, SupervisedStep
from agents._supervisor import AgentRuntime, Supervisor
from agents.credit import AGENT as CREDIT_AGENT
from agents.credit import CreditApprovalAgent, CreditRun, build_credit_agent

__all__ = [
    "CREDIT_AGENT",
    "ActionSpec",
    "AgentError",
    "AgentRuntime",
    "CannotProposeAgain",
    "CreditApprovalAgent",
    "CreditRun",
    "InvalidEdit",
    "Proposal",
    "RecoveredProposal",
    "RecoveryOutcome",
    "RecoveryReport",
    "ReviewOutcome",
    "ReviewRequest",
    "SupervisedState",
    "SupervisedStep",
    "Supervisor",
    "build_credit_agent",
]

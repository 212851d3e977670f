"""Agents: one LangGraph graph per use case, and the supervised-action step they share.

Each agent gathers evidence with read tools, scores it with a decision model, and proposes one typed
action. The shared step (`SupervisedStep`) gates it, pauses for review when the policy says so, and
executes it exactly once; the `Supervisor` turns reviewers' decisions into resumed threads.
"""

from agents._builder import build_agent
from agents._bundled import BUNDLED, agent_registry, load_agent
from agents._definition import AgentDefinition, AgentEnvironment, AgentNodes, AgentRegistry, Trigger
from agents._demo import DemoContext, DemoProgress, DemoScenario, DemoUser
from agents._errors import AgentError, AgentNotInstalled, CannotProposeAgain, InvalidEdit
from agents._facts import fact_schema
from agents._proposal import Proposal
from agents._recovery import RecoveredProposal, RecoveryOutcome, RecoveryReport
from agents._runner import AgentRun, AgentRunner, TriggerReport
from agents._state import SupervisedState
from agents._summary import Figure, ShownFigure, format_value, show_figures
from agents._supervised import ActionSpec, ReviewOutcome, ReviewRequest, SupervisedStep
from agents._supervisor import AgentRuntime, Supervisor

__all__ = [
    "BUNDLED",
    "ActionSpec",
    "AgentDefinition",
    "AgentEnvironment",
    "AgentError",
    "AgentNodes",
    "AgentNotInstalled",
    "AgentRegistry",
    "AgentRun",
    "AgentRunner",
    "AgentRuntime",
    "CannotProposeAgain",
    "DemoContext",
    "DemoProgress",
    "DemoScenario",
    "DemoUser",
    "Figure",
    "InvalidEdit",
    "Proposal",
    "RecoveredProposal",
    "RecoveryOutcome",
    "RecoveryReport",
    "ReviewOutcome",
    "ReviewRequest",
    "ShownFigure",
    "SupervisedState",
    "SupervisedStep",
    "Supervisor",
    "Trigger",
    "TriggerReport",
    "agent_registry",
    "build_agent",
    "fact_schema",
    "format_value",
    "load_agent",
    "show_figures",
]

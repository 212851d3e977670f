"""The credit-approval agent."""

from agents.credit._actions import CREDIT_ACTIONS
from agents.credit._agent import AGENT, CreditApprovalAgent, CreditRun, build_credit_agent
from agents.credit._reasoning import CreditPolicyOfProposal, ProposedAction, RationaleWriter, TemplateRationale

__all__ = [
    "AGENT",
    "CREDIT_ACTIONS",
    "CreditApprovalAgent",
    "CreditPolicyOfProposal",
    "CreditRun",
    "ProposedAction",
    "RationaleWriter",
    "TemplateRationale",
    "build_credit_agent",
]

"""The credit-approval agent."""

from agents.credit._actions import CREDIT_ACTIONS
from agents.credit._agent import AGENT, CREDIT_APPROVAL, CreditInput, credit_facts
from agents.credit._facts import CreditFacts
from agents.credit._reasoning import CreditPolicyOfProposal, ProposedAction, RationaleWriter, TemplateRationale
from agents.credit._scorer import LazyScorecard, load_or_train_scorecard

__all__ = [
    "AGENT",
    "CREDIT_ACTIONS",
    "CREDIT_APPROVAL",
    "CreditFacts",
    "CreditInput",
    "CreditPolicyOfProposal",
    "LazyScorecard",
    "ProposedAction",
    "RationaleWriter",
    "TemplateRationale",
    "credit_facts",
    "load_or_train_scorecard",
]

"""The credit-approval agent's actions: which tool runs each, and how its arguments enter the gate facts."""

from __future__ import annotations

from typing import Any

from agents._summary import Figure
from agents._supervised import ActionSpec
from core import JsonObject, JsonValue
from policies import Facts
from tools import (
    ApproveCreditArgs,
    DeclineCreditArgs,
    RequestInformationArgs,
    approve_credit,
    check_approve_credit,
    decline_credit,
    request_information,
)


def _section(facts: Facts, key: str) -> dict[str, JsonValue]:
    value = facts.get(key)
    return dict(value) if isinstance(value, dict) else {}


def _with_proposal_action(facts: Facts, action: str) -> JsonObject:
    out: JsonObject = dict(facts)
    proposal = _section(facts, "proposal")
    proposal["action"] = action
    out["proposal"] = proposal
    return out


def _approve_facts(facts: Facts, args: ApproveCreditArgs) -> JsonObject:
    """The limits look at the amount and term being approved, which an edit may change."""
    out = _with_proposal_action(facts, "approve_credit")
    application = _section(out, "application")
    application["amount"] = float(args.amount)
    application["duration_months"] = int(args.duration_months)
    out["application"] = application
    return out


def _decline_facts(facts: Facts, args: DeclineCreditArgs) -> JsonObject:
    return _with_proposal_action(facts, "decline_credit")


def _information_facts(facts: Facts, args: RequestInformationArgs) -> JsonObject:
    return _with_proposal_action(facts, "request_information")


PROBABILITY_OF_DEFAULT = Figure("Probability of default", "proposal.probability", "percent")
SCORE = Figure("Score", "proposal.score", "integer")
AMOUNT_APPLIED_FOR = Figure("Amount applied for", "facts.application.amount", "money", "DM")
DURATION_APPLIED_FOR = Figure("Duration applied for", "facts.application.duration_months", "integer", "months")

_SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec(
        "approve_credit",
        ApproveCreditArgs,
        approve_credit,
        _approve_facts,
        check_approve_credit,
        label="Approve credit",
        description="Grant the credit, for at most the amount and duration applied for.",
        figures=(
            Figure("Amount", "arguments.amount", "money", "DM"),
            Figure("Duration", "arguments.duration_months", "integer", "months"),
            PROBABILITY_OF_DEFAULT,
            SCORE,
        ),
    ),
    ActionSpec(
        "decline_credit",
        DeclineCreditArgs,
        decline_credit,
        _decline_facts,
        label="Decline credit",
        description="Decline the application, citing the reason codes the notice to the applicant will give.",
        figures=(
            AMOUNT_APPLIED_FOR,
            DURATION_APPLIED_FOR,
            PROBABILITY_OF_DEFAULT,
            SCORE,
            Figure("Reason codes", "arguments.reason_codes", "list"),
        ),
    ),
    ActionSpec(
        "request_information",
        RequestInformationArgs,
        request_information,
        _information_facts,
        label="Request information",
        description="Ask the applicant for more information before deciding; the application stays open.",
        figures=(
            AMOUNT_APPLIED_FOR,
            DURATION_APPLIED_FOR,
            PROBABILITY_OF_DEFAULT,
            SCORE,
            Figure("Information requested", "arguments.items", "list"),
        ),
    ),
)
CREDIT_ACTIONS: dict[str, ActionSpec[Any]] = {spec.name: spec for spec in _SPECS}

"""The credit-approval agent's actions: which tool runs each, and how its arguments enter the gate facts."""

from __future__ import annotations

from typing import Any

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


_SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec("approve_credit", ApproveCreditArgs, approve_credit, _approve_facts, check_approve_credit),
    ActionSpec("decline_credit", DeclineCreditArgs, decline_credit, _decline_facts),
    ActionSpec("request_information", RequestInformationArgs, request_information, _information_facts),
)
CREDIT_ACTIONS: dict[str, ActionSpec[Any]] = {spec.name: spec for spec in _SPECS}

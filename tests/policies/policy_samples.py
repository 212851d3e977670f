"""Facts and small policy files shared by the policy tests."""

import copy

from core import JsonObject, JsonValue
from policies import CelType, FactSchema, Policy, default_policy_dir, load_policy

CREDIT_POLICY_PATH = default_policy_dir() / "credit_approval.yaml"


def credit_policy() -> Policy:
    """The bundled credit-approval policy."""
    return load_policy(CREDIT_POLICY_PATH)


def credit_facts(**changes: JsonValue) -> JsonObject:
    """Facts of an unremarkable small application; `changes` set dotted paths, e.g. ``{"customer.age": 17}``.

    Keyword names use ``__`` for the dot: ``credit_facts(customer__age=17)``.
    """
    facts: JsonObject = {
        "customer": {
            "id": "c-1",
            "age": 35,
            "objects_to_automated_decisions": False,
            "vulnerable": False,
            "foreign_worker": False,
        },
        "application": {
            "id": "a-1",
            "amount": 3000.0,
            "duration_months": 24,
            "purpose": "car",
            "requested_by": "agent:credit",
        },
        "exposure": {"existing_credits": 1},
        "proposal": {
            "action": "approve_credit",
            "probability_of_default": 0.05,
            "score": 720,
            "model_version": "scorecard-1",
        },
    }
    facts = copy.deepcopy(facts)
    for dotted, value in changes.items():
        root, field = dotted.split("__")
        section = facts[root]
        assert isinstance(section, dict)
        section[field] = value
    return facts


def without(facts: JsonObject, root: str, field: str | None = None) -> JsonObject:
    """A copy of `facts` without a root fact, or without one field of it."""
    facts = copy.deepcopy(facts)
    if field is None:
        del facts[root]
    else:
        section = facts[root]
        assert isinstance(section, dict)
        del section[field]
    return facts


SAMPLE_POLICY = """\
agent: sample
description: A small policy exercising every path of the gate.
default: review
hard_limits:
  - name: cap
    when: "order.amount > 1000.0"
    outcome: review
    reason: "Above the cap."
  - name: blocked
    when: "customer.blocked"
    outcome: deny
    reason: "Blocked customer."
authority:
  amount: "order.amount"
  requested_by: "order.requested_by"
  roles: {clerk: 100.0, manager: 1000.0, director: null}
  four_eyes_when: "order.amount > 500.0"
actions:
  refund:
    hard_limits:
      - name: fraud_flag
        when: "order.fraud"
        outcome: deny
        reason: "Suspected fraud."
    rules:
      - {name: first_review, when: "order.kind == 'manual'", outcome: review, reason: "Manual order."}
      - {name: first_deny, when: "order.kind == 'void'", outcome: deny, reason: "Void order."}
    autonomy:
      levels:
        - {name: shadow}
        - {name: review_all}
        - {name: small, auto_when: "score.value > 0.9 && order.amount <= 50.0"}
        - {name: medium, auto_when: "score.value > 0.95 || order.trusted"}
      window: 100
      promotion:
        min_reviewed: 20
        min_agreement_lower_bound: 0.8
        confidence: 0.95
        min_outcomes: 0
        max_bad_outcome_upper_bound: 1.0
      demotion: {min_cases: 5, agreement_floor: 0.7, max_bad_outcome_rate: 0.3, to: review_all}
"""


def sample_facts(**order: JsonValue) -> JsonObject:
    """Facts for `SAMPLE_POLICY` that a `small` band automates, with `order` fields changed."""
    base: JsonObject = {
        "amount": 20.0,
        "requested_by": "ann",
        "fraud": False,
        "kind": "web",
        "trusted": False,
    }
    base.update(order)
    return {"order": base, "customer": {"blocked": False}, "score": {"value": 0.97}}


CREDIT_FACT_TYPES: dict[str, CelType] = {
    "customer.id": "string",
    "customer.age": "int",
    "customer.objects_to_automated_decisions": "bool",
    "customer.vulnerable": "bool",
    "customer.foreign_worker": "bool",
    "application.id": "string",
    "application.amount": "double",
    "application.duration_months": "int",
    "application.purpose": "string",
    "application.requested_by": "string",
    "exposure.existing_credits": "int",
    "proposal.action": "string",
    "proposal.probability_of_default": "double",
    "proposal.score": "int",
    "proposal.model_version": "string",
}
"""The facts the credit agent gives its policy (`agents.credit.CreditFacts`), as the policy tests know them."""
CREDIT_FACTS = FactSchema.of(CREDIT_FACT_TYPES)

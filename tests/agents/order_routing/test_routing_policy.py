"""The routing policy reads only the facts the agent gives, and judges routes as the issue asks: hard limits
(high value, an open complaint, a broken promise) always reviewed, splits and stock-outs reviewed, dear routes
reviewed, cheap small routes automated only once the ladder allows it."""

from __future__ import annotations

import copy

import pytest

from agents import fact_schema
from agents.order_routing import OrderRoutingFacts
from core import JsonObject
from policies import Policy, check_conditions, default_policy_dir, load_policy

PATH = default_policy_dir() / "order_routing.yaml"

ROUTE: JsonObject = {
    "order": {
        "id": "erp:SO-1",
        "value": 120.0,
        "lines": 1,
        "items": 1,
        "weight_kg": 1.0,
        "promised_by": "2026-03-05",
        "days_to_promise": 3,
    },
    "customer": {"id": "CUS-1", "open_complaints": 0, "value_last_365_days": 300.0, "orders_last_365_days": 2},
    "route": {
        "kind": "route",
        "warehouses": ["WH-A"],
        "carriers": ["CR-STD"],
        "shipments": 1,
        "cost": 7.0,
        "cheapest_cost": 7.0,
        "cost_above_cheapest_pct": 0.0,
        "promise_kept": True,
        "days_late": 0,
        "split": False,
        "held": False,
        "stock_out": False,
        "ship_on": "2026-03-02",
    },
    "plan": {"batch_id": "RB-1", "orders": 10, "gap_pct": 0.0, "status": "optimal"},
    "proposal": {"action": "route_order"},
}


def _with(**changes: JsonObject) -> JsonObject:
    facts = copy.deepcopy(ROUTE)
    for section, values in changes.items():
        part = facts[section]
        assert isinstance(part, dict)
        part.update(values)
    return facts


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(PATH, facts=fact_schema(OrderRoutingFacts))


def test_the_policy_file_reads_only_facts_the_agent_provides() -> None:
    text = PATH.read_text(encoding="utf-8")
    assert check_conditions(text, fact_schema(OrderRoutingFacts)) == []
    misspelt = text.replace("route.cost_above_cheapest_pct >", "route.cost_above_cheapst_pct >", 1)
    (problem,) = check_conditions(misspelt, fact_schema(OrderRoutingFacts))
    assert "route.cost_above_cheapst_pct" in problem.message and "is not a fact of order_routing" in problem.message
    assert OrderRoutingFacts.model_validate(ROUTE).route.kind == "route"


def test_a_cheap_small_route_runs_automatically_only_on_an_autonomy_band(policy: Policy) -> None:
    assert policy.initial_level("route_order") == "shadow"
    assert policy.gate("route_order", ROUTE, "shadow").outcome == "review"
    assert policy.gate("route_order", ROUTE, "review_all").outcome == "review"
    assert policy.gate("route_order", ROUTE, "band_1").outcome == "auto"
    dearer = _with(order={"value": 800.0}, route={"cost_above_cheapest_pct": 8.0})
    assert policy.gate("route_order", dearer, "band_1").outcome == "review"
    assert policy.gate("route_order", dearer, "band_2").outcome == "auto"


@pytest.mark.parametrize(
    ("facts", "matched"),
    [
        (_with(order={"value": 1800.0}), "high_value_order"),
        (_with(customer={"open_complaints": 1}), "customer_with_open_complaint"),
        (_with(route={"promise_kept": False, "days_late": 2}), "promise_not_kept"),
        (_with(route={"cost_above_cheapest_pct": 20.0}), "dearer_than_cheapest"),
    ],
)
def test_hard_limits_and_rules_send_a_route_to_a_person_whatever_the_level(
    policy: Policy, facts: JsonObject, matched: str
) -> None:
    decision = policy.gate("route_order", facts, "band_2")
    assert (decision.outcome, decision.matched) == ("review", matched)


def test_splits_and_holds_are_always_reviewed(policy: Policy) -> None:
    split = _with(route={"kind": "split", "split": True, "shipments": 2}, proposal={"action": "split_order"})
    assert policy.gate("split_order", split, "review_all").matched == "split_shipment"
    hold = _with(
        route={"kind": "hold", "held": True, "stock_out": True, "promise_kept": False, "shipments": 0},
        proposal={"action": "hold_order"},
    )
    decision = policy.gate("hold_order", hold, "review_all")
    assert (decision.outcome, decision.matched) == ("review", "stock_out")
    assert policy.gate("hold_order", _with(route={"held": True, "promise_kept": False}), "review_all").matched == (
        "held_order"
    )


def test_a_logistics_planner_decides_up_to_the_value_the_policy_allows(policy: Policy) -> None:
    review = policy.gate("route_order", _with(order={"value": 800.0}), "shadow").review
    assert set(review.role_limits) == {"logistics_planner", "ops_manager"}
    assert review.role_limits["logistics_planner"] == 5000.0 and review.approvals_required == 1
    assert policy.gate("route_order", _with(order={"value": 12000.0}), "shadow").review.approvals_required == 2
    assert policy.review_clock("route_order").escalate_to == "ops_manager"

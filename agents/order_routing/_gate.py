"""The gate facts of a routing proposal (what `policies/order_routing.yaml` reads; the model is `_facts.py`).

The order, customer and plan parts come from the data when the agent proposes; the route part is computed
from the action's arguments, so a reviewer's edit (another warehouse, carrier or day) is judged afresh.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from agents.order_routing._facts import RouteKind
from core import JsonObject, JsonValue
from customers import OpenOrder
from policies import Facts
from tools import CustomerStanding, HoldOrderArgs, RouteOrderArgs, SplitOrderArgs


@dataclass(frozen=True, slots=True)
class Leg:
    """One shipment as the facts see it."""

    warehouse: str
    carrier: str
    ship_on: date
    cost: float
    expected_delivery: date


def route_section(
    kind: RouteKind, legs: Sequence[Leg], promised_by: date, cheapest: float, stock_out: bool
) -> JsonObject:
    cost = round(math.fsum(leg.cost for leg in legs), 2)
    arrival = max((leg.expected_delivery for leg in legs), default=None)
    first = min((leg.ship_on for leg in legs), default=None)
    late = 0 if arrival is None else max((arrival - promised_by).days, 0)
    above = 0.0
    if kind == "route" and cheapest > 0:
        above = max(round(100.0 * (cost - cheapest) / cheapest, 2), 0.0)
    warehouses: list[JsonValue] = list(dict.fromkeys(leg.warehouse for leg in legs))
    carriers: list[JsonValue] = list(dict.fromkeys(leg.carrier for leg in legs))
    return {
        "kind": kind,
        "warehouses": warehouses,
        "carriers": carriers,
        "shipments": len(legs),
        "cost": cost,
        "cheapest_cost": float(cheapest),
        "cost_above_cheapest_pct": above,
        "promise_kept": kind != "hold" and late == 0,
        "days_late": late,
        "split": kind == "split",
        "held": kind == "hold",
        "stock_out": stock_out,
        "ship_on": None if first is None else first.isoformat(),
    }


def order_section(order: OpenOrder, today: date) -> JsonObject:
    return {
        "id": order.id,
        "value": float(order.value),
        "lines": len(order.lines),
        "items": sum(line.quantity for line in order.lines),
        "weight_kg": round(order.weight_kg, 3),
        "promised_by": order.promised_by.isoformat(),
        "days_to_promise": (order.promised_by - today).days,
    }


def customer_section(customer_id: str | None, standing: CustomerStanding | None) -> JsonObject:
    if standing is None:
        return {"id": customer_id, "open_complaints": 0, "value_last_365_days": 0.0, "orders_last_365_days": 0}
    return {
        "id": standing.customer_id,
        "open_complaints": standing.open_complaints,
        "value_last_365_days": float(standing.value_last_365_days),
        "orders_last_365_days": standing.orders_last_365_days,
    }


def _section(facts: Facts, key: str) -> dict[str, JsonValue]:
    value = facts.get(key)
    return dict(value) if isinstance(value, dict) else {}


def _promised(facts: Facts) -> date:
    return date.fromisoformat(str(_section(facts, "order").get("promised_by")))


def _cheapest(facts: Facts) -> float:
    value = _section(facts, "route").get("cheapest_cost")
    return float(value) if isinstance(value, int | float) else 0.0


def _stock_out(facts: Facts) -> bool:
    return _section(facts, "route").get("stock_out") is True


def _with(facts: Facts, action: str, route: JsonObject) -> JsonObject:
    return {**dict(facts), "route": route, "proposal": {"action": action}}


def route_facts(facts: Facts, args: RouteOrderArgs) -> JsonObject:
    leg = Leg(args.warehouse, args.carrier, args.ship_on, args.cost, args.expected_delivery)
    return _with(facts, "route_order", route_section("route", [leg], args.promised_by, _cheapest(facts), False))


def split_facts(facts: Facts, args: SplitOrderArgs) -> JsonObject:
    legs = [Leg(s.warehouse, s.carrier, s.ship_on, s.cost, s.expected_delivery) for s in args.shipments]
    return _with(facts, "split_order", route_section("split", legs, args.promised_by, _cheapest(facts), False))


def hold_facts(facts: Facts, args: HoldOrderArgs) -> JsonObject:
    return _with(facts, "hold_order", route_section("hold", [], _promised(facts), _cheapest(facts), _stock_out(facts)))

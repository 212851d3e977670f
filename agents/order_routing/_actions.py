"""The order-routing agent's actions: the tool each runs, its edit check, its gate facts and its headline figures."""

from __future__ import annotations

from typing import Any

from agents._summary import Figure
from agents._supervised import ActionSpec
from agents.order_routing._gate import hold_facts, route_facts, split_facts
from tools import (
    HoldOrderArgs,
    RouteOrderArgs,
    SplitOrderArgs,
    check_hold_order,
    check_route_order,
    check_split_order,
    hold_order,
    route_order,
    split_order,
)

ORDER_VALUE = Figure("Order value", "facts.order.value", "money")
ROUTE_COST = Figure("Cost", "facts.route.cost", "money")

_SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec(
        "route_order",
        RouteOrderArgs,
        route_order,
        route_facts,
        check_route_order,
        label="Route the order",
        description="Ship the whole order from one warehouse with one carrier on one day.",
        figures=(
            Figure("Cost", "arguments.cost", "money"),
            ORDER_VALUE,
            Figure("Promised by", "arguments.promised_by"),
            Figure("Expected delivery", "arguments.expected_delivery"),
            Figure("Warehouse", "arguments.warehouse"),
            Figure("Carrier", "arguments.carrier"),
            Figure("Ship on", "arguments.ship_on"),
            Figure("Cheapest way", "facts.route.cheapest_cost", "money"),
            Figure("Above the cheapest", "facts.route.cost_above_cheapest_pct", "number", "%"),
        ),
    ),
    ActionSpec(
        "split_order",
        SplitOrderArgs,
        split_order,
        split_facts,
        check_split_order,
        label="Split the order",
        description="Ship the order in parts from several warehouses, each item whole from one of them.",
        figures=(
            ROUTE_COST,
            ORDER_VALUE,
            Figure("Promised by", "arguments.promised_by"),
            Figure("Warehouses", "facts.route.warehouses", "list"),
            Figure("Shipments", "facts.route.shipments", "integer"),
            Figure("Days late", "facts.route.days_late", "integer"),
        ),
    ),
    ActionSpec(
        "hold_order",
        HoldOrderArgs,
        hold_order,
        hold_facts,
        check_hold_order,
        label="Hold the order",
        description="Keep the order back (nothing ships) and say why; it returns when the hold is released.",
        figures=(
            Figure("Reason", "arguments.reason"),
            ORDER_VALUE,
            Figure("Promised by", "facts.order.promised_by"),
            Figure("Out of stock", "facts.route.stock_out"),
        ),
    ),
)
ROUTING_ACTIONS: dict[str, ActionSpec[Any]] = {spec.name: spec for spec in _SPECS}

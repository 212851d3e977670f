"""The facts the order-routing policy's conditions may read (``policies/order_routing.yaml``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

RouteKind = Literal["route", "split", "hold"]


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class OrderFacts(_Facts):
    """The order being routed, as the source system has it."""

    id: str
    value: float
    """The order's value (a float: write 500.0 in conditions)."""
    lines: int
    items: int
    """Pieces over all lines."""
    weight_kg: float
    promised_by: str
    """The promised delivery date (ISO text: compare with ``timestamp(order.promised_by + "T00:00:00Z")``)."""
    days_to_promise: int
    """Calendar days from the planning day to the promised date (negative: the promise has passed)."""


class CustomerFacts(_Facts):
    """Who ordered, from the signals timeline."""

    id: str | None
    """Null when the order names no customer Steward knows."""
    open_complaints: int
    value_last_365_days: float
    """What the customer bought in the last year, over every source."""
    orders_last_365_days: int


class RouteFacts(_Facts):
    """The route as proposed (or as a reviewer edited it)."""

    kind: RouteKind
    warehouses: list[str]
    carriers: list[str]
    shipments: int
    """0 for a hold, 1 for a route, 2 or more for a split."""
    cost: float
    """Shipping cost: warehouse handling plus carrier price, over every shipment (0.0 for a hold)."""
    cheapest_cost: float
    """The cheapest single-warehouse way to serve the order that keeps the promise (or, when none keeps it, the
    cheapest at all), ignoring what other orders of the batch need; 0.0 when none exists."""
    cost_above_cheapest_pct: float
    """How much dearer the route is than `cheapest_cost`, in percent (0.0 when it is the cheapest, or no
    cheapest exists)."""
    promise_kept: bool
    """Every shipment arrives by the promised date (false for a hold)."""
    days_late: int
    """Days after the promised date the last shipment arrives (0 when kept, and for a hold)."""
    split: bool
    held: bool
    stock_out: bool
    """Some item of the order is not in stock, in the quantity ordered, at any single warehouse."""
    ship_on: str | None
    """The first shipment's ship date (ISO); null for a hold."""


class PlanFacts(_Facts):
    """The batch plan the route comes from."""

    batch_id: str
    orders: int
    """Orders planned together in the batch."""
    gap_pct: float
    """The plan's gap to the solver's lower bound, in percent."""
    status: str
    """optimal, time_limit or heuristic."""


class ProposalFacts(_Facts):
    action: str
    """route_order, split_order or hold_order."""


class OrderRoutingFacts(_Facts):
    """Everything the order-routing policy's conditions may read; `agents.fact_schema` gives their CEL types."""

    order: OrderFacts
    customer: CustomerFacts
    route: RouteFacts
    plan: PlanFacts
    proposal: ProposalFacts

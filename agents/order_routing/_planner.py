"""Plan a batch of orders at once: every order to one warehouse, carrier and ship day, at the least cost.

The batch is a generalised assignment problem with side constraints, handed to the exact solver
(`agents.assignment`): one job per order that has at least one whole-order option (`_options.py`), one
resource per (warehouse, ship day) holding its free shipping capacity and one per (warehouse, item)
holding its free stock. An order the solver cannot place (its options' capacity or stock ran out) or that
no single warehouse can serve is tried as a split over warehouses with stock left (each item whole from
one warehouse, as few shipments as possible); what cannot be split either is held, with the reason. No
order is dropped: every order of the batch leaves with a route, a split or a hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from agents.assignment import AssignmentProblem, Option, solve_assignment
from agents.order_routing._availability import Availability, Reservation
from agents.order_routing._options import (
    HORIZON_SHIP_DAYS,
    Network,
    RouteOption,
    cheapest_cost,
    order_options,
    zones_of,
)
from customers import Carrier, OpenOrder, Warehouse
from tools import first_ship_day, ship_days

RouteKind = Literal["route", "split", "hold"]
HoldCause = Literal["stock_out", "capacity", "no_rate", "no_lines"]
SolverStatus = Literal["optimal", "time_limit", "heuristic"]

ALTERNATIVES_SHOWN = 4
UNSERVED_BASE, UNSERVED_FACTOR = 100.0, 2.0
"""What leaving an order out of the solver's plan weighs: 100 plus twice the batch's dearest option. Above any
single route, so an order is routed whole whenever it fits; about what the split (or hold) it then gets costs,
so the solver may leave out one order to route two others whole."""
PLAN_SECONDS = 10.0
"""The solver's time budget for one batch; past it the best plan found is used, with its gap to the bound."""


@dataclass(frozen=True, slots=True)
class ShipmentPlan:
    """One shipment of a planned order."""

    warehouse_id: str
    carrier_id: str
    ship_on: date
    quantities: tuple[tuple[str, int], ...]
    cost: float
    expected_delivery: date

    def reservation(self) -> Reservation:
        return Reservation(self.warehouse_id, self.ship_on, self.quantities)


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another way the order could have gone, and why the plan did not take it."""

    warehouse_id: str
    carrier_id: str
    ship_on: date
    cost: float
    expected_delivery: date
    keeps_promise: bool
    why_not: str


@dataclass(frozen=True)
class OrderPlan:
    """What the plan says about one order."""

    order_id: str
    kind: RouteKind
    shipments: tuple[ShipmentPlan, ...]
    promised_by: date
    cheapest_cost: float
    alternatives: tuple[Alternative, ...] = ()
    hold_cause: HoldCause | None = None
    reason: str = ""
    """For a hold, why the order cannot be served; for a split, why no single warehouse could."""

    @property
    def cost(self) -> float:
        return round(math.fsum(s.cost for s in self.shipments), 2)

    @property
    def expected_delivery(self) -> date | None:
        return max((s.expected_delivery for s in self.shipments), default=None)

    @property
    def days_late(self) -> int:
        arrival = self.expected_delivery
        return 0 if arrival is None else max((arrival - self.promised_by).days, 0)

    @property
    def keeps_promise(self) -> bool:
        return self.kind != "hold" and self.days_late == 0

    @property
    def stock_out(self) -> bool:
        return self.hold_cause == "stock_out"


@dataclass(frozen=True)
class BatchPlan:
    """The plan of one batch, with the solver's figures: its objective, the proven lower bound and the gap."""

    orders: tuple[OrderPlan, ...]
    objective: float
    bound: float
    gap_pct: float
    status: SolverStatus
    method: str
    seconds: float

    def count(self, kind: RouteKind) -> int:
        return sum(1 for order in self.orders if order.kind == kind)

    @property
    def shipping_cost(self) -> float:
        return round(math.fsum(order.cost for order in self.orders), 2)


def network_for(warehouses: Sequence[Warehouse], carriers: Sequence[Carrier], now: datetime) -> Network:
    """The network as it stands at `now`: each carrier's first ship day and the horizon's ship days."""
    first = {carrier.id: first_ship_day(now, carrier.cutoff_hour) for carrier in carriers}
    start = min(first.values(), default=now.date())
    return Network(warehouses=warehouses, carriers=carriers, first_day=first, days=ship_days(start, HORIZON_SHIP_DAYS))


def plan_batch(
    orders: Sequence[OpenOrder],
    network: Network,
    free: Availability,
    *,
    avoid: Mapping[str, frozenset[tuple[str, str]]] | None = None,
    time_limit: float = PLAN_SECONDS,
    seed: int = 0,
) -> BatchPlan:
    """Plan `orders` over `free` (which is used up by the plan as it goes); one `OrderPlan` per order, in order."""
    avoid = avoid or {}
    options = [order_options(order, network, free, avoid.get(order.id, frozenset())) for order in orders]
    jobs = [index for index, found in enumerate(options) if found]
    resources: dict[tuple[str, object], int] = {}
    capacities: list[float] = []

    def resource(key: tuple[str, object], amount: int) -> int:
        if key not in resources:
            resources[key] = len(capacities)
            capacities.append(float(amount))
        return resources[key]

    problem_options: list[Option] = []
    owner: list[RouteOption] = []
    for job, index in enumerate(jobs):
        quantities = orders[index].quantities
        for option in options[index]:
            warehouse, day = option.quote.warehouse_id, option.quote.ship_on
            uses = [(resource(("capacity", (warehouse, day)), free.capacity_on(warehouse, day)), 1.0)]
            uses += [
                (resource(("stock", (warehouse, sku)), free.stock_of(warehouse, sku)), float(quantity))
                for sku, quantity in sorted(quantities.items())
            ]
            problem_options.append(Option(job=job, cost=option.weight, uses=tuple(uses)))
            owner.append(option)
    heaviest = max((option.weight for option in owner), default=0.0)
    problem = AssignmentProblem(
        jobs=len(jobs),
        options=tuple(problem_options),
        capacities=tuple(capacities),
        unassigned_cost=round(UNSERVED_BASE + UNSERVED_FACTOR * heaviest, 2),
    )
    solved = solve_assignment(problem, time_limit=time_limit, seed=seed)
    chosen: dict[int, RouteOption] = {}
    for job, picked in enumerate(solved.chosen):
        if picked is not None:
            chosen[jobs[job]] = owner[picked]
    plans: dict[int, OrderPlan] = {}
    for index, option in chosen.items():
        order = orders[index]
        shipment = _shipment(option, tuple(sorted(order.quantities.items())))
        free.take(shipment.reservation())
        plans[index] = OrderPlan(
            order_id=order.id,
            kind="route",
            shipments=(shipment,),
            promised_by=order.promised_by,
            cheapest_cost=cheapest_cost(options[index]),
            alternatives=_alternatives(option, options[index], order.promised_by),
        )
    rest = sorted(
        (index for index in range(len(orders)) if index not in plans),
        key=lambda i: (orders[i].promised_by, orders[i].placed_at, orders[i].id),
    )
    for index in rest:
        order = orders[index]
        plans[index] = split_or_hold(order, network, free, cheapest_cost(options[index]))
    return BatchPlan(
        orders=tuple(plans[index] for index in range(len(orders))),
        objective=solved.objective,
        bound=solved.bound,
        gap_pct=solved.gap_pct,
        status=solved.status,
        method=solved.method,
        seconds=solved.seconds,
    )


def _shipment(option: RouteOption, quantities: tuple[tuple[str, int], ...]) -> ShipmentPlan:
    quote = option.quote
    return ShipmentPlan(
        warehouse_id=quote.warehouse_id,
        carrier_id=quote.carrier_id,
        ship_on=quote.ship_on,
        quantities=quantities,
        cost=quote.cost,
        expected_delivery=quote.expected_delivery,
    )


def _alternatives(chosen: RouteOption, options: Sequence[RouteOption], promised_by: date) -> tuple[Alternative, ...]:
    shown: list[Alternative] = []
    seen = {chosen.warehouse_id}
    for option in options:  # cheapest first: the best way through each other warehouse
        if option.warehouse_id in seen or len(shown) >= ALTERNATIVES_SHOWN:
            continue
        seen.add(option.warehouse_id)
        quote = option.quote
        if option.weight < chosen.weight:
            why = (
                f"cheaper, but the batch needed {quote.warehouse_id}'s capacity on {quote.ship_on} or its stock for "
                "orders with no cheaper way"
            )
        elif chosen.keeps_promise and not option.keeps_promise:
            why = f"arrives {quote.expected_delivery}, after the promised {promised_by}"
        elif quote.cost > chosen.quote.cost:
            why = f"costs {quote.cost - chosen.quote.cost:.2f} more"
        else:
            why = "costs as much, and the plan needed it less"
        shown.append(
            Alternative(
                warehouse_id=quote.warehouse_id,
                carrier_id=quote.carrier_id,
                ship_on=quote.ship_on,
                cost=quote.cost,
                expected_delivery=quote.expected_delivery,
                keeps_promise=option.keeps_promise,
                why_not=why,
            )
        )
    return tuple(shown)


def split_or_hold(order: OpenOrder, network: Network, free: Availability, cheapest: float = 0.0) -> OrderPlan:
    """The order as a split over warehouses with stock and capacity left (taken from `free`), else a hold."""
    shipments = _split(order, network, free)
    if shipments is not None:
        for shipment in shipments:
            free.take(shipment.reservation())
        kind: RouteKind = "split" if len(shipments) > 1 else "route"
        reason = "" if kind == "route" else "no single warehouse has every item in stock with capacity to ship it"
        return OrderPlan(order.id, kind, shipments, order.promised_by, cheapest, reason=reason)
    cause, reason = _hold_reason(order, network, free)
    return OrderPlan(order.id, "hold", (), order.promised_by, cheapest, hold_cause=cause, reason=reason)


def _split(order: OpenOrder, network: Network, free: Availability) -> tuple[ShipmentPlan, ...] | None:
    """Each item whole from one warehouse, fewest shipments first, then the cheapest; None when impossible."""
    remaining = dict(order.quantities)
    weights: dict[str, float] = {}
    for line in order.lines:
        weights[line.sku] = weights.get(line.sku, 0.0) + line.weight_kg
    zones = zones_of(network, order.ship_to_postcode)
    shipments: list[ShipmentPlan] = []
    used: set[str] = set()
    while remaining:
        best: tuple[tuple[int, float], RouteOption, tuple[tuple[str, int], ...]] | None = None
        for warehouse in network.warehouses:
            if warehouse.id in used:
                continue
            covered = tuple(
                (sku, quantity)
                for sku, quantity in sorted(remaining.items())
                if free.stock_of(warehouse.id, sku) >= quantity
            )
            if not covered:
                continue
            rates = network.rates_for(math.fsum(weights[sku] for sku, _ in covered))
            for day in network.days:
                if free.capacity_on(warehouse.id, day) <= 0:
                    continue
                option = network.best(warehouse, zones[warehouse.id], day, rates, order.promised_by)
                if option is None:
                    continue
                key = (-len(covered), option.weight)
                if best is None or key < best[0]:
                    best = (key, option, covered)
        if best is None:
            return None
        _, option, covered = best
        shipments.append(_shipment(option, covered))
        used.add(option.warehouse_id)
        for sku, _ in covered:
            del remaining[sku]
    return tuple(shipments) if shipments else None


def _hold_reason(order: OpenOrder, network: Network, free: Availability) -> tuple[HoldCause, str]:
    if not order.lines:
        return "no_lines", "the order has no lines to ship"
    ids = [warehouse.id for warehouse in network.warehouses]
    short = [
        f"{sku}: {quantity} ordered, {free.total_stock(sku, ids)} free over all warehouses"
        for sku, quantity in sorted(order.quantities.items())
        if not any(free.stock_of(warehouse_id, sku) >= quantity for warehouse_id in ids)
    ]
    if short:
        return "stock_out", "not enough stock of " + "; ".join(short)
    if not network.rates_for(order.weight_kg):
        return "no_rate", f"no carrier has a rate for {order.weight_kg:g} kg"
    return "capacity", (
        f"the warehouses holding its items have no shipping capacity left on {', '.join(map(str, network.days))}"
    )

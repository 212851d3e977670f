"""One batch: read what is free, plan the open orders nobody is routing yet, store the plan.

What is free is read in an order that can only over-count what is taken, never under-count it: the
planner's version first, then the planned lines still in flight, then the live proposals in the queue,
then the recorded shipments. A line that moves on between two reads (proposed, executed) is then counted
twice for a moment, never missed. The plan is stored only if no other batch was stored since the version
was read (`RoutingPlans.save`); otherwise everything is read again and planned again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from agents.order_routing._availability import Availability, Reservation
from agents.order_routing._planner import PLAN_SECONDS, BatchPlan, network_for, plan_batch
from agents.order_routing._plans import RoutingPlans
from core import Clock, JsonObject, StewardError
from customers import FulfilmentRepository, OpenOrder
from supervision import ApprovalQueue, QueueItem, QueueStatus
from tools import RouteOrderArgs, SplitOrderArgs

log = structlog.get_logger(__name__)

LIVE_STATUSES: tuple[QueueStatus, ...] = ("pending", "approved", "edited", "executing")
"""A proposal in one of these may still ship: its route holds its capacity and stock."""
ATTEMPTS = 5
EVERY = 10_000_000


class PlanningRefused(StewardError):
    """An order cannot be planned now (not open, or already being routed); the message says why."""


class PlanningConflict(StewardError):
    """Other batches kept being stored while this one was planned; run again."""


@dataclass(frozen=True)
class StoredBatch:
    batch_id: str
    plan: BatchPlan


@dataclass(frozen=True)
class Taken:
    """What routes not yet recorded hold, and the orders they belong to."""

    reservations: tuple[Reservation, ...] = ()
    orders: frozenset[str] = frozenset()
    proposals: Mapping[str, str] = field(default_factory=dict)
    """order id → its live proposal."""


def reservations_of(item: QueueItem, order: OpenOrder | None) -> list[Reservation]:
    """What a live proposal's arguments (as they will execute: a reviewer's edit included) hold."""
    if item.runs == "route_order" and order is not None:
        route = RouteOrderArgs.model_validate(item.arguments)
        return [Reservation(route.warehouse, route.ship_on, tuple(sorted(order.quantities.items())))]
    if item.runs == "split_order":
        split = SplitOrderArgs.model_validate(item.arguments)
        return [
            Reservation(part.warehouse, part.ship_on, tuple((line.sku, line.quantity) for line in part.lines))
            for part in split.shipments
        ]
    return []


@dataclass(frozen=True)
class BatchPlanner:
    """Plans batches for one installation (any number of planners, in any processes, may run at once)."""

    agent: str
    fulfilment: FulfilmentRepository
    queue: ApprovalQueue
    plans: RoutingPlans
    clock: Clock
    time_limit: float = PLAN_SECONDS

    def taken(self, orders: Mapping[str, OpenOrder]) -> Taken:
        """What in-flight lines and live proposals hold (the in-flight lines read first)."""
        in_flight = self.plans.in_flight()
        live: list[QueueItem] = []
        for status in LIVE_STATUSES:
            live += self.queue.list(status=status, agent=self.agent, limit=EVERY)
        proposals = {str(item.arguments.get("order_id")): item.id for item in live}
        reservations: list[Reservation] = []
        for item in live:
            order_id = str(item.arguments.get("order_id"))
            reservations += reservations_of(item, orders.get(order_id) or self.fulfilment.order(order_id))
        for line in in_flight:
            if line.order_id not in proposals:
                reservations += [shipment.reservation() for shipment in line.plan.shipments]
        busy = frozenset(proposals) | {line.order_id for line in in_flight}
        return Taken(tuple(reservations), busy, proposals)

    def plan(self, *, only: str | None = None, limit: int | None = None) -> StoredBatch | None:
        """Plan the open orders nobody is routing (or only the order `only`; at most `limit`, soonest promise
        first) and store the plan; None when no order waits (nothing is stored)."""
        for attempt in range(1, ATTEMPTS + 1):
            version = self.plans.version()
            open_orders = {order.id: order for order in self.fulfilment.open_orders()}
            taken = self.taken(open_orders)
            committed = self.fulfilment.committed()
            orders = self._to_plan(open_orders, taken, only, limit)
            if not orders:
                return None
            network = network_for(self.fulfilment.warehouses(), self.fulfilment.carriers(), self.clock.now())
            free = Availability.of(network.warehouses, network.days, committed, taken.reservations)
            avoid = self.plans.rejected_routes([order.id for order in orders])
            plan = plan_batch(orders, network, free, avoid=avoid, time_limit=self.time_limit)
            batch_id = self.plans.save(plan, scope=only or "open orders", read_version=version)
            if batch_id is not None:
                log.info(
                    "routing.batch_planned",
                    batch_id=batch_id,
                    orders=len(orders),
                    routed=plan.count("route"),
                    split=plan.count("split"),
                    held=plan.count("hold"),
                    gap_pct=plan.gap_pct,
                    status=plan.status,
                )
                return StoredBatch(batch_id, plan)
            log.info("routing.batch_replanned", attempt=attempt)
        raise PlanningConflict(f"other batches were stored while this one was planned, {ATTEMPTS} times: run again")

    def _to_plan(
        self, open_orders: Mapping[str, OpenOrder], taken: Taken, only: str | None, limit: int | None
    ) -> list[OpenOrder]:
        if only is None:
            waiting = [order for order in open_orders.values() if order.id not in taken.orders]
            return waiting[:limit] if limit is not None else waiting
        if only not in open_orders:
            order = self.fulfilment.order(only)
            if order is None:
                state = "it is unknown to every source system"
            elif order.status == "open":
                state = "Steward has already shipped or held it"
            else:
                state = f"it is {order.status} in its source system"
            raise PlanningRefused(f"order {only!r} cannot be routed: {state}")
        if only in taken.proposals:
            raise PlanningRefused(f"order {only!r} already has a route waiting: proposal {taken.proposals[only]}")
        if only in taken.orders:
            raise PlanningRefused(f"order {only!r} is being routed by a batch planned moments ago; try again shortly")
        return [open_orders[only]]


def batch_inputs(stored: StoredBatch) -> list[JsonObject]:
    """One run input per planned order of the batch."""
    return [{"order_id": order.order_id, "batch_id": stored.batch_id} for order in stored.plan.orders]

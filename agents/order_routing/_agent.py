"""The order-routing agent: where every open order ships from, planned a batch at a time, one thread per order.

Design. The orders of a batch compete for the same capacity and stock, so they are planned together: the
trigger (`open_orders`, every 15 minutes or `steward run order_routing`) reads what is free, solves the
batch exactly (`_planner.py` over `agents.assignment`), stores the plan (`routing_batch`,
`routing_plan_line`) and hands back one input per order, `{order_id, batch_id}`. Each order then runs in a
thread of its own: `propose` reads its planned line and proposes `route_order`, `split_order` or
`hold_order` with the cost, the promise, the alternatives weighed and why this one; the shared supervised
step gates it, pauses it for review or executes it; `record` marks the line settled. One thread per order
(rather than one per batch resumed by interrupt ids) lets each route be decided, executed, expired or
proposed again on its own, on the same rails as every other agent, while the batch plan keeps the orders'
choices consistent with each other.

Capacity and stock held by routes not yet recorded are never promised twice: a batch plans only orders no
live proposal or recent line names, and counts as taken what live proposals (as a reviewer may have
edited them) and in-flight lines hold (`_batch.py`); a batch is stored only on the reading it was planned
on (`RoutingPlans.save`). A rejected, expired, denied or failed route holds nothing, so its order returns
to the next batch (a rejected warehouse and carrier are offered last). Running the agent on one order
(`order_id` alone, without a batch) plans a batch of that order; so does proposing a failed route again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field

from agents._definition import AgentDefinition, AgentEnvironment, AgentNodes, Trigger
from agents._proposal import Proposal
from agents._state import SupervisedState
from agents.order_routing._actions import ROUTING_ACTIONS
from agents.order_routing._batch import BatchPlanner, PlanningRefused, batch_inputs
from agents.order_routing._demo import ROUTING_DEMO
from agents.order_routing._facts import OrderRoutingFacts
from agents.order_routing._gate import Leg, customer_section, order_section, route_section
from agents.order_routing._outcomes import record_outcomes
from agents.order_routing._planner import OrderPlan
from agents.order_routing._plans import BatchFigures, PlanLine, RoutingPlans
from agents.order_routing._rationale import write_rationale
from core import Clock, JsonObject, NotFound
from customers import OpenOrder
from supervision import ApprovalQueue, Subject
from tools import (
    CustomerQuery,
    CustomerStanding,
    FieldEvidence,
    HoldOrderArgs,
    LineQuantity,
    RouteOrderArgs,
    ShipmentArgs,
    SplitOrderArgs,
    ToolContext,
    fulfilment_of,
    get_customer_standing,
    order_details,
)

AGENT = "order_routing"
PROPOSALS = uuid.UUID("5b0f3c1e-7d2a-4c55-9a61-0e8f4d2b7c90")
"""Namespace of proposal ids: one id per (batch, order), so a re-run of `propose` proposes the same thing."""

log = structlog.get_logger(__name__)

_ID = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"


class RoutingState(SupervisedState, total=False):
    order_id: str
    batch_id: str | None


class RoutingInput(BaseModel):
    """One run: an order, and the batch whose plan routes it (none: plan a batch of this order alone)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str = Field(min_length=1, max_length=200, pattern=_ID)
    batch_id: str | None = Field(default=None, min_length=1, max_length=40, pattern=_ID)


def arguments_of(plan: OrderPlan) -> tuple[str, JsonObject]:
    """The action and its arguments for one order's plan."""
    if plan.kind == "hold":
        return "hold_order", HoldOrderArgs(order_id=plan.order_id, reason=plan.reason[:500]).model_dump(mode="json")
    if plan.kind == "split":
        split = SplitOrderArgs(
            order_id=plan.order_id,
            shipments=[
                ShipmentArgs(
                    warehouse=s.warehouse_id,
                    carrier=s.carrier_id,
                    lines=[LineQuantity(sku=sku, quantity=quantity) for sku, quantity in s.quantities],
                    ship_on=s.ship_on,
                    cost=s.cost,
                    expected_delivery=s.expected_delivery,
                )
                for s in plan.shipments
            ],
            promised_by=plan.promised_by,
        )
        return "split_order", split.model_dump(mode="json")
    (s,) = plan.shipments
    route = RouteOrderArgs(
        order_id=plan.order_id,
        warehouse=s.warehouse_id,
        carrier=s.carrier_id,
        ship_on=s.ship_on,
        cost=s.cost,
        promised_by=plan.promised_by,
        expected_delivery=s.expected_delivery,
    )
    return "route_order", route.model_dump(mode="json")


def routing_facts(
    order: OpenOrder, plan: OrderPlan, batch: BatchFigures, standing: CustomerStanding | None, clock: Clock
) -> JsonObject:
    """The facts the routing policy's conditions see (documented in policies/order_routing.yaml)."""
    legs = [Leg(s.warehouse_id, s.carrier_id, s.ship_on, s.cost, s.expected_delivery) for s in plan.shipments]
    return {
        "order": order_section(order, clock.now().date()),
        "customer": customer_section(order.customer_id, standing),
        "route": route_section(plan.kind, legs, plan.promised_by, plan.cheapest_cost, plan.stock_out),
        "plan": {"batch_id": batch.id, "orders": batch.orders, "gap_pct": batch.gap_pct, "status": batch.status},
        "proposal": {"action": arguments_of(plan)[0]},
    }


@dataclass(frozen=True)
class RoutingNodes:
    """The agent's own nodes: `propose` reads (and, for a lone order, plans); `record` settles the plan line."""

    tools: ToolContext
    clock: Clock
    queue: ApprovalQueue
    plans: RoutingPlans

    def planner(self) -> BatchPlanner:
        fulfilment = fulfilment_of(self.tools, AGENT)
        return BatchPlanner(AGENT, fulfilment, self.queue, self.plans, self.clock)

    def _line(self, order_id: str, batch_id: str | None) -> PlanLine:
        line = None if batch_id is None else self.plans.line(batch_id, order_id)
        if batch_id is not None and line is None:
            raise PlanningRefused(f"batch {batch_id!r} planned no order {order_id!r}")
        if line is None or line.settled_status is not None:
            # A lone order, or a line whose proposal already ended (proposed again): plan it afresh.
            stored = self.planner().plan(only=order_id)
            line = None if stored is None else self.plans.line(stored.batch_id, order_id)
            if line is None:
                raise PlanningRefused(f"order {order_id!r} could not be planned")
        return line

    def propose(self, state: RoutingState) -> dict[str, Any]:
        line = self._line(state["order_id"], state.get("batch_id"))
        order = fulfilment_of(self.tools, AGENT).order(line.order_id)
        if order is None or order.status != "open":
            self.plans.settle(line.batch_id, line.order_id, proposal_id="", status="not_open")
            raise PlanningRefused(f"order {line.order_id!r} is no longer open")
        batch = self.plans.batch(line.batch_id)
        assert batch is not None  # a line's batch is stored with it
        standing = self._standing(order.customer_id)
        action, arguments = arguments_of(line.plan)
        details = order_details(order)  # the read tool's output, from the order already read
        evidence: list[FieldEvidence] = [*details.evidence, *(standing.evidence if standing else [])]
        subjects = [Subject(kind="order", id=order.id)]
        if order.customer_id:
            subjects.append(Subject(kind="customer", id=order.customer_id))
        proposal = Proposal(
            id=str(uuid.uuid5(PROPOSALS, f"{line.batch_id}:{order.id}")),
            agent=AGENT,
            action=action,
            arguments=arguments,
            customer_id=order.customer_id or "",
            subject_id=order.id,
            rationale=write_rationale(
                line.plan, orders=batch.orders, objective=batch.objective, bound=batch.bound, gap_pct=batch.gap_pct
            ),
            evidence=tuple(evidence),
            model_version=f"assignment:{batch.method}",
            created_at=self.clock.now(),
            subjects=tuple(subjects),
        )
        facts = routing_facts(order, line.plan, batch, standing, self.clock)
        return {"batch_id": line.batch_id, "proposal": proposal.model_dump(mode="json"), "facts": facts}

    def _standing(self, customer_id: str | None) -> CustomerStanding | None:
        if not customer_id:
            return None
        try:
            return get_customer_standing(self.tools, CustomerQuery(customer_id=customer_id))
        except NotFound:
            return None

    def record(self, state: RoutingState) -> dict[str, Any]:
        proposal = Proposal.model_validate(state["proposal"])
        status = state.get("status")
        batch_id = state.get("batch_id")
        if status is not None and status != "pending" and batch_id:
            self.plans.settle(batch_id, state["order_id"], proposal_id=proposal.id, status=status)
        log.info("routing.finished", proposal_id=proposal.id, action=proposal.action, status=status)
        return {}


def routing_plans(environment: AgentEnvironment) -> RoutingPlans:
    return RoutingPlans(environment.tools.customers.engine, environment.clock)


def _nodes(environment: AgentEnvironment) -> AgentNodes:
    nodes = RoutingNodes(
        tools=environment.tools, clock=environment.clock, queue=environment.queue, plans=routing_plans(environment)
    )
    return AgentNodes(steps=(("propose", nodes.propose),), finish=nodes.record)


def open_orders_waiting(environment: AgentEnvironment, limit: int | None) -> list[JsonObject]:
    """Record the outcomes the last ingest brought, then plan a batch of the open orders nobody is routing."""
    fulfilment = fulfilment_of(environment.tools, AGENT)
    record_outcomes(AGENT, environment.queue, fulfilment)
    planner = BatchPlanner(AGENT, fulfilment, environment.queue, routing_plans(environment), environment.clock)
    stored = planner.plan(limit=limit)
    return [] if stored is None else batch_inputs(stored)


ORDER_ROUTING = AgentDefinition(
    name=AGENT,
    description="Plans where every open order ships from and with which carrier, at the lowest cost that keeps "
    "the promise; splits or holds what no single warehouse can serve.",
    input_model=RoutingInput,
    state=RoutingState,
    nodes=_nodes,
    actions=tuple(ROUTING_ACTIONS.values()),
    facts_model=OrderRoutingFacts,
    triggers=(
        Trigger(
            name="open_orders",
            description="Open orders no route, split or hold is waiting for: planned as one batch, one proposal each.",
            waiting=open_orders_waiting,
            schedule="every 15m",
        ),
    ),
    input_key="order_id",
    title="Order routing",
    demo=ROUTING_DEMO,
)
"""The order-routing agent, as Steward installs it."""

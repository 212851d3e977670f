"""The order-routing agent: every open order to a warehouse, carrier and ship day, planned a batch at a time."""

from agents.order_routing._actions import ROUTING_ACTIONS
from agents.order_routing._agent import AGENT, ORDER_ROUTING, RoutingInput, arguments_of, open_orders_waiting
from agents.order_routing._availability import Availability, Reservation
from agents.order_routing._batch import BatchPlanner, PlanningConflict, PlanningRefused, StoredBatch
from agents.order_routing._facts import OrderRoutingFacts
from agents.order_routing._outcomes import record_outcomes
from agents.order_routing._plan_tables import RoutingBatchRow, RoutingPlanLineRow, RoutingPlannerRow
from agents.order_routing._planner import BatchPlan, OrderPlan, ShipmentPlan, network_for, plan_batch
from agents.order_routing._plans import IN_FLIGHT, BatchFigures, PlanLine, RoutingPlans

__all__ = [
    "AGENT",
    "IN_FLIGHT",
    "ORDER_ROUTING",
    "ROUTING_ACTIONS",
    "Availability",
    "BatchFigures",
    "BatchPlan",
    "BatchPlanner",
    "OrderPlan",
    "OrderRoutingFacts",
    "PlanLine",
    "PlanningConflict",
    "PlanningRefused",
    "Reservation",
    "RoutingBatchRow",
    "RoutingInput",
    "RoutingPlanLineRow",
    "RoutingPlannerRow",
    "RoutingPlans",
    "ShipmentPlan",
    "StoredBatch",
    "arguments_of",
    "network_for",
    "open_orders_waiting",
    "plan_batch",
    "record_outcomes",
]

"""Stored plans on both backends: a batch is stored only on the reading it was planned on, lines hold their
capacity while in flight, settled lines free it, and rejected routes are remembered per order."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from agents.order_routing import IN_FLIGHT, BatchPlan, OrderPlan, RoutingPlans, ShipmentPlan
from core import FixedClock
from tests.agents.order_routing.routing_world import NOW


def _plan(*orders: str, warehouse: str = "WH-A") -> BatchPlan:
    return BatchPlan(
        orders=tuple(
            OrderPlan(
                order_id=order,
                kind="route",
                shipments=(
                    ShipmentPlan(warehouse, "CR-STD", date(2026, 3, 2), (("SKU-1", 1),), 7.0, date(2026, 3, 4)),
                ),
                promised_by=date(2026, 3, 5),
                cheapest_cost=7.0,
            )
            for order in orders
        ),
        objective=7.0 * len(orders),
        bound=7.0 * len(orders),
        gap_pct=0.0,
        status="optimal",
        method="test",
        seconds=0.01,
    )


def test_a_batch_planned_on_a_stale_reading_is_not_stored(engine: Engine) -> None:
    clock = FixedClock(NOW)
    plans, other = RoutingPlans(engine, clock), RoutingPlans(engine, clock)
    mine, theirs = plans.version(), other.version()
    assert mine == theirs == 0
    assert other.save(_plan("erp:SO-2"), scope="open orders", read_version=theirs) is not None
    assert plans.save(_plan("erp:SO-1"), scope="open orders", read_version=mine) is None
    assert [line.order_id for line in plans.in_flight()] == ["erp:SO-2"]
    again = plans.version()
    batch_id = plans.save(_plan("erp:SO-1"), scope="open orders", read_version=again)
    assert batch_id is not None
    figures = plans.batch(batch_id)
    assert figures is not None and (figures.orders, figures.routed, figures.gap_pct) == (1, 1, 0.0)
    line = plans.line(batch_id, "erp:SO-1")
    assert line is not None and line.plan == _plan("erp:SO-1").orders[0]


def test_lines_hold_capacity_in_flight_until_settled_or_stale(engine: Engine) -> None:
    clock = FixedClock(NOW)
    plans = RoutingPlans(engine, clock)
    first = plans.save(_plan("erp:SO-1", "erp:SO-2"), scope="open orders", read_version=plans.version())
    assert first is not None
    plans.settle(first, "erp:SO-1", proposal_id="p-1", status="rejected")
    assert [line.order_id for line in plans.in_flight()] == ["erp:SO-2"]
    assert plans.rejected_routes(["erp:SO-1", "erp:SO-2"]) == {"erp:SO-1": frozenset({("WH-A", "CR-STD")})}
    clock.advance(IN_FLIGHT + timedelta(seconds=1))
    assert plans.in_flight() == []  # a run that died before proposing frees its line
    later = plans.save(_plan("erp:SO-2", warehouse="WH-B"), scope="erp:SO-2", read_version=plans.version())
    assert later is not None
    (line,) = plans.in_flight()
    assert (line.batch_id, line.plan.shipments[0].warehouse_id) == (later, "WH-B")

"""What a reviewer reads first: the route in plain words, the cost, the promise, what else was weighed and why."""

from __future__ import annotations

from datetime import date

from agents.order_routing._planner import OrderPlan, ShipmentPlan


def _arrival(arrives: date, promised: date) -> str:
    days = (promised - arrives).days
    if days > 0:
        return f"arrives {arrives}, {days} day{'s' if days != 1 else ''} before the promised {promised}"
    if days == 0:
        return f"arrives {arrives}, on the promised day"
    late = f"{-days} day{'s' if days != -1 else ''}"
    return f"arrives {arrives}, {late} after the promised {promised}: the promise is not kept"


def _items(shipment: ShipmentPlan) -> str:
    return ", ".join(f"{quantity} × {sku}" for sku, quantity in shipment.quantities)


def _batch(orders: int, objective: float, bound: float, gap_pct: float) -> str:
    return (
        f"Planned at once with the {orders} order{'s' if orders != 1 else ''} of its batch: the solver's routes "
        f"cost {objective:,.2f} (with late penalties), {gap_pct:.2f}% above its proven lower bound of {bound:,.2f}."
    )


def write_rationale(plan: OrderPlan, *, orders: int, objective: float, bound: float, gap_pct: float) -> str:
    """The proposal's rationale, from the plan alone (the numbers never come from anywhere else)."""
    batch = _batch(orders, objective, bound, gap_pct)
    if plan.kind == "hold":
        return f"Hold the order: {plan.reason}. No warehouse can ship it now, whole or in parts. {batch}"
    if plan.kind == "split":
        parts = "; ".join(
            f"{s.warehouse_id} with {s.carrier_id} on {s.ship_on} ({_items(s)}) for {s.cost:,.2f}, "
            f"arriving {s.expected_delivery}"
            for s in plan.shipments
        )
        arrival = plan.expected_delivery or plan.promised_by
        return (
            f"Split the order into {len(plan.shipments)} shipments because {plan.reason}: {parts}. "
            f"Together {plan.cost:,.2f}; the last part {_arrival(arrival, plan.promised_by)}. {batch}"
        )
    (shipment,) = plan.shipments
    text = (
        f"Ship from {shipment.warehouse_id} with {shipment.carrier_id} on {shipment.ship_on} for {shipment.cost:,.2f}: "
        f"{_arrival(shipment.expected_delivery, plan.promised_by)}."
    )
    if plan.cheapest_cost > 0 and shipment.cost > plan.cheapest_cost:
        above = 100.0 * (shipment.cost - plan.cheapest_cost) / plan.cheapest_cost
        text += f" The cheapest way to serve it alone costs {plan.cheapest_cost:,.2f} ({above:.1f}% less)."
    elif plan.keeps_promise:
        text += " It is the cheapest way to serve the order that keeps the promise."
    else:
        text += " No way to serve it arrives by the promised date: this one arrives soonest, at the least cost."
    if plan.alternatives:
        others = "; ".join(
            f"{a.warehouse_id} with {a.carrier_id} on {a.ship_on} for {a.cost:,.2f}: {a.why_not}"
            for a in plan.alternatives
        )
        text += f" Also weighed: {others}."
    else:
        text += " No other warehouse holds every item with capacity to ship it."
    return f"{text} {batch}"

"""Order routing at scale: the time to plan 10,000 open orders over 20 warehouses and 4 carriers and the plan's
gap to the solver's proven lower bound; then proposals per second through the supervised step.

Part 1 plans the batch in memory (the planner and solver the agent uses, on the same value types the
repository returns). Part 2 writes the same kind of ERP as source exports, ingests them into a temporary
SQLite installation, runs the agent's trigger (read what is free, plan, store the batch) and then `--proposals`
of the planned orders through the agent's graph: propose (plan line, order, customer standing) → gate →
submit, at the shadow level (every route waits for review) and, after moving route_order to its widest band,
with execution (the route is checked and recorded once).

    python -m benchmarks.routing_throughput [--orders 10000] [--proposals 1000] [--seconds 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.order_routing import Availability, network_for, plan_batch
from core import FixedClock
from customers import Carrier, CarrierRate, Commitments, OpenOrder, OrderLine, RecordSource, Warehouse
from steward import Settings, configure_logging
from tests.agents.order_routing.routing_world import Order, World, ingest, installation, routing_settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
WAREHOUSES, CARRIERS, SKUS, CUSTOMERS = 20, 4, 200, 500
SERVICE = (("economy", 12, 4), ("standard", 16, 2), ("express", 14, 1), ("standard", 15, 3))
"""Per carrier: service level, cut-off hour and transit days in zone 1 (one more beyond zone 2)."""


@dataclass(frozen=True)
class Synthetic:
    """A generated network and batch: warehouses spread over postcode regions, stock for most items at most
    warehouses, capacity for about 1.5 times the batch over the three ship days of the horizon."""

    warehouses: list[tuple[str, str, str, str, int, float]]
    items: list[tuple[str, str, float]]
    carriers: list[tuple[str, str, str, int]]
    rates: list[tuple[str, int, float, float, int]]
    stock: dict[tuple[str, str], int]
    orders: list[Order]


def synthetic(orders: int, seed: int = 0) -> Synthetic:
    rng = random.Random(seed)
    capacity = max(1, round(orders * 1.5 / (3 * WAREHOUSES)))
    warehouses = [
        (
            f"WH-{n:02d}",
            f"Warehouse {n}",
            f"{n % 10}{rng.randint(0, 9)}{rng.randint(0, 9)}01",
            "",
            capacity,
            2.0 + n % 4,
        )
        for n in range(WAREHOUSES)
    ]
    items = [(f"SKU-{n:04d}", f"Item {n}", round(rng.uniform(0.1, 12.0), 2)) for n in range(SKUS)]
    carriers = [(f"CR-{n}", f"Carrier {n}", level, cutoff) for n, (level, cutoff, _) in enumerate(SERVICE)]
    rates = [
        (f"CR-{n}", zone, weight, round((3.0 + 1.2 * zone + weight * 0.15) * (1.0 + 0.4 * n), 2), days + (zone > 2))
        for n, (_, _, days) in enumerate(SERVICE)
        for zone in (1, 2, 3, 4)
        for weight in (5.0, 20.0, 60.0)
    ]
    # An order has 1.75 lines of 2 pieces on average; stock covers 1.5 times the batch's demand for each item.
    per_item = max(4, round(orders * 3.5 * 1.5 / (SKUS * WAREHOUSES * 0.8)))
    stock = {
        (warehouse[0], sku): rng.randint(per_item // 2, per_item * 3 // 2)
        for warehouse in warehouses
        for sku, _, _ in items
        if rng.random() < 0.8
    }
    made = [
        Order(
            f"SO-{n:06d}",
            str(100000 + rng.randrange(CUSTOMERS)),
            tuple((f"SKU-{rng.randrange(SKUS):04d}", rng.randint(1, 3)) for _ in range(rng.choice((1, 1, 2, 3)))),
            NOW.date() + timedelta(days=rng.randint(2, 7)),
            amount=round(rng.uniform(15.0, 900.0), 2),
            postcode=f"{rng.randint(0, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}99",
        )
        for n in range(orders)
    ]
    return Synthetic(warehouses, items, carriers, rates, stock, made)


def _source(entity: str, record: str) -> RecordSource:
    return RecordSource("erp", entity, record, 1, 1, NOW, NOW)


def value_types(data: Synthetic) -> tuple[list[Warehouse], list[Carrier], list[OpenOrder]]:
    """The generated data as the fulfilment repository would return it."""
    weights = {sku: weight for sku, _, weight in data.items}
    warehouses = [
        Warehouse(
            w,
            name,
            postcode,
            None,
            capacity,
            handling,
            {s: q for (at, s), q in data.stock.items() if at == w},
            _source("warehouses", w),
        )
        for w, name, postcode, _, capacity, handling in data.warehouses
    ]
    carriers = [
        Carrier(
            c,
            name,
            level,  # type: ignore[arg-type]  # one of the service levels above
            cutoff,
            tuple(
                CarrierRate(z, w, p, d, _source("rates", f"{c}-{z}-{w}")) for rc, z, w, p, d in data.rates if rc == c
            ),
            _source("carriers", c),
        )
        for c, name, level, cutoff in data.carriers
    ]
    orders = [
        OpenOrder(
            f"erp:{o.order_id}",
            "erp",
            o.order_id,
            None,
            "open",
            NOW - timedelta(days=1),
            o.promised_by,
            o.postcode,
            None,
            o.amount,
            tuple(
                OrderLine(f"{o.order_id}-{n}", sku, q, weights[sku] * q, _source("order_lines", f"{o.order_id}-{n}"))
                for n, (sku, q) in enumerate(o.lines, 1)
            ),
            _source("orders", o.order_id),
        )
        for o in data.orders
    ]
    return warehouses, carriers, orders


def plan_in_memory(data: Synthetic, seconds: float) -> dict[str, Any]:
    warehouses, carriers, orders = value_types(data)
    started = time.perf_counter()
    network = network_for(warehouses, carriers, NOW)
    free = Availability.of(warehouses, network.days, Commitments({}, {}))
    plan = plan_batch(orders, network, free, time_limit=seconds)
    total = time.perf_counter() - started
    return {
        "orders": len(orders),
        "seconds_to_plan": round(total, 2),
        "solver_seconds": round(plan.seconds, 2),
        "status": plan.status,
        "method": plan.method,
        "objective": round(plan.objective, 2),
        "bound": round(plan.bound, 2),
        "gap_pct": round(plan.gap_pct, 4),
        "routed": plan.count("route"),
        "split": plan.count("split"),
        "held": plan.count("hold"),
        "shipping_cost": plan.shipping_cost,
    }


def through_the_agent(data: Synthetic, proposals: int, folder: Path) -> dict[str, Any]:
    world = World(
        folder / "erp-world",
        stock=data.stock,
        orders=data.orders,
        warehouses=data.warehouses,
        items=data.items,
        carriers=data.carriers,
        rates=data.rates,
    )
    home = folder / "home"
    settings = routing_settings(Settings(home=home, database_url=f"sqlite:///{home / 'steward.sqlite'}"), world)
    figures: dict[str, Any] = {}
    with installation(settings, FixedClock(NOW)) as app:
        started = time.perf_counter()
        ingest(app, world)
        figures["ingest_seconds"] = round(time.perf_counter() - started, 1)
        runner = app.runner("order_routing")
        from agents.order_routing import open_orders_waiting

        started = time.perf_counter()
        inputs = open_orders_waiting(runner.runtime.environment, None)
        figures["trigger_seconds"] = round(time.perf_counter() - started, 2)
        figures["planned"] = len(inputs)
        half = max(1, proposals // 2)
        figures["shadow"] = _rate(runner, inputs[:half])
        app.autonomy.set_level("order_routing", "route_order", "band_2", actor="benchmark", reason="throughput")
        figures["band_2"] = _rate(runner, inputs[half:proposals])
    return figures


def _rate(runner: Any, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for value in inputs:
        run = runner.run(value)
        statuses[run.status] = statuses.get(run.status, 0) + 1
    seconds = time.perf_counter() - started
    return {"proposals": len(inputs), "per_second": round(len(inputs) / seconds, 1), "by_status": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="the solver's time budget")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    configure_logging("WARNING")
    data = synthetic(args.orders)
    report: dict[str, Any] = {"date": date.today().isoformat(), "plan": plan_in_memory(data, args.seconds)}
    with tempfile.TemporaryDirectory(prefix="steward-routing-") as folder:
        report["agent"] = through_the_agent(data, args.proposals, Path(folder))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    plan, agent = report["plan"], report["agent"]
    print(
        f"plan: {plan['orders']:,} orders over {WAREHOUSES} warehouses and {CARRIERS} carriers in "
        f"{plan['seconds_to_plan']} s (solver {plan['solver_seconds']} s, {plan['status']}, {plan['method']}); "
        f"objective {plan['objective']:,} against the bound {plan['bound']:,}: gap {plan['gap_pct']}%; "
        f"{plan['routed']:,} routed, {plan['split']:,} split, {plan['held']:,} held"
    )
    print(
        f"agent: ingest {agent['ingest_seconds']} s; trigger (read, plan, store {agent['planned']:,} lines) "
        f"{agent['trigger_seconds']} s; proposals/s at shadow {agent['shadow']['per_second']} "
        f"{agent['shadow']['by_status']}, at band_2 with execution {agent['band_2']['per_second']} "
        f"{agent['band_2']['by_status']}"
    )


if __name__ == "__main__":
    main()

"""Time to a routing-shaped plan and its gap to the solver's bound, on a generated batch of orders.

N orders (jobs) on a map, each of 1-3 items (out of 50) in quantities of 1-3, to be shipped from one of 20
warehouses (an option per warehouse: cost = handling + distance x weight). Resources: each warehouse's
capacity in orders per day (the batch needs 85 % of all of it) and its stock of each item (1.5 times the
batch's demand for the item over all warehouses, spread unevenly; a tenth of the warehouse-item pairs carry
none), so one order's choice takes capacity and stock another order needs. Reported: the time to build and
check the problem, the time to a plan, its cost, the bound and the gap, and how many orders were left out.

    python -m benchmarks.assignment_scale [--jobs N] [--seconds S] [--seed K] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from agents.assignment import AssignmentProblem, Option, solve_assignment

WAREHOUSES = 20
ITEMS = 50
STOCK_COVER = 1.5
"""Stock of each item over all warehouses, as a multiple of the batch's demand for it."""
CAPACITY_USE = 0.85
"""The share of all warehouses' capacity the batch needs."""


def routing_problem(jobs: int, seed: int) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    sites = rng.random((WAREHOUSES, 2))
    places = rng.random((jobs, 2))
    handling = rng.uniform(1.0, 3.0, WAREHOUSES)
    items_per_order = rng.integers(1, 4, jobs)
    demand = np.zeros(ITEMS)
    orders: list[list[tuple[int, int]]] = []
    popularity = rng.dirichlet(np.full(ITEMS, 0.7))
    for count in items_per_order.tolist():
        items = rng.choice(ITEMS, size=count, replace=False, p=popularity)
        lines = [(int(item), int(rng.integers(1, 4))) for item in items]
        for item, quantity in lines:
            demand[item] += quantity
        orders.append(lines)
    share = rng.dirichlet(np.full(WAREHOUSES, 4.0), size=ITEMS).T * (rng.random((WAREHOUSES, ITEMS)) > 0.1)
    share /= np.maximum(share.sum(axis=0, keepdims=True), 1e-12)
    stock = np.ceil(STOCK_COVER * demand[None, :] * share)
    capacity = np.full(WAREHOUSES, np.ceil(jobs / WAREHOUSES / CAPACITY_USE))
    distance = np.linalg.norm(places[:, None, :] - sites[None, :, :], axis=2)
    weight = np.array([sum(quantity for _, quantity in lines) for lines in orders], dtype=float)
    options: list[Option] = []
    for job, lines in enumerate(orders):
        for site in range(WAREHOUSES):
            stock_uses = tuple((WAREHOUSES + site * ITEMS + item, float(quantity)) for item, quantity in lines)
            cost = round(float(handling[site] + 8.0 * distance[job, site] * (1 + 0.3 * weight[job])), 2)
            options.append(Option(job=job, cost=cost, uses=((site, 1.0), *stock_uses)))
    capacities = tuple(capacity.tolist()) + tuple(stock.ravel().tolist())
    return AssignmentProblem(jobs=jobs, options=tuple(options), capacities=capacities)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000, help="orders in the batch (default 10,000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="the solver's time limit (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    problem = routing_problem(args.jobs, args.seed)
    built = time.perf_counter() - started
    plan = solve_assignment(problem, time_limit=args.seconds, seed=args.seed)
    figures = {
        "jobs": problem.jobs,
        "options": len(problem.options),
        "resources": len(problem.capacities),
        "uses": int(problem.arrays.start[-1]),
        "usable_options": int(problem.arrays.usable.sum()),
        "build_seconds": round(built, 2),
        "solve_seconds": round(plan.seconds, 2),
        "time_limit": args.seconds,
        "objective": round(plan.objective, 2),
        "bound": round(plan.bound, 2),
        "gap_pct": round(plan.gap_pct, 4),
        "status": plan.status,
        "method": plan.method,
        "unserved": len(plan.unserved),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{figures['jobs']:,} orders, {WAREHOUSES} warehouses, {ITEMS} items: {figures['options']:,} options "
        f"({figures['usable_options']:,} usable), {figures['resources']:,} resources, {figures['uses']:,} uses"
    )
    print(f"  built and checked in {built:.2f} s")
    print(
        f"  plan in {plan.seconds:.2f} s (limit {args.seconds:g} s): cost {plan.objective:,.2f}, bound "
        f"{plan.bound:,.2f}, gap {plan.gap_pct:.4f} % ({plan.status}, {plan.method}), "
        f"{len(plan.unserved)} orders left out"
    )


if __name__ == "__main__":
    main()

"""The order-routing agent's part in `steward demo`: a simulated review history that earns the routes some
autonomy, then the rest of the world's open orders planned as one batch.

What is simulated: the logistics planners who review the history's proposals (they approve a route unless it
costs more than 10% above the cheapest way to serve the order, and every split and hold, with a seeded chance
of deciding otherwise). The orders, warehouses, stock and carriers are the generated world's; the
planner, solver, gate, queue, ladder and action tools are real.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from agents._demo import DemoContext, DemoScenario, DemoUser
from agents._runner import AgentRun
from agents.order_routing._options import LATE_PENALTY_PER_DAY
from core import JsonObject, StewardError
from supervision import QueueItem

PLANNER = "logistics_planner"
SIMULATED_PLANNERS: dict[str, DemoUser] = {
    "sim-planner-1": DemoUser("Simulated planner 1", (PLANNER,)),
    "sim-planner-2": DemoUser("Simulated planner 2", (PLANNER,)),
}
HISTORY_SHARE = 0.4
"""Share of the open orders (soonest promise first) replayed as the simulated review history."""
MAX_HISTORY = 80
SLIP_RATE = 0.03
REVIEW_PACE = timedelta(minutes=1)
"""Simulated time between two reviews of the history."""
"""Chance that a simulated planner decides against their own rule."""


def _verdict(item: QueueItem, rng: random.Random) -> Literal["approve", "reject"]:
    """A late route is approved too: the planner cannot do better than the soonest arrival either."""
    route = item.facts.get("route")
    fine = True
    if item.action == "route_order" and isinstance(route, dict):
        above = route.get("cost_above_cheapest_pct")
        fine = isinstance(above, int | float) and above <= 10.0
    if rng.random() < SLIP_RATE:
        fine = not fine
    return "approve" if fine else "reject"


def _review(context: DemoContext, runs: Sequence[AgentRun], rng: random.Random) -> Counter[str]:
    counts: Counter[str] = Counter()
    for run in context.progress(list(runs), "routing history (simulated reviews)"):
        context.clock.advance(REVIEW_PACE)  # reviews come one after another (the ladder counts them in order)
        item = context.queue.get(run.proposal_id)
        if item.status != "pending":
            counts[f"gate: {item.status}"] += 1
            continue
        verdict = _verdict(item, rng)
        for reviewer in list(SIMULATED_PLANNERS)[: item.gate.review.approvals_required]:
            item = context.supervisor.decide(item.id, reviewer_id=reviewer, verdict=verdict, comment="simulated")
            if item.status != "pending":
                break
        counts[f"reviewed: {verdict}"] += 1
    return counts


def _batch_line(context: DemoContext, batch_id: str) -> None:
    from agents.order_routing._agent import routing_plans

    figures = routing_plans(context.environment).batch(batch_id)
    if figures is None:
        return
    context.print(
        f"  plan: {figures.routed} routed, {figures.split} split, {figures.held} held; shipping cost "
        f"{figures.shipping_cost:,.2f}; solver objective (cost + {LATE_PENALTY_PER_DAY:.0f} a day late) "
        f"{figures.objective:,.2f} against its lower bound "
        f"{figures.bound:,.2f} (gap {figures.gap_pct:.2f}%, {figures.status}, {figures.method}, "
        f"{figures.seconds:.2f} s)"
    )


def play(context: DemoContext) -> None:
    from agents.order_routing._agent import open_orders_waiting

    say = context.print
    environment = context.environment
    fulfilment = environment.tools.fulfilment
    if fulfilment is None:
        say("\nOrder routing: no fulfilment data in this world; skipped")
        return
    orders = fulfilment.open_orders()
    say(
        f"\nOrder routing: {len(orders)} open orders (ERP and shop) over {len(fulfilment.warehouses())} warehouses "
        f"and {len(fulfilment.carriers())} carriers"
    )
    if not orders:
        return
    history = min(MAX_HISTORY, int(len(orders) * HISTORY_SHARE))
    say(
        f"SIMULATED review history: the {history} orders promised soonest, planned as a batch and decided by "
        f"simulated logistics planners (seed {context.seed}); everything else is real."
    )
    runs, _ = _run(context, open_orders_waiting(environment, history), "routing history: proposing")
    if runs:
        _batch_line(context, _batch_of(context, runs[0]))
    counts = _review(context, runs, random.Random(context.seed))
    for key in sorted(counts):
        say(f"    {key:24} {counts[key]}")
    for action in ("route_order", "split_order", "hold_order"):
        level, kpi = context.supervisor.ladder_state(context.runner.name, action)
        say(f"    {action:13} now at {level} (agreement {kpi.agreed}/{kpi.reviewed})")
    runs, not_run = _run(context, open_orders_waiting(environment, None), "routing: proposing")
    say(f"\nRouting the other open orders: {len(runs)} proposals from one batch (rejected routes return to it)")
    if runs:
        _batch_line(context, _batch_of(context, runs[0]))
    statuses = Counter(run.status for run in runs)
    actions = Counter(f"{run.action} → {run.status}" for run in runs)
    say(f"  ran automatically    {statuses['executed']}")
    say(f"  waiting for review   {statuses['pending']} (decided by a logistics planner or ops: steward queue list)")
    say(f"  held (for review)    {sum(1 for run in runs if run.action == 'hold_order')}")
    if statuses["denied"] or statuses["failed"]:
        say(f"  denied / failed      {statuses['denied']} / {statuses['failed']}")
    for key in sorted(actions):
        say(f"    {key:34} {actions[key]}")
    if not_run:
        say(f"  not run              {len(not_run)}: {not_run[0]}")


def _run(context: DemoContext, inputs: Sequence[JsonObject], label: str) -> tuple[list[AgentRun], list[str]]:
    """Run the agent on each input; an order it cannot route now (no longer open) is reported, not fatal."""
    runs, not_run = [], []
    for value in context.progress(list(inputs), label):
        try:
            runs.append(context.runner.run(value))
        except StewardError as exc:
            not_run.append(f"{value.get('order_id')}: {exc}")
    return runs, not_run


def _batch_of(context: DemoContext, run: AgentRun) -> str:
    values = context.runner.runtime.graph.get_state({"configurable": {"thread_id": run.thread_id}}).values
    return str(values.get("batch_id") or "")


ROUTING_DEMO = DemoScenario(play=play, users=SIMULATED_PLANNERS)
"""The routing agent's part in `steward demo` (after credit's: it runs at the demo's present)."""

"""The outcome KPI: once the source says how a shipped order ended, its route is labelled (late or returned: bad)."""

from __future__ import annotations

from dataclasses import replace

from agents.order_routing import OrderRoutingFacts, record_outcomes
from steward import Settings
from tests.agents.order_routing.conftest import FRIDAY, THURSDAY
from tests.agents.order_routing.routing_world import Order, World, ingest, installation

AGENT = "order_routing"


def test_delivered_late_or_returned_is_bad_and_on_time_is_good(settings: Settings, world: World) -> None:
    world.orders += [
        Order("SO-2", "1002", (("SKU-1", 1),), FRIDAY),
        Order("SO-3", "1003", (("SKU-1", 1),), FRIDAY),
    ]
    with installation(settings) as app:
        ingest(app, world)
        runs = app.runner(AGENT).run_waiting().runs
        assert len(runs) == 3
        for run in runs:
            item = app.queue.get(run.proposal_id)
            OrderRoutingFacts.model_validate(item.facts)  # what the agent gives the gate is what its policy reads
            assert app.supervisor.decide(run.proposal_id, reviewer_id="planner", verdict="approve").status == "executed"
        environment = app.runtimes[AGENT].environment
        assert environment.tools.fulfilment is not None
        assert record_outcomes(AGENT, app.queue, environment.tools.fulfilment) == {}  # nothing delivered yet

        late = f"{THURSDAY.replace(day=7).isoformat()}T10:00:00+00:00"
        on_time = "2026-03-04T10:00:00+00:00"
        ended = {"SO-1": ("delivered", late), "SO-2": ("delivered", on_time), "SO-3": ("returned", on_time)}
        world.orders = [
            replace(o, status=ended[o.order_id][0], delivered_at=ended[o.order_id][1]) for o in world.orders
        ]
        ingest(app, world)
        assert app.runner(AGENT).run_waiting().runs == []  # the trigger records outcomes, then finds nothing to plan
        outcomes = {str(item.arguments["order_id"]): item.outcome for item in app.queue.list(agent=AGENT)}
        assert outcomes == {"erp:SO-1": "bad", "erp:SO-2": "good", "erp:SO-3": "bad"}
        _, kpi = app.supervisor.ladder_state(AGENT, "route_order")
        assert (kpi.outcomes_observed, kpi.bad_outcomes) == (3, 2)
        assert record_outcomes(AGENT, app.queue, environment.tools.fulfilment) == {}  # each labelled once

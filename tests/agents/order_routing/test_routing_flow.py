"""The routing agent on both backends: plan → gate → pause → decision in a new process → execute once, and the
batch rules (capacity never promised twice, rejected routes return, infeasible orders held, not dropped)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from agents import AgentRunner
from agents.order_routing import BatchPlanner, OrderRoutingFacts, RoutingPlans
from core import FixedClock
from customers import PlannedShipment, ShipmentLine
from steward import Settings, Steward
from supervision import QueueItem, QueueStatus
from tests.agents.order_routing.conftest import FRIDAY, THURSDAY
from tests.agents.order_routing.routing_world import NOW, Order, World, ingest, installation

AGENT = "order_routing"
LIVE: tuple[QueueStatus, ...] = ("pending", "approved", "edited", "executing")


def _runner(app: Steward) -> AgentRunner:
    return app.runner(AGENT)


def _live(app: Steward) -> list[QueueItem]:
    return [item for status in LIVE for item in app.queue.list(status=status, agent=AGENT, limit=1000)]


def _by_order(app: Steward) -> dict[str, QueueItem]:
    """The newest proposal of each order."""
    found: dict[str, QueueItem] = {}
    for item in reversed(app.queue.list(agent=AGENT, limit=1000)):
        found[str(item.arguments["order_id"])] = item
    return found


def _audit(app: Steward, proposal_id: str) -> list[str]:
    return [entry.kind for entry in app.audit.entries(subject=proposal_id)]


def test_a_route_pauses_is_decided_in_a_new_process_and_ships_exactly_once(settings: Settings, world: World) -> None:
    with installation(settings) as app:
        ingest(app, world)
        report = _runner(app).run_waiting()
        assert report.by_status == {"pending": 1}  # shadow level: a person decides every route
        (run,) = report.runs
        assert run.action == "route_order"
        graph = app.runtimes[AGENT].graph
        assert graph.get_state({"configurable": {"thread_id": run.thread_id}}).next == ("await_review",)
        item = app.queue.get(run.proposal_id)
        assert item.arguments == {
            "order_id": "erp:SO-1",
            "warehouse": "WH-A",
            "carrier": "CR-STD",
            "ship_on": "2026-03-02",
            "cost": 7.0,
            "promised_by": "2026-03-05",
            "expected_delivery": "2026-03-04",
        }
        assert {(s.kind, s.id) for s in item.subjects} >= {("order", "erp:SO-1"), ("customer", item.customer_id)}
        assert "Ship from WH-A with CR-STD on 2026-03-02 for 7.00" in str(item.proposal["rationale"])
        assert _audit(app, run.proposal_id) == ["proposal.submitted", "gate.decided"]
        fulfilment = app.runtimes[AGENT].environment.tools.fulfilment
        assert fulfilment is not None and fulfilment.shipments_of("erp:SO-1") == ()

    # The process that planned is gone; a planner decides from a new one, on the same home.
    with installation(settings) as app:
        decided = app.supervisor.decide(run.proposal_id, reviewer_id="planner", verdict="approve")
        assert decided.status == "executed"
        fulfilment = app.runtimes[AGENT].environment.tools.fulfilment
        assert fulfilment is not None
        (shipment,) = fulfilment.shipments_of("erp:SO-1")
        assert (shipment.warehouse_id, shipment.carrier_id, shipment.ship_on) == ("WH-A", "CR-STD", date(2026, 3, 2))
        assert shipment.proposal_id == run.proposal_id
        assert decided.execution_result is not None and decided.execution_result["replayed"] is False
        assert app.supervisor.resume(decided).status == "executed"  # a retry changes nothing
        assert len(fulfilment.shipments_of("erp:SO-1")) == 1
        assert _audit(app, run.proposal_id) == [
            "proposal.submitted",
            "gate.decided",
            "review.decided",
            "action.claimed",
            "action.executed",
        ]
        assert _runner(app).run_waiting().runs == []  # shipped: nothing waits any more
        assert app.audit.verify().ok


def test_two_batches_with_reviews_pending_never_promise_the_same_capacity_or_stock(
    settings: Settings, world: World
) -> None:
    world.capacity = {"WH-A": 1}
    world.stock[("WH-A", "SKU-2")] = 1
    world.orders.append(Order("SO-2", "1002", (("SKU-2", 1),), FRIDAY))
    with installation(settings) as app:
        ingest(app, world)
        first = _runner(app).run_waiting()
        assert first.by_status == {"pending": 2}
        # New orders arrive while the first batch waits for review: each wants WH-A's capacity or its chair.
        world.orders += [
            Order("SO-3", "1003", (("SKU-1", 1),), THURSDAY),
            Order("SO-4", "1004", (("SKU-2", 1),), FRIDAY),
        ]
        ingest(app, world)
        second = _runner(app).run_waiting()
        assert {run.action for run in second.runs} <= {"route_order", "split_order", "hold_order"}
        assert len(second.runs) == 2  # only the new orders: the first batch's are being routed
        live = _live(app)
        assert len(live) == 4
        per_day = Counter((i.arguments["warehouse"], i.arguments["ship_on"]) for i in live if i.action == "route_order")
        capacity = {"WH-A": 1, "WH-B": 2, "WH-C": 1}
        assert all(count <= capacity[str(warehouse)] for (warehouse, _), count in per_day.items()), per_day
        chairs_at_a = [i for i in live if i.action == "route_order" and i.arguments["warehouse"] == "WH-A"]
        orders_at_a = {str(i.arguments["order_id"]) for i in chairs_at_a}
        assert len(orders_at_a & {"erp:SO-2", "erp:SO-4"}) <= 1  # WH-A holds one chair


def test_a_rejected_route_returns_its_order_to_the_next_batch_by_another_way(settings: Settings, world: World) -> None:
    with installation(settings) as app:
        ingest(app, world)
        (run,) = _runner(app).run_waiting().runs
        rejected = app.supervisor.decide(run.proposal_id, reviewer_id="planner", verdict="reject", comment="use B")
        assert rejected.status == "rejected"
        again = _runner(app).run_waiting()
        (second,) = again.runs
        item = app.queue.get(second.proposal_id)
        assert item.arguments["order_id"] == "erp:SO-1" and item.id != run.proposal_id
        assert (item.arguments["warehouse"], item.arguments["carrier"]) != ("WH-A", "CR-STD")
        assert "WH-A with CR-STD" not in str(item.proposal["rationale"]).split("Also weighed")[0]


def test_an_infeasible_batch_holds_what_cannot_be_served_and_routes_the_rest(settings: Settings, world: World) -> None:
    world.capacity = {"WH-A": 1, "WH-B": 0, "WH-C": 0}  # one shipment a day, three ship days in the horizon
    world.orders = [Order(f"SO-{n}", f"10{n:02d}", (("SKU-1", 1),), FRIDAY) for n in range(1, 5)]
    world.orders.append(Order("SO-9", "1099", (("SKU-9", 2),), FRIDAY))  # no warehouse has any
    with installation(settings) as app:
        ingest(app, world)
        report = _runner(app).run_waiting()
        assert len(report.runs) == 5  # every order leaves with a proposal: none is dropped
        by_order = _by_order(app)
        actions = Counter(item.action for item in by_order.values())
        assert actions == {"route_order": 3, "hold_order": 2}
        assert by_order["erp:SO-9"].action == "hold_order"
        assert "SKU-9: 2 ordered, 0 free" in str(by_order["erp:SO-9"].arguments["reason"])
        assert OrderRoutingFacts.model_validate(by_order["erp:SO-9"].facts).route.stock_out is True
        assert by_order["erp:SO-9"].gate.matched == "stock_out"
        capacity_held = [i for i in by_order.values() if i.action == "hold_order" and i.id != by_order["erp:SO-9"].id]
        assert "no shipping capacity left" in str(capacity_held[0].arguments["reason"])
        days = sorted(str(i.arguments["ship_on"]) for i in by_order.values() if i.action == "route_order")
        assert days == ["2026-03-02", "2026-03-03", "2026-03-04"]


def test_a_route_no_longer_possible_at_execution_fails_clearly_and_ships_nothing(
    settings: Settings, world: World
) -> None:
    world.capacity = {"WH-A": 1}
    with installation(settings) as app:
        ingest(app, world)
        (run,) = _runner(app).run_waiting().runs
        fulfilment = app.runtimes[AGENT].environment.tools.fulfilment
        assert fulfilment is not None
        # Another order takes WH-A's only shipment of the day while the route waits for review.
        world.orders.append(Order("SO-7", "1007", (("SKU-1", 1),), FRIDAY))
        ingest(app, world)
        fulfilment.record_shipments(
            "erp:SO-7",
            [PlannedShipment("WH-A", "CR-STD", date(2026, 3, 2), (ShipmentLine("SKU-1", 1),), 7.0)],
            idempotency_key="elsewhere",
        )
        failed = app.supervisor.decide(run.proposal_id, reviewer_id="planner", verdict="approve")
        assert failed.status == "failed"
        assert failed.error is not None and "no shipping capacity left on 2026-03-02" in failed.error
        assert fulfilment.shipments_of("erp:SO-1") == ()
        # Proposed again, it is planned afresh on what is free now.
        again = app.supervisor.propose_again(run.proposal_id, actor="planner")
        assert again.arguments["order_id"] == "erp:SO-1"
        assert (again.arguments["warehouse"], again.arguments["ship_on"]) != ("WH-A", "2026-03-02")


def test_one_order_alone_is_planned_as_its_own_batch(settings: Settings, world: World) -> None:
    world.orders.append(Order("SO-2", "1002", (("SKU-3", 1),), FRIDAY, postcode="20099"))
    with installation(settings, FixedClock(NOW)) as app:
        ingest(app, world)
        run = _runner(app).run("erp:SO-2")
        item = app.queue.get(run.proposal_id)
        assert item.action == "route_order" and item.arguments["warehouse"] == "WH-B"
        assert OrderRoutingFacts.model_validate(item.facts).plan.orders == 1
        report = _runner(app).run_waiting()
        assert [app.queue.get(r.proposal_id).arguments["order_id"] for r in report.runs] == ["erp:SO-1"]


def test_a_planner_that_lost_a_race_plans_again_on_what_the_winner_left(settings: Settings, world: World) -> None:
    world.capacity = {"WH-A": 1}
    world.orders.append(Order("SO-2", "1002", (("SKU-1", 1),), THURSDAY))
    with installation(settings) as app:
        ingest(app, world)
        found = app.runtimes[AGENT].environment.tools.fulfilment
        assert found is not None
        fulfilment = found

        class Racing(RoutingPlans):
            """Another process stores a batch of SO-2 right after this planner read the version."""

            raced = False

            def version(self) -> int:
                read = super().version()
                if not self.raced:
                    self.raced = True
                    other = BatchPlanner(AGENT, fulfilment, app.queue, RoutingPlans(app.engine, app.clock), app.clock)
                    assert other.plan(only="erp:SO-2") is not None
                return read

        stored = BatchPlanner(AGENT, fulfilment, app.queue, Racing(app.engine, app.clock), app.clock).plan()
        assert stored is not None
        assert [order.order_id for order in stored.plan.orders] == ["erp:SO-1"]  # SO-2 is the winner's
        (winner,) = [line for line in RoutingPlans(app.engine, app.clock).in_flight() if line.order_id == "erp:SO-2"]
        taken = {(s.warehouse_id, s.ship_on) for s in winner.plan.shipments}
        mine = {(s.warehouse_id, s.ship_on) for s in stored.plan.orders[0].shipments}
        assert ("WH-A", date(2026, 3, 2)) in taken and not taken & mine  # WH-A ships one order a day

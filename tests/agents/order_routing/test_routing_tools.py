"""The routing tools on the tests' ERP: reads carry lineage; actions refuse without a claimed authorization, run
once per idempotency key, and check an edit as they would check themselves."""

from __future__ import annotations

from datetime import date

import pytest

from agents import InvalidEdit
from core import StewardError
from steward import Settings, Steward
from supervision import DecisionEdit
from tests.agents.order_routing.conftest import FRIDAY
from tests.agents.order_routing.routing_world import Order, World, ingest, installation
from tests.agents.test_edit_rules import refuse_identifying_edits
from tools import (
    ActionNotAuthorized,
    Authorization,
    CapacityQuery,
    HoldOrderArgs,
    InvalidToolArguments,
    LineQuantity,
    OrderQuery,
    RouteOrderArgs,
    ShipmentArgs,
    SplitOrderArgs,
    StockQuery,
    ToolContext,
    action_hash,
    check_split_order,
    get_capacity,
    get_order,
    get_stock,
    hold_order,
    route_order,
)

AGENT = "order_routing"


def _tools(app: Steward) -> ToolContext:
    return app.runtimes[AGENT].environment.tools


def test_read_tools_name_the_source_row_of_every_figure(settings: Settings, world: World) -> None:
    with installation(settings) as app:
        ingest(app, world)
        ctx = _tools(app)
        order = get_order(ctx, OrderQuery(order_id="erp:SO-1"))
        assert (order.value, order.promised_by, [line.sku for line in order.lines]) == (
            80.0,
            date(2026, 3, 5),
            ["SKU-1"],
        )
        assert {(e.field, e.source_system, e.source_record_id) for e in order.evidence} >= {
            ("value", "erp", "SO-1"),
            ("line:SKU-1", "erp", "SO-1-1"),
        }
        stock = get_stock(ctx, StockQuery(skus=["SKU-2"], warehouse_id="WH-B"))
        assert [(level.on_hand, level.committed, level.free) for level in stock.levels] == [(2, 0, 2)]
        assert [(e.field, e.source_record_id) for e in stock.evidence] == [("stock:WH-B:SKU-2", "ST-WH-B-SKU-2")]
        capacity = get_capacity(ctx, CapacityQuery(warehouse_id="WH-C", days=2))
        assert [(c.ship_on, c.free) for c in capacity.levels] == [(date(2026, 3, 2), 1), (date(2026, 3, 3), 1)]


def test_action_tools_refuse_without_a_claimed_authorization_and_write_nothing(
    settings: Settings, world: World
) -> None:
    with installation(settings) as app:
        ingest(app, world)
        ctx = _tools(app)
        args = RouteOrderArgs(
            order_id="erp:SO-1",
            warehouse="WH-A",
            carrier="CR-STD",
            ship_on=date(2026, 3, 2),
            cost=7.0,
            promised_by=date(2026, 3, 5),
            expected_delivery=date(2026, 3, 4),
        )
        forged = Authorization("no-such-proposal", action_hash("route_order", args.model_dump(mode="json")), "k")
        with pytest.raises(ActionNotAuthorized, match="no claimed execution"):
            route_order(ctx, args, forged)
        other = Authorization("no-such-proposal", action_hash("route_order", {"order_id": "erp:SO-2"}), "k")
        with pytest.raises(ActionNotAuthorized, match="different action"):
            route_order(ctx, args, other)
        hold = HoldOrderArgs(order_id="erp:SO-1", reason="test")
        with pytest.raises(ActionNotAuthorized):
            hold_order(ctx, hold, Authorization("x", action_hash("hold_order", hold.model_dump(mode="json")), "k"))
        assert ctx.fulfilment is not None
        assert ctx.fulfilment.shipments_of("erp:SO-1") == () and ctx.fulfilment.hold_of("erp:SO-1") is None


def test_a_route_run_twice_under_its_claim_writes_once_and_recovery_finishes_it(
    settings: Settings, world: World
) -> None:
    with installation(settings) as app:
        ingest(app, world)
        (run,) = app.runner(AGENT).run_waiting().runs
        item = app.queue.get(run.proposal_id)
        # The decision is recorded and the execution claimed; then the process dies after the tool ran.
        app.queue.decide(run.proposal_id, app.users.get("planner"), "approve")
        claim = app.queue.claim_execution(run.proposal_id, item.action_hash)
        auth = Authorization(run.proposal_id, claim.action_hash, claim.idempotency_key)
        ctx = _tools(app)
        args = RouteOrderArgs.model_validate(item.arguments)
        first = route_order(ctx, args, auth)
        again = route_order(ctx, args, auth)
        assert (first.replayed, again.replayed) == (False, True)
        assert [s.shipment_id for s in again.shipments] == [s.shipment_id for s in first.shipments]
        assert ctx.fulfilment is not None and len(ctx.fulfilment.shipments_of("erp:SO-1")) == 1
        report = app.supervisor.recover()
        assert [(entry.id, entry.outcome) for entry in report.proposals] == [(run.proposal_id, "executed")]
        done = app.queue.get(run.proposal_id)
        assert done.status == "executed" and done.execution_result is not None
        assert done.execution_result["replayed"] is True
        assert len(ctx.fulfilment.shipments_of("erp:SO-1")) == 1


def test_a_hold_is_recorded_once_and_takes_the_order_out_of_the_open_orders(settings: Settings, world: World) -> None:
    world.orders.append(Order("SO-9", "1009", (("SKU-9", 1),), FRIDAY))
    with installation(settings) as app:
        ingest(app, world)
        runs = app.runner(AGENT).run_waiting().runs
        (held,) = [run for run in runs if run.action == "hold_order"]
        done = app.supervisor.decide(held.proposal_id, reviewer_id="planner", verdict="approve")
        assert done.status == "executed"
        ctx = _tools(app)
        assert ctx.fulfilment is not None
        hold = ctx.fulfilment.hold_of("erp:SO-9")
        assert hold is not None and "SKU-9" in hold.reason and hold.proposal_id == held.proposal_id
        assert "erp:SO-9" not in {order.id for order in ctx.fulfilment.open_orders()}
        assert done.execution_result is not None and done.execution_result["hold_id"] == hold.id
        with pytest.raises(ActionNotAuthorized):  # an executed proposal cannot be claimed again
            auth = Authorization(done.id, done.action_hash, str(done.execution_result["idempotency_key"]))
            hold_order(ctx, HoldOrderArgs.model_validate(done.arguments), auth)
        assert ctx.fulfilment.hold_of("erp:SO-9") == hold


def test_an_edited_route_is_checked_against_the_tariff_gated_again_and_executed(
    settings: Settings, world: World
) -> None:
    with installation(settings) as app:
        ingest(app, world)
        (run,) = app.runner(AGENT).run_waiting().runs
        # WH-B is zone 3 from the customer: 3.00 handling + 7.00 carriage, three days on the road.
        with pytest.raises(InvalidEdit, match=r"costs 10\.00"):
            app.supervisor.decide(
                run.proposal_id,
                reviewer_id="planner",
                verdict="edit",
                edit=DecisionEdit(arguments={"warehouse": "WH-B"}),
            )
        with pytest.raises(InvalidEdit, match="no carrier 'CR-ZZZ'"):
            app.supervisor.decide(
                run.proposal_id,
                reviewer_id="planner",
                verdict="edit",
                edit=DecisionEdit(arguments={"carrier": "CR-ZZZ"}),
            )
        with pytest.raises(InvalidEdit, match="WH-C has 0 of SKU-1 free"):
            app.supervisor.decide(
                run.proposal_id,
                reviewer_id="planner",
                verdict="edit",
                edit=DecisionEdit(arguments={"warehouse": "WH-C"}),
            )
        with pytest.raises(InvalidEdit, match="promised_by"):
            app.supervisor.decide(
                run.proposal_id,
                reviewer_id="planner",
                verdict="edit",
                edit=DecisionEdit(arguments={"promised_by": "2026-03-20"}),
            )
        edited = app.supervisor.decide(
            run.proposal_id,
            reviewer_id="planner",
            verdict="edit",
            edit=DecisionEdit(arguments={"warehouse": "WH-B", "cost": 10.0, "expected_delivery": "2026-03-05"}),
        )
        assert edited.status == "executed"
        # Gated again on the edited route: 42.9% above the cheapest way, which the policy sends to a person.
        assert edited.gate.matched == "dearer_than_cheapest"
        ctx = _tools(app)
        assert ctx.fulfilment is not None
        (shipment,) = ctx.fulfilment.shipments_of("erp:SO-1")
        assert (shipment.warehouse_id, shipment.cost) == ("WH-B", 10.0)


def test_a_split_must_carry_exactly_the_order_from_different_warehouses(settings: Settings, world: World) -> None:
    world.orders.append(Order("SO-2", "1002", (("SKU-1", 1), ("SKU-3", 1)), FRIDAY))
    with installation(settings) as app:
        ingest(app, world)
        ctx = _tools(app)
        part = ShipmentArgs(
            warehouse="WH-A",
            carrier="CR-STD",
            lines=[LineQuantity(sku="SKU-1", quantity=1)],
            ship_on=date(2026, 3, 2),
            cost=7.0,
            expected_delivery=date(2026, 3, 4),
        )
        at_b = part.model_copy(update={"warehouse": "WH-B"})
        with pytest.raises(InvalidToolArguments, match=r"carry 2 × SKU-1, but the order is 1 × SKU-1, 1 × SKU-3"):
            check_split_order(ctx, SplitOrderArgs(order_id="erp:SO-2", shipments=[part, at_b], promised_by=FRIDAY))
        twice = SplitOrderArgs(
            order_id="erp:SO-2",
            shipments=[part, part.model_copy(update={"lines": [LineQuantity(sku="SKU-3", quantity=1)]})],
            promised_by=FRIDAY,
        )
        with pytest.raises(InvalidToolArguments, match="different warehouse"):
            check_split_order(ctx, twice)
        with pytest.raises(StewardError, match="no order 'erp:SO-404'"):
            check_split_order(ctx, twice.model_copy(update={"order_id": "erp:SO-404"}))


def test_no_reviewer_edit_changes_which_order_a_route_split_or_hold_applies_to(
    settings: Settings, world: World
) -> None:
    with installation(settings) as app:
        ingest(app, world)
        (run,) = app.runner("order_routing").run_waiting().runs
        item = app.queue.get(run.proposal_id)
        assert item.status == "pending"
        checked = refuse_identifying_edits(app, item, "ops")
    assert {action for action, _ in checked} == {"route_order", "split_order", "hold_order"}
    assert {("route_order", "order_id"), ("split_order", "order_id"), ("hold_order", "order_id")} <= checked

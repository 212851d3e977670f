"""The fulfilment side: ingestion quarantines bad orders and lines, the repository reads open orders,
warehouses and carriers, and records shipments and holds once, never promising capacity or stock twice."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select

from core import NotFound
from customers import (
    FulfilmentConflict,
    PlannedShipment,
    ShipmentLine,
    ShipmentRefused,
)
from customers._source_tables import QUARANTINE
from tests.customers.fulfilment_sources import NOW, TODAY, Erp, change_row, open_erp


@pytest.fixture
def erp(engine: Engine, tmp_path: Path) -> Erp:
    return open_erp(engine, tmp_path)


def _ship(warehouse: str, *lines: tuple[str, int], day: int = 0, carrier: str = "CR-1") -> PlannedShipment:
    return PlannedShipment(
        warehouse, carrier, TODAY + timedelta(days=day), tuple(ShipmentLine(s, q) for s, q in lines), 6.5
    )


# --- ingestion -----------------------------------------------------------------------------------------


def test_bad_orders_and_lines_go_to_quarantine_with_their_reason(erp: Erp, engine: Engine) -> None:
    counts = erp.report.loads[0].entities
    assert erp.report.reconciles
    assert (counts["orders"].received, counts["orders"].quarantined) == (7, 3)
    assert (counts["order_lines"].received, counts["order_lines"].quarantined) == (10, 5)
    with engine.connect() as connection:
        reasons = {
            (row.entity, row.record_id or row.raw.split(",")[0]): row.reason
            for row in connection.execute(select(QUARANTINE))
        }
    assert reasons == {
        ("orders", "O5"): "the required field ship_to_postcode (column 'ship_to_postcode') is empty",
        ("orders", "O6"): "order line: 'L7' is invalid: item: no items record 'SKU-9'",
        ("orders", "O7"): "order line: 'L10' is invalid: quantity (column 'quantity'): -2 is below the minimum 1",
        ("order_lines", "L6"): "order: its orders record 'O5' is in quarantine "
        "(the required field ship_to_postcode (column 'ship_to_postcode') is empty)",
        ("order_lines", "L7"): "item: no items record 'SKU-9'",
        ("order_lines", "L8"): "order: its orders record 'O6' is in quarantine "
        "(order line: 'L7' is invalid: item: no items record 'SKU-9')",
        ("order_lines", "L10"): "quantity (column 'quantity'): -2 is below the minimum 1",
        ("order_lines", "L11"): "order: no orders record 'O99'",
    }


# --- reads ---------------------------------------------------------------------------------------------


def test_open_orders_are_the_valid_open_ones_with_lines_weights_customer_and_lineage(erp: Erp) -> None:
    orders = erp.fulfilment.open_orders()
    assert [o.id for o in orders] == ["erp:O3", "erp:O1", "erp:O2"]  # soonest promise first
    o1 = orders[1]
    assert (o1.status, o1.promised_by.isoformat(), o1.ship_to_postcode, o1.ship_to_city) == (
        "open",
        "2026-11-05",
        "10117",
        "Berlin",
    )
    assert [(line.line_id, line.sku, line.quantity, line.weight_kg) for line in o1.lines] == [
        ("L1", "SKU-1", 2, 4.0),
        ("L2", "SKU-2", 1, 0.5),
    ]
    assert o1.weight_kg == 4.5 and dict(o1.quantities) == {"SKU-1": 2, "SKU-2": 1} and o1.value == 100.0
    assert o1.customer_id is not None and o1.customer_id == orders[2].customer_id != orders[0].customer_id
    assert (o1.source.system, o1.source.entity, o1.source.record_id, o1.source.version) == ("erp", "orders", "O1", 1)
    assert o1.source.load_id == erp.report.loads[0].load_id and o1.lines[0].source.entity == "order_lines"
    assert orders[0].status == "open"  # "Open" in the export: the configured spelling is stored
    assert erp.fulfilment.open_orders(limit=1) == orders[:1]


def test_an_order_of_any_status_and_its_outcome(erp: Erp) -> None:
    o4 = erp.fulfilment.order("erp:O4")
    assert o4 is not None and o4.status == "delivered" and o4.ship_to_city is None
    assert erp.fulfilment.order("erp:O5") is None  # quarantined: never staged
    assert erp.fulfilment.order("erp:nothing") is None and erp.fulfilment.order("no-colon") is None
    outcomes = erp.fulfilment.order_outcomes(["erp:O1", "erp:O4", "shop:O1", "erp:O99"])
    assert set(outcomes) == {"erp:O1", "erp:O4"}
    assert outcomes["erp:O4"].late and outcomes["erp:O4"].settled and not outcomes["erp:O4"].returned
    assert not outcomes["erp:O1"].settled and not outcomes["erp:O1"].late


def test_a_later_ingest_brings_the_outcome_of_an_open_order(erp: Erp) -> None:
    change_row(erp.folder, "orders", "O1", {"status": "delivered", "delivered_at": "2026-11-06T09:00:00+00:00"})
    change_row(erp.folder, "orders", "O2", {"status": "returned", "delivered_at": "2026-11-04T09:00:00+00:00"})
    erp.clock.advance(timedelta(days=5))
    erp.ingest()
    outcomes = erp.fulfilment.order_outcomes(["erp:O1", "erp:O2"])
    assert outcomes["erp:O1"].late and outcomes["erp:O1"].status == "delivered"
    assert outcomes["erp:O2"].returned and not outcomes["erp:O2"].late
    assert [o.id for o in erp.fulfilment.open_orders()] == ["erp:O3"]


def test_warehouses_with_stock_and_carriers_with_their_rates(erp: Erp) -> None:
    warehouses = erp.fulfilment.warehouses()
    assert [(w.id, w.postcode, w.capacity_per_day, w.handling_cost) for w in warehouses] == [
        ("WH-A", "10115", 1, 2.0),
        ("WH-B", "80331", 5, 3.0),
    ]
    assert dict(warehouses[0].stock) == {"SKU-1": 5, "SKU-2": 1} and dict(warehouses[1].stock) == {"SKU-1": 2}
    assert warehouses[0].stock_sources["SKU-2"].record_id == "S2" and warehouses[0].source.entity == "warehouses"
    carriers = erp.fulfilment.carriers()
    assert [(c.id, c.service_level, c.cutoff_hour) for c in carriers] == [
        ("CR-1", "standard", 16),
        ("CR-2", "express", 14),
    ]
    assert [(r.zone, r.max_weight_kg) for r in carriers[0].rates] == [(1, 5.0), (1, 31.5), (4, 31.5)]
    rate = carriers[0].rate(1, 4.5)
    assert rate is not None and rate.price == 4.5 and rate.source.record_id == "R1"
    assert carriers[0].rate(1, 31.6) is None and carriers[0].rate(2, 1.0) is None


def test_open_orders_take_five_queries_whatever_their_number(erp: Erp, engine: Engine) -> None:
    """Orders, then shipped, held, customers and lines by lists of ids (one query each per 5,000 orders)."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(erp.fulfilment.open_orders()) == 3
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5


# --- writes --------------------------------------------------------------------------------------------


def test_a_shipment_is_recorded_once_and_takes_the_order_out_of_the_open_ones(erp: Erp) -> None:
    route = _ship("WH-A", ("SKU-1", 2), ("SKU-2", 1))
    first = erp.fulfilment.record_shipment("erp:O1", route, idempotency_key="route:O1", proposal_id="P-1")
    again = erp.fulfilment.record_shipment("erp:O1", route, idempotency_key="route:O1", proposal_id="P-1")
    assert not first.replayed and again.replayed and again.id == first.id
    erp.clock.advance(timedelta(days=3))  # a resume days later still finds what was recorded
    assert erp.fulfilment.record_shipment("erp:O1", route, idempotency_key="route:O1").id == first.id
    erp.clock.advance(timedelta(days=-3))
    assert (first.kind, first.part, first.parts, first.promised_by.isoformat()) == ("route", 1, 1, "2026-11-05")
    assert first.customer_id == erp.fulfilment.order("erp:O1").customer_id  # type: ignore[union-attr]
    assert erp.fulfilment.shipments_of("erp:O1") == (first,)
    assert [o.id for o in erp.fulfilment.open_orders()] == ["erp:O3", "erp:O2"]
    committed = erp.fulfilment.committed()
    assert dict(committed.capacity) == {("WH-A", TODAY): 1}
    assert dict(committed.stock) == {("WH-A", "SKU-1"): 2, ("WH-A", "SKU-2"): 1}
    with pytest.raises(FulfilmentConflict, match="already ships under the key 'route:O1'"):
        erp.fulfilment.record_shipment("erp:O1", route, idempotency_key="route:O1:again")
    with pytest.raises(FulfilmentConflict, match="was used for order 'erp:O1'"):
        erp.fulfilment.record_shipment("erp:O2", _ship("WH-B", ("SKU-1", 1)), idempotency_key="route:O1")


def test_capacity_and_stock_are_never_promised_twice(erp: Erp) -> None:
    erp.fulfilment.record_shipment("erp:O1", _ship("WH-A", ("SKU-1", 2), ("SKU-2", 1)), idempotency_key="k1")
    with pytest.raises(ShipmentRefused, match="already sends 1 of its 1") as full:
        erp.fulfilment.record_shipment("erp:O2", _ship("WH-A", ("SKU-1", 1)), idempotency_key="k2")
    assert full.value.reason == "capacity"
    with pytest.raises(ShipmentRefused, match="has 2 of 'SKU-1' left, 3 asked") as short:
        erp.fulfilment.record_shipment("erp:O3", _ship("WH-B", ("SKU-1", 3)), idempotency_key="k3")
    assert short.value.reason == "stock"
    split = erp.fulfilment.record_shipments(
        "erp:O3", [_ship("WH-B", ("SKU-1", 2)), _ship("WH-A", ("SKU-1", 1), day=1)], idempotency_key="k3"
    )
    assert [(s.kind, s.part, s.parts, s.warehouse_id) for s in split] == [
        ("split", 1, 2, "WH-B"),
        ("split", 2, 2, "WH-A"),
    ]
    with pytest.raises(ShipmentRefused) as gone:  # WH-A: 5 - 2 - 1 = 2 SKU-1 left, and WH-B has none
        erp.fulfilment.record_shipment("erp:O2", _ship("WH-B", ("SKU-1", 1), day=1), idempotency_key="k4")
    assert gone.value.reason == "stock"
    committed = erp.fulfilment.committed()
    assert committed.stock_used("WH-A", "SKU-1") == 3 and committed.stock_used("WH-B", "SKU-1") == 2
    assert committed.capacity_used("WH-A", TODAY + timedelta(days=1)) == 1


@pytest.mark.parametrize(
    ("order_id", "shipments", "reason"),
    [
        ("erp:O2", [_ship("WH-A", ("SKU-1", 2))], "quantities_differ"),
        ("erp:O2", [_ship("WH-A", ("SKU-2", 1))], "quantities_differ"),
        ("erp:O2", [_ship("WH-Z", ("SKU-1", 1))], "unknown_warehouse"),
        ("erp:O2", [_ship("WH-A", ("SKU-1", 1), carrier="CR-9")], "unknown_carrier"),
        ("erp:O4", [_ship("WH-A", ("SKU-1", 1))], "not_open"),
        ("erp:O2", [PlannedShipment("WH-A", "CR-1", TODAY, (ShipmentLine("SKU-1", 1),), math.nan)], "invalid"),
        ("erp:O2", [PlannedShipment("WH-A", "CR-1", TODAY, (ShipmentLine("SKU-1", 0),), 1.0)], "invalid"),
        ("erp:O2", [PlannedShipment("WH-A", "CR-1", TODAY, (), 1.0)], "invalid"),
        ("erp:O2", [], "invalid"),
        ("erp:O2", [_ship("WH-A", ("SKU-1", 1), day=-1)], "invalid"),
        ("erp:O1", [_ship("WH-A", ("SKU-1", 1)), _ship("WH-A", ("SKU-1", 1), ("SKU-2", 1))], "invalid"),
    ],
)
def test_a_shipment_that_does_not_fit_the_order_is_refused_and_nothing_is_written(
    erp: Erp, order_id: str, shipments: list[PlannedShipment], reason: str
) -> None:
    with pytest.raises(ShipmentRefused) as refused:
        erp.fulfilment.record_shipments(order_id, shipments, idempotency_key="k")
    assert refused.value.reason == reason and refused.value.order_id == order_id
    assert erp.fulfilment.shipments_of(order_id) == () and erp.fulfilment.committed().capacity == {}


def test_unknown_orders_and_keys_are_refused(erp: Erp) -> None:
    with pytest.raises(NotFound):
        erp.fulfilment.record_shipment("erp:O99", _ship("WH-A", ("SKU-1", 1)), idempotency_key="k")
    with pytest.raises(NotFound):
        erp.fulfilment.record_hold("erp:O5", "no address", idempotency_key="h")
    with pytest.raises(ValueError, match="idempotency key"):
        erp.fulfilment.record_shipment("erp:O2", _ship("WH-A", ("SKU-1", 1)), idempotency_key="")
    with pytest.raises(ValueError, match="reason"):
        erp.fulfilment.record_hold("erp:O2", " ", idempotency_key="h")


def test_a_hold_is_recorded_once_and_keeps_the_order_out_until_released(erp: Erp) -> None:
    hold = erp.fulfilment.record_hold("erp:O2", "open complaint", idempotency_key="hold:O2", proposal_id="P-2")
    again = erp.fulfilment.record_hold("erp:O2", "open complaint", idempotency_key="hold:O2", proposal_id="P-2")
    assert not hold.replayed and again.replayed and again.id == hold.id and hold.reason == "open complaint"
    assert erp.fulfilment.hold_of("erp:O2") == hold
    assert "erp:O2" not in {o.id for o in erp.fulfilment.open_orders()}
    with pytest.raises(FulfilmentConflict, match="already held"):
        erp.fulfilment.record_hold("erp:O2", "twice", idempotency_key="hold:O2:b")
    released = erp.fulfilment.release_hold("erp:O2")
    assert released is not None and released.released_at == NOW
    assert erp.fulfilment.hold_of("erp:O2") is None and erp.fulfilment.release_hold("erp:O2") is None
    assert "erp:O2" in {o.id for o in erp.fulfilment.open_orders()}


def test_a_new_stock_figure_ends_the_stock_commitment_but_not_the_capacity(erp: Erp) -> None:
    erp.fulfilment.record_shipment("erp:O1", _ship("WH-A", ("SKU-1", 2), ("SKU-2", 1)), idempotency_key="k1")
    erp.clock.advance(timedelta(hours=1))
    change_row(erp.folder, "stock", "S1", {"quantity": "3"})  # the warehouse counted after the shipment left
    erp.ingest()
    committed = erp.fulfilment.committed()
    assert committed.stock_used("WH-A", "SKU-1") == 0 and committed.stock_used("WH-A", "SKU-2") == 1
    assert committed.capacity_used("WH-A", TODAY) == 1
    assert erp.fulfilment.warehouses()[0].stock["SKU-1"] == 3

"""Erasure and export of a person's orders: lines and holds go, shipments are redacted but still count,
quarantined orders and lines naming them go too, and the next import skips them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from core import JsonObject, JsonValue
from customers import PlannedShipment, ShipmentLine, erase_customer, export_customer_data
from customers._fulfilment_tables import ORDER_SHIPMENT
from customers._source_tables import QUARANTINE, STAGED
from tests.customers.fulfilment_sources import NOW, TODAY, Erp, open_erp


@pytest.fixture
def erp(engine: Engine, tmp_path: Path) -> Erp:
    return open_erp(engine, tmp_path)


def _rows(data: JsonObject, key: str) -> list[dict[str, JsonValue]]:
    rows = data[key]
    assert isinstance(rows, list)
    return [row for row in rows if isinstance(row, dict)]


def _anna(erp: Erp) -> str:
    order = erp.fulfilment.order("erp:O1")
    assert order is not None and order.customer_id is not None
    return order.customer_id


def _ship(erp: Erp) -> None:
    """Anna's O1 shipped and O2 held; Ben's O3 shipped."""
    lines = (ShipmentLine("SKU-1", 2), ShipmentLine("SKU-2", 1))
    erp.fulfilment.record_shipment("erp:O1", PlannedShipment("WH-A", "CR-1", TODAY, lines, 7.0), idempotency_key="k1")
    erp.fulfilment.record_hold("erp:O2", "Anna Meyer asked to wait", idempotency_key="h2")
    three = (ShipmentLine("SKU-1", 2),)
    erp.fulfilment.record_shipments(
        "erp:O3",
        [
            PlannedShipment("WH-B", "CR-1", TODAY, three, 9.0),
            PlannedShipment("WH-A", "CR-1", TODAY + timedelta(days=1), (ShipmentLine("SKU-1", 1),), 8.0),
        ],
        idempotency_key="k3",
    )


def test_the_export_holds_the_orders_lines_shipments_holds_and_quarantined_orders(erp: Erp, engine: Engine) -> None:
    _ship(erp)
    data = export_customer_data(engine, _anna(erp), sources=erp.config)
    assert sorted(str(line["record_id"]) for line in _rows(data, "order_lines")) == ["L1", "L2", "L3"]
    assert [s["order_id"] for s in _rows(data, "shipments")] == ["erp:O1"]
    assert [h["reason"] for h in _rows(data, "holds")] == ["Anna Meyer asked to wait"]
    quarantined = {str(row["raw"]).split(",")[0] for row in _rows(data, "quarantined_rows")}
    assert quarantined == {"O6", "O7", "L7", "L8", "L10"}  # her orders that failed, and their lines


def test_erasure_deletes_lines_and_holds_and_redacts_shipments_that_still_count(erp: Erp, engine: Engine) -> None:
    _ship(erp)
    report = erase_customer(engine, _anna(erp), NOW, sources=erp.config)
    assert (report.order_lines, report.shipments, report.holds) == (3, 1, 1)
    assert report.quarantined_rows == 5
    assert erp.fulfilment.shipments_of("erp:O1") == () and erp.fulfilment.hold_of("erp:O2") is None
    assert erp.fulfilment.order("erp:O1") is None and len(erp.fulfilment.shipments_of("erp:O3")) == 2
    with engine.connect() as connection:
        shipments = connection.execute(select(ORDER_SHIPMENT).order_by(ORDER_SHIPMENT.c.id)).all()
        lines = set(connection.execute(select(STAGED.c.record_id).where(STAGED.c.role == "order_line")).scalars())
        left = {str(raw).split(",")[0] for raw in connection.execute(select(QUARANTINE.c.raw)).scalars()}
    redacted = shipments[0]
    assert redacted.order_id == redacted.idempotency_key and redacted.order_id.startswith("erased:")
    assert redacted.customer_id is None and "O1" not in redacted.order_id
    assert (redacted.warehouse_id, redacted.ship_on, redacted.lines) == (
        "WH-A",
        TODAY,
        [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 1}],
    )
    assert lines == {"L4", "L5"}  # Ben's
    assert left == {"O5", "L6", "L11"}  # Ben's order without an address, and the line of no order
    committed = erp.fulfilment.committed()  # the goods left: capacity and stock stay taken
    assert committed.capacity_used("WH-A", TODAY) == 1 and committed.stock_used("WH-A", "SKU-1") == 3


def test_after_erasure_the_next_import_skips_the_orders_and_their_lines(erp: Erp, engine: Engine) -> None:
    _ship(erp)
    erase_customer(engine, _anna(erp), NOW, sources=erp.config)
    erp.clock.advance(timedelta(hours=1))
    counts = erp.ingest().loads[0].entities
    assert (counts["orders"].suppressed, counts["orders"].quarantined) == (4, 1)
    assert (counts["order_lines"].suppressed, counts["order_lines"].quarantined) == (6, 2)
    assert [o.id for o in erp.fulfilment.open_orders()] == []  # O3 shipped; Anna's orders stay away
    assert erp.fulfilment.order("erp:O2") is None

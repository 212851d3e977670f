"""The demo world's fulfilment side: reference data, open orders with lines, past deliveries, the bad rows,
and what an ingest of it leaves open for routing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core import FixedClock
from customers import (
    DEFAULT_SURVIVORSHIP_FILE,
    CustomerRepository,
    FulfilmentRepository,
    Ingestor,
    load_survivorship,
    shipping_zone,
)
from customers.sources import load_sources
from tests.customers.world_exports import AS_OF, Generated, generate, read_faults, read_rows, read_shop
from tests.customers.world_helpers import make_world, order_lines


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate(tmp_path_factory.mktemp("world"))


def _erp(world: Generated, name: str) -> list[dict[str, str]]:
    return read_rows(world.root / "erp" / f"{name}.csv")


def test_the_erp_has_warehouses_items_stock_carriers_and_rates(world: Generated) -> None:
    warehouses = _erp(world, "warehouses")
    assert len(warehouses) == 5 and len({w["postcode"][0] for w in warehouses}) >= 4  # spread over regions
    assert all(int(w["capacity_per_day"]) >= 2 and 2.5 <= float(w["handling_cost"]) <= 4.5 for w in warehouses)
    items = {row["sku"]: row for row in _erp(world, "items")}
    assert len(items) == 40 and all(float(row["weight_kg"]) > 0 for row in items.values())
    stock = _erp(world, "stock")
    carried = {(row["warehouse_id"], row["sku"]): int(row["quantity"]) for row in stock}
    assert len(carried) == len(stock) < 5 * 40  # some warehouses lack some items
    assert {sku for _, sku in carried} <= set(items)
    most = Counter[str]()
    for (_, sku), quantity in carried.items():
        most[sku] = max(most[sku], quantity)
    assert sum(1 for quantity in most.values() if quantity <= 4) >= 5  # scarce everywhere
    carriers = {row["carrier_id"]: row["service_level"] for row in _erp(world, "carriers")}
    assert sorted(carriers.values()) == ["economy", "express", "standard", "standard"]
    rates = _erp(world, "carrier_rates")
    assert {(row["carrier_id"], int(row["zone"])) for row in rates} == {(c, z) for c in carriers for z in (1, 2, 3, 4)}


def test_open_orders_have_lines_a_promise_and_an_address(world: Generated) -> None:
    limit = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
    orders = {row["order_id"]: row for row in _erp(world, "orders") if row["status"] == "open"}
    assert 8 <= len(orders) <= 16  # 4% of 300 people
    for order in orders.values():
        placed = datetime.fromisoformat(order["order_date"])
        assert 0 < (limit - placed).total_seconds() <= 3 * 86_400
        assert date.fromisoformat(order["promised_by"]) >= placed.date() and order["delivered_at"] == ""
    lines = _erp(world, "order_lines")
    prices = {row["sku"]: float(row["unit_price"]) for row in _erp(world, "items")}
    assert {line["order_id"] for line in lines} == set(orders)
    faulted = {row["record_id"] for row in read_faults(world.root) if row["entity"] == "order_lines"}
    for order_id, order in orders.items():
        mine = [line for line in lines if line["order_id"] == order_id]
        if not faulted & {line["line_id"] for line in mine}:
            value = sum(int(line["quantity"]) * prices[line["sku"]] for line in mine)
            assert float(order["amount"]) == pytest.approx(value, abs=0.01)
            assert int(order["items"]) == sum(int(line["quantity"]) for line in mine)
    shop = {
        str(row[0]): int(str(row[1])) for row in read_shop(world.root, "SELECT status, count(*) FROM orders GROUP BY 1")
    }
    assert shop["open"] >= 3 and set(shop) <= {"open", "shipped", "delivered", "returned"}
    products = {str(row[0]) for row in read_shop(world.root, "SELECT sku FROM products")}
    assert len(products) == 32 and products <= set(prices)


def test_past_orders_were_delivered_or_returned_to_an_address(world: Generated) -> None:
    past = [row for row in _erp(world, "orders") if row["status"] != "open"]
    assert Counter(row["status"] for row in past).keys() == {"delivered", "returned"}
    assert all(row["ship_to_postcode"] and row["delivered_at"] < AS_OF.isoformat() for row in past)
    late = sum(row["delivered_at"][:10] > row["promised_by"] for row in past)
    assert 0.02 * len(past) < late < 0.4 * len(past)


def test_each_system_has_one_unknown_item_one_negative_quantity_and_one_order_without_address(
    world: Generated,
) -> None:
    faults = {(row["source_system"], row["fault"]): row["record_id"] for row in read_faults(world.root)}
    lines = {row["line_id"]: row for row in _erp(world, "order_lines")}
    lines |= {
        str(row[0]): {"sku": str(row[1]), "quantity": str(row[2])}
        for row in read_shop(world.root, "SELECT line_id, sku, quantity FROM order_lines")
    }
    orders = {row["order_id"]: row["ship_to_postcode"] for row in _erp(world, "orders")}
    orders |= {
        str(row[0]): str(row[1] or "") for row in read_shop(world.root, "SELECT order_id, ship_to_postcode FROM orders")
    }
    for system in ("erp", "shop"):
        assert lines[faults[(system, "malformed: unknown item (sku)")]]["sku"] == "SKU-0999"
        assert int(lines[faults[(system, "malformed: negative quantity (quantity)")]]["quantity"]) < 0
        assert orders[faults[(system, "malformed: missing address (ship_to_postcode)")]] == ""


def test_the_default_world_has_150_to_250_open_orders(tmp_path: Path) -> None:
    big = generate(tmp_path, people=3000)
    erp = sum(row["status"] == "open" for row in read_rows(big.root / "erp" / "orders.csv"))
    shop = read_shop(big.root, "SELECT count(*) FROM orders WHERE status = 'open'")[0][0]
    assert 150 <= erp + int(str(shop)) <= 250


@pytest.mark.slow
def test_an_ingested_world_leaves_every_valid_open_order_for_routing(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "world"
    config = load_sources(make_world(folder))
    clock = FixedClock(datetime(2026, 11, 2, tzinfo=UTC))
    Ingestor(CustomerRepository(engine, clock, load_survivorship(DEFAULT_SURVIVORSHIP_FILE)), config).ingest()
    repo = FulfilmentRepository(engine, config, clock=clock)
    faults = [row for row in read_faults(folder) if row["fault"].startswith("malformed")]
    lines = order_lines(folder)
    refused = {
        (f["source_system"], lines[(f["source_system"], f["record_id"])])
        for f in faults
        if f["entity"] == "order_lines"
    }
    refused |= {(f["source_system"], f["record_id"]) for f in faults if "missing address" in f["fault"]}
    exported = {("erp", row["order_id"]) for row in read_rows(folder / "erp" / "orders.csv") if row["status"] == "open"}
    exported |= {
        ("shop", str(row[0])) for row in read_shop(folder, "SELECT order_id FROM orders WHERE status = 'open'")
    }
    orders = repo.open_orders()
    assert {(o.system, o.record_id) for o in orders} == exported - refused and len(refused) == 6
    assert all(o.lines and o.customer_id and o.weight_kg > 0 for o in orders)
    warehouses = repo.warehouses()
    assert len(warehouses) == 5 and len(repo.carriers()) == 4
    zones = Counter(min(shipping_zone(w.postcode, o.ship_to_postcode) for w in warehouses) for o in orders)
    assert sum(zones.values()) == len(orders) and zones[1] + zones[2] > 0

"""A tiny hand-written ERP with its fulfilment side (warehouses, items, stock, carriers, rates, orders, lines).

Every figure is chosen for a test: WH-A sends one shipment a day, WH-B lacks SKU-2 and has only two of
SKU-1; O5 has no address, O6 a line of an unknown item, O7 a line with a negative quantity, and L11
belongs to no order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from core import FixedClock
from customers import (
    DEFAULT_SURVIVORSHIP_FILE,
    CustomerRepository,
    FulfilmentRepository,
    Ingestor,
    IngestReport,
    load_survivorship,
)
from customers.sources import SourcesConfig, load_sources

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)

SOURCES_YAML = """
version: 1
systems:
  erp:
    connector: files
    location: erp
    entities:
      warehouses:
        role: reference
        kind: warehouse
        file: warehouses.csv
        id: warehouse_id
        required: [name, postcode, capacity_per_day, handling_cost]
        fields:
          name: name
          postcode: postcode
          city: city
          capacity_per_day: {column: capacity_per_day, type: integer, min: 0}
          handling_cost: {column: handling_cost, type: decimal, min: 0}
      items:
        role: reference
        kind: item
        file: items.csv
        id: sku
        required: [weight_kg]
        fields:
          name: name
          weight_kg: {column: weight_kg, type: decimal, min: 0}
      stock:
        role: reference
        kind: stock
        file: stock.csv
        id: stock_id
        required: [warehouse, sku, quantity]
        lookups:
          warehouse: {entity: warehouses, key: warehouse_id, fields: {}}
          item: {entity: items, key: sku, fields: {}}
        fields:
          warehouse: warehouse_id
          sku: sku
          quantity: {column: quantity, type: integer, min: 0}
      carriers:
        role: reference
        kind: carrier
        file: carriers.csv
        id: carrier_id
        required: [name, service_level, cutoff_hour]
        fields:
          name: name
          service_level: {column: service_level, choices: [economy, standard, express]}
          cutoff_hour: {column: cutoff_hour, type: integer, min: 0, max: 23}
      rates:
        role: reference
        kind: carrier_rate
        file: rates.csv
        id: rate_id
        required: [carrier, zone, max_weight_kg, price, transit_days]
        lookups:
          carrier: {entity: carriers, key: carrier_id, fields: {}}
        fields:
          carrier: carrier_id
          zone: {column: zone, type: integer, min: 1, max: 4}
          max_weight_kg: {column: max_weight_kg, type: decimal, min: 0}
          price: {column: price, type: decimal, min: 0}
          transit_days: {column: transit_days, type: integer, min: 0}
      customers:
        role: person
        file: customers.csv
        id: customer_no
        observed_at: updated_at
        fields:
          given_name: first_name
          surname: last_name
          email: email
          postcode: postcode
          city: city
      orders:
        role: event
        file: orders.csv
        id: order_id
        subject: customer_no
        kind: order
        required: [status, promised_by, ship_to_postcode]
        fields:
          occurred_at: placed_at
          amount: {column: amount, type: decimal, min: 0}
          status: {column: status, choices: [open, shipped, delivered, returned, cancelled]}
          promised_by: {column: promised_by, type: date}
          delivered_at: {column: delivered_at, type: datetime}
          ship_to_postcode: ship_to_postcode
          ship_to_city: ship_to_city
      order_lines:
        role: order_line
        file: order_lines.csv
        id: line_id
        order: order_id
        required: [sku, quantity]
        lookups:
          item: {entity: items, key: sku, fields: {unit_weight_kg: weight_kg}}
        fields:
          sku: sku
          quantity: {column: quantity, type: integer, min: 1}
"""

TABLES: dict[str, list[list[str]]] = {
    "warehouses": [
        ["warehouse_id", "name", "postcode", "city", "capacity_per_day", "handling_cost"],
        ["WH-A", "Berlin DC", "10115", "Berlin", "1", "2.00"],
        ["WH-B", "Munich DC", "80331", "Munich", "5", "3.00"],
    ],
    "items": [["sku", "name", "weight_kg"], ["SKU-1", "Chair", "2.0"], ["SKU-2", "Lamp", "0.5"]],
    "stock": [
        ["stock_id", "warehouse_id", "sku", "quantity"],
        ["S1", "WH-A", "SKU-1", "5"],
        ["S2", "WH-A", "SKU-2", "1"],
        ["S3", "WH-B", "SKU-1", "2"],
    ],
    "carriers": [
        ["carrier_id", "name", "service_level", "cutoff_hour"],
        ["CR-1", "Parcels", "standard", "16"],
        ["CR-2", "Swift", "express", "14"],
    ],
    "rates": [
        ["rate_id", "carrier_id", "zone", "max_weight_kg", "price", "transit_days"],
        ["R3", "CR-1", "4", "31.5", "12.00", "4"],
        ["R2", "CR-1", "1", "31.5", "9.00", "1"],
        ["R1", "CR-1", "1", "5", "4.50", "1"],
        ["R4", "CR-2", "1", "5", "9.90", "1"],
    ],
    "customers": [
        ["customer_no", "first_name", "last_name", "email", "postcode", "city", "updated_at"],
        ["100", "Anna", "Meyer", "anna.meyer@example.org", "10117", "Berlin", "2026-10-01T09:00:00+00:00"],
        ["200", "Ben", "Kurz", "ben.kurz@example.net", "80333", "Munich", "2026-10-01T09:00:00+00:00"],
    ],
    "orders": [
        [
            "order_id",
            "customer_no",
            "placed_at",
            "status",
            "promised_by",
            "delivered_at",
            "ship_to_postcode",
            "ship_to_city",
            "amount",
        ],
        ["O1", "100", "2026-11-01T10:00:00+00:00", "open", "2026-11-05", "", "10117", "Berlin", "100.00"],
        ["O2", "100", "2026-11-01T11:00:00+00:00", "open", "2026-11-06", "", "10119", "Berlin", "20.00"],
        ["O3", "200", "2026-11-01T12:00:00+00:00", "Open", "2026-11-04", "", "80333", "Munich", "60.00"],
        [
            "O4",
            "200",
            "2026-10-01T12:00:00+00:00",
            "delivered",
            "2026-10-03",
            "2026-10-04T15:00:00+00:00",
            "80333",
            "",
            "5",
        ],
        ["O5", "200", "2026-11-01T13:00:00+00:00", "open", "2026-11-05", "", "", "", "10.00"],
        ["O6", "100", "2026-11-01T14:00:00+00:00", "open", "2026-11-05", "", "10117", "Berlin", "10.00"],
        ["O7", "100", "2026-11-01T15:00:00+00:00", "open", "2026-11-05", "", "10117", "Berlin", "10.00"],
    ],
    "order_lines": [
        ["line_id", "order_id", "sku", "quantity"],
        ["L1", "O1", "SKU-1", "2"],
        ["L2", "O1", "SKU-2", "1"],
        ["L3", "O2", "SKU-1", "1"],
        ["L4", "O3", "SKU-1", "3"],
        ["L5", "O4", "SKU-1", "1"],
        ["L6", "O5", "SKU-1", "1"],
        ["L7", "O6", "SKU-9", "1"],
        ["L8", "O6", "SKU-1", "1"],
        ["L10", "O7", "SKU-1", "-2"],
        ["L11", "O99", "SKU-1", "1"],
    ],
}


def write_fulfilment_sources(folder: Path) -> Path:
    """Write the exports under `folder`/erp and the configuration; returns the configuration's path."""
    erp = folder / "erp"
    erp.mkdir(parents=True, exist_ok=True)
    for name, rows in TABLES.items():
        write_table(erp / f"{name}.csv", rows)
    path = folder / "sources.yaml"
    path.write_text(SOURCES_YAML, encoding="utf-8")
    return path


def write_table(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def change_row(folder: Path, table: str, record_id: str, changes: dict[str, str]) -> None:
    """Change columns of one row of an export (by its first column) and write the file again."""
    path = folder / "erp" / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == record_id:
            for column, value in changes.items():
                row[header.index(column)] = value
    write_table(path, rows)


@dataclass
class Erp:
    """The tiny ERP ingested: its folder, clock, repositories and the first ingest's report."""

    folder: Path
    config: SourcesConfig
    clock: FixedClock
    customers: CustomerRepository
    fulfilment: FulfilmentRepository
    report: IngestReport

    def ingest(self) -> IngestReport:
        return Ingestor(self.customers, load_sources(self.folder / "sources.yaml")).ingest()


def open_erp(engine: Engine, folder: Path) -> Erp:
    """Write the tiny ERP under `folder` and ingest it at `NOW`."""
    config = load_sources(write_fulfilment_sources(folder))
    clock = FixedClock(NOW)
    customers = CustomerRepository(engine, clock, load_survivorship(DEFAULT_SURVIVORSHIP_FILE))
    report = Ingestor(customers, config).ingest()
    return Erp(folder, config, clock, customers, FulfilmentRepository(engine, config, clock=clock), report)

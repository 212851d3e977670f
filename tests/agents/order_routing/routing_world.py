"""A small ERP of the tests' own: three warehouses, two carriers, a handful of orders, written as source exports
and ingested like any source, so the routing agent runs on staged data with lineage.

Monday 2026-03-02 09:00 UTC is "now". Postcodes put WH-A (10115) next to the customers in 10xxx (zone 1) and
WH-B (20095) one region away (zone 3); WH-C (80331) is far from everyone (zone 4). WH-A ships 2 orders a day,
WH-B 2, WH-C 1. Carriers: CR-STD (standard, cut-off 16:00, 2 days in zones 1-2, 3 days beyond) and CR-EXP
(express, cut-off 14:00, 1 day everywhere, dearer).
"""

from __future__ import annotations

import csv
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from core import FixedClock, NotFound
from customers import Ingestor
from customers.sources import load_sources
from steward import Settings, Steward, open_steward

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
USERS: dict[str, tuple[str, ...]] = {
    "planner": ("logistics_planner",),
    "planner2": ("logistics_planner",),
    "ops": ("ops_manager",),
}

WAREHOUSES = (
    ("WH-A", "Alpha", "10115", "Berlin", 2, 2.0),
    ("WH-B", "Beta", "20095", "Hamburg", 2, 3.0),
    ("WH-C", "Gamma", "80331", "Munich", 1, 1.0),
)
ITEMS = (("SKU-1", "Lamp", 1.0), ("SKU-2", "Chair", 8.0), ("SKU-3", "Desk", 25.0), ("SKU-9", "Rare", 1.0))
CARRIERS = (("CR-STD", "Standard Parcel", "standard", 16), ("CR-EXP", "Express Air", "express", 14))
RATES = tuple(
    (carrier, zone, weight, price, days)
    for carrier, base, extra, fast in (("CR-STD", 4.0, 1.0, False), ("CR-EXP", 9.0, 2.0, True))
    for zone in (1, 2, 3, 4)
    for weight, surcharge in ((5.0, 0.0), (30.0, 6.0), (60.0, 14.0))
    for price in (round(base + extra * zone + surcharge, 2),)
    for days in ((1 if fast else (2 if zone <= 2 else 3)),)
)


@dataclass(frozen=True)
class Order:
    order_id: str
    customer: str
    lines: tuple[tuple[str, int], ...]
    promised_by: date
    amount: float = 80.0
    postcode: str = "10117"
    status: str = "open"
    delivered_at: str = ""


@dataclass
class World:
    """What the ERP exports; tests change it and ingest again."""

    folder: Path
    stock: dict[tuple[str, str], int] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)
    capacity: dict[str, int] = field(default_factory=dict)
    warehouses: Sequence[tuple[str, str, str, str, int, float]] = WAREHOUSES
    items: Sequence[tuple[str, str, float]] = ITEMS
    carriers: Sequence[tuple[str, str, str, int]] = CARRIERS
    rates: Sequence[tuple[str, int, float, float, int]] = RATES

    def write(self) -> Path:
        erp = self.folder / "erp"
        erp.mkdir(parents=True, exist_ok=True)
        _csv(
            erp / "warehouses.csv",
            ("warehouse_id", "name", "postcode", "city", "capacity_per_day", "handling_cost"),
            [(w, n, p, c, self.capacity.get(w, cap), h) for w, n, p, c, cap, h in self.warehouses],
        )
        _csv(erp / "items.csv", ("sku", "name", "weight_kg"), self.items)
        _csv(
            erp / "stock.csv",
            ("stock_id", "warehouse_id", "sku", "quantity", "counted_at"),
            [(f"ST-{w}-{s}", w, s, q, "2026-03-01T18:00:00+00:00") for (w, s), q in sorted(self.stock.items())],
        )
        _csv(erp / "carriers.csv", ("carrier_id", "name", "service_level", "cutoff_hour"), self.carriers)
        _csv(
            erp / "carrier_rates.csv",
            ("rate_id", "carrier_id", "zone", "max_weight_kg", "price", "transit_days"),
            [(f"RT-{n:03d}", *rate) for n, rate in enumerate(self.rates, start=1)],
        )
        customers = sorted({order.customer for order in self.orders} | {"1001"})
        _csv(
            erp / "customers.csv",
            ("customer_no", "name", "email", "postcode", "updated_at"),
            [(c, f"Customer {c}", f"c{c}@example.org", "10117", "2026-01-01T00:00:00+00:00") for c in customers],
        )
        _csv(
            erp / "orders.csv",
            (
                "order_id",
                "customer_no",
                "order_date",
                "amount",
                "status",
                "promised_by",
                "delivered_at",
                "ship_to_postcode",
            ),
            [
                (
                    o.order_id,
                    o.customer,
                    "2026-03-01",
                    o.amount,
                    o.status,
                    o.promised_by.isoformat(),
                    o.delivered_at,
                    o.postcode,
                )
                for o in self.orders
            ],
        )
        _csv(
            erp / "order_lines.csv",
            ("line_id", "order_id", "sku", "quantity"),
            [(f"{o.order_id}-{n}", o.order_id, sku, q) for o in self.orders for n, (sku, q) in enumerate(o.lines, 1)],
        )
        sources = self.folder / "sources.yaml"
        sources.write_text(SOURCES, encoding="utf-8")
        return sources


def _csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


SOURCES = textwrap.dedent(
    """\
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
            observed_at: counted_at
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
          carrier_rates:
            role: reference
            kind: carrier_rate
            file: carrier_rates.csv
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
              full_name: {column: name, format: "given surname"}
              email: email
              postcode: postcode
          orders:
            role: event
            file: orders.csv
            id: order_id
            subject: customer_no
            kind: order
            required: [status, promised_by, ship_to_postcode]
            fields:
              occurred_at: order_date
              amount: {column: amount, min: 0}
              status: {column: status, choices: [open, shipped, delivered, returned, cancelled]}
              promised_by: {column: promised_by, type: date}
              delivered_at: {column: delivered_at, type: datetime}
              ship_to_postcode: ship_to_postcode
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
)


def routing_settings(settings: Settings, world: World) -> Settings:
    """`settings` reading `world`'s exports."""
    return settings.model_copy(update={"sources": world.write()})


def ingest(app: Steward, world: World) -> None:
    """Write the world's exports and ingest them as `steward ingest` does (without the follow-up agents)."""
    world.write()
    Ingestor(app.customers, load_sources(app.settings.sources_file)).ingest()


@contextmanager
def installation(settings: Settings, clock: FixedClock | None = None) -> Iterator[Steward]:
    """Open Steward on `settings` (the world already written) with the test users."""
    with open_steward(settings, clock=clock or FixedClock(NOW)) as app:
        for user, roles in USERS.items():
            if not _known(app, user):
                app.users.add(user, name=user.title(), roles=roles)
        yield app


def _known(app: Steward, user: str) -> bool:
    try:
        app.users.get(user)
    except NotFound:
        return False
    return True

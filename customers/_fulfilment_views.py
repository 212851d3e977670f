"""What the fulfilment side of `customers` returns and accepts: open orders, warehouses, carriers, shipments.

Frozen dataclasses (a batch holds thousands of orders; they are built fast and compared by value).
Every value read from a source system carries its lineage (`RecordSource`): the staged row's system,
entity, record id, version, load and times. Units: weights in kg, money in the source's currency,
`capacity_per_day` in shipments a warehouse can send per ship date (a split order uses one at each
warehouse it ships from).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal

from customers.sources import OrderStatus, ServiceLevel

ShipmentKind = Literal["route", "split"]
"""`route`: the whole order from one warehouse; `split`: the order in parts from several warehouses."""


@dataclass(frozen=True, slots=True)
class RecordSource:
    """Lineage of one value: the staged source row it was read from."""

    system: str
    entity: str
    record_id: str
    version: int
    load_id: int
    observed_at: datetime
    """When the source says the row was true (its observed-at column, else when it was received)."""
    received_at: datetime


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str
    sku: str
    quantity: int
    """At least 1 (ingestion quarantines anything else)."""
    weight_kg: float
    """The whole line: quantity × the item's unit weight, as the item reference said at ingestion."""
    source: RecordSource


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order as its source system states it now, with its lines. `open_orders()` returns only
    `status == "open"` orders Steward has not shipped or held; `order()` returns any status."""

    id: str
    """``<system>:<record id>``, unique across systems."""
    system: str
    record_id: str
    customer_id: str | None
    """The golden customer of the order's person record (None while identity resolution has not linked it)."""
    status: OrderStatus
    placed_at: datetime
    promised_by: date
    ship_to_postcode: str
    ship_to_city: str | None
    value: float
    lines: tuple[OrderLine, ...]
    source: RecordSource
    delivered_at: datetime | None = None

    @property
    def weight_kg(self) -> float:
        return math.fsum(line.weight_kg for line in self.lines)

    @property
    def quantities(self) -> Mapping[str, int]:
        """Quantity per sku over all lines (a sku on two lines is added up)."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        return MappingProxyType(totals)


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    """The warehouse's record id in its source (e.g. ``WH-01``); stock rows and shipments name it."""
    name: str
    postcode: str
    city: str | None
    capacity_per_day: int
    """Shipments the warehouse can send per ship date."""
    handling_cost: float
    """Cost of preparing one shipment."""
    stock: Mapping[str, int]
    """Quantity on hand per sku in the source's latest stock rows (a sku absent: none)."""
    source: RecordSource
    stock_sources: Mapping[str, RecordSource] = field(default_factory=lambda: MappingProxyType({}))
    """Lineage of each stock figure, by sku."""


@dataclass(frozen=True, slots=True)
class CarrierRate:
    zone: int
    """1..4, see `customers.shipping_zone`."""
    max_weight_kg: float
    """The band's upper weight limit (a shipment up to this weight pays this price)."""
    price: float
    transit_days: int
    source: RecordSource


@dataclass(frozen=True, slots=True)
class Carrier:
    id: str
    name: str
    service_level: ServiceLevel
    cutoff_hour: int
    """0..23: a shipment handed over before this hour leaves the same day."""
    rates: tuple[CarrierRate, ...]
    """Sorted by zone, then weight band."""
    source: RecordSource

    def rate(self, zone: int, weight_kg: float) -> CarrierRate | None:
        """The cheapest rate of the zone whose band holds `weight_kg`; None when none does."""
        fitting = [r for r in self.rates if r.zone == zone and weight_kg <= r.max_weight_kg]
        return min(fitting, key=lambda r: (r.price, r.max_weight_kg), default=None)


@dataclass(frozen=True, slots=True)
class Commitments:
    """What recorded shipments already use."""

    capacity: Mapping[tuple[str, date], int]
    """(warehouse id, ship date) → shipments recorded for that day."""
    stock: Mapping[tuple[str, str], int]
    """(warehouse id, sku) → quantity shipped that the warehouse's stock figure does not yet reflect
    (recorded at or after that stock row was received; a later export that counts the shipment ends it)."""

    def capacity_used(self, warehouse_id: str, ship_on: date) -> int:
        return self.capacity.get((warehouse_id, ship_on), 0)

    def stock_used(self, warehouse_id: str, sku: str) -> int:
        return self.stock.get((warehouse_id, sku), 0)


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PlannedShipment:
    """One shipment to record: what leaves which warehouse with which carrier, when, at what cost."""

    warehouse_id: str
    carrier_id: str
    ship_on: date
    lines: tuple[ShipmentLine, ...]
    cost: float
    """Finite, at least 0: handling plus carriage, as the planner computed it."""


@dataclass(frozen=True, slots=True)
class Shipment:
    """A recorded shipment (one row of `order_shipment`)."""

    id: int
    order_id: str
    idempotency_key: str
    part: int
    """1..parts: a split's shipments share the idempotency key and are numbered."""
    parts: int
    proposal_id: str | None
    warehouse_id: str
    carrier_id: str
    ship_on: date
    lines: tuple[ShipmentLine, ...]
    cost: float
    promised_by: date
    kind: ShipmentKind
    customer_id: str | None
    created_at: datetime
    replayed: bool = False
    """True when this call found the shipment already recorded under its key and wrote nothing (not stored)."""


@dataclass(frozen=True, slots=True)
class Hold:
    """A recorded hold (one row of `order_hold`): the order stays out of `open_orders()` until released."""

    id: int
    order_id: str
    idempotency_key: str
    reason: str
    proposal_id: str | None
    customer_id: str | None
    created_at: datetime
    released_at: datetime | None = None
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """How an order ended up, as its source reports it at the last ingest."""

    status: OrderStatus
    delivered_at: datetime | None
    promised_by: date

    @property
    def late(self) -> bool:
        """Delivered after the promised day."""
        return self.delivered_at is not None and self.delivered_at.date() > self.promised_by

    @property
    def returned(self) -> bool:
        return self.status == "returned"

    @property
    def settled(self) -> bool:
        """Delivered or returned: the outcome is known."""
        return self.status in ("delivered", "returned")

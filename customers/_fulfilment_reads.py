"""Reading the fulfilment side of the staged source rows: orders with lines, warehouses with stock, carriers.

Which staged entities hold what comes from the source configuration (`FulfilmentLayout`): the order
entities its order lines name, and the reference entities of kind warehouse, stock, carrier and
carrier_rate. Each reader takes a fixed number of queries, plus up to four per 5,000 orders;
values leave with their lineage (`RecordSource`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Connection, select
from sqlalchemy.sql import Select

from customers._errors import CustomersError
from customers._fulfilment_tables import ORDER_HOLD, ORDER_SHIPMENT
from customers._fulfilment_views import Carrier, CarrierRate, OpenOrder, OrderLine, RecordSource, Warehouse
from customers._source_tables import CUSTOMER_EVENT, STAGED
from customers._tables import as_utc
from customers.sources import ORDER_STATUSES, SERVICE_LEVELS, SourcesConfig, parse_moment

_CHUNK = 500
_IN_CHUNK = 5000
"""Ids per query when looking rows up by lists of ids (below both backends' limits on parameters)."""


@dataclass(frozen=True, slots=True)
class OrderSource:
    """One system's orders: its order entity and the order-line entities that name it."""

    system: str
    orders: str
    lines: tuple[str, ...]


Entity = tuple[str, str]
"""(system, entity)"""


@dataclass(frozen=True, slots=True)
class FulfilmentLayout:
    """Where the fulfilment data lives among the staged entities, as the source configuration says."""

    orders: tuple[OrderSource, ...]
    warehouses: Entity | None
    stock: Entity | None
    carriers: Entity | None
    rates: Entity | None

    @classmethod
    def of(cls, config: SourcesConfig) -> FulfilmentLayout:
        lines: dict[Entity, list[str]] = {}
        kinds: dict[str, Entity] = {}
        for system_name, system in config.systems.items():
            for name, entity in system.entities.items():
                if entity.role == "order_line":
                    order_entity = system.order_entity(entity.order_entity, system=system_name)
                    lines.setdefault((system_name, order_entity), []).append(name)
                elif entity.role == "reference" and entity.kind is not None:
                    kinds[entity.kind] = (system_name, name)
        return cls(
            orders=tuple(OrderSource(system, orders, tuple(names)) for (system, orders), names in lines.items()),
            warehouses=kinds.get("warehouse"),
            stock=kinds.get("stock"),
            carriers=kinds.get("carrier"),
            rates=kinds.get("carrier_rate"),
        )

    def order_source(self, system: str) -> OrderSource | None:
        return next((source for source in self.orders if source.system == system), None)


def order_key(system: str, record_id: str) -> str:
    return f"{system}:{record_id}"


def split_order_id(order_id: str) -> tuple[str, str] | None:
    system, colon, record_id = order_id.partition(":")
    return (system, record_id) if colon and system and record_id else None


@lru_cache(maxsize=4096)
def _utc(moment: datetime) -> datetime:
    """`as_utc`, remembered: the rows of one load share their moments."""
    return as_utc(moment)


def record_source(row: Any) -> RecordSource:
    return RecordSource(
        system=row.source_system,
        entity=row.entity,
        record_id=row.record_id,
        version=row.version,
        load_id=row.load_id,
        observed_at=_utc(row.observed_at),
        received_at=_utc(row.received_at),
    )


_ROW = (
    STAGED.c.source_system,
    STAGED.c.entity,
    STAGED.c.record_id,
    STAGED.c.subject_id,
    STAGED.c.fields,
    STAGED.c.version,
    STAGED.c.load_id,
    STAGED.c.observed_at,
    STAGED.c.received_at,
)


def _current(entity: Entity) -> Select[Any]:
    system, name = entity
    return select(*_ROW).where(STAGED.c.source_system == system, STAGED.c.entity == name, STAGED.c.is_current.is_(True))


def _fail(system: str, record_id: str, problem: str) -> CustomersError:
    return CustomersError(
        f"order {order_key(system, record_id)}: {problem}; the row was staged under another source "
        "configuration: ingest the system again with the current one"
    )


def _line(row: Any) -> OrderLine:
    fields = row.fields
    try:
        quantity = int(fields["quantity"])
        weight = quantity * float(fields["unit_weight_kg"])
        return OrderLine(row.record_id, str(fields["sku"]), quantity, weight, record_source(row))
    except (KeyError, TypeError, ValueError):
        raise _fail(
            row.source_system, str(row.subject_id), f"line {row.record_id!r} lacks sku, quantity or weight"
        ) from None


def _order(row: Any, customer_id: str | None, lines: Sequence[OrderLine]) -> OpenOrder:
    fields = row.fields
    status = fields.get("status")
    if status not in ORDER_STATUSES:
        raise _fail(row.source_system, row.record_id, f"status {status!r} is not one of {', '.join(ORDER_STATUSES)}")
    try:
        delivered = fields.get("delivered_at")
        return OpenOrder(
            id=order_key(row.source_system, row.record_id),
            system=row.source_system,
            record_id=row.record_id,
            customer_id=customer_id,
            status=status,
            placed_at=parse_moment(str(fields["occurred_at"])) if "occurred_at" in fields else as_utc(row.observed_at),
            promised_by=date.fromisoformat(str(fields["promised_by"])),
            ship_to_postcode=str(fields["ship_to_postcode"]),
            ship_to_city=str(fields["ship_to_city"]) if fields.get("ship_to_city") is not None else None,
            value=float(fields.get("amount") or 0.0),
            lines=tuple(lines),
            source=record_source(row),
            delivered_at=parse_moment(str(delivered)) if delivered else None,
        )
    except (KeyError, TypeError, ValueError):
        raise _fail(
            row.source_system, row.record_id, "it lacks promised_by or ship_to_postcode, or one is unreadable"
        ) from None


def _settled(connection: Connection, keys: Sequence[str]) -> set[str]:
    """Those of the order keys Steward has shipped or holds (unreleased): indexed look-ups, in chunks."""
    found: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        found.update(
            connection.execute(select(ORDER_SHIPMENT.c.order_id).where(ORDER_SHIPMENT.c.order_id.in_(chunk))).scalars()
        )
        found.update(
            connection.execute(
                select(ORDER_HOLD.c.order_id).where(
                    ORDER_HOLD.c.order_id.in_(chunk), ORDER_HOLD.c.released_at.is_(None)
                )
            ).scalars()
        )
    return found


def read_orders(
    connection: Connection, source: OrderSource, *, open_only: bool, record_ids: Collection[str] | None = None
) -> list[OpenOrder]:
    """The source's orders with their lines: the open and unsettled ones, or those of `record_ids`.

    A fixed plan whatever the statistics say (PostgreSQL has none right after a bulk ingest, and then
    turns a join into a scan per row): the orders through the current-rows index, then what was shipped
    or held, their customers and their lines by lists of ids, a few thousand per query.
    """
    where: list[ColumnElement[bool]] = [
        STAGED.c.source_system == source.system,
        STAGED.c.entity == source.orders,
        STAGED.c.is_current.is_(True),
    ]
    if open_only:
        where.append(STAGED.c.fields["status"].as_string() == "open")
    if record_ids is not None:
        where.append(STAGED.c.record_id.in_(sorted(record_ids)))
    order_rows: Sequence[Any] = connection.execute(select(*_ROW).where(*where)).all()
    if open_only and order_rows:
        settled = _settled(connection, [order_key(source.system, row.record_id) for row in order_rows])
        order_rows = [row for row in order_rows if order_key(source.system, row.record_id) not in settled]
    ids = sorted({row.record_id for row in order_rows})
    lines: dict[str, list[OrderLine]] = {}
    customers: dict[str, str | None] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        linked = connection.execute(
            select(CUSTOMER_EVENT.c.record_id, CUSTOMER_EVENT.c.customer_id).where(
                CUSTOMER_EVENT.c.source_system == source.system,
                CUSTOMER_EVENT.c.entity == source.orders,
                CUSTOMER_EVENT.c.record_id.in_(chunk),
            )
        )
        customers.update((record_id, customer_id) for record_id, customer_id in linked)
        rows = connection.execute(
            select(*_ROW)
            .where(
                STAGED.c.source_system == source.system,
                STAGED.c.entity.in_(source.lines),
                STAGED.c.is_current.is_(True),
                STAGED.c.subject_id.in_(chunk),
            )
            .order_by(STAGED.c.subject_id, STAGED.c.record_id)
        )
        for row in rows:
            lines.setdefault(str(row.subject_id), []).append(_line(row))
    return [_order(row, customers.get(row.record_id), lines.get(row.record_id, ())) for row in order_rows]


def read_orders_by_id(connection: Connection, layout: FulfilmentLayout, order_ids: Iterable[str]) -> list[OpenOrder]:
    """The orders named (any status); ids of no configured order entity, or not staged, are left out."""
    by_system: dict[str, set[str]] = {}
    for order_id in order_ids:
        parts = split_order_id(order_id)
        if parts is not None:
            by_system.setdefault(parts[0], set()).add(parts[1])
    found: list[OpenOrder] = []
    for system, record_ids in sorted(by_system.items()):
        source = layout.order_source(system)
        if source is None:
            continue
        ordered = sorted(record_ids)
        for start in range(0, len(ordered), _CHUNK):
            found += read_orders(connection, source, open_only=False, record_ids=ordered[start : start + _CHUNK])
    return found


def read_warehouses(connection: Connection, layout: FulfilmentLayout) -> list[Warehouse]:
    if layout.warehouses is None:
        return []
    stock: dict[str, dict[str, int]] = {}
    lineage: dict[str, dict[str, RecordSource]] = {}
    if layout.stock is not None:
        for row in connection.execute(_current(layout.stock).order_by(STAGED.c.received_at, STAGED.c.record_id)):
            warehouse, sku = str(row.fields["warehouse"]), str(row.fields["sku"])
            held = stock.setdefault(warehouse, {})
            held[sku] = held.get(sku, 0) + int(row.fields["quantity"])
            lineage.setdefault(warehouse, {})[sku] = record_source(row)
    found = []
    for row in connection.execute(_current(layout.warehouses).order_by(STAGED.c.record_id)):
        fields = row.fields
        found.append(
            Warehouse(
                id=row.record_id,
                name=str(fields["name"]),
                postcode=str(fields["postcode"]),
                city=str(fields["city"]) if fields.get("city") is not None else None,
                capacity_per_day=int(fields["capacity_per_day"]),
                handling_cost=float(fields["handling_cost"]),
                stock=MappingProxyType(stock.get(row.record_id, {})),
                source=record_source(row),
                stock_sources=MappingProxyType(lineage.get(row.record_id, {})),
            )
        )
    return found


def read_carriers(connection: Connection, layout: FulfilmentLayout) -> list[Carrier]:
    if layout.carriers is None:
        return []
    rates: dict[str, list[CarrierRate]] = {}
    if layout.rates is not None:
        for row in connection.execute(_current(layout.rates)):
            fields = row.fields
            rates.setdefault(str(fields["carrier"]), []).append(
                CarrierRate(
                    zone=int(fields["zone"]),
                    max_weight_kg=float(fields["max_weight_kg"]),
                    price=float(fields["price"]),
                    transit_days=int(fields["transit_days"]),
                    source=record_source(row),
                )
            )
    found = []
    for row in connection.execute(_current(layout.carriers).order_by(STAGED.c.record_id)):
        fields = row.fields
        level = fields.get("service_level")
        if level not in SERVICE_LEVELS:
            raise CustomersError(
                f"carrier {row.record_id!r}: service level {level!r} is not one of {', '.join(SERVICE_LEVELS)}; "
                "ingest the carriers again with the current source configuration"
            )
        found.append(
            Carrier(
                id=row.record_id,
                name=str(fields["name"]),
                service_level=level,
                cutoff_hour=int(fields["cutoff_hour"]),
                rates=tuple(sorted(rates.get(row.record_id, ()), key=lambda r: (r.zone, r.max_weight_kg, r.price))),
                source=record_source(row),
            )
        )
    return found

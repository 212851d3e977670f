"""What erasure and export do with a person's orders (their lines, Steward's shipments and holds) and
with the quarantined rows that name the person's records or orders.

An erased person's order lines go with their orders; their holds (whose reasons may describe them)
are deleted. Their shipments are redacted, not deleted: the goods did leave a warehouse, so the
warehouse, day, skus, quantities and cost stay to keep capacity and stock right, while the order id,
customer and idempotency key (which may embed either) are replaced by a random token. The orders
that had lines are remembered as erased, so their lines are skipped at the next import too.
Quarantined rows name the record they belong to (`subject_id`): a person's events and orders that
never passed validation, and the lines of their orders, are found by it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from core import JsonObject
from customers._fulfilment_tables import ORDER_HOLD, ORDER_SHIPMENT
from customers._source_tables import QUARANTINE, STAGED
from customers._tables import as_utc
from customers.sources import SourcesConfig

_CHUNK = 500
Record = tuple[str, str, str]
"""(system, entity, record id)"""


def order_entities(sources: SourcesConfig | None) -> set[tuple[str, str]] | None:
    """The (system, entity) pairs order lines belong to; None without a configuration (then every event
    entity counts, and a line whose order id equals one of the person's other event ids goes too)."""
    if sources is None:
        return None
    return {
        (name, system.order_entity(entity.order_entity, system=name))
        for name, system in sources.systems.items()
        for entity in system.entities.values()
        if entity.role == "order_line"
    }


def person_orders(
    connection: Connection, people: Iterable[Record], entities: set[tuple[str, str]] | None
) -> list[Record]:
    """The orders (any version) of the person records, by (system, entity, id)."""
    by_system: dict[str, set[str]] = {}
    for system, _, record_id in people:
        by_system.setdefault(system, set()).add(record_id)
    found: set[Record] = set()
    for system, records in by_system.items():
        ordered = sorted(records)
        for start in range(0, len(ordered), _CHUNK):
            rows = connection.execute(
                select(STAGED.c.entity, STAGED.c.record_id).where(
                    STAGED.c.source_system == system,
                    STAGED.c.role == "event",
                    STAGED.c.subject_id.in_(ordered[start : start + _CHUNK]),
                )
            )
            found |= {
                (system, row.entity, row.record_id)
                for row in rows
                if entities is None or (system, row.entity) in entities
            }
    return sorted(found)


def with_lines(connection: Connection, events: Iterable[Record]) -> list[Record]:
    """Those of `events` that have order lines staged."""
    by_system: dict[str, dict[str, Record]] = {}
    for event in events:
        by_system.setdefault(event[0], {})[event[2]] = event
    found: list[Record] = []
    for system, records in by_system.items():
        ordered = sorted(records)
        for start in range(0, len(ordered), _CHUNK):
            parents = connection.execute(
                select(STAGED.c.subject_id)
                .where(
                    STAGED.c.source_system == system,
                    STAGED.c.role == "order_line",
                    STAGED.c.subject_id.in_(ordered[start : start + _CHUNK]),
                )
                .distinct()
            ).scalars()
            found += [records[parent] for parent in parents if parent in records]
    return sorted(found)


def _children(sources: SourcesConfig | None, system: str, parent: str) -> list[str] | None:
    """The entities whose rows name a record of `parent` (None without a configuration: any entity)."""
    if sources is None or system not in sources.systems:
        return None
    spec = sources.systems[system]
    return [name for name, entity in spec.entities.items() if spec.parent_entity(entity, system=system) == parent]


def _named(
    connection: Connection, sources: SourcesConfig | None, records: Iterable[Record]
) -> list[tuple[int, str, str, str | None]]:
    """Quarantined rows naming one of `records` as their subject: (id, system, entity, record id)."""
    found: list[tuple[int, str, str, str | None]] = []
    grouped: dict[tuple[str, str], list[str]] = {}
    for system, entity, record_id in records:
        grouped.setdefault((system, entity), []).append(record_id)
    for (system, parent), ids in sorted(grouped.items()):
        children = _children(sources, system, parent)
        if children == []:
            continue
        for start in range(0, len(ids), _CHUNK):
            query = select(QUARANTINE.c.id, QUARANTINE.c.entity, QUARANTINE.c.record_id).where(
                QUARANTINE.c.source_system == system, QUARANTINE.c.subject_id.in_(sorted(ids)[start : start + _CHUNK])
            )
            if children is not None:
                query = query.where(QUARANTINE.c.entity.in_(children))
            found += [(row.id, system, row.entity, row.record_id) for row in connection.execute(query)]
    return found


def person_quarantine(
    connection: Connection, sources: SourcesConfig | None, people: list[Record], orders: list[Record]
) -> tuple[list[int], list[Record]]:
    """Quarantined rows naming the person records or their orders (staged or quarantined themselves), and
    the person's orders that are only in quarantine."""
    rows = _named(connection, sources, people)
    entities = order_entities(sources)
    stuck = sorted(
        {
            (system, entity, record_id)
            for _, system, entity, record_id in rows
            if record_id is not None and (entities is None or (system, entity) in entities)
        }
    )
    rows += _named(connection, sources, [*orders, *stuck])
    return sorted({row[0] for row in rows}), stuck


def _order_filter(table: Any, orders: Iterable[Record], customers: list[str]) -> Any:
    keys = sorted({f"{system}:{record_id}" for system, _, record_id in orders})
    clauses = [table.c.customer_id.in_(customers)] if customers else []
    clauses += [table.c.order_id.in_(keys[start : start + _CHUNK]) for start in range(0, len(keys), _CHUNK)]
    return or_(*clauses) if clauses else None


def erase_orders(connection: Connection, orders: list[Record], customers: list[str]) -> tuple[int, int, int]:
    """Delete the orders' lines and holds, redact their shipments; returns (lines, shipments, holds)."""
    lines = 0
    for system, records in _by_system(orders).items():
        for start in range(0, len(records), _CHUNK):
            lines += connection.execute(
                delete(STAGED).where(
                    STAGED.c.source_system == system,
                    STAGED.c.role == "order_line",
                    STAGED.c.subject_id.in_(records[start : start + _CHUNK]),
                )
            ).rowcount
    where = _order_filter(ORDER_SHIPMENT, orders, customers)
    if where is None:
        return lines, 0, 0
    holds = connection.execute(delete(ORDER_HOLD).where(_order_filter(ORDER_HOLD, orders, customers))).rowcount
    shipments = connection.execute(
        select(ORDER_SHIPMENT.c.id, ORDER_SHIPMENT.c.idempotency_key, ORDER_SHIPMENT.c.part).where(where)
    ).all()
    tokens: dict[str, str] = {}
    for row in shipments:
        token = tokens.setdefault(row.idempotency_key, f"erased:{secrets.token_hex(12)}")
        connection.execute(
            update(ORDER_SHIPMENT)
            .where(ORDER_SHIPMENT.c.id == row.id)
            .values(order_id=token, customer_id=None, idempotency_key=token)
        )
    return lines, len(shipments), holds


def _by_system(orders: Iterable[Record]) -> dict[str, list[str]]:
    by_system: dict[str, list[str]] = {}
    for system, _, record_id in orders:
        by_system.setdefault(system, []).append(record_id)
    return by_system


def _plain(row: Any) -> JsonObject:
    plain: JsonObject = {}
    for key, value in row._mapping.items():
        if isinstance(value, datetime):
            value = as_utc(value).isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        plain[key] = value
    return plain


def export_orders(connection: Connection, orders: list[Record], customers: list[str]) -> JsonObject:
    """The orders' lines as received, and Steward's shipments and holds of them."""
    lines: list[Any] = []
    for system, records in _by_system(orders).items():
        for start in range(0, len(records), _CHUNK):
            lines += connection.execute(
                select(
                    STAGED.c.source_system, STAGED.c.entity, STAGED.c.record_id, STAGED.c.subject_id, STAGED.c.payload
                )
                .where(
                    STAGED.c.source_system == system,
                    STAGED.c.role == "order_line",
                    STAGED.c.subject_id.in_(records[start : start + _CHUNK]),
                )
                .order_by(STAGED.c.subject_id, STAGED.c.record_id, STAGED.c.version)
            ).all()
    shipments: Sequence[Any] = []
    holds: Sequence[Any] = []
    where = _order_filter(ORDER_SHIPMENT, orders, customers)
    if where is not None:
        shipments = connection.execute(select(ORDER_SHIPMENT).where(where).order_by(ORDER_SHIPMENT.c.id)).all()
        holds = connection.execute(
            select(ORDER_HOLD).where(_order_filter(ORDER_HOLD, orders, customers)).order_by(ORDER_HOLD.c.id)
        ).all()
    return {
        "order_lines": [
            {
                "source_system": row.source_system,
                "entity": row.entity,
                "record_id": row.record_id,
                "order_id": row.subject_id,
                "as_received": row.payload,
            }
            for row in lines
        ],
        "shipments": [_plain(row) for row in shipments],
        "holds": [_plain(row) for row in holds],
    }

"""`FulfilmentRepository`: open orders, warehouses, carriers, and the shipments and holds Steward records.

The orders, stock and rates are what the source systems said at the last ingest (staging); the
shipments and holds are Steward's own decisions. An order is open when its source says so and
Steward has neither shipped it nor holds it. Recording is idempotent by key and checked against the
order and what is left: a shipment never ships other quantities than the order's, and never
promises a warehouse's capacity or stock twice (writes are serialised: an advisory lock on
PostgreSQL, SQLite's single writer).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from core import Clock, NotFound, SystemClock
from customers._errors import FulfilmentConflict, ShipmentRefused
from customers._fulfilment_checks import check_against, check_request
from customers._fulfilment_reads import (
    FulfilmentLayout,
    read_carriers,
    read_orders,
    read_orders_by_id,
    read_warehouses,
    split_order_id,
)
from customers._fulfilment_tables import ORDER_HOLD, ORDER_SHIPMENT
from customers._fulfilment_views import (
    Carrier,
    Commitments,
    Hold,
    OpenOrder,
    OrderOutcome,
    PlannedShipment,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from customers._tables import as_utc
from customers.sources import SourcesConfig

_LOCK_KEY = 0x5354_4657_4F52_44  # "STFWORD": serialises fulfilment writes on PostgreSQL
MAX_REASON = 2000


def _shipment(row: Any, *, replayed: bool = False) -> Shipment:
    return Shipment(
        id=row.id,
        order_id=row.order_id,
        idempotency_key=row.idempotency_key,
        part=row.part,
        parts=row.parts,
        proposal_id=row.proposal_id,
        warehouse_id=row.warehouse_id,
        carrier_id=row.carrier_id,
        ship_on=row.ship_on,
        lines=tuple(ShipmentLine(str(line["sku"]), int(line["quantity"])) for line in row.lines),
        cost=row.cost,
        promised_by=row.promised_by,
        kind=row.kind,
        customer_id=row.customer_id,
        created_at=as_utc(row.created_at),
        replayed=replayed,
    )


def _hold(row: Any, *, replayed: bool = False) -> Hold:
    return Hold(
        id=row.id,
        order_id=row.order_id,
        idempotency_key=row.idempotency_key,
        reason=row.reason,
        proposal_id=row.proposal_id,
        customer_id=row.customer_id,
        created_at=as_utc(row.created_at),
        released_at=as_utc(row.released_at) if row.released_at is not None else None,
        replayed=replayed,
    )


class FulfilmentRepository:
    """Reads of the fulfilment data the sources gave, and Steward's shipments and holds.

    `sources` is the source configuration the data was ingested with: it says which staged entities
    are orders, order lines, warehouses, stock, carriers and rates.
    """

    def __init__(self, engine: Engine, sources: SourcesConfig, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._layout = FulfilmentLayout.of(sources)
        self._clock = clock or SystemClock()

    @property
    def layout(self) -> FulfilmentLayout:
        return self._layout

    # -- reads ------------------------------------------------------------------------------------

    def open_orders(self, limit: int | None = None) -> list[OpenOrder]:
        """Orders open in their source that Steward has not shipped nor holds: soonest promise first.

        An order may have no lines (its system exported none); it is returned all the same, never dropped.
        """
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be zero or more, got {limit}")
        with self._engine.connect() as connection:
            found = [o for source in self._layout.orders for o in read_orders(connection, source, open_only=True)]
        found.sort(key=lambda o: (o.promised_by, o.placed_at, o.id))
        return found if limit is None else found[:limit]

    def order(self, order_id: str) -> OpenOrder | None:
        """The order as its source states it now, whatever its status; None when unknown."""
        with self._engine.connect() as connection:
            found = read_orders_by_id(connection, self._layout, [order_id])
        return found[0] if found else None

    def order_outcomes(self, order_ids: Collection[str]) -> dict[str, OrderOutcome]:
        """Status, delivery and promise of each order as the last ingest states it; unknown ids are absent."""
        with self._engine.connect() as connection:
            found = read_orders_by_id(connection, self._layout, order_ids)
        return {o.id: OrderOutcome(o.status, o.delivered_at, o.promised_by) for o in found}

    def warehouses(self) -> list[Warehouse]:
        with self._engine.connect() as connection:
            return read_warehouses(connection, self._layout)

    def carriers(self) -> list[Carrier]:
        with self._engine.connect() as connection:
            return read_carriers(connection, self._layout)

    def committed(self) -> Commitments:
        """Capacity and stock the recorded shipments use (stock: those the stock figures do not yet reflect)."""
        with self._engine.connect() as connection:
            return self._committed(connection, read_warehouses(connection, self._layout))

    def _committed(self, connection: Connection, warehouses: Sequence[Warehouse]) -> Commitments:
        stock_seen = {(w.id, sku): source.received_at for w in warehouses for sku, source in w.stock_sources.items()}
        today = as_utc(self._clock.now()).date()
        since = min(stock_seen.values(), default=None)
        query = select(
            ORDER_SHIPMENT.c.warehouse_id, ORDER_SHIPMENT.c.ship_on, ORDER_SHIPMENT.c.lines, ORDER_SHIPMENT.c.created_at
        )
        capacity: dict[tuple[str, date], int] = {}
        stock: dict[tuple[str, str], int] = {}
        # Capacity of days to come; stock of shipments some stock figure may not reflect yet. Older rows are
        # never read, so the cost follows the recent shipments, not all there ever were.
        window = ORDER_SHIPMENT.c.ship_on >= today
        if since is not None:
            window = window | (ORDER_SHIPMENT.c.created_at >= since)
        for row in connection.execute(query.where(window)):
            if row.ship_on >= today:
                capacity[(row.warehouse_id, row.ship_on)] = capacity.get((row.warehouse_id, row.ship_on), 0) + 1
            created = as_utc(row.created_at)
            for line in row.lines:
                key = (row.warehouse_id, str(line["sku"]))
                seen = stock_seen.get(key)
                if seen is None or created >= seen:  # recorded at or after the figure was read: not in it
                    stock[key] = stock.get(key, 0) + int(line["quantity"])
        return Commitments(capacity=capacity, stock=stock)

    def shipments_of(self, order_id: str) -> tuple[Shipment, ...]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(ORDER_SHIPMENT).where(ORDER_SHIPMENT.c.order_id == order_id).order_by(ORDER_SHIPMENT.c.id)
            ).all()
        return tuple(_shipment(row) for row in rows)

    def hold_of(self, order_id: str) -> Hold | None:
        """The order's hold that is still in force, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(ORDER_HOLD).where(ORDER_HOLD.c.order_id == order_id, ORDER_HOLD.c.released_at.is_(None))
            ).first()
        return None if row is None else _hold(row)

    # -- writes -----------------------------------------------------------------------------------

    def record_shipment(
        self, order_id: str, shipment: PlannedShipment, *, idempotency_key: str, proposal_id: str | None = None
    ) -> Shipment:
        """Ship the whole order in one shipment (`record_shipments` with one)."""
        return self.record_shipments(order_id, [shipment], idempotency_key=idempotency_key, proposal_id=proposal_id)[0]

    def record_shipments(
        self,
        order_id: str,
        shipments: Sequence[PlannedShipment],
        *,
        idempotency_key: str,
        proposal_id: str | None = None,
    ) -> tuple[Shipment, ...]:
        """Record how the order ships: one shipment (a route) or several (a split), in one transaction.

        The same key again returns what was recorded (`replayed`) and writes nothing. Refused
        (`ShipmentRefused`): a ship date before today (the clock's), an order not open, an unknown
        warehouse or carrier, quantities other than the order's, a day's capacity or a warehouse's
        stock exceeded. `FulfilmentConflict`:
        the order already ships under another key, or the key was used for another order.
        """
        check_request(order_id, shipments, idempotency_key, proposal_id)
        try:
            with self._engine.begin() as connection:
                replay = self._shipments_by_key(connection, order_id, idempotency_key)
                if replay:
                    return replay
                today = as_utc(self._clock.now()).date()
                past = [planned.ship_on for planned in shipments if planned.ship_on < today]
                if past:
                    raise ShipmentRefused(order_id, "invalid", f"ship_on {min(past)} is before today ({today})")
                self._serialise(connection)
                order = self._open_order(connection, order_id)
                earlier = connection.execute(
                    select(ORDER_SHIPMENT.c.idempotency_key).where(ORDER_SHIPMENT.c.order_id == order_id)
                ).first()
                if earlier is not None:
                    raise FulfilmentConflict(order_id, f"it already ships under the key {earlier[0]!r}")
                warehouses = read_warehouses(connection, self._layout)
                carriers = {carrier.id for carrier in read_carriers(connection, self._layout)}
                check_against(order, shipments, warehouses, carriers, self._committed(connection, warehouses))
                now = as_utc(self._clock.now())
                kind = "route" if len(shipments) == 1 else "split"
                connection.execute(
                    insert(ORDER_SHIPMENT),
                    [
                        {
                            "order_id": order_id,
                            "customer_id": order.customer_id,
                            "idempotency_key": idempotency_key,
                            "part": part,
                            "parts": len(shipments),
                            "proposal_id": proposal_id,
                            "warehouse_id": planned.warehouse_id,
                            "carrier_id": planned.carrier_id,
                            "ship_on": planned.ship_on,
                            "lines": [{"sku": line.sku, "quantity": line.quantity} for line in planned.lines],
                            "cost": float(planned.cost),
                            "promised_by": order.promised_by,
                            "kind": kind,
                            "created_at": now,
                        }
                        for part, planned in enumerate(shipments, start=1)
                    ],
                )
                return self._shipments_by_key(connection, order_id, idempotency_key, replayed=False)
        except IntegrityError:  # a concurrent call recorded the same key first
            with self._engine.connect() as connection:
                replay = self._shipments_by_key(connection, order_id, idempotency_key)
            if replay:
                return replay
            raise

    def record_hold(self, order_id: str, reason: str, *, idempotency_key: str, proposal_id: str | None = None) -> Hold:
        """Hold the order back from routing with the reason; the same key again returns the first hold."""
        if not idempotency_key or len(idempotency_key) > 200:
            raise ValueError("an idempotency key of 1 to 200 characters is needed")
        if not reason.strip() or len(reason) > MAX_REASON:
            raise ValueError(f"a hold needs a reason of 1 to {MAX_REASON} characters")
        try:
            with self._engine.begin() as connection:
                stored = self._hold_by_key(connection, order_id, idempotency_key)
                if stored is not None:
                    return stored
                self._serialise(connection)
                order = self._open_order(connection, order_id)
                current = connection.execute(
                    select(ORDER_HOLD).where(ORDER_HOLD.c.order_id == order_id, ORDER_HOLD.c.released_at.is_(None))
                ).first()
                if current is not None:
                    raise FulfilmentConflict(order_id, f"it is already held under the key {current.idempotency_key!r}")
                connection.execute(
                    insert(ORDER_HOLD).values(
                        order_id=order_id,
                        customer_id=order.customer_id,
                        idempotency_key=idempotency_key,
                        reason=reason.strip(),
                        proposal_id=proposal_id,
                        created_at=as_utc(self._clock.now()),
                    )
                )
                stored = self._hold_by_key(connection, order_id, idempotency_key)
                assert stored is not None
                return replace(stored, replayed=False)
        except IntegrityError:
            with self._engine.connect() as connection:
                stored = self._hold_by_key(connection, order_id, idempotency_key)
            if stored is not None:
                return stored
            raise

    def release_hold(self, order_id: str) -> Hold | None:
        """Let a held order be routed again (it returns to `open_orders`); None when it was not held."""
        with self._engine.begin() as connection:
            row = connection.execute(
                select(ORDER_HOLD).where(ORDER_HOLD.c.order_id == order_id, ORDER_HOLD.c.released_at.is_(None))
            ).first()
            if row is None:
                return None
            now = as_utc(self._clock.now())
            connection.execute(update(ORDER_HOLD).where(ORDER_HOLD.c.id == row.id).values(released_at=now))
            return replace(_hold(row), released_at=now)

    # -- helpers ----------------------------------------------------------------------------------

    def _open_order(self, connection: Connection, order_id: str) -> OpenOrder:
        if split_order_id(order_id) is None:
            raise NotFound("order", order_id)
        found = read_orders_by_id(connection, self._layout, [order_id])
        if not found:
            raise NotFound("order", order_id)
        order = found[0]
        if order.status != "open":
            raise ShipmentRefused(order_id, "not_open", f"its source says it is {order.status}")
        return order

    @staticmethod
    def _serialise(connection: Connection) -> None:
        """One fulfilment write at a time: checks then inserts see every earlier commitment."""
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        else:  # takes SQLite's write lock now, so what is read next is what the insert will follow
            connection.execute(delete(ORDER_HOLD).where(ORDER_HOLD.c.id == -1))

    @staticmethod
    def _shipments_by_key(
        connection: Connection, order_id: str, key: str, *, replayed: bool = True
    ) -> tuple[Shipment, ...]:
        rows = connection.execute(
            select(ORDER_SHIPMENT).where(ORDER_SHIPMENT.c.idempotency_key == key).order_by(ORDER_SHIPMENT.c.part)
        ).all()
        if rows and rows[0].order_id != order_id:
            raise FulfilmentConflict(order_id, f"the key {key!r} was used for order {rows[0].order_id!r}")
        return tuple(_shipment(row, replayed=replayed) for row in rows)

    @staticmethod
    def _hold_by_key(connection: Connection, order_id: str, key: str) -> Hold | None:
        row = connection.execute(select(ORDER_HOLD).where(ORDER_HOLD.c.idempotency_key == key)).first()
        if row is None:
            return None
        if row.order_id != order_id:
            raise FulfilmentConflict(order_id, f"the key {key!r} was used for order {row.order_id!r}")
        return _hold(row, replayed=True)

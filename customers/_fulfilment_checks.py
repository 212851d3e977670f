"""The checks a shipment passes before it is recorded: well formed, the order's quantities, what is left.

`check_request` needs nothing but the request; `check_against` compares it with the order as its
source states it, the warehouses and carriers, and what recorded shipments already use. Either raises
`ShipmentRefused` with a reason code and says what to change.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Final

from customers._errors import ShipmentRefused
from customers._fulfilment_tables import ORDER_ID_LENGTH
from customers._fulfilment_views import Commitments, OpenOrder, PlannedShipment, Warehouse

MAX_PARTS: Final = 20
MAX_LINES: Final = 200
MAX_QUANTITY: Final = 1_000_000
MAX_COST: Final = 1e9
_ID_LENGTH: Final = 200


def _text_ok(value: object, limit: int = _ID_LENGTH) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit and value.strip() == value


def check_request(
    order_id: str, shipments: Sequence[PlannedShipment], idempotency_key: str, proposal_id: str | None
) -> None:
    """The request alone: keys and ids of sane length, 1..20 shipments, finite costs, whole quantities >= 1."""
    if not _text_ok(idempotency_key):
        raise ValueError("an idempotency key of 1 to 200 characters (no surrounding spaces) is needed")
    if proposal_id is not None and not _text_ok(proposal_id):
        raise ValueError("a proposal id has 1 to 200 characters")

    def invalid(detail: str) -> ShipmentRefused:
        return ShipmentRefused(order_id[:ORDER_ID_LENGTH], "invalid", detail)

    if not _text_ok(order_id, ORDER_ID_LENGTH):
        raise invalid(f"an order id has 1 to {ORDER_ID_LENGTH} characters")
    if not 1 <= len(shipments) <= MAX_PARTS:
        raise invalid(f"give 1 to {MAX_PARTS} shipments, got {len(shipments)}")
    used: set[tuple[str, date]] = set()
    for part, planned in enumerate(shipments, start=1):
        where = f"shipment {part}"
        if not isinstance(planned, PlannedShipment):
            raise invalid(f"{where} is not a PlannedShipment")
        if not _text_ok(planned.warehouse_id) or not _text_ok(planned.carrier_id):
            raise invalid(f"{where}: warehouse and carrier ids have 1 to {_ID_LENGTH} characters")
        if not isinstance(planned.ship_on, date) or isinstance(planned.ship_on, datetime):
            raise invalid(f"{where}: ship_on must be a date")
        cost = planned.cost
        if isinstance(cost, bool) or not isinstance(cost, int | float) or not math.isfinite(cost):
            raise invalid(f"{where}: the cost must be a finite number")
        if not 0 <= cost <= MAX_COST:
            raise invalid(f"{where}: the cost {cost} is outside 0..{MAX_COST:g}")
        if not 1 <= len(planned.lines) <= MAX_LINES:
            raise invalid(f"{where}: give 1 to {MAX_LINES} lines")
        for line in planned.lines:
            if not _text_ok(line.sku):
                raise invalid(f"{where}: a sku has 1 to {_ID_LENGTH} characters")
            quantity = line.quantity
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
                raise invalid(f"{where}: the quantity of {line.sku!r} must be a whole number from 1 to {MAX_QUANTITY}")
        if (planned.warehouse_id, planned.ship_on) in used:
            raise invalid(f"{where}: two shipments from {planned.warehouse_id!r} on {planned.ship_on}; make them one")
        used.add((planned.warehouse_id, planned.ship_on))


def check_against(
    order: OpenOrder,
    shipments: Sequence[PlannedShipment],
    warehouses: Sequence[Warehouse],
    carriers: Collection[str],
    committed: Commitments,
) -> None:
    """The shipments ship exactly the order's quantities, from known warehouses with known carriers,
    within each warehouse's capacity on the day and its stock net of what recorded shipments took."""
    asked: dict[str, int] = {}
    for planned in shipments:
        for line in planned.lines:
            asked[line.sku] = asked.get(line.sku, 0) + line.quantity
    wanted = dict(order.quantities)
    if asked != wanted:
        raise ShipmentRefused(
            order.id, "quantities_differ", f"the shipments carry {_listed(asked)}, the order has {_listed(wanted)}"
        )
    by_id = {warehouse.id: warehouse for warehouse in warehouses}
    taking: dict[tuple[str, str], int] = {}
    for planned in shipments:
        warehouse = by_id.get(planned.warehouse_id)
        if warehouse is None:
            raise ShipmentRefused(order.id, "unknown_warehouse", f"no warehouse {planned.warehouse_id!r}")
        if planned.carrier_id not in carriers:
            raise ShipmentRefused(order.id, "unknown_carrier", f"no carrier {planned.carrier_id!r}")
        used = committed.capacity_used(warehouse.id, planned.ship_on)
        if used + 1 > warehouse.capacity_per_day:
            raise ShipmentRefused(
                order.id,
                "capacity",
                f"{warehouse.id} already sends {used} of its {warehouse.capacity_per_day} shipments "
                f"on {planned.ship_on}",
            )
        for line in planned.lines:
            key = (warehouse.id, line.sku)
            left = warehouse.stock.get(line.sku, 0) - committed.stock_used(*key) - taking.get(key, 0)
            taking[key] = taking.get(key, 0) + line.quantity
            if line.quantity > left:
                raise ShipmentRefused(
                    order.id, "stock", f"{warehouse.id} has {max(left, 0)} of {line.sku!r} left, {line.quantity} asked"
                )


def _listed(quantities: dict[str, int]) -> str:
    return ", ".join(f"{quantity} x {sku}" for sku, quantity in sorted(quantities.items())) or "nothing"

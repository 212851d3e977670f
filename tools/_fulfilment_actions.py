"""Action tools over fulfilment: route an order, split it over warehouses, or hold it. Each runs once.

Like the credit decisions, each runs only under the supervision layer's `Authorization` for its exact
arguments (`authorize`), and records through `customers.FulfilmentRepository` under the authorization's
idempotency key, so a second run (a resumed graph, a retried worker) finds the first one's shipments or
hold and writes nothing. Before writing it checks that the route is still possible: the order still open,
the warehouse still holding the items, capacity left on the ship day, the carrier leaving that day, the cost
and arrival as the tariff says (`check_route_order`, `check_split_order`; the supervision layer runs the
same checks on a reviewer's edit). A route that is no longer possible fails with the reason and ships
nothing; the repository refuses again, in its own transaction, a shipment that would over-commit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from customers import (
    Carrier,
    Commitments,
    FulfilmentRepository,
    OpenOrder,
    PlannedShipment,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from tools._actions import Authorization, authorize
from tools._context import ToolContext
from tools._errors import InvalidToolArguments
from tools._evidence import ToolOutput
from tools._fulfilment import fulfilment_of
from tools._read import ToolInput
from tools._shipping import first_ship_day, is_ship_day, quote

RoutingAction = Literal["route_order", "split_order", "hold_order"]
MAX_SHIPMENTS = 10
MAX_LINES = 50
COST_TOLERANCE = 0.005
"""Half a cent: a cost entered by a person matches the tariff's when it rounds to the same cents."""

_ID = Field(min_length=1, max_length=200)


class LineQuantity(BaseModel):
    """One item of a shipment."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    sku: str = Field(min_length=1, max_length=200, title="Item")
    quantity: int = Field(ge=1, le=1_000_000, title="Quantity")


class ShipmentArgs(BaseModel):
    """One part of a split order: what leaves which warehouse, with which carrier, when, at what cost."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    warehouse: str = Field(min_length=1, max_length=200, title="Warehouse")
    carrier: str = Field(min_length=1, max_length=200, title="Carrier")
    lines: list[LineQuantity] = Field(min_length=1, max_length=MAX_LINES, title="Items")
    ship_on: date = Field(title="Ship on")
    cost: float = Field(ge=0.0, le=1_000_000.0, title="Cost")
    expected_delivery: date = Field(title="Expected delivery")


class RouteOrderArgs(ToolInput):
    """Ship the whole order from one warehouse with one carrier on one day."""

    reviewer_editable: ClassVar[frozenset[str]] = frozenset(
        {"warehouse", "carrier", "ship_on", "cost", "expected_delivery"}
    )

    order_id: str = Field(min_length=1, max_length=200, title="Order")
    warehouse: str = Field(min_length=1, max_length=200, title="Warehouse")
    carrier: str = Field(min_length=1, max_length=200, title="Carrier")
    ship_on: date = Field(title="Ship on", description="A ship day (Monday to Friday) the carrier still leaves on.")
    cost: float = Field(
        ge=0.0, le=1_000_000.0, title="Cost", description="Handling plus the carrier's rate for the zone and weight."
    )
    promised_by: date = Field(title="Promised by")
    expected_delivery: date = Field(title="Expected delivery", description="Ship day plus the carrier's transit days.")


class SplitOrderArgs(ToolInput):
    """Ship the order in several parts, each item whole from one warehouse."""

    reviewer_editable: ClassVar[frozenset[str]] = frozenset({"shipments"})

    order_id: str = Field(min_length=1, max_length=200, title="Order")
    shipments: list[ShipmentArgs] = Field(min_length=2, max_length=MAX_SHIPMENTS, title="Shipments")
    promised_by: date = Field(title="Promised by")


class HoldOrderArgs(ToolInput):
    """Hold the order back: it is not shipped, and leaves the open orders until the hold is released."""

    reviewer_editable: ClassVar[frozenset[str]] = frozenset({"reason"})

    order_id: str = Field(min_length=1, max_length=200, title="Order")
    reason: str = Field(min_length=1, max_length=500, title="Reason")


class RecordedShipment(ToolOutput):
    shipment_id: int
    part: int
    warehouse: str
    carrier: str
    ship_on: date
    cost: float


class RoutingResult(ToolOutput):
    """What a routing action recorded; `replayed` means it had run before under the same key and nothing ran."""

    action: RoutingAction
    order_id: str
    proposal_id: str
    idempotency_key: str
    shipments: list[RecordedShipment] = Field(default_factory=list)
    hold_id: int | None = None
    recorded_at: AwareDatetime
    replayed: bool


# -- checks ----------------------------------------------------------------------------------------


def _open_order(repository: FulfilmentRepository, tool: str, order_id: str, promised_by: date | None) -> OpenOrder:
    order = repository.order(order_id)
    if order is None:
        raise InvalidToolArguments(tool, f"no order {order_id!r} in any source system")
    if order.status != "open":
        raise InvalidToolArguments(tool, f"order {order_id!r} is {order.status}, not open")
    if repository.shipments_of(order_id):
        raise InvalidToolArguments(tool, f"order {order_id!r} has already been shipped")
    if repository.hold_of(order_id) is not None:
        raise InvalidToolArguments(tool, f"order {order_id!r} is on hold")
    if promised_by is not None and promised_by != order.promised_by:
        raise InvalidToolArguments(tool, f"the promised date is {order.promised_by} (it cannot be changed here)")
    return order


@dataclass(frozen=True)
class _Network:
    """The warehouses, carriers and recorded shipments, read once for every part of an action."""

    warehouses: dict[str, Warehouse]
    carriers: dict[str, Carrier]
    committed: Commitments

    @classmethod
    def read(cls, repository: FulfilmentRepository) -> _Network:
        return cls(
            {w.id: w for w in repository.warehouses()},
            {c.id: c for c in repository.carriers()},
            repository.committed(),
        )


def _check_shipment(
    ctx: ToolContext, tool: str, order: OpenOrder, part: ShipmentArgs, weight_kg: float, network: _Network
) -> None:
    committed = network.committed
    warehouse = network.warehouses.get(part.warehouse)
    if warehouse is None:
        raise InvalidToolArguments(tool, f"no warehouse {part.warehouse!r}")
    carrier = network.carriers.get(part.carrier)
    if carrier is None:
        known = ", ".join(network.carriers)
        raise InvalidToolArguments(tool, f"no carrier {part.carrier!r} (carriers: {known})")
    if not is_ship_day(part.ship_on):
        raise InvalidToolArguments(tool, f"{part.ship_on} is not a ship day (Monday to Friday)")
    earliest = first_ship_day(ctx.clock.now(), carrier.cutoff_hour)
    if part.ship_on < earliest:
        raise InvalidToolArguments(
            tool, f"{carrier.id} cannot take it on {part.ship_on}: its next departure is {earliest}"
        )
    for line in part.lines:
        free = warehouse.stock.get(line.sku, 0) - committed.stock_used(warehouse.id, line.sku)
        if free < line.quantity:
            raise InvalidToolArguments(
                tool, f"{warehouse.id} has {max(free, 0)} of {line.sku} free, {line.quantity} needed"
            )
    if committed.capacity_used(warehouse.id, part.ship_on) >= warehouse.capacity_per_day:
        raise InvalidToolArguments(tool, f"{warehouse.id} has no shipping capacity left on {part.ship_on}")
    found = quote(warehouse, carrier, order.ship_to_postcode, weight_kg, part.ship_on)
    if found is None:
        raise InvalidToolArguments(tool, f"{carrier.id} has no rate for {weight_kg:g} kg to {order.ship_to_postcode}")
    if abs(found.cost - part.cost) > COST_TOLERANCE:
        raise InvalidToolArguments(
            tool, f"this shipment costs {found.cost:.2f} (handling plus {carrier.id}'s rate), not {part.cost:.2f}"
        )
    if found.expected_delivery != part.expected_delivery:
        raise InvalidToolArguments(tool, f"with {carrier.id} it arrives on {found.expected_delivery}")


def _weight_of(order: OpenOrder, lines: Sequence[LineQuantity]) -> float:
    """The weight of `lines` of `order` (each item at its weight per piece on the order)."""
    per_piece: dict[str, float] = {}
    for line in order.lines:
        per_piece[line.sku] = line.weight_kg / line.quantity
    return math.fsum(per_piece.get(line.sku, 0.0) * line.quantity for line in lines)


def _route_part(order: OpenOrder, args: RouteOrderArgs) -> ShipmentArgs:
    return ShipmentArgs(
        warehouse=args.warehouse,
        carrier=args.carrier,
        lines=[LineQuantity(sku=sku, quantity=quantity) for sku, quantity in sorted(order.quantities.items())],
        ship_on=args.ship_on,
        cost=args.cost,
        expected_delivery=args.expected_delivery,
    )


def check_route_order(ctx: ToolContext, args: RouteOrderArgs) -> None:
    """The route is possible now: the order open, the warehouse holding every item, capacity on the ship day,
    the carrier leaving that day, and the cost and arrival the tariff gives."""
    _checked_route(ctx, args)


def _checked_route(ctx: ToolContext, args: RouteOrderArgs) -> OpenOrder:
    repository = fulfilment_of(ctx, "route_order")
    order = _open_order(repository, "route_order", args.order_id, args.promised_by)
    _check_shipment(ctx, "route_order", order, _route_part(order, args), order.weight_kg, _Network.read(repository))
    return order


def check_split_order(ctx: ToolContext, args: SplitOrderArgs) -> None:
    """Each part possible now (as `check_route_order`), from different warehouses, together exactly the order."""
    _checked_split(ctx, args)


def _checked_split(ctx: ToolContext, args: SplitOrderArgs) -> OpenOrder:
    repository = fulfilment_of(ctx, "split_order")
    order = _open_order(repository, "split_order", args.order_id, args.promised_by)
    warehouses = [part.warehouse for part in args.shipments]
    if len(set(warehouses)) != len(warehouses):
        raise InvalidToolArguments("split_order", "each shipment must leave from a different warehouse")
    shipped: dict[str, int] = {}
    for part in args.shipments:
        for line in part.lines:
            shipped[line.sku] = shipped.get(line.sku, 0) + line.quantity
    if shipped != dict(order.quantities):
        raise InvalidToolArguments(
            "split_order", f"the shipments carry {_describe(shipped)}, but the order is {_describe(order.quantities)}"
        )
    network = _Network.read(repository)
    for part in args.shipments:
        _check_shipment(ctx, "split_order", order, part, _weight_of(order, part.lines), network)
    return order


def check_hold_order(ctx: ToolContext, args: HoldOrderArgs) -> None:
    """Only an open order that is neither shipped nor held can be held."""
    _open_order(fulfilment_of(ctx, "hold_order"), "hold_order", args.order_id, None)


def _describe(quantities: Mapping[str, int]) -> str:
    return ", ".join(f"{quantity} × {sku}" for sku, quantity in sorted(quantities.items())) or "nothing"


# -- actions ---------------------------------------------------------------------------------------


def route_order(ctx: ToolContext, args: RouteOrderArgs, auth: Authorization) -> RoutingResult:
    """Record the order's shipment from one warehouse, once per authorization."""
    authorize(ctx, "route_order", args.model_dump(mode="json"), auth)
    repository = fulfilment_of(ctx, "route_order")
    done = _recorded(repository, args.order_id, auth)
    if done:
        return _shipped("route_order", args.order_id, done, auth, ctx, replayed=True)
    order = _checked_route(ctx, args)
    return _ship(ctx, repository, "route_order", order, [_route_part(order, args)], auth)


def split_order(ctx: ToolContext, args: SplitOrderArgs, auth: Authorization) -> RoutingResult:
    """Record the order's shipments from several warehouses, once per authorization."""
    authorize(ctx, "split_order", args.model_dump(mode="json"), auth)
    repository = fulfilment_of(ctx, "split_order")
    done = _recorded(repository, args.order_id, auth)
    if done:
        return _shipped("split_order", args.order_id, done, auth, ctx, replayed=True)
    order = _checked_split(ctx, args)
    return _ship(ctx, repository, "split_order", order, list(args.shipments), auth)


def hold_order(ctx: ToolContext, args: HoldOrderArgs, auth: Authorization) -> RoutingResult:
    """Record the hold with its reason, once per authorization."""
    authorize(ctx, "hold_order", args.model_dump(mode="json"), auth)
    repository = fulfilment_of(ctx, "hold_order")
    held = repository.hold_of(args.order_id)
    if held is None or held.idempotency_key != auth.idempotency_key:
        check_hold_order(ctx, args)
    hold = repository.record_hold(
        args.order_id, args.reason, idempotency_key=auth.idempotency_key, proposal_id=auth.proposal_id
    )
    return RoutingResult(
        action="hold_order",
        order_id=args.order_id,
        proposal_id=auth.proposal_id,
        idempotency_key=auth.idempotency_key,
        hold_id=hold.id,
        recorded_at=hold.created_at,
        replayed=hold.replayed or (held is not None and held.idempotency_key == auth.idempotency_key),
    )


def _recorded(repository: FulfilmentRepository, order_id: str, auth: Authorization) -> tuple[Shipment, ...]:
    """The shipments an earlier run under this authorization recorded (empty: it never ran)."""
    return tuple(s for s in repository.shipments_of(order_id) if s.idempotency_key == auth.idempotency_key)


def _ship(
    ctx: ToolContext,
    repository: FulfilmentRepository,
    action: RoutingAction,
    order: OpenOrder,
    parts: Sequence[ShipmentArgs],
    auth: Authorization,
) -> RoutingResult:
    planned = [
        PlannedShipment(
            warehouse_id=part.warehouse,
            carrier_id=part.carrier,
            ship_on=part.ship_on,
            lines=tuple(ShipmentLine(sku=line.sku, quantity=line.quantity) for line in part.lines),
            cost=part.cost,
        )
        for part in parts
    ]
    recorded = repository.record_shipments(
        order.id, planned, idempotency_key=auth.idempotency_key, proposal_id=auth.proposal_id
    )
    return _shipped(action, order.id, recorded, auth, ctx, replayed=any(s.replayed for s in recorded))


def _shipped(
    action: RoutingAction,
    order_id: str,
    shipments: Sequence[Shipment],
    auth: Authorization,
    ctx: ToolContext,
    *,
    replayed: bool,
) -> RoutingResult:
    return RoutingResult(
        action=action,
        order_id=order_id,
        proposal_id=auth.proposal_id,
        idempotency_key=auth.idempotency_key,
        shipments=[
            RecordedShipment(
                shipment_id=s.id,
                part=s.part,
                warehouse=s.warehouse_id,
                carrier=s.carrier_id,
                ship_on=s.ship_on,
                cost=s.cost,
            )
            for s in sorted(shipments, key=lambda s: s.part)
        ],
        recorded_at=min((s.created_at for s in shipments), default=ctx.clock.now()),
        replayed=replayed,
    )

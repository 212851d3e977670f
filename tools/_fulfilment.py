"""Read tools over fulfilment data: open orders, stock, shipping capacity, carrier rates, the customer's standing.

Every figure names the source row it came from (`FieldEvidence`, from the row's `customers.RecordSource`).
Free stock and capacity here are the source's figures minus recorded shipments; what routes waiting for
review hold on top of that is the planner's business (it reads the approval queue), not a tool's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from core import NotFound
from customers import FulfilmentRepository, OpenOrder, RecordSource, ServiceLevel
from tools._context import ToolContext
from tools._customer import get_customer_360
from tools._errors import ToolUnavailable
from tools._evidence import FieldEvidence, ToolOutput
from tools._read import CustomerQuery, ToolInput
from tools._shipping import next_ship_day, ship_days

MAX_SKUS = 50
MAX_DAYS = 14
Sku = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def fulfilment_of(ctx: ToolContext, tool: str) -> FulfilmentRepository:
    """The context's fulfilment repository, or `ToolUnavailable` naming `tool`."""
    if ctx.fulfilment is None:
        raise ToolUnavailable(tool, "fulfilment data (no source configuration: run `steward ingest` first)")
    return ctx.fulfilment


def evidence_of(field: str, value: str | int | float | None, source: RecordSource) -> FieldEvidence:
    return FieldEvidence(
        field=field,
        value=value,
        source_system=source.system,
        source_record_id=source.record_id,
        observed_at=source.observed_at,
    )


class OrderQuery(ToolInput):
    order_id: str = Field(min_length=1, max_length=200, description="The order, as <system>:<record id>.")


class OpenOrdersQuery(ToolInput):
    limit: int = Field(ge=1, le=100_000, description="At most this many, soonest promise first.")


class StockQuery(ToolInput):
    skus: list[Sku] = Field(min_length=1, max_length=MAX_SKUS, description="The items to look up.")
    warehouse_id: str | None = Field(default=None, max_length=200, description="One warehouse; none: all of them.")


class CapacityQuery(ToolInput):
    warehouse_id: str | None = Field(default=None, max_length=200, description="One warehouse; none: all of them.")
    start: date | None = Field(default=None, description="First ship day; none: today (or the next ship day).")
    days: int = Field(ge=1, le=MAX_DAYS, description="How many ship days.")


class CarrierQuery(ToolInput):
    weight_kg: float = Field(gt=0.0, le=100_000.0, description="The shipment's weight: each carrier's band holding it.")
    carrier_id: str | None = Field(default=None, max_length=200, description="One carrier; none: all of them.")


class OrderLineDetails(ToolOutput):
    sku: str
    quantity: int
    weight_kg: float


class OrderDetails(ToolOutput):
    order_id: str
    customer_id: str | None
    status: str
    placed_at: AwareDatetime
    promised_by: date
    ship_to_postcode: str
    ship_to_city: str | None
    value: float
    weight_kg: float
    lines: list[OrderLineDetails]
    evidence: list[FieldEvidence]


class OpenOrders(ToolOutput):
    orders: list[OrderDetails]
    as_of: AwareDatetime


class StockLevel(ToolOutput):
    warehouse_id: str
    sku: str
    on_hand: int
    """The source's latest stock figure."""
    committed: int
    """Recorded shipments the figure does not reflect yet."""
    free: int


class StockLevels(ToolOutput):
    levels: list[StockLevel]
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


class CapacityLevel(ToolOutput):
    warehouse_id: str
    ship_on: date
    capacity: int
    """Shipments per ship day."""
    committed: int
    free: int


class CapacityLevels(ToolOutput):
    levels: list[CapacityLevel]
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


class RateDetails(ToolOutput):
    zone: int
    max_weight_kg: float
    price: float
    transit_days: int


class CarrierDetails(ToolOutput):
    carrier_id: str
    name: str
    service_level: ServiceLevel
    cutoff_hour: int
    rates: list[RateDetails]


class CarrierRates(ToolOutput):
    carriers: list[CarrierDetails]
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


class CustomerStanding(ToolOutput):
    """What the customer's history says about how carefully to treat their order."""

    customer_id: str
    open_complaints: int
    open_complaint_records: list[str]
    value_last_365_days: float
    orders_last_365_days: int
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


def order_details(order: OpenOrder) -> OrderDetails:
    source = order.source
    return OrderDetails(
        order_id=order.id,
        customer_id=order.customer_id,
        status=order.status,
        placed_at=order.placed_at,
        promised_by=order.promised_by,
        ship_to_postcode=order.ship_to_postcode,
        ship_to_city=order.ship_to_city,
        value=float(order.value),
        weight_kg=order.weight_kg,
        lines=[
            OrderLineDetails(sku=line.sku, quantity=line.quantity, weight_kg=line.weight_kg) for line in order.lines
        ],
        evidence=[
            evidence_of("value", float(order.value), source),
            evidence_of("promised_by", order.promised_by.isoformat(), source),
            evidence_of("ship_to_postcode", order.ship_to_postcode, source),
            *(evidence_of(f"line:{line.sku}", line.quantity, line.source) for line in order.lines),
        ],
    )


def get_order(ctx: ToolContext, query: OrderQuery) -> OrderDetails:
    """One order, any status, with its lines; `core.NotFound` when no source has it."""
    order = fulfilment_of(ctx, "get_order").order(query.order_id)
    if order is None:
        raise NotFound("order", query.order_id)
    return order_details(order)


def get_open_orders(ctx: ToolContext, query: OpenOrdersQuery) -> OpenOrders:
    """Orders open in their source that Steward has neither shipped nor held, soonest promise first."""
    orders = fulfilment_of(ctx, "get_open_orders").open_orders(query.limit)
    return OpenOrders(orders=[order_details(order) for order in orders], as_of=ctx.clock.now())


def get_stock(ctx: ToolContext, query: StockQuery) -> StockLevels:
    """Stock of the items per warehouse: on hand in the source, committed to recorded shipments, free."""
    repository = fulfilment_of(ctx, "get_stock")
    committed = repository.committed()
    levels, evidence = [], []
    for warehouse in repository.warehouses():
        if query.warehouse_id is not None and warehouse.id != query.warehouse_id:
            continue
        for sku in dict.fromkeys(query.skus):
            on_hand = warehouse.stock.get(sku, 0)
            used = committed.stock_used(warehouse.id, sku)
            levels.append(
                StockLevel(
                    warehouse_id=warehouse.id, sku=sku, on_hand=on_hand, committed=used, free=max(on_hand - used, 0)
                )
            )
            source = warehouse.stock_sources.get(sku)
            if source is not None:
                evidence.append(evidence_of(f"stock:{warehouse.id}:{sku}", on_hand, source))
    return StockLevels(levels=levels, evidence=evidence, as_of=ctx.clock.now())


def get_capacity(ctx: ToolContext, query: CapacityQuery) -> CapacityLevels:
    """Shipping capacity per warehouse and ship day: per day in the source, used by recorded shipments, free."""
    repository = fulfilment_of(ctx, "get_capacity")
    committed = repository.committed()
    start = query.start or ctx.clock.now().date()
    days = ship_days(next_ship_day(start), query.days)
    levels, evidence = [], []
    for warehouse in repository.warehouses():
        if query.warehouse_id is not None and warehouse.id != query.warehouse_id:
            continue
        evidence.append(evidence_of(f"capacity_per_day:{warehouse.id}", warehouse.capacity_per_day, warehouse.source))
        for day in days:
            used = committed.capacity_used(warehouse.id, day)
            levels.append(
                CapacityLevel(
                    warehouse_id=warehouse.id,
                    ship_on=day,
                    capacity=warehouse.capacity_per_day,
                    committed=used,
                    free=max(warehouse.capacity_per_day - used, 0),
                )
            )
    return CapacityLevels(levels=levels, evidence=evidence, as_of=ctx.clock.now())


def get_carrier_rates(ctx: ToolContext, query: CarrierQuery) -> CarrierRates:
    """The carriers' service levels and cut-off hours, and per zone the rate of the band that holds the weight."""
    carriers, evidence = [], []
    for carrier in fulfilment_of(ctx, "get_carrier_rates").carriers():
        if query.carrier_id is not None and carrier.id != query.carrier_id:
            continue
        rates = [r for zone in (1, 2, 3, 4) if (r := carrier.rate(zone, query.weight_kg)) is not None]
        carriers.append(
            CarrierDetails(
                carrier_id=carrier.id,
                name=carrier.name,
                service_level=carrier.service_level,
                cutoff_hour=carrier.cutoff_hour,
                rates=[
                    RateDetails(zone=r.zone, max_weight_kg=r.max_weight_kg, price=r.price, transit_days=r.transit_days)
                    for r in rates
                ],
            )
        )
        evidence.append(evidence_of(f"carrier:{carrier.id}", carrier.service_level, carrier.source))
        evidence += [evidence_of(f"rate:{carrier.id}:{r.zone}:{r.max_weight_kg:g}", r.price, r.source) for r in rates]
    return CarrierRates(carriers=carriers, evidence=evidence, as_of=ctx.clock.now())


def get_customer_standing(ctx: ToolContext, query: CustomerQuery) -> CustomerStanding:
    """The customer's open complaints and what they bought in the last year (from the 360 view)."""
    view = get_customer_360(ctx, query)
    features = view.attention.features
    evidence = [
        FieldEvidence(
            field="open_complaint",
            value=str(item.details.get("subject") or item.details.get("category") or "complaint"),
            source_system=item.source_system,
            source_record_id=item.record_id,
            observed_at=item.occurred_at,
        )
        for item in view.open_complaints
    ]
    return CustomerStanding(
        customer_id=view.customer_id,
        open_complaints=features.open_complaints,
        open_complaint_records=[item.record_id for item in view.open_complaints],
        value_last_365_days=features.value_last_365_days,
        orders_last_365_days=features.orders_last_365_days,
        evidence=evidence,
        as_of=ctx.clock.now(),
    )

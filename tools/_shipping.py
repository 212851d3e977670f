"""What a shipment costs and when it arrives: the one tariff the planner, the edit checks and the action tools use.

A shipment leaves a warehouse on a ship day (Monday to Friday) with a carrier. It can leave on the
planning day only when it is handed over before the carrier's cut-off hour (UTC); otherwise on the next
ship day. It costs the warehouse's handling cost plus the carrier's price for the zone between the two
postcodes (`customers.shipping_zone`) and the shipment's weight band, and arrives `transit_days` calendar
days after it left (carriers deliver on every day of the week).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from customers import Carrier, CarrierRate, Warehouse, shipping_zone

SHIP_WEEKDAYS = frozenset({0, 1, 2, 3, 4})
"""Monday to Friday: the days warehouses hand shipments to carriers."""


@dataclass(frozen=True, slots=True)
class Quote:
    """One way to send one shipment: its cost and when it arrives."""

    warehouse_id: str
    carrier_id: str
    ship_on: date
    zone: int
    cost: float
    """Handling plus carriage, rounded to cents."""
    expected_delivery: date
    transit_days: int


def is_ship_day(day: date) -> bool:
    return day.weekday() in SHIP_WEEKDAYS


def next_ship_day(day: date) -> date:
    """`day` itself when it is a ship day, else the next one."""
    while not is_ship_day(day):
        day += timedelta(days=1)
    return day


def first_ship_day(now: datetime, cutoff_hour: int) -> date:
    """The earliest day a shipment handed over at `now` leaves with a carrier whose cut-off is `cutoff_hour` (UTC)."""
    moment = now.astimezone(UTC)
    today = moment.date()
    if is_ship_day(today) and moment.hour < cutoff_hour:
        return today
    return next_ship_day(today + timedelta(days=1))


def ship_days(start: date, count: int) -> tuple[date, ...]:
    """`count` ship days from `start` (itself when it is one)."""
    days: list[date] = []
    day = next_ship_day(start)
    while len(days) < count:
        days.append(day)
        day = next_ship_day(day + timedelta(days=1))
    return tuple(days)


def quote(warehouse: Warehouse, carrier: Carrier, postcode: str, weight_kg: float, ship_on: date) -> Quote | None:
    """The cost and arrival of a shipment of `weight_kg` to `postcode`, or None when the carrier has no rate for it."""
    zone = shipping_zone(warehouse.postcode, postcode)
    rate = carrier.rate(zone, weight_kg)
    return None if rate is None else quote_at(warehouse, carrier, rate, ship_on)


def shipping_cost(warehouse: Warehouse, rate: CarrierRate) -> float:
    """Handling at the warehouse plus the carrier's price, rounded to cents."""
    return round(warehouse.handling_cost + rate.price, 2)


def quote_at(warehouse: Warehouse, carrier: Carrier, rate: CarrierRate, ship_on: date) -> Quote:
    """The quote of `carrier`'s `rate` (already chosen for the zone and weight) from `warehouse` on `ship_on`."""
    return Quote(
        warehouse_id=warehouse.id,
        carrier_id=carrier.id,
        ship_on=ship_on,
        zone=rate.zone,
        cost=shipping_cost(warehouse, rate),
        expected_delivery=ship_on + timedelta(days=rate.transit_days),
        transit_days=rate.transit_days,
    )

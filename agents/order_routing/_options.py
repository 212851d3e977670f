"""The ways to serve one order: a warehouse that holds every item, a ship day with capacity, the best carrier.

For each warehouse holding all of an order's items and each ship day of the horizon with capacity left,
the option is the cheapest carrier whose delivery keeps the promise; when none keeps it, the carrier that
arrives first (then the cheapest), marked late. The solver weighs an option by its cost plus a penalty per
day late, plus a cent per ship day of waiting (so that, at equal cost, an order leaves early).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from agents.order_routing._availability import Availability
from customers import Carrier, CarrierRate, OpenOrder, Warehouse, shipping_zone
from tools import Quote, quote_at, shipping_cost

LATE_PENALTY_PER_DAY = 25.0
"""What a day late weighs against shipping cost in the plan (a late route is proposed only when nothing keeps
the promise, and always reviewed)."""
WAIT_PENALTY_PER_SHIP_DAY = 0.01
"""Breaks ties between equal routes in favour of the earlier ship day."""
HORIZON_SHIP_DAYS = 3
"""Ship days a batch may use, from the earliest: capacity of later days is left to later batches."""
MAX_OPTIONS_PER_ORDER = 24
"""The cheapest options kept per order (by weighed cost): enough to move orders around full warehouses."""


@dataclass(frozen=True, slots=True)
class RouteOption:
    """One way to ship a whole order (or one part of a split)."""

    quote: Quote
    keeps_promise: bool
    days_late: int
    weight: float
    """What the plan minimises: cost, plus the late penalty, plus the wait tie-break."""

    @property
    def warehouse_id(self) -> str:
        return self.quote.warehouse_id


@dataclass(frozen=True, slots=True)
class Candidate:
    """A carrier that can take a shipment from a warehouse into a zone, and what it costs."""

    cost: float
    transit_days: int
    carrier_id: str
    first_day: date
    carrier: Carrier
    rate: CarrierRate


@dataclass(frozen=True)
class Network:
    """The warehouses and carriers a batch is planned over, and the earliest ship day of each carrier."""

    warehouses: Sequence[Warehouse]
    carriers: Sequence[Carrier]
    first_day: Mapping[str, date]
    """carrier id → the first day a shipment handed over now leaves with it."""
    days: tuple[date, ...]
    """The ship days of the horizon."""

    def rates_for(self, weight_kg: float) -> dict[tuple[str, int], CarrierRate]:
        """(carrier id, zone) → the carrier's rate for `weight_kg` in that zone (absent: none)."""
        found: dict[tuple[str, int], CarrierRate] = {}
        for carrier in self.carriers:
            for zone in (1, 2, 3, 4):
                rate = carrier.rate(zone, weight_kg)
                if rate is not None:
                    found[(carrier.id, zone)] = rate
        return found

    def candidates(
        self,
        warehouse: Warehouse,
        zone: int,
        rates: Mapping[tuple[str, int], CarrierRate],
        avoid: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Candidate]:
        """The carriers that can take a shipment from `warehouse` into `zone`, cheapest first."""
        found = [
            Candidate(
                shipping_cost(warehouse, rate), rate.transit_days, carrier.id, self.first_day[carrier.id], carrier, rate
            )
            for carrier in self.carriers
            if (rate := rates.get((carrier.id, zone))) is not None and (warehouse.id, carrier.id) not in avoid
        ]
        return sorted(found, key=lambda c: (c.cost, c.carrier_id))

    def best_of(
        self, candidates: Sequence[Candidate], warehouse: Warehouse, day: date, promised_by: date
    ) -> RouteOption | None:
        """Among `candidates` leaving on `day`: the cheapest arriving on time, else the first to arrive (then the
        cheapest)."""
        chosen: Candidate | None = None
        for candidate in candidates:  # cheapest first: the first on time is the cheapest on time
            if candidate.first_day <= day and day + timedelta(days=candidate.transit_days) <= promised_by:
                chosen = candidate
                break
        if chosen is None:
            leaving = [c for c in candidates if c.first_day <= day]
            chosen = min(leaving, key=lambda c: (c.transit_days, c.cost, c.carrier_id), default=None)
        if chosen is None:
            return None
        found = quote_at(warehouse, chosen.carrier, chosen.rate, day)
        late = max((found.expected_delivery - promised_by).days, 0)
        wait = self.days.index(day) if day in self.days else 0
        weight = found.cost + LATE_PENALTY_PER_DAY * late + WAIT_PENALTY_PER_SHIP_DAY * wait
        return RouteOption(found, late == 0, late, round(weight, 4))

    def best(
        self,
        warehouse: Warehouse,
        zone: int,
        day: date,
        rates: Mapping[tuple[str, int], CarrierRate],
        promised_by: date,
        avoid: frozenset[tuple[str, str]] = frozenset(),
    ) -> RouteOption | None:
        """The best carrier from `warehouse` on `day` (`best_of` its `candidates`)."""
        return self.best_of(self.candidates(warehouse, zone, rates, avoid), warehouse, day, promised_by)


def zones_of(network: Network, postcode: str) -> dict[str, int]:
    """warehouse id → the zone between it and `postcode`."""
    return {warehouse.id: shipping_zone(warehouse.postcode, postcode) for warehouse in network.warehouses}


def order_options(
    order: OpenOrder,
    network: Network,
    free: Availability,
    avoid: frozenset[tuple[str, str]] = frozenset(),
    *,
    limit: int = MAX_OPTIONS_PER_ORDER,
) -> list[RouteOption]:
    """The whole-order options of `order` over the network's free capacity and stock, cheapest first.

    `avoid` holds (warehouse, carrier) pairs a reviewer rejected for this order; they are offered again only
    when nothing else serves it.
    """
    quantities = order.quantities
    rates = network.rates_for(order.weight_kg)
    zones = zones_of(network, order.ship_to_postcode)
    options: list[RouteOption] = []
    for warehouse in network.warehouses:
        if not free.holds(warehouse.id, quantities):
            continue
        candidates = network.candidates(warehouse, zones[warehouse.id], rates, avoid)
        for day in network.days:
            if not candidates or free.capacity_on(warehouse.id, day) <= 0:
                continue
            option = network.best_of(candidates, warehouse, day, order.promised_by)
            if option is not None:
                options.append(option)
    if not options and avoid:
        return order_options(order, network, free, limit=limit)
    options.sort(key=lambda o: (o.weight, o.quote.warehouse_id, o.quote.ship_on))
    return options[:limit]


def cheapest_cost(options: Sequence[RouteOption]) -> float:
    """The cheapest cost among the options keeping the promise, else among all of them; 0.0 when there are none."""
    on_time = [o.quote.cost for o in options if o.keeps_promise]
    pool = on_time or [o.quote.cost for o in options]
    return min(pool, default=0.0)

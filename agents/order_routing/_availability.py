"""What is still free to promise: warehouse capacity per ship day and stock per item.

Free = the warehouses' figures, minus what recorded shipments use (`customers.Commitments`), minus what
routes already promised but not yet recorded hold (`Reservation`: live proposals waiting for review or
execution, and planned routes whose proposal is being made). Two batches planned while reviews are
pending therefore never promise the same capacity or stock twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from customers import Commitments, Warehouse


@dataclass(frozen=True, slots=True)
class Reservation:
    """One shipment promised but not recorded yet: it holds one unit of capacity and its items' stock."""

    warehouse_id: str
    ship_on: date
    quantities: tuple[tuple[str, int], ...]
    """(sku, quantity) pairs."""


@dataclass
class Availability:
    """Remaining capacity per (warehouse, ship day) and stock per (warehouse, sku); `take` uses some of it."""

    days: tuple[date, ...]
    capacity: dict[tuple[str, date], int] = field(default_factory=dict)
    stock: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        warehouses: Sequence[Warehouse],
        days: Sequence[date],
        committed: Commitments,
        reserved: Iterable[Reservation] = (),
    ) -> Availability:
        free = cls(days=tuple(days))
        for warehouse in warehouses:
            for day in days:
                used = committed.capacity_used(warehouse.id, day)
                free.capacity[(warehouse.id, day)] = max(warehouse.capacity_per_day - used, 0)
            for sku, on_hand in warehouse.stock.items():
                free.stock[(warehouse.id, sku)] = max(on_hand - committed.stock_used(warehouse.id, sku), 0)
        for reservation in reserved:
            free.take(reservation)
        return free

    def capacity_on(self, warehouse_id: str, day: date) -> int:
        return self.capacity.get((warehouse_id, day), 0)

    def stock_of(self, warehouse_id: str, sku: str) -> int:
        return self.stock.get((warehouse_id, sku), 0)

    def holds(self, warehouse_id: str, quantities: Mapping[str, int]) -> bool:
        """The warehouse has every one of `quantities` in stock."""
        return all(self.stock_of(warehouse_id, sku) >= quantity for sku, quantity in quantities.items())

    def take(self, reservation: Reservation) -> None:
        """Use one shipment's capacity and stock (never below zero: a day outside the horizon holds nothing)."""
        key = (reservation.warehouse_id, reservation.ship_on)
        if key in self.capacity:
            self.capacity[key] = max(self.capacity[key] - 1, 0)
        for sku, quantity in reservation.quantities:
            stock_key = (reservation.warehouse_id, sku)
            self.stock[stock_key] = max(self.stock.get(stock_key, 0) - quantity, 0)

    def total_stock(self, sku: str, warehouse_ids: Iterable[str]) -> int:
        return sum(self.stock_of(warehouse_id, sku) for warehouse_id in warehouse_ids)

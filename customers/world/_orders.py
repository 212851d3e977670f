"""Orders with their fulfilment: delivery of the past orders, and the open orders of the last few days.

The ERP's borrowed (CDNOW) orders were all delivered (a few returned, some late against their
promised day) to the address the ERP holds. On top of them, the ERP and the shop each have open
orders placed in the last days before `as_of`, with lines of catalogue items, a promised delivery
day and a ship-to address; the shop also has its delivered and shipped orders of the last weeks.
With `malformed`, each system gets one order line with an unknown item, one with a negative
quantity, and one order without its ship-to address (noted in truth/faults.csv).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from customers.world._draws import Texts
from customers.world._export import Columns
from customers.world._logistics import Catalogue
from customers.world._moments import Days, Moments, day_texts, days_ago, moment_texts, start_of
from customers.world._population import System
from customers.world._world import World

OPEN_PER_PERSON: Final = {"erp": 0.04, "shop": 0.02}
"""Open orders per person of the world, by system (3,000 people: 120 in the ERP, 60 in the shop)."""
SHOP_RECENT_PER_PERSON: Final = 0.04
"""The shop's delivered or shipped orders of the last weeks, per person."""
OPEN_WITHIN_DAYS: Final = 3.0
RECENT_DAYS: Final = (5.0, 21.0)
PROMISE_DAYS: Final = (np.array([2, 3, 4, 5, 7]), np.array([0.1, 0.25, 0.3, 0.2, 0.15]))
"""Days from the order to the promised delivery, and how often each is promised."""
RETURNED: Final = 0.03
LATE: Final = 0.08
GIFT: Final = 0.05
"""Share of orders shipped to an address other than the buyer's (a gift)."""
UNKNOWN_SKU: Final = "SKU-0999"
LINES_HEADER: Final = ("line_id", "order_id", "sku", "quantity")


@dataclass(frozen=True, slots=True)
class Buyers:
    """Who may place orders in a system: their record ids and the address the order ships to."""

    ids: Texts
    weight: NDArray[np.float64]
    postcode: Texts
    city: Texts


@dataclass(frozen=True, slots=True)
class DrawnOrders:
    buyer: list[str]
    placed: Moments
    status: list[str]
    promised: Days
    delivered: list[str]
    postcode: list[str]
    city: list[str]
    value: list[float]
    items: list[int]
    line_order: list[int]
    line_sku: list[str]
    line_quantity: list[str]

    def __len__(self) -> int:
        return len(self.buyer)


def _promise(rng: np.random.Generator, size: int) -> NDArray[np.int64]:
    days, p = PROMISE_DAYS
    chosen: NDArray[np.int64] = rng.choice(days, size=size, p=p).astype(np.int64)
    return chosen


def _transit(rng: np.random.Generator, promise: NDArray[np.int64]) -> NDArray[np.int64]:
    """Days from order to delivery: mostly within the promise, late for a few."""
    early = rng.choice(3, size=len(promise), p=[0.5, 0.3, 0.2])
    late = np.where(rng.random(len(promise)) < LATE, rng.integers(1, 3, len(promise)), 0)
    transit: NDArray[np.int64] = np.maximum(1, promise - early) + late
    return transit


def past_deliveries(world: World, day: Days, buyer: list[str], held: dict[str, tuple[str, str]]) -> Columns:
    """Status, promise, delivery and ship-to of the ERP's past orders (delivered, a few returned)."""
    rng = world.rng("erp/deliveries")
    size = len(day)
    promise = _promise(rng, size)
    delivered = day.astype("datetime64[s]") + (_transit(rng, promise) * 86_400).astype("timedelta64[s]")
    delivered += rng.integers(8 * 3600, 18 * 3600, size).astype("timedelta64[s]")
    returned = rng.random(size) < RETURNED
    address = [held.get(customer, ("", "")) for customer in buyer]
    return {
        "status": np.where(returned, "returned", "delivered").tolist(),
        "promised_by": day_texts(day + promise.astype("timedelta64[D]")),
        "delivered_at": moment_texts(delivered),
        "ship_to_postcode": [postcode for postcode, _ in address],
        "ship_to_city": [city for _, city in address],
    }


def draw_orders(
    world: World, rng: np.random.Generator, buyers: Buyers, items: Catalogue, count: int, days: tuple[float, float]
) -> DrawnOrders:
    """`count` orders (at most one per buyer) placed between `days` before `as_of`, with their lines."""
    count = min(count, len(buyers.ids))
    chosen = rng.choice(len(buyers.ids), size=count, replace=False, p=buyers.weight / buyers.weight.sum())
    placed = np.sort(days_ago(world.as_of, rng.uniform(days[0], days[1], count)))
    promise = _promise(rng, count)
    placed_day = placed.astype("datetime64[D]")
    delivered = placed + (_transit(rng, promise) * 86_400).astype("timedelta64[s]")
    settled = (days[0] > OPEN_WITHIN_DAYS) & (delivered < start_of(world.as_of))
    status = np.where(
        days[0] <= OPEN_WITHIN_DAYS,
        "open",
        np.where(settled, np.where(rng.random(count) < RETURNED, "returned", "delivered"), "shipped"),
    )
    gift = rng.random(count) < GIFT
    places = world.vocabulary.places.draw(rng, count)
    postcode = np.where(gift, world.vocabulary.places.postcode[places], buyers.postcode[chosen])
    city = np.where(gift, world.vocabulary.places.city[places], buyers.city[chosen])
    line_order: list[int] = []
    line_sku: list[str] = []
    line_quantity: list[str] = []
    value: list[float] = []
    quantities: list[int] = []
    for order in range(count):
        lines = min(5, int(rng.geometric(0.55)))
        skus = rng.choice(len(items.sku), size=lines, replace=False, p=items.popularity)
        quantity = np.minimum(8, rng.geometric(0.6, lines))
        line_order += [order] * lines
        line_sku += [items.sku[i] for i in skus.tolist()]
        line_quantity += [str(q) for q in quantity.tolist()]
        value.append(round(float(np.sum(items.price[skus] * quantity)), 2))
        quantities.append(int(quantity.sum()))
    return DrawnOrders(
        buyer=[str(b) for b in buyers.ids[chosen].tolist()],
        placed=placed,
        status=status.tolist(),
        promised=placed_day + promise.astype("timedelta64[D]"),
        delivered=[
            text if state in ("delivered", "returned") else ""
            for text, state in zip(moment_texts(delivered), status.tolist(), strict=True)
        ],
        postcode=[str(p) for p in postcode.tolist()],
        city=[str(c) for c in city.tolist()],
        value=value,
        items=quantities,
        line_order=line_order,
        line_sku=line_sku,
        line_quantity=line_quantity,
    )


def break_orders(
    world: World,
    system: System,
    names: tuple[str, str],
    orders: DrawnOrders,
    ids: tuple[list[str], list[str]],
) -> None:
    """One line with an unknown item, one with a negative quantity, one order without its address."""
    open_orders = [i for i, state in enumerate(orders.status) if state == "open"]
    if not world.malformed or len(open_orders) < 3:
        return
    rng = world.rng(f"malformed/{system}/orders")
    unknown, negative, homeless = (int(i) for i in rng.choice(open_orders, size=3, replace=False))
    order_entity, line_entity = names
    order_ids, line_ids = ids
    first_line = {order: orders.line_order.index(order) for order in (unknown, negative)}
    orders.line_sku[first_line[unknown]] = UNKNOWN_SKU
    world.ledger.fault(system, line_entity, [line_ids[first_line[unknown]]], "malformed: unknown item (sku)")
    orders.line_quantity[first_line[negative]] = f"-{orders.line_quantity[first_line[negative]]}"
    world.ledger.fault(system, line_entity, [line_ids[first_line[negative]]], "malformed: negative quantity (quantity)")
    orders.postcode[homeless] = ""
    orders.city[homeless] = ""
    world.ledger.fault(system, order_entity, [order_ids[homeless]], "malformed: missing address (ship_to_postcode)")


def line_columns(orders: DrawnOrders, order_ids: list[str], line_ids: list[str]) -> Columns:
    return {
        "line_id": line_ids,
        "order_id": [order_ids[i] for i in orders.line_order],
        "sku": orders.line_sku,
        "quantity": orders.line_quantity,
    }

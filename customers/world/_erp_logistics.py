"""The ERP's fulfilment exports: catalogue, warehouses, stock, carriers, rates, and the open orders with lines.

The open orders are appended to orders.csv after the past orders were broken the usual way, so the
past orders (and everything the timeline computes from them) come out as they did before orders had
lines; the open orders get their own faults (`_orders.break_orders`).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from customers.world._export import Columns
from customers.world._logistics import (
    CARRIERS_HEADER,
    ITEMS_HEADER,
    RATES_HEADER,
    STOCK_HEADER,
    WAREHOUSES_HEADER,
    carriers,
    catalogue,
    rates,
    stock,
    warehouses,
)
from customers.world._moments import day_texts, moment_texts
from customers.world._orders import (
    LINES_HEADER,
    OPEN_PER_PERSON,
    OPEN_WITHIN_DAYS,
    Buyers,
    break_orders,
    draw_orders,
    line_columns,
)
from customers.world._records import RecordSet
from customers.world._world import World

Export = dict[str, tuple[tuple[str, ...], Columns]]
"""Entity → (header, columns) of a CSV export."""

_CHANNELS: Final = np.array(["phone", "store", "web"])


def _empty(header: tuple[str, ...]) -> Columns:
    return {name: [] for name in header}


def _buyers(customers: RecordSet, held: dict[str, tuple[str, str]], orders: Columns) -> Buyers:
    """The ERP's customers (first records only), likelier to order the more they ordered before."""
    ids = customers.ids[~customers.duplicate]
    before: dict[str, int] = {}
    for customer in orders["customer_no"]:
        before[customer] = before.get(customer, 0) + 1
    return Buyers(
        ids=ids,
        weight=np.array([1.0 + before.get(str(i), 0) for i in ids.tolist()]),
        postcode=np.array([held[str(i)][0] for i in ids.tolist()], dtype=object),
        city=np.array([held[str(i)][1] for i in ids.tolist()], dtype=object),
    )


def erp_logistics(world: World, customers: RecordSet, held: dict[str, tuple[str, str]], orders: Columns) -> Export:
    """The reference files and the order lines; appends the open orders to `orders` in place."""
    headers = {
        "warehouses": WAREHOUSES_HEADER,
        "items": ITEMS_HEADER,
        "stock": STOCK_HEADER,
        "carriers": CARRIERS_HEADER,
        "carrier_rates": RATES_HEADER,
        "order_lines": LINES_HEADER,
    }
    if not world.events:
        return {entity: (header, _empty(header)) for entity, header in headers.items()}
    items = catalogue(world)
    sites = warehouses(world)
    people = len(world.population.person_id)
    rng = world.rng("erp/open_orders")
    count = round(OPEN_PER_PERSON["erp"] * people)
    drawn = draw_orders(world, rng, _buyers(customers, held, orders), items, count, (0.02, OPEN_WITHIN_DAYS))
    first = len(orders["order_id"]) + 1
    order_ids = [f"SO-{n:07d}" for n in range(first, first + len(drawn))]
    line_ids = [f"OL-{n:07d}" for n in range(1, len(drawn.line_order) + 1)]
    break_orders(world, "erp", ("orders", "order_lines"), drawn, (order_ids, line_ids))
    appended: Columns = {
        "order_id": order_ids,
        "customer_no": drawn.buyer,
        "order_date": moment_texts(drawn.placed),
        "amount": [f"{value:.2f}" for value in drawn.value],
        "items": [str(n) for n in drawn.items],
        "channel": _CHANNELS[rng.choice(3, size=len(drawn), p=[0.4, 0.25, 0.35])].tolist(),
        "status": drawn.status,
        "promised_by": day_texts(drawn.promised),
        "delivered_at": drawn.delivered,
        "ship_to_postcode": drawn.postcode,
        "ship_to_city": drawn.city,
    }
    for column, values in appended.items():
        orders[column] = orders[column] + values
    tables = {
        "warehouses": sites,
        "items": items.columns(),
        "stock": stock(world, items, sites["warehouse_id"]),
        "carriers": carriers(),
        "carrier_rates": rates(world),
        "order_lines": line_columns(drawn, order_ids, line_ids),
    }
    return {entity: (headers[entity], tables[entity]) for entity in headers}

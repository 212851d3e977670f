"""The shop's own orders: its product range (a copy of part of the ERP catalogue), orders and their lines.

The shop sells most of the catalogue under the same skus; its orders of the last three weeks are
delivered, returned or still on their way, and those of the last few days are open. Orders ship to
the address the buyer gives at checkout (their current one).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from customers.world._export import SqlValue
from customers.world._logistics import catalogue
from customers.world._moments import day_texts, moment_texts
from customers.world._orders import (
    LINES_HEADER,
    OPEN_PER_PERSON,
    OPEN_WITHIN_DAYS,
    RECENT_DAYS,
    SHOP_RECENT_PER_PERSON,
    Buyers,
    DrawnOrders,
    break_orders,
    draw_orders,
)
from customers.world._records import RecordSet
from customers.world._world import World

PRODUCTS_HEADER: Final = ("sku", "name", "weight_kg", "price")
ORDERS_HEADER: Final = (
    "order_id",
    "account_id",
    "placed_at",
    "status",
    "promised_by",
    "delivered_at",
    "ship_to_postcode",
    "ship_to_city",
    "value",
)
ORDER_LINES_HEADER: Final = LINES_HEADER
DDL: Final = {
    "products": "CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, weight_kg REAL, price REAL)",
    "orders": "CREATE TABLE orders (order_id TEXT PRIMARY KEY, account_id TEXT, placed_at TEXT, status TEXT, "
    "promised_by TEXT, delivered_at TEXT, ship_to_postcode TEXT, ship_to_city TEXT, value REAL)",
    "order_lines": "CREATE TABLE order_lines (line_id TEXT PRIMARY KEY, order_id TEXT, sku TEXT, quantity INTEGER)",
}
RANGE: Final = 32
"""Items of the catalogue the shop sells."""

Rows = list[list[SqlValue]]


def _joined(first: DrawnOrders, second: DrawnOrders) -> DrawnOrders:
    offset = len(first)
    return DrawnOrders(
        buyer=first.buyer + second.buyer,
        placed=np.concatenate([first.placed, second.placed]),
        status=first.status + second.status,
        promised=np.concatenate([first.promised, second.promised]),
        delivered=first.delivered + second.delivered,
        postcode=first.postcode + second.postcode,
        city=first.city + second.city,
        value=first.value + second.value,
        items=first.items + second.items,
        line_order=first.line_order + [order + offset for order in second.line_order],
        line_sku=first.line_sku + second.line_sku,
        line_quantity=first.line_quantity + second.line_quantity,
    )


def shop_orders(world: World, accounts: RecordSet) -> tuple[Rows, Rows, Rows]:
    """Rows of the products, orders and order_lines tables (empty without events)."""
    if not world.events:
        return [], [], []
    rng = world.rng("shop/orders")
    products = catalogue(world).subset(rng, RANGE)
    person = accounts.person[~accounts.duplicate]
    address = world.population.address
    buyers = Buyers(
        ids=accounts.ids[~accounts.duplicate],
        weight=np.ones(len(person)),
        postcode=address.postcode[person],
        city=address.city[person],
    )
    people = len(world.population.person_id)
    recent = draw_orders(world, rng, buyers, products, round(SHOP_RECENT_PER_PERSON * people), RECENT_DAYS)
    count = round(OPEN_PER_PERSON["shop"] * people)
    current = draw_orders(world, rng, buyers, products, count, (0.02, OPEN_WITHIN_DAYS))
    drawn = _joined(recent, current)
    order_ids = [f"WO-{n:06d}" for n in range(1, len(drawn) + 1)]
    line_ids = [f"WOL-{n:07d}" for n in range(1, len(drawn.line_order) + 1)]
    break_orders(world, "shop", ("orders", "order_lines"), drawn, (order_ids, line_ids))
    product_rows: Rows = [
        [sku, name, float(weight), float(price)]
        for sku, name, weight, price in zip(
            products.sku, products.name, products.weight_kg.tolist(), products.price.tolist(), strict=True
        )
    ]
    order_rows: Rows = [
        list(row)
        for row in zip(
            order_ids,
            drawn.buyer,
            moment_texts(drawn.placed),
            drawn.status,
            day_texts(drawn.promised),
            [moment or None for moment in drawn.delivered],
            [postcode or None for postcode in drawn.postcode],
            [city or None for city in drawn.city],
            drawn.value,
            strict=True,
        )
    ]
    line_rows: Rows = [
        [line_id, order_ids[order], sku, int(quantity)]
        for line_id, order, sku, quantity in zip(
            line_ids, drawn.line_order, drawn.line_sku, drawn.line_quantity, strict=True
        )
    ]
    return product_rows, order_rows, line_rows

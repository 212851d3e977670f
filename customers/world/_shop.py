"""The web shop: accounts, visits (sessions), carts, and its products, orders and order lines
(`_shop_orders`), in a SQLite database read through the SQL connector."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from customers.world._contact_details import format_phone
from customers.world._draws import Texts
from customers.world._erp import Sales
from customers.world._export import SqlValue, write_table
from customers.world._held import (
    NameNoise,
    addresses_held,
    blank,
    emails_held,
    noisy_birth_dates,
    noisy_names,
    phones_held,
    typo_in,
)
from customers.world._moments import Moments, days_ago, during, moment_texts, start_of
from customers.world._noise import abbreviated
from customers.world._records import RecordSet, draw_records
from customers.world._shop_orders import DDL as ORDER_DDL
from customers.world._shop_orders import ORDER_LINES_HEADER, ORDERS_HEADER, PRODUCTS_HEADER, shop_orders
from customers.world._world import World

WEB_ACCOUNTS_HEADER: Final = (
    "account_id",
    "email",
    "first_name",
    "last_name",
    "date_of_birth",
    "street",
    "postcode",
    "city",
    "phone",
    "created_at",
    "updated_at",
)
SESSIONS_HEADER: Final = ("session_id", "account_id", "started_at", "pages", "device")
CARTS_HEADER: Final = ("cart_id", "account_id", "created_at", "value", "status")
_DDL: Final = {
    "web_accounts": "CREATE TABLE web_accounts (account_id TEXT PRIMARY KEY, email TEXT, first_name TEXT, "
    "last_name TEXT, date_of_birth TEXT, street TEXT, postcode TEXT, city TEXT, phone TEXT, created_at TEXT, "
    "updated_at TEXT)",
    "sessions": "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, account_id TEXT, started_at TEXT, "
    "pages INTEGER, device TEXT)",
    "carts": "CREATE TABLE carts (cart_id TEXT PRIMARY KEY, account_id TEXT, created_at TEXT, value REAL, status TEXT)",
}

DUPLICATES: Final = 0.04
NAMES: Final = NameNoise(typo=0.03, nickname=0.08, swap=0.005)
OPEN_CART_DAYS: Final = 7
"""A cart untouched for longer than this counts as abandoned."""
SHOPPING_NOW: Final = 0.08
"""Share of accounts with a cart filled in the last OPEN_CART_DAYS, still open."""
_DEVICES: Final = np.array(["desktop", "mobile", "tablet"])


def _or_null(values: Texts) -> list[str | None]:
    return [value or None for value in values.tolist()]


def _created(world: World, rng: np.random.Generator, accounts: RecordSet, sales: Sales) -> Moments:
    """When each account was opened: before its owner's first web order."""
    size = len(accounts)
    opened = days_ago(world.as_of, rng.uniform(30, 1800, size))
    first_web = np.full(len(world.population), np.datetime64("NaT"), dtype="datetime64[s]")
    web = np.flatnonzero(sales.web)[::-1]  # earliest last, so it wins the assignment
    first_web[sales.person[web]] = sales.day[web].astype("datetime64[s]")
    before_order = first_web[accounts.person] - (rng.uniform(0, 30, size) * 86_400).astype("timedelta64[s]")
    earlier = ~accounts.duplicate & ~np.isnat(before_order) & (before_order < opened)
    return np.where(earlier, before_order, opened)


def _web_accounts(
    world: World, rng: np.random.Generator, accounts: RecordSet, created: Moments
) -> list[list[SqlValue]]:
    population = world.population
    ledger = world.ledger
    size = len(accounts)
    first, last = noisy_names(rng, accounts, population, NAMES, ledger)
    email = emails_held(rng, accounts, population, ledger, missing=0.0, duplicate_other=1.0)
    born = blank(rng, np.array(noisy_birth_dates(rng, accounts, population.dob, 0.015, ledger), dtype=object), 0.4)
    address = addresses_held(accounts, population, ledger)
    street_names = typo_in(rng, accounts, address.street, 0.015, "street", ledger)
    short = rng.random(size) < 0.3
    street = [
        f"{abbreviated(name) if cut else name} {number}"
        for name, cut, number in zip(street_names.tolist(), short.tolist(), address.number.tolist(), strict=True)
    ]
    no_address = rng.random(size) < 0.3
    phone = phones_held(rng, accounts, population, ledger, missing=0.5, landline=0.1, duplicate_old=0.3)
    age = (start_of(world.as_of) - created).astype(np.int64)
    updated = created + (rng.random(size) * age).astype("timedelta64[s]")
    columns = (
        accounts.ids.tolist(),
        email.tolist(),
        _or_null(first),
        _or_null(last),
        _or_null(born),
        [None if gone else s for s, gone in zip(street, no_address.tolist(), strict=True)],
        _or_null(np.where(no_address, "", address.postcode)),
        _or_null(np.where(no_address, "", address.city)),
        [format_phone(p, "dots") or None for p in phone.tolist()],
        moment_texts(created),
        moment_texts(updated),
    )
    return [list(row) for row in zip(*columns, strict=True)]


def _visits(
    world: World, rng: np.random.Generator, accounts: RecordSet, created: Moments, sales: Sales
) -> tuple[list[list[SqlValue]], list[list[SqlValue]]]:
    """Sessions and carts: a session and a converted cart for each web order, other visits, carts left behind."""
    account_of = accounts.by_person(len(world.population))
    web = np.flatnonzero(sales.web)
    order_moment = during(rng, sales.day[web])
    year_ago = start_of(world.as_of) - np.timedelta64(365 * 86_400, "s")
    window_start = np.maximum(created, year_ago)
    window = (start_of(world.as_of) - window_start).astype(np.int64)

    def moments_in_window(account: NDArray[np.int64]) -> Moments:
        offsets = (rng.random(len(account)) * window[account]).astype(np.int64)
        moments: Moments = window_start[account] + np.maximum(offsets, 1).astype("timedelta64[s]")
        return moments

    visits = np.repeat(np.arange(len(accounts)), rng.poisson(np.where(accounts.duplicate, 1.0, 6.0)))
    session_account = np.concatenate([account_of[sales.person[web]], accounts.ids[visits]])
    session_start = np.concatenate([order_moment, moments_in_window(visits)])
    order = np.argsort(session_start, kind="stable")
    pages = 1 + rng.geometric(0.25, len(order))
    device = _DEVICES[rng.choice(3, size=len(order), p=[0.45, 0.45, 0.10])]
    session_rows: list[list[SqlValue]] = [
        [f"S-{i:08d}", account, started, page, kind]
        for i, (account, started, page, kind) in enumerate(
            zip(
                session_account[order].tolist(),
                moment_texts(session_start[order]),
                pages.tolist(),
                device.tolist(),
                strict=True,
            ),
            start=1,
        )
    ]
    left = np.repeat(np.arange(len(accounts)), rng.poisson(1.0, len(accounts)))
    current = np.flatnonzero(~accounts.duplicate & (rng.random(len(accounts)) < SHOPPING_NOW))
    left_at = np.concatenate(
        [moments_in_window(left), days_ago(world.as_of, rng.uniform(0, OPEN_CART_DAYS, len(current)))]
    )
    left = np.concatenate([left, current])
    recent = left_at >= start_of(world.as_of) - np.timedelta64(OPEN_CART_DAYS * 86_400, "s")
    cart_account = np.concatenate([account_of[sales.person[web]], accounts.ids[left]])
    cart_at = np.concatenate([order_moment, left_at])
    value = np.concatenate([sales.cents[web] / 100, np.round(rng.lognormal(np.log(30), 0.6, len(left)), 2)])
    status = np.concatenate([np.full(len(web), "converted"), np.where(recent, "open", "abandoned")])
    order = np.argsort(cart_at, kind="stable")
    cart_rows: list[list[SqlValue]] = [
        [f"C-{i:07d}", account, at, amount, state]
        for i, (account, at, amount, state) in enumerate(
            zip(
                cart_account[order].tolist(),
                moment_texts(cart_at[order]),
                value[order].tolist(),
                status[order].tolist(),
                strict=True,
            ),
            start=1,
        )
    ]
    return session_rows, cart_rows


def write_shop(world: World, folder: Path, sales: Sales) -> dict[str, int]:
    rng = world.rng("shop")
    accounts = draw_records(rng, world.population, "shop", "web_accounts", DUPLICATES, lambda i: f"WA-{i:06d}")
    world.ledger.records(accounts)
    created = _created(world, rng, accounts, sales)
    account_rows = _web_accounts(world, rng, accounts, created)
    sessions: list[list[SqlValue]] = []
    carts: list[list[SqlValue]] = []
    if world.events:
        sessions, carts = _visits(world, rng, accounts, created, sales)
    breaker = world.breaker("shop")
    breaker.rows(
        "shop",
        "web_accounts",
        WEB_ACCOUNTS_HEADER,
        account_rows,
        [("unparseable date", "updated_at"), ("unparseable date", "date_of_birth")],
    )
    breaker.rows(
        "shop",
        "sessions",
        SESSIONS_HEADER,
        sessions,
        [("unparseable date", "started_at"), ("missing id", "session_id")],
    )
    breaker.rows(
        "shop",
        "carts",
        CARTS_HEADER,
        carts,
        [("unparseable date", "created_at"), ("negative amount", "value"), ("non-numeric amount", "value")],
    )
    products, orders, lines = shop_orders(world, accounts)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "shop.sqlite"
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        with connection:
            counts = {
                "web_accounts": write_table(
                    connection, _DDL["web_accounts"], "web_accounts", WEB_ACCOUNTS_HEADER, account_rows
                ),
                "sessions": write_table(connection, _DDL["sessions"], "sessions", SESSIONS_HEADER, sessions),
                "carts": write_table(connection, _DDL["carts"], "carts", CARTS_HEADER, carts),
                "products": write_table(connection, ORDER_DDL["products"], "products", PRODUCTS_HEADER, products),
                "orders": write_table(connection, ORDER_DDL["orders"], "orders", ORDERS_HEADER, orders),
                "order_lines": write_table(
                    connection, ORDER_DDL["order_lines"], "order_lines", ORDER_LINES_HEADER, lines
                ),
            }
    finally:
        connection.close()
    return counts

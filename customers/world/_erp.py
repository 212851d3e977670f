"""The ERP: customers (with their bank-side credit fields), orders, invoices, payments and credit requests.

Purchase histories are real: each ERP customer gets one CDNOW customer's orders, every date moved
by one offset so that the CDNOW period ends shortly before `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from core import JsonObject, JsonValue
from customers.world._borrowed import APPLICATION_FIELDS, ERP_CREDIT_FIELDS, PurchaseHistories
from customers.world._contact_details import format_phone
from customers.world._draws import Texts
from customers.world._erp_logistics import erp_logistics
from customers.world._export import Columns, write_csv, write_json_array
from customers.world._held import (
    NameNoise,
    addresses_held,
    blank,
    emails_held,
    noisy_names,
    phones_held,
    transposed_digits,
    typo_in,
)
from customers.world._malformed import Breakage
from customers.world._moments import Days, day_texts, days_ago, moment_texts
from customers.world._orders import past_deliveries
from customers.world._population import system_index
from customers.world._records import RecordSet, draw_records
from customers.world._world import World

ORDERS_HEADER: Final = (
    "order_id",
    "customer_no",
    "order_date",
    "amount",
    "items",
    "channel",
    "status",
    "promised_by",
    "delivered_at",
    "ship_to_postcode",
    "ship_to_city",
)
INVOICES_HEADER: Final = ("invoice_id", "order_id", "customer_no", "issued_at", "due_at", "amount")
PAYMENTS_HEADER: Final = ("payment_id", "invoice_id", "customer_no", "paid_at", "amount")
CREDIT_REQUESTS_HEADER: Final = (
    "request_id",
    "customer_no",
    "requested_at",
    *(ours for _, ours in APPLICATION_FIELDS),
)

DUPLICATES: Final = 0.01
NAMES: Final = NameNoise(typo=0.015, nickname=0.0, swap=0.0, initial=0.01)
NAME_WIDTH: Final = 22
"""The legacy name field's width: longer names are cut."""
HISTORY_ENDS_BEFORE_AS_OF: Final = 10
"""Days between the end of the borrowed purchase history and `as_of`."""
DUE_AFTER: Final = 30
LATE: Final = {False: 0.08, True: 0.25}
"""Share of invoices paid late, by whether the person's German credit label is bad."""
UNPAID: Final = {False: 0.015, True: 0.06}
_SAVINGS_RANK: Final = {"100 <= ... < 500 DM": 1, "500 <= ... < 1000 DM": 2, "... >= 1000 DM": 3}
_CHECKING_RANK: Final = {"0 <= ... < 200 DM": 1, "... >= 200 DM / salary assignments for at least 1 year": 2}
_INTEGER_FIELDS: Final = frozenset({"number_of_existing_credits_at_this_bank"})
_MONEY_BREAKS: Final[tuple[Breakage, ...]] = ("negative amount", "non-numeric amount")


@dataclass(frozen=True, slots=True)
class Sales:
    """The orders the ERP wrote, for the shop (web orders become converted carts) and marketing."""

    person: NDArray[np.int64]
    day: Days
    cents: NDArray[np.int64]
    items: NDArray[np.int64]
    web: NDArray[np.bool_]

    @classmethod
    def none(cls) -> Sales:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, np.zeros(0, dtype="datetime64[D]"), nothing, nothing, np.zeros(0, dtype=bool))


def _money(cents: NDArray[np.int64]) -> list[str]:
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]


def _credit_limit(world: World, row: NDArray[np.int64]) -> NDArray[np.int64]:
    """A limit the bank side would set from savings, checking account and property (never from the label)."""
    savings = np.array([_SAVINGS_RANK.get(v, 0) for v in world.credit.column("savings_account_and_bonds")])
    checking = np.array([_CHECKING_RANK.get(v, 0) for v in world.credit.column("status_of_existing_checking_account")])
    estate = np.array([v == "real estate" for v in world.credit.column("property")])
    limit: NDArray[np.int64] = (1000 + 1000 * savings + 1500 * checking + 2000 * estate)[row].astype(np.int64)
    return limit


def _credit_fields(world: World, rng: np.random.Generator, customers: RecordSet) -> list[dict[str, JsonValue]]:
    """The person's bank-side German credit values exactly; a few second copies hold stale ones."""
    rows = world.population.credit_row[customers.person].tolist()
    fields: list[dict[str, JsonValue]] = [
        {
            name: int(world.credit.column(name)[row]) if name in _INTEGER_FIELDS else world.credit.column(name)[row]
            for name in ERP_CREDIT_FIELDS
        }
        for row in rows
    ]
    stale = np.flatnonzero(customers.duplicate & (rng.random(len(customers)) < 0.3))
    for position in stale.tolist():
        credits = fields[position]["number_of_existing_credits_at_this_bank"]
        assert isinstance(credits, int)
        fields[position]["number_of_existing_credits_at_this_bank"] = credits + 1 if credits < 4 else credits - 1
        world.ledger.noise(customers, [position], "conflict: number_of_existing_credits_at_this_bank")
    return fields


def _customers(world: World, rng: np.random.Generator, customers: RecordSet) -> list[JsonObject]:
    population = world.population
    ledger = world.ledger
    size = len(customers)
    first, last = noisy_names(rng, customers, population, NAMES, ledger)
    names = [f"{s}, {f}" for s, f in zip(last.tolist(), first.tolist(), strict=True)]
    cut = [i for i, name in enumerate(names) if len(name) > NAME_WIDTH]
    ledger.noise(customers, cut, f"truncated: name to {NAME_WIDTH} characters")
    address = addresses_held(customers, population, ledger)
    street = typo_in(rng, customers, address.street, 0.01, "street", ledger)
    tax_id = blank(
        rng, transposed_digits(rng, customers, population.tax_id[customers.person], 0.003, "tax_id", ledger), 0.1
    )
    phone = phones_held(rng, customers, population, ledger, missing=0.2, landline=0.3, duplicate_old=0.3)
    email = emails_held(rng, customers, population, ledger, missing=0.25, duplicate_other=0.3)
    limit = _credit_limit(world, population.credit_row[customers.person]).tolist()
    terms = np.array([30, 14, 60])[rng.choice(3, size=size, p=[0.8, 0.12, 0.08])].tolist()
    updated = moment_texts(
        days_ago(world.as_of, np.where(customers.duplicate, rng.uniform(500, 3000, size), rng.uniform(1, 700, size)))
    )
    credit = _credit_fields(world, rng, customers)
    return [
        {
            "customer_no": customers.ids[i],
            "name": names[i][:NAME_WIDTH],
            "street": f"{street[i]} {address.number[i]}",
            "postcode": address.postcode[i],
            "city": address.city[i],
            "tax_id": tax_id[i] or None,
            "phone": format_phone(phone[i], "dashes") or None,
            "email": email[i] or None,
            "credit_limit": limit[i],
            "payment_terms_days": terms[i],
            **credit[i],
            "updated_at": updated[i],
        }
        for i in range(size)
    ]


def _sales(world: World, rng: np.random.Generator, customers: RecordSet, purchases: PurchaseHistories) -> Sales:
    """Every ERP customer's borrowed purchase history, one CDNOW customer each."""
    population = world.population
    primary = np.flatnonzero(~customers.duplicate)
    person = customers.person[primary]
    borrowed = rng.permutation(purchases.customers)[np.arange(len(primary)) % purchases.customers]
    count = purchases.order_count[borrowed]
    first = np.repeat(purchases.first_order[borrowed], count)
    index = first + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    offset = np.datetime64(world.as_of.isoformat(), "D") - HISTORY_ENDS_BEFORE_AS_OF - purchases.last_day
    order_person = np.repeat(person, count)
    day = purchases.day[index] + offset
    order = np.lexsort((order_person, day))
    in_shop = population.member[order_person[order], system_index("shop")]
    return Sales(
        person=order_person[order],
        day=day[order],
        cents=purchases.cents[index][order],
        items=purchases.items[index][order],
        web=in_shop & (rng.random(len(order)) < 0.75),
    )


def _orders(
    world: World, rng: np.random.Generator, sales: Sales, customer_no: Texts
) -> tuple[Columns, Columns, Columns]:
    """Orders, their invoices (due 30 days after issue) and payments: late more often for bad credit risks."""
    size = len(sales.person)
    order_ids = [f"SO-{i:07d}" for i in range(1, size + 1)]
    channel = np.where(sales.web, "web", np.where(rng.random(size) < 0.4, "phone", "store"))
    number = customer_no[sales.person].tolist()
    orders: Columns = {
        "order_id": order_ids,
        "customer_no": number,
        "order_date": day_texts(sales.day),
        "amount": _money(sales.cents),
        "items": [str(n) for n in sales.items.tolist()],
        "channel": channel.tolist(),
    }
    billed = np.flatnonzero(sales.cents > 0)
    due = sales.day[billed] + np.timedelta64(DUE_AFTER, "D")
    invoices: Columns = {
        "invoice_id": [f"INV-{i:07d}" for i in range(1, len(billed) + 1)],
        "order_id": [order_ids[i] for i in billed.tolist()],
        "customer_no": customer_no[sales.person[billed]].tolist(),
        "issued_at": day_texts(sales.day[billed]),
        "due_at": day_texts(due),
        "amount": _money(sales.cents[billed]),
    }
    bad = world.population.bad_risk[sales.person[billed]]
    draw = rng.random(len(billed))
    unpaid = draw < np.where(bad, UNPAID[True], UNPAID[False])
    late = ~unpaid & (draw < np.where(bad, UNPAID[True] + LATE[True], UNPAID[False] + LATE[False]))
    paid = np.where(
        late,
        due + (1 + rng.geometric(1 / 20, len(billed))).astype("timedelta64[D]"),
        sales.day[billed] + rng.integers(1, DUE_AFTER + 1, len(billed)).astype("timedelta64[D]"),
    )
    settled = np.flatnonzero(~unpaid & (paid < np.datetime64(world.as_of.isoformat(), "D")))
    settled = settled[np.argsort(paid[settled], kind="stable")]
    payments: Columns = {
        "payment_id": [f"PAY-{i:07d}" for i in range(1, len(settled) + 1)],
        "invoice_id": [invoices["invoice_id"][i] for i in settled.tolist()],
        "customer_no": [invoices["customer_no"][i] for i in settled.tolist()],
        "paid_at": day_texts(paid[settled]),
        "amount": [invoices["amount"][i] for i in settled.tolist()],
    }
    return orders, invoices, payments


def _credit_requests(world: World, rng: np.random.Generator, customer_no: Texts) -> Columns:
    """The application of each person whose German credit row is theirs alone: the row's four fields, exactly."""
    person = np.flatnonzero(world.population.requests_credit)
    requested = days_ago(world.as_of, rng.uniform(1, 90, len(person)))
    order = np.argsort(requested, kind="stable")
    person, requested = person[order], requested[order]
    rows = world.population.credit_row[person].tolist()
    return {
        "request_id": [f"CR-{i:06d}" for i in range(1, len(person) + 1)],
        "customer_no": customer_no[person].tolist(),
        "requested_at": moment_texts(requested),
        **{ours: [world.credit.column(theirs)[row] for row in rows] for theirs, ours in APPLICATION_FIELDS},
    }


def _empty(header: tuple[str, ...]) -> Columns:
    return {name: [] for name in header}


def write_erp(world: World, folder: Path, purchases: PurchaseHistories | None) -> tuple[dict[str, int], Sales]:
    rng = world.rng("erp")
    customers = draw_records(rng, world.population, "erp", "customers", DUPLICATES, lambda i: str(100_000 + i))
    world.ledger.records(customers)
    objects = _customers(world, rng, customers)
    breaker = world.breaker("erp")
    breaker.objects(
        "erp",
        "customers",
        objects,
        "customer_no",
        [
            ("unparseable date", "updated_at"),
            ("non-numeric amount", "credit_limit"),
            ("negative amount", "credit_limit"),
        ],
    )
    customer_no = customers.by_person(len(world.population))
    sales = Sales.none()
    orders, invoices, payments = _empty(ORDERS_HEADER), _empty(INVOICES_HEADER), _empty(PAYMENTS_HEADER)
    requests = _empty(CREDIT_REQUESTS_HEADER)
    held = {str(o["customer_no"]): (str(o["postcode"] or ""), str(o["city"] or "")) for o in objects}
    if world.events and purchases is not None:
        sales = _sales(world, rng, customers, purchases)
        orders, invoices, payments = _orders(world, rng, sales, customer_no)
        requests = _credit_requests(world, rng, customer_no)
        orders.update(past_deliveries(world, sales.day, orders["customer_no"], held))
    for entity, table, id_column, when in (
        ("orders", orders, "order_id", "order_date"),
        ("invoices", invoices, "invoice_id", "issued_at"),
        ("payments", payments, "payment_id", "paid_at"),
    ):
        breaks: list[tuple[Breakage, str]] = [("unparseable date", when), ("missing id", id_column)]
        breaks += [(kind, "amount") for kind in _MONEY_BREAKS]
        breaker.columns("erp", entity, table, id_column, breaks)
    logistics = erp_logistics(world, customers, held, orders)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "customers": write_json_array(folder / "customers.json", objects),
        "orders": write_csv(folder / "orders.csv", ORDERS_HEADER, orders),
        **{entity: write_csv(folder / f"{entity}.csv", header, table) for entity, (header, table) in logistics.items()},
        "invoices": write_csv(folder / "invoices.csv", INVOICES_HEADER, invoices),
        "payments": write_csv(folder / "payments.csv", PAYMENTS_HEADER, payments),
        "credit_requests": write_csv(folder / "credit_requests.csv", CREDIT_REQUESTS_HEADER, requests),
    }, sales

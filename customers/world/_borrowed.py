"""The real records the world borrows: German credit applicants, CDNOW purchase histories, CFPB complaints."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from core import ConfigurationError
from customers._fields import CORE_BANKING_FIELDS, CREDIT_BUREAU_FIELDS, CRM_FIELDS

CREDIT_FILE: Final = Path("german_credit") / "german_credit.csv"
PURCHASES_FILE: Final = Path("cdnow") / "cdnow_master_transactions.csv"
COMPLAINTS_FILE: Final = Path("cfpb_complaints") / "cfpb_complaints.csv"

CRM_CREDIT_FIELDS: Final = CRM_FIELDS
"""The applicant's personal and employment attributes, as the CRM exports them."""
ERP_CREDIT_FIELDS: Final = CORE_BANKING_FIELDS + CREDIT_BUREAU_FIELDS
"""The applicant's accounts, credits and credit history, as the ERP exports them."""
APPLICATION_FIELDS: Final = (
    ("credit_amount", "amount"),
    ("duration_in_month", "duration_months"),
    ("purpose", "purpose"),
    ("installment_rate_in_percentage_of_disposable_income", "installment_rate"),
)
"""German credit column → credit request column."""


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigurationError(f"{path} does not exist; pass the folder that holds {path.parent.name}/ as data_dir")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or [])]
        if missing:
            raise ConfigurationError(f"{path} lacks the columns {missing}")
        return list(reader)


@dataclass(frozen=True, slots=True)
class CreditRows:
    """German credit applicants, every value kept as the file's text so the world copies it exactly."""

    values: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.values["row_id"])

    def column(self, name: str) -> list[str]:
        return self.values[name]

    @property
    def age(self) -> NDArray[np.int64]:
        return np.array([int(age) for age in self.values["age_in_years"]], dtype=np.int64)

    @property
    def male(self) -> NDArray[np.bool_]:
        return np.array([status.startswith("male") for status in self.values["personal_status_and_sex"]])

    @property
    def bad(self) -> NDArray[np.bool_]:
        return np.array([label == "bad" for label in self.values["creditability"]])


def read_credit(data_dir: Path) -> CreditRows:
    names = ("row_id", *CRM_CREDIT_FIELDS, *ERP_CREDIT_FIELDS, *(g for g, _ in APPLICATION_FIELDS), "creditability")
    rows = _rows(data_dir / CREDIT_FILE, names)
    if not rows:
        raise ConfigurationError(f"{data_dir / CREDIT_FILE} has no rows")
    return CreditRows({name: [row[name] for row in rows] for name in names})


@dataclass(frozen=True, slots=True)
class PurchaseHistories:
    """Each CDNOW customer's orders: one order per customer and day, the day's purchase lines summed."""

    first_order: NDArray[np.int64]
    """Per customer: index of the customer's first order (orders are sorted by customer, then day)."""
    order_count: NDArray[np.int64]
    day: NDArray[np.datetime64]
    items: NDArray[np.int64]
    cents: NDArray[np.int64]
    last_day: np.datetime64
    """The last day of the CDNOW period; the world shifts every date by one offset so it ends shortly before as_of."""

    @property
    def customers(self) -> int:
        return len(self.first_order)


def read_purchases(data_dir: Path) -> PurchaseHistories:
    rows = _rows(data_dir / PURCHASES_FILE, ("customer_id", "date", "number_of_cds", "dollar_value"))
    _, customer = np.unique(np.array([row["customer_id"] for row in rows]), return_inverse=True)
    day = np.array([f"{d[:4]}-{d[4:6]}-{d[6:8]}" for d in (row["date"] for row in rows)], dtype="datetime64[D]")
    cents = np.array([round(float(row["dollar_value"]) * 100) for row in rows], dtype=np.int64)
    items = np.array([int(row["number_of_cds"]) for row in rows], dtype=np.int64)
    day_number = day.astype(np.int64)
    key = customer.astype(np.int64) * (1 << 20) + (day_number - day_number.min())
    keys, order = np.unique(key, return_inverse=True)
    order_customer = keys >> 20
    counts = np.bincount(order_customer).astype(np.int64)
    return PurchaseHistories(
        first_order=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64),
        order_count=counts,
        day=(day_number.min() + (keys & ((1 << 20) - 1))).astype("datetime64[D]"),
        items=np.bincount(order, weights=items).astype(np.int64),
        cents=np.rint(np.bincount(order, weights=cents)).astype(np.int64),
        last_day=day.max(),
    )


@dataclass(frozen=True, slots=True)
class Complaints:
    """Real consumer complaints: what the world's complaint tickets say."""

    product: list[str]
    issue: list[str]
    sub_issue: list[str]
    narrative: list[str]
    submitted_via: list[str]

    def __len__(self) -> int:
        return len(self.product)


def read_complaints(data_dir: Path) -> Complaints:
    names = ("Product", "Issue", "Sub-issue", "Consumer complaint narrative", "Submitted via")
    rows = _rows(data_dir / COMPLAINTS_FILE, names)
    columns = [[row[name] for row in rows] for name in names]
    return Complaints(*columns)

"""Reading a generated world's exports back, and the export layout of world_spec.md, for the world tests."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from customers.world import WorldSummary, generate_world

DATA = Path(__file__).resolve().parents[2] / "steward" / "data"
AS_OF = date(2026, 1, 1)
PEOPLE = 300

CSV_HEADERS = {
    "crm/accounts.csv": "account_id,account_name,segment,owner,created_at",
    "crm/contacts.csv": "contact_id,account_id,first_name,last_name,email,phone,date_of_birth,street,house_number,"
    "postcode,city,tax_id,age_in_years,personal_status_and_sex,job,housing,telephone,foreign_worker,"
    "present_residence_since,number_of_people_being_liable_to_provide_maintenance_for,present_employment_since,"
    "consent_profiling,consent_automated_decision,objects_to_automated_decisions,vulnerable,updated_at",
    "crm/notes.csv": "note_id,contact_id,created_at,author,channel,text",
    "erp/orders.csv": "order_id,customer_no,order_date,amount,items,channel,status,promised_by,delivered_at,"
    "ship_to_postcode,ship_to_city",
    "erp/order_lines.csv": "line_id,order_id,sku,quantity",
    "erp/warehouses.csv": "warehouse_id,name,postcode,city,capacity_per_day,handling_cost",
    "erp/items.csv": "sku,name,weight_kg,unit_price",
    "erp/stock.csv": "stock_id,warehouse_id,sku,quantity,counted_at",
    "erp/carriers.csv": "carrier_id,name,service_level,cutoff_hour",
    "erp/carrier_rates.csv": "rate_id,carrier_id,zone,max_weight_kg,price,transit_days",
    "erp/invoices.csv": "invoice_id,order_id,customer_no,issued_at,due_at,amount",
    "erp/payments.csv": "payment_id,invoice_id,customer_no,paid_at,amount",
    "erp/credit_requests.csv": "request_id,customer_no,requested_at,amount,duration_months,purpose,installment_rate",
    "ticketing/requesters.csv": "requester_id,name,email,phone",
    "marketing/subscribers.csv": "subscriber_id,email,first_name,last_name,postcode,opted_in,opted_in_at,source",
    "truth/people.csv": "person_id,german_credit_row,household_id",
    "truth/records.csv": "source_system,entity,record_id,person_id",
    "truth/faults.csv": "source_system,entity,record_id,fault",
}
ERP_CUSTOMER_KEYS = (
    "customer_no,name,street,postcode,city,tax_id,phone,email,credit_limit,payment_terms_days,"
    "status_of_existing_checking_account,savings_account_and_bonds,number_of_existing_credits_at_this_bank,property,"
    "credit_history,other_installment_plans,other_debtors_or_guarantors,updated_at"
)
TICKET_KEYS = "ticket_id,requester_id,opened_at,closed_at,channel,status,category,product,subject,text,priority"
EVENT_KEYS = "event_id,subscriber_id,campaign,kind,at"
SHOP_TABLES = {
    "web_accounts": "account_id,email,first_name,last_name,date_of_birth,street,postcode,city,phone,"
    "created_at,updated_at",
    "sessions": "session_id,account_id,started_at,pages,device",
    "carts": "cart_id,account_id,created_at,value,status",
    "products": "sku,name,weight_kg,price",
    "orders": "order_id,account_id,placed_at,status,promised_by,delivered_at,ship_to_postcode,ship_to_city,value",
    "order_lines": "line_id,order_id,sku,quantity",
}
CRM_CREDIT = (
    "age_in_years",
    "personal_status_and_sex",
    "job",
    "housing",
    "telephone",
    "foreign_worker",
    "present_residence_since",
    "number_of_people_being_liable_to_provide_maintenance_for",
    "present_employment_since",
)
ERP_CREDIT = (
    "status_of_existing_checking_account",
    "savings_account_and_bonds",
    "number_of_existing_credits_at_this_bank",
    "property",
    "credit_history",
    "other_installment_plans",
    "other_debtors_or_guarantors",
)


@dataclass(frozen=True)
class Generated:
    root: Path
    summary: WorldSummary


def generate(
    root: Path, *, people: int = PEOPLE, seed: int = 7, events: bool = True, malformed: bool = True
) -> Generated:
    summary = generate_world(
        root, people=people, seed=seed, as_of=AS_OF, data_dir=DATA, events=events, malformed=malformed
    )
    return Generated(root, summary)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_lines(path: Path) -> list[str]:
    """The lines of a JSON Lines file (split on newlines only, as JSON Lines defines them)."""
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def read_header(path: Path) -> str:
    with path.open(newline="", encoding="utf-8") as handle:
        return ",".join(next(csv.reader(handle)))


def read_json_lines(path: Path) -> Iterator[dict[str, object]]:
    for line in read_lines(path):
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


def read_customers(root: Path) -> list[dict[str, object]]:
    loaded: list[dict[str, object]] = json.loads((root / "erp" / "customers.json").read_text(encoding="utf-8"))
    return loaded


def read_shop(root: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(root / "shop" / "shop.sqlite")
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def read_faults(root: Path) -> list[dict[str, str]]:
    return read_rows(root / "truth" / "faults.csv")


def read_duplicates(root: Path) -> set[str]:
    return {row["record_id"] for row in read_faults(root) if row["fault"].startswith("duplicate of ")}


def read_person_of(root: Path) -> dict[str, str]:
    return {row["record_id"]: row["person_id"] for row in read_rows(root / "truth" / "records.csv")}


def read_credit_rows() -> dict[str, dict[str, str]]:
    return {row["row_id"]: row for row in read_rows(DATA / "german_credit" / "german_credit.csv")}


def read_person_ids(root: Path) -> dict[str, set[str]]:
    """Each person-like entity's record ids, read from the exports themselves."""
    return {
        "contacts": {row["contact_id"] for row in read_rows(root / "crm" / "contacts.csv")},
        "customers": {str(row["customer_no"]) for row in read_customers(root)},
        "web_accounts": {str(row[0]) for row in read_shop(root, "SELECT account_id FROM web_accounts")},
        "requesters": {row["requester_id"] for row in read_rows(root / "ticketing" / "requesters.csv")},
        "subscribers": {row["subscriber_id"] for row in read_rows(root / "marketing" / "subscribers.csv")},
    }


def read_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# --- determinism -------------------------------------------------------------------------------------

"""The demo world generator: the export layout of world_spec.md, its ground truth, its noise and its determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from core import ConfigurationError
from customers.world import SYSTEMS, generate_world
from tests.customers.world_exports import (
    AS_OF,
    CRM_CREDIT,
    CSV_HEADERS,
    DATA,
    ERP_CREDIT,
    ERP_CUSTOMER_KEYS,
    EVENT_KEYS,
    PEOPLE,
    SHOP_TABLES,
    TICKET_KEYS,
    Generated,
    generate,
    read_credit_rows,
    read_customers,
    read_duplicates,
    read_faults,
    read_files,
    read_header,
    read_json_lines,
    read_lines,
    read_person_ids,
    read_person_of,
    read_rows,
    read_shop,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """More people, no events: enough records for proportions, still fast."""
    return generate(tmp_path_factory.mktemp("large"), people=3000, events=False)


def test_the_same_arguments_give_byte_identical_files(world: Generated, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    first, second = read_files(world.root), read_files(again.root)
    assert len(first) == 22
    assert list(first) == list(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert dict(again.summary.counts) == dict(world.summary.counts)


def test_another_seed_gives_another_world(world: Generated, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=8)
    first, second = read_files(world.root), read_files(other.root)
    for name in ("crm/contacts.csv", "erp/customers.json", "shop/shop.sqlite", "truth/people.csv"):
        assert first[name] != second[name], name


def test_no_date_lies_on_or_after_as_of(world: Generated) -> None:
    limit = datetime(AS_OF.year, AS_OF.month, AS_OF.day).isoformat()
    moments = [row["created_at"] for row in read_rows(world.root / "crm" / "notes.csv")]
    moments += [row["updated_at"] for row in read_rows(world.root / "crm" / "contacts.csv")]
    moments += [row["paid_at"] for row in read_rows(world.root / "erp" / "payments.csv")]
    moments += [str(ticket["opened_at"]) for ticket in read_json_lines(world.root / "ticketing" / "tickets.jsonl")]
    moments += [str(event["at"]) for event in read_json_lines(world.root / "marketing" / "email_events.jsonl")]
    parsed = [moment for moment in moments if moment[:4].isdigit()]
    assert len(parsed) > 0.99 * len(moments) > 1000
    assert max(parsed) < limit


# --- the layout of world_spec.md ------------------------------------------------------------------------


def test_every_csv_file_has_the_header_of_the_spec(world: Generated) -> None:
    headers = {name: read_header(world.root / name) for name in CSV_HEADERS}
    assert headers == CSV_HEADERS


def test_json_exports_have_the_fields_of_the_spec(world: Generated) -> None:
    customers = read_customers(world.root)
    assert {",".join(customer) for customer in customers} == {ERP_CUSTOMER_KEYS}
    assert isinstance(customers[0]["credit_limit"], int)
    assert isinstance(customers[0]["number_of_existing_credits_at_this_bank"], int)
    tickets = list(read_json_lines(world.root / "ticketing" / "tickets.jsonl"))
    events = list(read_json_lines(world.root / "marketing" / "email_events.jsonl"))
    assert tickets and {",".join(ticket) for ticket in tickets} == {TICKET_KEYS}
    assert events and {",".join(event) for event in events} == {EVENT_KEYS}


def test_the_shop_database_has_its_six_tables(world: Generated) -> None:
    tables = [
        str(row[0])
        for row in read_shop(world.root, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    assert tables == ["carts", "order_lines", "orders", "products", "sessions", "web_accounts"]
    for table, columns in SHOP_TABLES.items():
        info = read_shop(world.root, f"PRAGMA table_info({table})")
        assert ",".join(str(column[1]) for column in info) == columns
        assert [str(column[1]) for column in info if column[5] == 1] == [columns.split(",")[0]]
    statuses = {str(row[0]) for row in read_shop(world.root, "SELECT DISTINCT status FROM carts")}
    assert statuses == {"open", "abandoned", "converted"}


def test_the_summary_counts_the_rows_written(world: Generated) -> None:
    counts = world.summary.counts
    assert {system for system, _ in counts} == set(SYSTEMS)
    assert counts[("crm", "contacts")] == len(read_rows(world.root / "crm" / "contacts.csv"))
    assert counts[("erp", "customers")] == len(read_customers(world.root))
    assert counts[("erp", "orders")] == len(read_rows(world.root / "erp" / "orders.csv"))
    assert counts[("shop", "sessions")] == read_shop(world.root, "SELECT count(*) FROM sessions")[0][0]
    assert counts[("marketing", "email_events")] == len(read_lines(world.root / "marketing" / "email_events.jsonl"))
    assert world.summary.people == PEOPLE and world.summary.seed == 7 and world.summary.as_of == AS_OF
    assert world.summary.truth_records == world.root / "truth" / "records.csv"


def test_without_events_only_people_and_accounts_have_rows(large: Generated) -> None:
    assert large.summary.count("crm", "contacts") > 2000
    assert large.summary.count("crm", "accounts") > 1500
    assert read_header(large.root / "erp" / "orders.csv") == CSV_HEADERS["erp/orders.csv"]
    assert read_rows(large.root / "erp" / "orders.csv") == []
    for name in ("order_lines", "warehouses", "stock", "carrier_rates"):
        assert read_header(large.root / "erp" / f"{name}.csv") == CSV_HEADERS[f"erp/{name}.csv"]
        assert read_rows(large.root / "erp" / f"{name}.csv") == []
    assert read_lines(large.root / "ticketing" / "tickets.jsonl") == []
    assert read_shop(large.root, "SELECT count(*) FROM sessions") == [(0,)]
    assert read_shop(large.root, "SELECT count(*) FROM orders") == [(0,)]


# --- ground truth ---------------------------------------------------------------------------------------


def test_truth_covers_every_person_like_record_and_every_person(world: Generated) -> None:
    truth = read_rows(world.root / "truth" / "records.csv")
    by_entity: dict[str, set[str]] = defaultdict(set)
    for row in truth:
        by_entity[row["entity"]].add(row["record_id"])
    assert dict(by_entity) == read_person_ids(world.root)
    assert len(truth) == len({(row["source_system"], row["record_id"]) for row in truth})
    people = {row["person_id"] for row in read_rows(world.root / "truth" / "people.csv")}
    assert len(people) == PEOPLE
    assert {row["person_id"] for row in truth} == people


def test_people_borrow_distinct_german_credit_rows_first(large: Generated) -> None:
    people = read_rows(large.root / "truth" / "people.csv")
    rows = [person["german_credit_row"] for person in people]
    credit = read_credit_rows()
    assert set(rows) == set(credit)
    assert len(set(rows[: len(credit)])) == len(credit)
    assert Counter(rows).most_common(1)[0][1] == -(-len(people) // len(credit))


def test_crm_and_erp_hold_the_german_credit_values_exactly(world: Generated) -> None:
    person_of, duplicates, credit = read_person_of(world.root), read_duplicates(world.root), read_credit_rows()
    row_of = {
        row["person_id"]: credit[row["german_credit_row"]] for row in read_rows(world.root / "truth" / "people.csv")
    }
    contacts = [row for row in read_rows(world.root / "crm" / "contacts.csv") if row["contact_id"] not in duplicates]
    assert len(contacts) > 200
    for contact in contacts:
        expected = row_of[person_of[contact["contact_id"]]]
        assert {name: contact[name] for name in CRM_CREDIT} == {name: expected[name] for name in CRM_CREDIT}
    customers = [row for row in read_customers(world.root) if row["customer_no"] not in duplicates]
    for customer in customers:
        expected = row_of[person_of[str(customer["customer_no"])]]
        wanted: dict[str, object] = {name: expected[name] for name in ERP_CREDIT}
        wanted["number_of_existing_credits_at_this_bank"] = int(expected["number_of_existing_credits_at_this_bank"])
        assert {name: customer[name] for name in ERP_CREDIT} == wanted


def test_each_distinct_row_makes_its_credit_request(world: Generated) -> None:
    person_of, credit = read_person_of(world.root), read_credit_rows()
    row_of = {
        row["person_id"]: credit[row["german_credit_row"]] for row in read_rows(world.root / "truth" / "people.csv")
    }
    requests = read_rows(world.root / "erp" / "credit_requests.csv")
    assert len(requests) == PEOPLE
    assert len({person_of[request["customer_no"]] for request in requests}) == PEOPLE
    for request in requests:
        row = row_of[person_of[request["customer_no"]]]
        assert (request["amount"], request["duration_months"], request["purpose"], request["installment_rate"]) == (
            row["credit_amount"],
            row["duration_in_month"],
            row["purpose"],
            row["installment_rate_in_percentage_of_disposable_income"],
        )


def test_birth_dates_agree_with_the_age_at_as_of(world: Generated) -> None:
    noisy = {
        row["record_id"] for row in read_faults(world.root) if "date_of_birth" in row["fault"] or "age" in row["fault"]
    }
    checked = 0
    for contact in read_rows(world.root / "crm" / "contacts.csv"):
        if contact["date_of_birth"] and contact["contact_id"] not in noisy:
            born = date.fromisoformat(contact["date_of_birth"])
            age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
            assert age == int(contact["age_in_years"]), contact["contact_id"]
            checked += 1
    assert checked > 200


# --- households, duplicates, noise ----------------------------------------------------------------------


def test_a_quarter_of_the_people_share_a_household_and_its_crm_account(large: Generated) -> None:
    people = read_rows(large.root / "truth" / "people.csv")
    size = Counter(person["household_id"] for person in people)
    together = sum(1 for person in people if size[person["household_id"]] > 1) / len(people)
    assert 0.2 < together < 0.3
    household = {person["person_id"]: person["household_id"] for person in people}
    person_of, duplicates = read_person_of(large.root), read_duplicates(large.root)
    accounts: dict[str, set[str]] = defaultdict(set)
    for contact in read_rows(large.root / "crm" / "contacts.csv"):
        if contact["contact_id"] not in duplicates:
            accounts[household[person_of[contact["contact_id"]]]].add(contact["account_id"])
    assert all(len(ids) == 1 for ids in accounts.values())
    addresses: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for contact in read_rows(large.root / "crm" / "contacts.csv"):
        if contact["contact_id"] not in duplicates and contact["street"]:
            addresses[household[person_of[contact["contact_id"]]]].add((contact["street"], contact["postcode"]))
    shared = [len(found) == 1 for name, found in addresses.items() if size[name] > 1]
    assert sum(shared) / len(shared) > 0.85


def test_systems_know_realistic_shares_of_people_with_a_few_duplicates(large: Generated) -> None:
    person_of, duplicates = read_person_of(large.root), read_duplicates(large.root)
    expected = {"contacts": 0.9, "customers": 0.7, "web_accounts": 0.6, "requesters": 0.35, "subscribers": 0.6}
    for entity, ids in read_person_ids(large.root).items():
        people = {person_of[record] for record in ids}
        assert abs(len(people) / 3000 - expected[entity]) < 0.05, entity
        copies = len(ids & duplicates) / len(ids)
        assert 0.003 < copies < 0.08, entity
        assert len(ids) - len(ids & duplicates) == len(people), entity


def test_names_and_emails_mostly_agree_across_systems(large: Generated) -> None:
    person_of, duplicates = read_person_of(large.root), read_duplicates(large.root)
    crm = {
        person_of[row["contact_id"]]: row
        for row in read_rows(large.root / "crm" / "contacts.csv")
        if row["contact_id"] not in duplicates
    }
    subscribers = [
        row for row in read_rows(large.root / "marketing" / "subscribers.csv") if person_of[row["subscriber_id"]] in crm
    ]
    pairs = [
        (crm[person_of[row["subscriber_id"]]], row) for row in subscribers if row["subscriber_id"] not in duplicates
    ]
    same_email = sum(a["email"] == b["email"] for a, b in pairs if a["email"]) / sum(1 for a, _ in pairs if a["email"])
    same_first = sum(a["first_name"] == b["first_name"] for a, b in pairs if b["first_name"]) / len(pairs)
    assert 0.85 < same_email < 0.995
    assert 0.8 < same_first < 0.99
    kinds = Counter(row["fault"].split(":")[0] for row in read_faults(large.root))
    for kind in ("typo (keyboard)", "typo (ocr)", "typo (phonetic)", "nickname", "swapped", "truncated", "old address"):
        assert kinds[kind] > 5, kind
    for kind in ("old e-mail", "shared family e-mail", "household landline", "conflict"):
        assert kinds[kind] > 5, kind


def test_almost_no_subscriber_is_left_with_only_an_unknown_email_and_a_first_name(large: Generated) -> None:
    person_of = read_person_of(large.root)
    emails: dict[str, set[str]] = defaultdict(set)
    for row in read_rows(large.root / "crm" / "contacts.csv"):
        emails[person_of[row["contact_id"]]].add(row["email"])
    for customer in read_customers(large.root):
        emails[person_of[str(customer["customer_no"])]].add(str(customer["email"]))
    for account_id, email in read_shop(large.root, "SELECT account_id, email FROM web_accounts"):
        emails[person_of[str(account_id)]].add(str(email))
    subscribers = read_rows(large.root / "marketing" / "subscribers.csv")
    bare = [
        row
        for row in subscribers
        if not row["last_name"] and not row["postcode"] and row["email"] not in emails[person_of[row["subscriber_id"]]]
    ]
    assert len(bare) < 0.01 * len(subscribers)


# --- activity -------------------------------------------------------------------------------------------


def test_purchase_histories_end_shortly_before_as_of_and_bad_risks_pay_late_more(world: Generated) -> None:
    orders = [
        row
        for row in read_rows(world.root / "erp" / "orders.csv")
        if row["order_date"][:4].isdigit() and row["status"] != "open"
    ]
    last = max(date.fromisoformat(row["order_date"]) for row in orders)
    assert AS_OF - timedelta(days=30) < last < AS_OF
    invoices = {row["invoice_id"]: row for row in read_rows(world.root / "erp" / "invoices.csv")}
    assert all(
        date.fromisoformat(row["due_at"]) - date.fromisoformat(row["issued_at"]) == timedelta(days=30)
        for row in invoices.values()
        if row["issued_at"][:4].isdigit()
    )
    person_of, credit = read_person_of(world.root), read_credit_rows()
    bad = {
        row["person_id"]
        for row in read_rows(world.root / "truth" / "people.csv")
        if credit[row["german_credit_row"]]["creditability"] == "bad"
    }
    late: dict[bool, list[bool]] = {True: [], False: []}
    for payment in read_rows(world.root / "erp" / "payments.csv"):
        invoice = invoices.get(payment["invoice_id"])
        if invoice and payment["paid_at"][:4].isdigit() and invoice["due_at"][:4].isdigit():
            late[person_of[payment["customer_no"]] in bad].append(payment["paid_at"] > invoice["due_at"])
    assert sum(late[True]) / len(late[True]) > 1.5 * sum(late[False]) / len(late[False])
    assert len(invoices) > len(read_rows(world.root / "erp" / "payments.csv"))


def test_tickets_borrow_complaints_and_recent_ones_are_still_open(world: Generated) -> None:
    issues = {row["Issue"] for row in read_rows(DATA / "cfpb_complaints" / "cfpb_complaints.csv")}
    tickets = list(read_json_lines(world.root / "ticketing" / "tickets.jsonl"))
    complaints = [ticket for ticket in tickets if ticket["category"] == "complaint"]
    assert complaints and all(ticket["subject"] in issues for ticket in complaints)
    assert {str(ticket["category"]) for ticket in tickets} == {"complaint", "question", "request"}
    unresolved = [ticket for ticket in tickets if ticket["status"] in ("open", "pending")]
    assert unresolved and all(ticket["closed_at"] is None for ticket in unresolved)
    assert all(ticket["closed_at"] is not None for ticket in tickets if ticket["status"] in ("solved", "closed"))
    assert 0.5 < 1 - len(unresolved) / len(tickets) < 0.99


def test_some_subscribers_open_less_and_less(world: Generated) -> None:
    recent = (AS_OF - timedelta(days=90)).isoformat()
    opens: dict[str, list[str]] = defaultdict(list)
    sends: dict[str, list[str]] = defaultdict(list)
    for event in read_json_lines(world.root / "marketing" / "email_events.jsonl"):
        if event["kind"] == "open":
            opens[str(event["subscriber_id"])].append(str(event["at"]))
        elif event["kind"] == "sent":
            sends[str(event["subscriber_id"])].append(str(event["at"]))
    fading = [
        who
        for who, moments in opens.items()
        if sum(moment < recent for moment in moments) >= 3
        and not any(moment >= recent for moment in moments)
        and sum(moment >= recent for moment in sends[who]) >= 5
    ]
    assert len(fading) >= 3


# --- malformed rows -------------------------------------------------------------------------------------


def test_malformed_rows_are_broken_and_listed(world: Generated) -> None:
    malformed = [row for row in read_faults(world.root) if row["fault"].startswith("malformed: ")]
    rows = sum(world.summary.counts.values())
    assert 0.001 * rows < len(malformed) < 0.01 * rows
    for system, entity in (("ticketing", "tickets"), ("marketing", "email_events")):
        broken = 0
        for line in read_lines(world.root / system / f"{entity}.jsonl"):
            try:
                json.loads(line)
            except json.JSONDecodeError:
                broken += 1
        listed = [row for row in malformed if row["entity"] == entity and "truncated JSON" in row["fault"]]
        assert broken == len(listed) > 0, entity
    orders = {row["order_id"]: row for row in read_rows(world.root / "erp" / "orders.csv")}
    for fault in (row for row in malformed if row["entity"] == "orders" and row["source_system"] == "erp"):
        if "missing address" in fault["fault"]:
            assert orders[fault["record_id"]]["ship_to_postcode"] == ""
            continue
        if "missing id" in fault["fault"]:
            assert fault["record_id"] not in orders
            continue
        value = orders[fault["record_id"]]["amount" if "amount" in fault["fault"] else "order_date"]
        if "unparseable date" in fault["fault"]:
            with pytest.raises(ValueError):
                date.fromisoformat(value)
        elif "negative" in fault["fault"]:
            assert float(value) < 0
        else:
            with pytest.raises(ValueError):
                float(value)
    contacts = {row["contact_id"]: row for row in read_rows(world.root / "crm" / "contacts.csv")}
    truth = read_person_of(world.root)
    for fault in (row for row in malformed if row["entity"] == "contacts"):
        column = fault["fault"].split("(")[1].rstrip(")")
        with pytest.raises(ValueError):
            datetime.fromisoformat(contacts[fault["record_id"]][column])
        assert fault["record_id"] in truth


def test_without_malformed_every_row_parses(tmp_path: Path) -> None:
    clean = generate(tmp_path, malformed=False)
    assert [row for row in read_faults(clean.root) if row["fault"].startswith("malformed")] == []
    for path in (clean.root / "ticketing" / "tickets.jsonl", clean.root / "marketing" / "email_events.jsonl"):
        assert all(isinstance(json.loads(line), dict) for line in read_lines(path))
    assert all(row["order_id"] and float(row["amount"]) >= 0 for row in read_rows(clean.root / "erp" / "orders.csv"))


# --- entry points ---------------------------------------------------------------------------------------


def test_bad_arguments_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="people"):
        generate_world(tmp_path, people=0, as_of=AS_OF, data_dir=DATA)
    with pytest.raises(ConfigurationError, match="german_credit"):
        generate_world(tmp_path, people=10, as_of=AS_OF, data_dir=tmp_path)


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "customers.world", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=DATA.parents[1])


def test_the_command_line_reports_each_system(tmp_path: Path) -> None:
    done = _cli(str(tmp_path), "--people", "120", "--seed", "3", "--as-of", "2025-06-30", "--no-events")
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert [line.split(":")[0] for line in printed[1:6]] == list(SYSTEMS)
    assert printed[-1].startswith("wrote ")
    assert len(read_rows(tmp_path / "truth" / "people.csv")) == 120
    updated = [
        row["updated_at"] for row in read_rows(tmp_path / "crm" / "contacts.csv") if row["updated_at"][:4].isdigit()
    ]
    assert "2025-06-01" < max(updated) < "2025-06-30"
    failed = _cli(str(tmp_path), "--data-dir", str(tmp_path / "missing"))
    assert failed.returncode == 2
    assert "german_credit" in failed.stderr

"""A tiny hand-written set of source exports (CSV, JSON, JSON Lines, a SQLite database) and its config."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

SOURCES_YAML = """
version: 1
systems:
  crm:
    connector: csv
    location: crm
    entities:
      contacts:
        role: person
        file: contacts.csv
        id: contact_id
        observed_at: updated_at
        fields:
          given_name: first_name
          surname: last_name
          email: email
          date_of_birth: date_of_birth
          street: street
          house_number: house_number
          postcode: postcode
          city: city
          consent_profiling: {column: consent_profiling, type: boolean, observed_at: updated_at}
  erp:
    connector: files
    location: erp
    entities:
      customers:
        role: person
        file: customers.json
        id: customer_no
        observed_at: updated_at
        fields:
          full_name: {column: name, format: "surname, given"}
          address_line: street
          postcode: postcode
          city: city
          email: email
          credit_limit: {column: credit_limit, min: 0}
      orders:
        role: event
        file: orders.jsonl
        id: order_id
        subject: customer_no
        kind: order
        fields:
          occurred_at: order_date
          amount: {column: amount, min: 0}
  shop:
    connector: sql
    location: sqlite:///shop.sqlite
    entities:
      web_accounts:
        role: person
        table: web_accounts
        id: account_id
        fields:
          email: email
          given_name: first_name
          surname: last_name
      visits:
        role: event
        query: "SELECT session_id, account_id, started_at FROM sessions WHERE started_at IS NOT NULL"
        id: session_id
        subject: account_id
        kind: visit
        fields:
          occurred_at: started_at
"""

CONTACTS = (
    "contact_id,first_name,last_name,email,date_of_birth,street,house_number,postcode,city,consent_profiling,updated_at\n"
    """C1,Anna,Meyer,anna.meyer@example.org,1980-04-02,Lindenweg,4,10115,Berlin,yes,2026-01-10T09:00:00+00:00
C2,Bernd,Schulz,bernd@example.org,1975-13-40,Hauptstrasse,9,80331,Munich,no,2026-02-01T09:00:00+00:00
C3,Clara,Vogel,clara.vogel@example.org,1990-07-15,Ringstrasse,1,50667,Cologne,,2026-03-01T09:00:00+00:00
,Dora,Kranz,dora@example.org,1985-01-01,Am Markt,2,01067,Dresden,yes,2026-03-01T09:00:00+00:00
C3,Clara,Vogel,clara.vogel@example.org,1990-07-15,Ringstrasse,1,50667,Cologne,,2026-03-01T09:00:00+00:00
C5,Emil,Roth,emil.roth@example.org,1970-05-05,Bahnhofstrasse,3
"""
)

ERP_CUSTOMERS = [
    {
        "customer_no": "100",
        "name": "Meyer, Anna",
        "street": "Rosenstrasse 12",
        "postcode": "10117",
        "city": "Berlin",
        "email": "anna.meyer@example.org",
        "credit_limit": 5000,
        "updated_at": "2026-03-05T10:00:00+00:00",
    },
    {
        "customer_no": "101",
        "name": "Vogel, Clara",
        "street": "Ringstrasse 1",
        "postcode": "50667",
        "city": "Cologne",
        "email": "clara.vogel@example.org",
        "credit_limit": -20,
        "updated_at": "2026-01-05T10:00:00+00:00",
    },
]

ORDERS = [
    '{"order_id": "O1", "customer_no": "100", "order_date": "2026-02-01", "amount": 120.5}',
    '{"order_id": "O2", "customer_no": "100", "order_date": "2026-03-01", "amount": "lots"}',
    '{"order_id": "O3", "customer_no": "100", "order_date": "2026-04-01", "amo',
]


def write_mini_sources(folder: Path) -> Path:
    """Write the exports into `folder` and return the path of their sources.yaml."""
    (folder / "crm").mkdir(parents=True, exist_ok=True)
    (folder / "erp").mkdir(parents=True, exist_ok=True)
    (folder / "crm" / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (folder / "erp" / "customers.json").write_text(json.dumps(ERP_CUSTOMERS), encoding="utf-8")
    (folder / "erp" / "orders.jsonl").write_text("\n".join(ORDERS) + "\n", encoding="utf-8")
    database = folder / "shop.sqlite"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE web_accounts (account_id TEXT PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT)"
        )
        connection.execute("CREATE TABLE sessions (session_id TEXT PRIMARY KEY, account_id TEXT, started_at TEXT)")
        connection.executemany(
            "INSERT INTO web_accounts VALUES (?, ?, ?, ?)",
            [("W1", "anna.meyer@example.org", "Anna", "Meyer"), ("W2", "not-an-email", "Xaver", "Ott")],
        )
        connection.executemany(
            "INSERT INTO sessions VALUES (?, ?, ?)",
            [("S1", "W1", "2026-03-10T12:00:00"), ("S2", "W1", None)],
        )
    connection.close()
    path = folder / "sources.yaml"
    path.write_text(SOURCES_YAML, encoding="utf-8")
    return path

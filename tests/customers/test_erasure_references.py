"""Erasure follows the person's lookups: a reference row that is theirs alone goes with them, a shared
or impersonal one stays, and the next import neither brings it back nor quarantines their rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from core import FixedClock
from customers import DEFAULT_SURVIVORSHIP_FILE, CustomerRepository, Ingestor, erase_customer, load_survivorship
from customers.sources import SourcesConfig, load_sources

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SOURCES = """
version: 1
systems:
  crm:
    connector: csv
    location: crm
    entities:
      accounts:
        role: reference
        file: accounts.csv
        id: account_id
        fields: {account_name: account_name, segment: segment}
      contacts:
        role: person
        file: contacts.csv
        id: contact_id
        observed_at: updated_at
        lookups:
          account: {entity: accounts, key: account_id, fields: {segment: segment}}
        fields: {given_name: first_name, surname: last_name, email: email}
"""
ACCOUNTS = """account_id,account_name,segment
A1,Ada Lovelace,retail
A2,Acme Ltd,small_business
A3,Analytical Engines Ltd,small_business
"""
CONTACTS = """contact_id,account_id,first_name,last_name,email,updated_at
C1,A1,Ada,Lovelace,ada.lovelace@example.org,2026-01-05T10:00:00+00:00
C2,A2,Bob,Stone,bob.stone@example.org,2026-01-06T10:00:00+00:00
C3,A2,Cyd,Young,cyd.young@example.org,2026-01-07T10:00:00+00:00
C4,A3,Charles,Babbage,charles.babbage@example.org,2026-01-08T10:00:00+00:00
"""


def _installation(engine: Engine, folder: Path) -> tuple[CustomerRepository, SourcesConfig]:
    (folder / "crm").mkdir(parents=True)
    (folder / "crm" / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "crm" / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    repo = CustomerRepository(engine, FixedClock(NOW), load_survivorship(DEFAULT_SURVIVORSHIP_FILE))
    config = load_sources(folder / "sources.yaml")
    Ingestor(repo, config).ingest()
    return repo, config


def _accounts(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        query = "SELECT record_id FROM staging_record WHERE entity = 'accounts' ORDER BY record_id"
        return list(connection.execute(text(query)).scalars())


def test_a_private_account_is_erased_with_its_holder_and_shared_or_impersonal_ones_stay(
    engine: Engine, tmp_path: Path
) -> None:
    repo, config = _installation(engine, tmp_path / "world")
    customer_of = {record: customer for _, _, record, customer in repo.source_links()}
    assert _accounts(engine) == ["A1", "A2", "A3"]

    ada = erase_customer(engine, customer_of["C1"], NOW, sources=config)
    assert (ada.source_records, ada.reference_records) == (1, 1)
    assert _accounts(engine) == ["A2", "A3"]  # "Ada Lovelace", used by her alone, is gone

    bob = erase_customer(engine, customer_of["C2"], NOW, sources=config)
    assert bob.reference_records == 0  # Acme is Cyd's account too
    charles = erase_customer(engine, customer_of["C4"], NOW, sources=config)
    assert charles.reference_records == 0  # his alone, but it does not name him: business data stays
    assert _accounts(engine) == ["A2", "A3"]
    without_sources = erase_customer(engine, customer_of["C3"], NOW)
    assert without_sources.reference_records == 0

    # The exports still hold everyone: the erased rows are skipped, none is quarantined for want of
    # the erased account, and the account itself does not come back.
    again = Ingestor(repo, config).ingest()
    [load] = again.loads
    assert (load.entities["accounts"].suppressed, load.entities["contacts"].suppressed) == (1, 4)
    assert load.entities["contacts"].quarantined == 0 and again.reconciles
    assert _accounts(engine) == ["A2", "A3"]

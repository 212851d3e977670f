"""Connectors and staging: every received row is staged as received or quarantined with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from core import ConfigurationError
from customers._source_tables import QUARANTINE, STAGED
from customers._staging import stage_system
from customers.sources import load_sources
from tests.customers.mini_sources import SOURCES_YAML, write_mini_sources

NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def _stage(engine: Engine, config_path: Path, system: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    config = load_sources(config_path)
    with engine.begin() as connection:
        return stage_system(connection, config, system, now, lambda _: None)


def test_every_received_csv_row_is_staged_or_quarantined_with_its_reason(engine: Engine, tmp_path: Path) -> None:
    load = _stage(engine, write_mini_sources(tmp_path), "crm")
    counts = load.entities["contacts"]
    assert (counts.received, counts.new, counts.quarantined) == (6, 2, 4)
    assert counts.reconciles
    with engine.connect() as connection:
        reasons = {row.position: row.reason for row in connection.execute(select(QUARANTINE))}
        staged = connection.execute(select(STAGED.c.record_id, STAGED.c.fields, STAGED.c.payload)).all()
    assert "date_of_birth" in reasons[3] and "not a date" in reasons[3]
    assert "id column 'contact_id' is empty" in reasons[5]
    assert "duplicate id" in reasons[6]
    assert "values but the header has" in reasons[7]
    fields = {row.record_id: row.fields for row in staged}
    assert fields["C1"]["consent_profiling"] is True
    assert fields["C1"]["date_of_birth"] == "1980-04-02"
    assert "consent_profiling" not in fields["C3"]  # empty means unknown, not "no"
    payload = {row.record_id: row.payload for row in staged}
    assert payload["C1"]["email"] == "anna.meyer@example.org"  # kept as received


def test_json_files_split_names_and_addresses_and_quarantine_bad_lines(engine: Engine, tmp_path: Path) -> None:
    load = _stage(engine, write_mini_sources(tmp_path), "erp")
    customers, orders = load.entities["customers"], load.entities["orders"]
    assert (customers.received, customers.staged, customers.quarantined) == (2, 1, 1)
    assert (orders.received, orders.staged, orders.quarantined) == (3, 1, 2)
    with engine.connect() as connection:
        fields = connection.execute(select(STAGED.c.fields).where(STAGED.c.record_id == "100")).scalar_one()
        reasons = sorted(connection.execute(select(QUARANTINE.c.reason)).scalars())
        raws = sorted(connection.execute(select(QUARANTINE.c.raw)).scalars())
    assert fields["given_name"] == "Anna" and fields["surname"] == "Meyer"
    assert fields["street"] == "Rosenstrasse" and fields["house_number"] == "12"
    assert any("below the minimum" in reason for reason in reasons)
    assert any("not a number" in reason for reason in reasons)
    assert any("not valid JSON" in reason for reason in reasons)
    assert any(raw.endswith('"amo') for raw in raws)  # the broken line is kept exactly as received


def test_a_sql_source_reads_tables_and_queries(engine: Engine, tmp_path: Path) -> None:
    load = _stage(engine, write_mini_sources(tmp_path), "shop")
    accounts, visits = load.entities["web_accounts"], load.entities["visits"]
    assert (accounts.received, accounts.staged, accounts.quarantined) == (2, 1, 1)
    assert (visits.received, visits.staged) == (1, 1)  # the query filtered the session without a time


def test_reloading_an_unchanged_export_writes_nothing_and_a_changed_row_gets_a_new_version(
    engine: Engine, tmp_path: Path
) -> None:
    config = write_mini_sources(tmp_path)
    _stage(engine, config, "crm")
    again = _stage(engine, config, "crm").entities["contacts"]
    assert (again.new, again.changed, again.unchanged, again.quarantined) == (0, 0, 2, 4)

    contacts = tmp_path / "crm" / "contacts.csv"
    contacts.write_text(contacts.read_text().replace("Lindenweg,4,10115", "Parkallee,7,10117"))
    changed = _stage(engine, config, "crm").entities["contacts"]
    assert (changed.changed, changed.unchanged) == (1, 1)
    with engine.connect() as connection:
        versions = connection.execute(
            select(STAGED.c.version, STAGED.c.is_current, STAGED.c.fields)
            .where(STAGED.c.record_id == "C1")
            .order_by(STAGED.c.version)
        ).all()
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].fields["street"] == "Lindenweg" and versions[1].fields["street"] == "Parkallee"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kind: visit", ""), "needs `kind`"),
        (("connector: sql", "connector: ftp"), "unknown connector 'ftp'"),
        (("subject: account_id", ""), "needs `subject`"),
        (("file: contacts.csv", "file: contacts.csv\n        table: contacts"), "exactly one of file, table or query"),
    ],
)
def test_a_broken_configuration_is_refused_with_the_reason(
    tmp_path: Path, engine: Engine, change: tuple[str, str], message: str
) -> None:
    path = write_mini_sources(tmp_path)
    path.write_text(SOURCES_YAML.replace(*change))
    with pytest.raises(ConfigurationError, match=message):
        config = load_sources(path)
        with engine.begin() as connection:
            stage_system(connection, config, "shop", NOW, lambda _: None)


def test_a_missing_column_stops_the_load_before_anything_is_written(engine: Engine, tmp_path: Path) -> None:
    path = write_mini_sources(tmp_path)
    contacts = tmp_path / "crm" / "contacts.csv"
    contacts.write_text(contacts.read_text().replace("first_name", "firstname", 1))
    with pytest.raises(ConfigurationError, match="no column 'first_name'"):
        _stage(engine, path, "crm")
    with engine.connect() as connection:
        assert connection.execute(select(STAGED.c.id)).first() is None


def test_a_sql_source_can_be_any_database_by_url(engine: Engine, database_url: str, tmp_path: Path) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE crm_export (contact_id VARCHAR(20), email VARCHAR(100), born VARCHAR(20))"
        )
        connection.exec_driver_sql(
            "INSERT INTO crm_export VALUES ('K1', 'kim@example.org', '1990-01-02'), ('K2', 'lee@example.org', 'soon')"
        )
    path = tmp_path / "sources.yaml"
    path.write_text(
        "systems:\n"
        "  crm:\n"
        "    connector: sql\n"
        f'    location: "{database_url}"\n'
        "    entities:\n"
        "      contacts:\n"
        "        role: person\n"
        "        query: SELECT contact_id, email, born FROM crm_export ORDER BY contact_id\n"
        "        id: contact_id\n"
        "        fields: {email: email, date_of_birth: born}\n"
    )
    counts = _stage(engine, path, "crm").entities["contacts"]
    assert (counts.received, counts.new, counts.quarantined) == (2, 1, 1)
    with engine.connect() as connection:
        reason = connection.execute(select(QUARANTINE.c.reason)).scalar_one()
    assert "'soon' is not a date" in reason

"""Ingestion of a generated world: reconciliation, resolution against the truth, lineage, re-ingest."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core import FixedClock
from customers import DEFAULT_SURVIVORSHIP_FILE, CustomerRepository, Ingestor, customer_360, load_survivorship
from customers.sources import load_sources
from evals import score_against_truth
from tests.customers.world_helpers import (
    AS_OF,
    copy_world,
    knock_on_rows,
    make_world,
    malformed_rows,
    rewrite_csv_row,
)

NOW = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world") / "world"
    make_world(folder)
    return folder


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Path:
    copy_world(world_template, tmp_path / "world")
    return tmp_path / "world"


def _repo(engine: Engine, clock: FixedClock) -> CustomerRepository:
    return CustomerRepository(engine, clock, load_survivorship(DEFAULT_SURVIVORSHIP_FILE))


@pytest.mark.slow
def test_a_world_ingests_with_reconciled_counts_and_resolves_close_to_the_truth(engine: Engine, world: Path) -> None:
    repo = _repo(engine, FixedClock(NOW))
    report = Ingestor(repo, load_sources(world / "sources.yaml")).ingest()

    assert report.reconciles
    quarantined = sum(c.quarantined for load in report.loads for c in load.entities.values())
    # exactly the broken rows, and the orders (with their other lines) that cannot ship without a broken line
    assert knock_on_rows(world) >= 3
    assert quarantined == malformed_rows(world) + knock_on_rows(world)
    score = score_against_truth(repo, world / "truth")
    quarantined_people = sum(
        counts.quarantined for load in report.loads for name, counts in load.entities.items() if name in _PERSONS
    )
    assert score.records_linked == score.records_in_truth - quarantined_people  # every staged person is linked
    assert score.f1 >= 0.95, score
    assert report.resolution is not None and report.resolution.customers < score.records_linked
    assert report.events_updated > 1000 and report.events_without_customer < 0.02 * report.events_updated
    assert len(report.applications_added) > 250


_PERSONS = {"contacts", "customers", "web_accounts", "requesters", "subscribers"}


@pytest.mark.slow
def test_every_golden_field_names_its_source_record_and_rule(engine: Engine, world: Path) -> None:
    repo = _repo(engine, FixedClock(NOW))
    Ingestor(repo, load_sources(world / "sources.yaml")).ingest()
    linked = {(system, record) for system, _, record, _ in repo.source_links()}
    customers = sorted({customer for *_, customer in repo.source_links()})
    views = [customer_360(repo, customer) for customer in customers[:40]]
    assert any(view.golden.conflicts for view in views)
    for view in views:
        for name, value in view.golden.fields.items():
            assert (value.source_system, value.source_record_id) in linked, name
            assert value.rule
        for record in view.records:
            assert (record.source_system, record.record_id) in linked


@pytest.mark.slow
def test_re_ingesting_a_changed_export_updates_the_record_and_keeps_its_history(engine: Engine, world: Path) -> None:
    clock = FixedClock(NOW)
    repo = _repo(engine, clock)
    config = load_sources(world / "sources.yaml")
    Ingestor(repo, config).ingest()
    customers_before = {c for *_, c in repo.source_links()}

    again = Ingestor(repo, config).ingest()
    assert all(c.new == 0 and c.changed == 0 for load in again.loads for c in load.entities.values())
    assert again.resolution is not None and again.resolution.new_customers == 0

    contacts = world / "crm" / "contacts.csv"
    with contacts.open(newline="", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["contact_id"] and r["email"] and r["phone"])
    clock.advance(timedelta(days=3))
    new_time = (NOW + timedelta(days=3)).isoformat()
    before = rewrite_csv_row(
        contacts, row["contact_id"], {"phone": "555-010-9999", "housing": "own", "updated_at": new_time}
    )
    third = Ingestor(repo, config).ingest(["crm"])
    assert third.loads[0].entities["contacts"].changed == 1
    customer = next(c for s, e, r, c in repo.source_links() if (s, r) == ("crm", row["contact_id"]))
    golden = repo.golden(customer)
    assert golden.value("phone") == "5550109999"
    assert golden.fields["phone"].source_record_id == row["contact_id"]
    history = [h.value for h in repo.field_history(customer, "housing") if h.source_record_id == row["contact_id"]]
    assert history == [before["housing"], "own"]
    assert {c for *_, c in repo.source_links()} == customers_before  # no customer appeared or vanished

"""The golden record inside a running installation: merge proposals through the queue, GDPR erasure,
export and retention, and the CLI contract of ingest, customer show and attention."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from agents import CreditApprovalAgent
from core import FixedClock
from steward._gdpr import erase, export, retention
from steward._ingest import run_ingest
from steward._settings import Settings
from steward._wiring import Steward, open_steward
from steward.cli import main
from tests.customers.world_helpers import AS_OF, copy_world, make_world

NOW = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC)
USERS = {"officer": ("credit_officer",), "senior": ("senior_credit_officer", "credit_officer")}


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flow-world") / "world"
    make_world(folder, seed=5)
    return folder


@pytest.fixture
def world_settings(steward_settings: Settings, world_template: Path) -> Settings:
    sources = copy_world(world_template, steward_settings.home / "world")
    return steward_settings.model_copy(update={"sources": sources})


@contextmanager
def running(settings: Settings, clock: FixedClock | None = None) -> Iterator[Steward]:
    with open_steward(settings, clock=clock or FixedClock(NOW)) as app:
        for user, roles in USERS.items():
            app.users.add(user, name=user.title(), roles=roles)
        yield app


def test_uncertain_matches_become_merge_proposals_that_a_person_confirms_or_rejects(world_settings: Settings) -> None:
    with running(world_settings) as app:
        outcome = run_ingest(app)
        pending = app.queue.list(status="pending", agent="identity_resolution")
        assert outcome.proposals.get("pending", 0) == len(pending) >= 2
        confirm, reject = pending[0], pending[1]
        keep_a, keep_b = confirm.arguments["customer_id"], confirm.arguments["other_customer_id"]

        decided = app.supervisor.decide(confirm.id, reviewer_id="officer", verdict="approve")
        assert decided.status == "executed"
        result = decided.execution_result or {}
        assert {result["kept"], result["absorbed"]} == {keep_a, keep_b}
        assert app.customers.canonical_id(str(result["absorbed"])) == result["kept"]
        kept_records = {(s, r) for s, _, r, c in app.customers.source_links() if c == result["kept"]}
        assert {confirm.arguments["record"], confirm.arguments["other_record"]} <= {
            f"{s}/{e}/{r}" for s, e, r, c in app.customers.source_links() if c == result["kept"]
        }
        assert kept_records

        assert app.supervisor.decide(reject.id, reviewer_id="officer", verdict="reject").status == "rejected"

        again = run_ingest(app)
        pairs = {
            frozenset((str(i.arguments["customer_id"]), str(i.arguments["other_customer_id"])))
            for i in app.queue.list(agent="identity_resolution", limit=1000)
        }
        assert len(pairs) == len(app.queue.list(agent="identity_resolution", limit=1000))  # nothing proposed twice
        rejected_pair = frozenset((str(reject.arguments["customer_id"]), str(reject.arguments["other_customer_id"])))
        assert all(frozenset((c.customer_id, c.other_customer_id)) != rejected_pair for c in again.report.candidates)
        assert again.report.resolution is not None and again.report.resolution.new_customers == 0
        assert app.customers.canonical_id(str(result["absorbed"])) == result["kept"]  # merges stay merged


def _identifiers(exported: Any) -> set[str]:
    found: set[str] = set()
    for record in exported["source_records"]:
        for name in ("email", "phone", "tax_id"):
            value = record["fields"].get(name)
            if value:
                found.add(str(value))
    # Not the address: relatives live there too, and their records must stay.
    return found


def test_erasure_leaves_no_trace_of_the_person_and_the_audit_chain_still_verifies(world_settings: Settings) -> None:
    with running(world_settings) as app:
        run_ingest(app)
        application = next(a for a in app.customers.pending_applications())
        customer = application.customer_id
        run = CreditApprovalAgent(app.credit).run(application.id)
        before: Any = export(app, customer)
        identifiers = _identifiers(before)
        assert identifiers and before["proposals"] and before["timeline"]
        assert any(i in json.dumps(before) for i in identifiers)

        summary: Any = erase(app, customer)

        assert summary["source_records"] >= 1 and summary["proposals_redacted"] >= 1
        assert summary["checkpoint_threads_deleted"] >= 1
        assert app.audit.verify().ok
        after: Any = export(app, customer)
        assert after["source_records"] == [] and after["timeline"] == [] and after["credit_applications"] == []
        assert app.queue.get(run.proposal_id).proposal == {
            "redacted": True,
            "id": run.proposal_id,
            "agent": "credit_approval",
            "action": run.action,
        }
        assert app.checkpointer.get_tuple({"configurable": {"thread_id": run.thread_id}}) is None
        with app.engine.connect() as connection:
            for table in ("staging_record", "quarantine_record", "customer_event", "supervision_proposal"):
                dump = " ".join(str(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
                leaked = [i for i in identifiers if i in dump]
                assert not leaked, (table, leaked)
        if world_settings.resolved_database_url.startswith("sqlite"):
            database = Path(str(make_url(world_settings.resolved_database_url).database))
            for path in (database, world_settings.checkpoint_path):
                data = path.read_bytes() + (
                    path.with_name(path.name + "-wal").read_bytes()
                    if path.with_name(path.name + "-wal").exists()
                    else b""
                )
                leaked = [i for i in identifiers if i.encode() in data]
                assert not leaked, (path.name, leaked)
                with sqlite3.connect(path) as connection:  # compacted: no free pages holding old rows
                    assert connection.execute("PRAGMA freelist_count").fetchone()[0] == 0

        # The sources still hold the person: the next import skips them instead of bringing them back.
        again = run_ingest(app)
        assert sum(c.suppressed for load in again.report.loads for c in load.entities.values()) >= 1
        assert again.report.reconciles
        assert export(app, customer)["source_records"] == []
        customers_now = {c for *_, c in app.customers.source_links()}
        assert customer not in customers_now


def test_retention_shows_first_and_applies_only_when_asked(world_settings: Settings) -> None:
    clock = FixedClock(NOW)
    with running(world_settings, clock) as app:
        run_ingest(app)
        clock.advance(timedelta(days=7 * 365))
        dry: Any = retention(app, apply=False)
        matched = {r["rule"]: r["matched"] for r in dry["rules"]}
        assert matched["quarantine_after_90_days"] > 0
        assert matched["marketing_engagement_after_2_years"] > 0
        assert matched["inactive_customers_after_6_years"] > 0
        assert retention(app, apply=False) == dry  # a dry run changes nothing

        applied: Any = retention(app, apply=True)
        assert applied["customers_anonymised"] == matched["inactive_customers_after_6_years"]
        after_rules: Any = retention(app, apply=False)
        remaining = {r["rule"]: r["matched"] for r in after_rules["rules"]}
        assert remaining["quarantine_after_90_days"] == 0
        assert remaining["marketing_engagement_after_2_years"] == 0
        assert remaining["inactive_customers_after_6_years"] == 0
        assert app.audit.verify().ok


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_ingest_attention_and_customer_show_follow_the_contract(
    world_settings: Settings,
    steward_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert world_settings.sources is not None
    monkeypatch.setenv("STEWARD_SOURCES", str(world_settings.sources))
    code, out, _ = _run(capsys, "ingest", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["reconciles"] is True
    for system in report["systems"].values():
        assert system["received"] == system["staged"] + system["quarantined"]

    code, out, _ = _run(capsys, "attention", "--top", "5", "--json")
    assert code == 0
    entries = json.loads(out)
    assert 0 < len(entries) <= 5
    assert [e["score"] for e in entries] == sorted((e["score"] for e in entries), reverse=True)
    for entry in entries:
        assert entry["customer_id"] and entry["reasons"]
        assert all(reason["evidence"] or reason["code"] == "not_contacted" for reason in entry["reasons"])

    customer = entries[0]["customer_id"]
    code, out, _ = _run(capsys, "customer", "show", customer, "--json")
    assert code == 0
    view = json.loads(out)
    assert view["customer_id"] == customer and view["golden"]["fields"] and view["records"]
    for field in view["golden"]["fields"].values():
        assert {"value", "source_system", "source_record_id", "observed_at", "rule"} <= set(field)
    code, out, _ = _run(capsys, "customer", "show", customer)
    assert code == 0 and "golden record" in out and "attention score" in out

    code, _, err = _run(capsys, "customer", "show", "CUS-NOPE")
    assert code == 1 and "CUS-NOPE" in err

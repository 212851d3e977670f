"""The golden record inside a running installation: merge proposals through the queue, GDPR erasure,
export and retention, and the CLI contract of ingest, customer show and attention."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from agents import AgentRunner
from core import FixedClock
from customers import CreditApplicationView, MergeCandidate
from steward import Settings, Steward, open_steward, run_ingest
from steward._gdpr import erase, export, retention
from steward.cli import main
from supervision import QueueItem
from tests.customers.world_helpers import AS_OF, copy_world, make_world
from tests.steward.personal_data import bytes_found, found, sqlite_texts, table_texts

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


@pytest.mark.slow
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


NAME_FIELDS = ("given_name", "surname")
IDENTIFIER_FIELDS = ("email", "phone", "tax_id")
AS_RECEIVED = ("email", "phone", "tax_id", "first_name", "last_name", "name")
"""Source columns holding names and identifiers, as the systems wrote them ("(317) 893-5972")."""
CHECKPOINT_TABLES = {
    "sqlite": {"checkpoints", "writes"},
    "postgresql": {"checkpoints", "checkpoint_blobs", "checkpoint_writes"},
}
"""LangGraph's tables: SqliteSaver's in checkpoints.sqlite, PostgresSaver's beside Steward's own."""


def _personal_values(exported: Any) -> tuple[set[str], set[str]]:
    """The person's names (given, surname, both in either order) and identifiers, from every source record."""
    names: set[str] = set()
    identifiers: set[str] = set()
    for record in exported["source_records"]:
        fields, received = record["fields"], record["as_received"]
        given, surname = (fields.get(name) for name in NAME_FIELDS)
        names |= {str(v) for v in (given, surname) if v}
        if given and surname:
            names |= {f"{given} {surname}", f"{surname}, {given}"}
        identifiers |= {str(fields[name]) for name in IDENTIFIER_FIELDS if fields.get(name)}
        for column in AS_RECEIVED:
            if received.get(column):
                (names if column.endswith("name") else identifiers).add(str(received[column]))
    # Not the address: relatives live there too, and their records must stay.
    return names, identifiers


def _owners(world: Path) -> dict[str, str]:
    """Whose each source record is ("system/entity/record" → person), from the generated world's truth."""
    with (world / "truth" / "records.csv").open(newline="", encoding="utf-8") as handle:
        return {f"{r['source_system']}/{r['entity']}/{r['record_id']}": r["person_id"] for r in csv.DictReader(handle)}


def _distinctive(app: Steward, owner: dict[str, str], person: str, names: set[str]) -> set[str]:
    """The names no other person's source record carries.

    "John" is shared by many people, whose rows rightly stay; the person's surname and full name are not.
    """
    with app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT source_system, entity, record_id, payload FROM staging_record WHERE role = 'person'")
        ).all()
    others = [
        (row.payload if isinstance(row.payload, str) else json.dumps(row.payload, ensure_ascii=False)).casefold()
        for row in rows
        if owner[f"{row.source_system}/{row.entity}/{row.record_id}"] != person
    ]
    return {name for name in names if not any(name.casefold() in other for other in others)}


DUPLICATE = "CRM-C-900001"


def _contacts(world: Path) -> dict[str, dict[str, str]]:
    with (world / "crm" / "contacts.csv").open(newline="", encoding="utf-8") as handle:
        return {row["contact_id"]: row for row in csv.DictReader(handle)}


def _person_with_application(app: Steward, world: Path, owner: dict[str, str]) -> tuple[CreditApplicationView, str]:
    """A pending application (one senior decides it) of a customer whose CRM contact has a CRM account of
    its own (named after them) and a full name no one else has: the application and the contact's id."""
    contacts = _contacts(world)
    holders = Counter(row["account_id"] for row in contacts.values())
    crm = {r: c for system, entity, r, c in app.customers.source_links() if (system, entity) == ("crm", "contacts")}
    for application in sorted(app.customers.pending_applications(), key=lambda a: a.id):
        mine = sorted(r for r, customer in crm.items() if customer == application.customer_id)
        if application.amount > 10_000 or len(mine) != 1 or holders[contacts[mine[0]]["account_id"]] != 1:
            continue
        row = contacts[mine[0]]
        full = {f"{row['first_name']} {row['last_name']}", f"{row['last_name']}, {row['first_name']}"}
        if _distinctive(app, owner, owner[f"crm/contacts/{mine[0]}"], full) == full:
            return application, mine[0]
    raise AssertionError("no pending application of a customer with their own CRM account and a distinctive name")


def _add_duplicate(world: Path, contact: str) -> None:
    """A second CRM contact of the same person after a move, under their initial: the same surname and
    account, every other detail new (too little for the matcher to link it by itself)."""
    row = _contacts(world)[contact]
    moved = f"{row['first_name']}.{row['last_name']}.moved@example.net".lower().replace(" ", "")
    row |= {"contact_id": DUPLICATE, "first_name": row["first_name"][0] + ".", "email": moved}
    row |= {"phone": "(555) 010-4477", "date_of_birth": "", "tax_id": ""}
    row |= {"street": "Quayside Lane", "house_number": "7", "postcode": "90210", "city": "Port Elsewhere"}
    with (world / "crm" / "contacts.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=list(row)).writerow(row)


def _merge_duplicate(app: Steward, application: CreditApplicationView, contact: str) -> QueueItem:
    """The identity agent proposes merging the duplicate's customer into the person's; a reviewer approves."""
    links = {(s, e, r): c for s, e, r, c in app.customers.source_links()}
    duplicate = links[("crm", "contacts", DUPLICATE)]
    assert duplicate != application.customer_id, "the matcher linked the duplicate by itself: make it less alike"
    candidate = MergeCandidate(
        customer_id=application.customer_id,
        other_customer_id=duplicate,
        record=f"crm/contacts/{contact}",
        other_record=f"crm/contacts/{DUPLICATE}",
        probability=0.7,
        evidence={
            **{"given_name": "agrees (level 1)", "surname": "agrees (level 3)", "date_of_birth": "missing"},
            **{"email": "different", "phone": "different", "address": "different"},
        },
    )
    run = AgentRunner(app.runtimes["identity_resolution"]).run({"candidate": candidate.as_json()})
    assert run.status == "pending"  # a pending credit application: a person confirms the merge
    merged = app.supervisor.decide(
        run.proposal_id, reviewer_id="officer", verdict="approve", comment="Same person: moved, new e-mail."
    )
    assert merged.status == "executed"
    return merged


def _database_texts(app: Steward, settings: Settings) -> dict[str, list[str]]:
    """Every row of every table, LangGraph's included (on SQLite they are in their own file)."""
    texts = table_texts(app.engine)
    if settings.resolved_database_url.startswith("sqlite"):
        texts |= {f"checkpoints.sqlite:{t}": rows for t, rows in sqlite_texts(settings.checkpoint_path).items()}
    return texts


@pytest.mark.slow
def test_erasure_leaves_no_trace_of_the_person_and_the_audit_chain_still_verifies(world_settings: Settings) -> None:
    """A person with a merged duplicate and a decided, commented credit proposal: after the erasure no
    table of the database (LangGraph's checkpoints included) holds their names or identifiers, nor
    after the next import."""
    assert world_settings.sources is not None
    world = world_settings.sources.parent
    with running(world_settings) as app:
        run_ingest(app, propose=False)
        owner = _owners(world)
        application, contact = _person_with_application(app, world, owner)
        person = owner[f"crm/contacts/{contact}"]
        owner[f"crm/contacts/{DUPLICATE}"] = person
        _add_duplicate(world, contact)
        run_ingest(app, propose=False)
        merge = _merge_duplicate(app, application, contact)
        customer = str((merge.execution_result or {})["kept"])
        assert app.customers.canonical_id(application.customer_id) == customer
        before: Any = export(app, customer)
        assert len(before["customer_ids"]) == 2  # the customer and the duplicate merged into it
        assert DUPLICATE in {r["record_id"] for r in before["source_records"]}
        names, identifiers = _personal_values(before)
        distinctive = _distinctive(app, owner, person, names)
        assert {name for name in names if " " in name} <= distinctive, (names, distinctive)  # their full names
        given, surname = (before["source_records"][0]["fields"][name] for name in NAME_FIELDS)
        comment = f"Called {given} {surname} on {min(identifiers)}: income confirmed."

        run = AgentRunner(app.runtimes["credit_approval"]).run(application.id)
        decided = app.supervisor.decide(run.proposal_id, reviewer_id="senior", verdict="approve", comment=comment)
        assert decided.status == "executed"
        assert [r.comment for r in decided.reviews] == [comment]
        needles = distinctive | identifiers | {comment}
        before_texts = _database_texts(app, world_settings)
        held = found(before_texts, needles)
        assert {"staging_record", "supervision_review"} <= set(held), held  # the scan sees what is there
        # ... and reads LangGraph's checkpoints: the credit thread names its application.
        checkpoint_tables = CHECKPOINT_TABLES[app.engine.dialect.name]
        assert {t.split(":")[-1] for t in found(before_texts, [application.id])} & checkpoint_tables, held

        summary: Any = erase(app, customer)

        assert sorted(summary["customer_ids"]) == sorted(before["customer_ids"])
        assert summary["source_records"] >= 2 and summary["proposals_redacted"] >= 2
        assert summary["checkpoint_threads_deleted"] >= 2
        assert summary["reference_records"] >= 1  # the CRM account named after them, used by no one else
        assert app.audit.verify().ok
        after: Any = export(app, customer)
        assert after["source_records"] == [] and after["timeline"] == [] and after["credit_applications"] == []
        assert app.queue.get(run.proposal_id).proposal == {
            "redacted": True,
            "id": run.proposal_id,
            "agent": "credit_approval",
            "action": run.action,
        }
        assert [r.comment for r in app.queue.get(run.proposal_id).reviews] == [None]
        for item in (merge.id, run.proposal_id):
            thread = app.queue.get(item).thread_id
            assert thread and app.checkpointer.get_tuple({"configurable": {"thread_id": thread}}) is None

        after_texts = _database_texts(app, world_settings)
        scanned = {t.split(":")[-1] for t in after_texts}
        assert set(SQLModel.metadata.tables) | checkpoint_tables <= scanned, scanned
        assert found(after_texts, needles) == {}
        # The threads are gone (ids such as the application's stay in thread ids and the audit chain).
        assert not {t.split(":")[-1] for t in found(after_texts, [application.id])} & checkpoint_tables
        if world_settings.resolved_database_url.startswith("sqlite"):
            database = Path(str(make_url(world_settings.resolved_database_url).database))
            for path in (database, world_settings.checkpoint_path):
                assert bytes_found(path, needles) == [], path.name
                with sqlite3.connect(path) as connection:  # compacted: no free pages holding old rows
                    assert connection.execute("PRAGMA freelist_count").fetchone()[0] == 0

        # The sources still hold the person: the next import skips them instead of bringing them back
        # (nor does it quarantine their rows for want of the account erased with them).
        again = run_ingest(app)
        assert sum(c.suppressed for load in again.report.loads for c in load.entities.values()) >= 2
        assert again.report.reconciles
        assert export(app, customer)["source_records"] == []
        assert found(_database_texts(app, world_settings), needles) == {}
        customers_now = {c for *_, c in app.customers.source_links()}
        assert customer not in customers_now


@pytest.mark.slow
def test_retention_shows_first_and_applies_only_when_asked(world_settings: Settings) -> None:
    clock = FixedClock(NOW)
    with running(world_settings, clock) as app:
        run_ingest(app)
        linked = {c for *_, c in app.customers.source_links()}
        # Six years after the world's last day: those without activity in its last weeks are six years inactive.
        clock.advance(timedelta(days=6 * 365))
        dry: Any = retention(app, apply=False)
        matched = {r["rule"]: r["matched"] for r in dry["rules"]}
        assert matched["quarantine_after_90_days"] > 0
        assert matched["marketing_engagement_after_2_years"] > 0
        assert 0 < matched["inactive_customers_after_6_years"] < len(linked)  # some, not everyone
        assert retention(app, apply=False) == dry  # a dry run changes nothing

        applied: Any = retention(app, apply=True)
        assert applied["customers_anonymised"] == matched["inactive_customers_after_6_years"]
        still_linked = {c for *_, c in app.customers.source_links()}
        assert still_linked < linked and len(linked - still_linked) == applied["customers_anonymised"]
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


@pytest.mark.slow
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

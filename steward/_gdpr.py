"""GDPR across the whole installation: erasure, export and retention reach the customer tables, the
approval queue's payloads and the agents' checkpoints, and each is recorded in the audit chain.

The audit chain holds no personal data by design (ids, hashes, counts), so erasure never rewrites it
and it still verifies afterwards. On SQLite the database files are compacted after an erasure, so
the deleted values do not linger in free pages.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from core import JsonObject
from customers import ErasureReport, apply_retention, erase_customer, export_customer_data, load_retention
from customers.sources import SourcesConfig, load_sources
from steward._customer import customer_view
from steward._database import is_sqlite
from steward._wiring import Steward


def _audit(app: Steward, kind: str, subject: str, payload: JsonObject) -> None:
    with Session(app.engine) as session:
        app.audit.append(session, kind=kind, subject=subject, actor="gdpr", payload=payload)
        session.commit()


def compact(app: Steward) -> None:
    """Rewrite SQLite files so erased values leave no bytes behind (PostgreSQL reuses space by itself)."""
    if not is_sqlite(str(app.engine.url)):
        return
    with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM"))
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    conn: Any = getattr(app.checkpointer, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        conn.commit()
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _sources(app: Steward) -> SourcesConfig | None:
    """The source configuration, if there is one: erasure follows its lookups to the person's reference rows."""
    path = app.settings.sources_file
    return load_sources(path) if path.is_file() else None


def erase(
    app: Steward, customer_id: str, *, compact_files: bool = True, sources: SourcesConfig | None = None
) -> JsonObject:
    """Erase a person everywhere Steward keeps their data; returns what was removed (counts only)."""
    config = sources if sources is not None else _sources(app)
    report: ErasureReport = erase_customer(app.engine, customer_id, app.clock.now(), sources=config)
    redaction = app.queue.redact_customers(report.customer_ids)
    for thread_id in sorted(set(redaction.thread_ids)):
        app.checkpointer.delete_thread(thread_id)
    summary: JsonObject = {
        **report.model_dump(mode="json"),
        "proposals_redacted": redaction.proposals,
        "reviews_expired": redaction.expired,
        "checkpoint_threads_deleted": len(set(redaction.thread_ids)),
    }
    _audit(app, "gdpr.erased", f"customer:{report.customer_id}", summary)
    if compact_files:
        compact(app)
    return summary


def export(app: Steward, customer_id: str) -> JsonObject:
    """Everything held about a person: the 360 view, every source row as received, proposals, audit."""
    view = customer_view(app, customer_id)
    data = export_customer_data(app.engine, customer_id, sources=_sources(app))
    proposals = app.queue.list(customer_ids=data["customer_ids"], limit=100_000)  # type: ignore[arg-type]
    return {
        "customer": view,
        **data,
        "proposals": [item.model_dump(mode="json") for item in proposals],
        "audit": [entry.model_dump(mode="json") for item in proposals for entry in app.audit.entries(subject=item.id)],
    }


def retention(app: Steward, *, apply: bool) -> JsonObject:
    """Each retention rule with what it matches; with `apply`, deleted and anonymised, and audited."""
    rules = load_retention(app.settings.retention_file)
    outcomes = apply_retention(app.engine, rules, app.clock.now(), apply=apply)
    erased: list[JsonObject] = []
    if apply:
        sources = _sources(app)
        for outcome in outcomes:
            for customer_id in outcome.customer_ids:
                erased.append(erase(app, customer_id, compact_files=False, sources=sources))
        _audit(
            app,
            "gdpr.retention_applied",
            "retention",
            {"rules": [{"rule": o.rule, "matched": o.matched, "action": o.action} for o in outcomes]},
        )
        compact(app)
    return {
        "applied": apply,
        "rules": [o.model_dump(mode="json", exclude={"customer_ids"}) for o in outcomes],
        "customers_anonymised": len(erased),
    }

"""The append-only, hash-chained audit log.

Each entry stores the hash of the one before it and its own hash over every field (sequence number,
time, kind, subject, actor, payload and previous hash) as canonical JSON. `AuditLog.verify` re-walks
the chain and reports the first entry that was changed, removed or moved.

What the chain cannot prove on its own: that nothing was cut off its newest end. Deleting the last
few entries leaves a shorter, valid chain; record `AuditVerification.head_hash` somewhere else (a
ticket, a log shipper) to detect that.

Payloads hold ids, decisions and figures only, never personal data (names, addresses, free text
about a customer), so a customer's erasure never has to touch, and so never breaks, the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from core import Clock, JsonObject
from supervision._tables import AUDIT, AuditRow
from supervision._views import AuditEntry, AuditVerification

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first entry."""

_APPEND_LOCK_KEY = 0x53_74_65_77_41_75_64  # "StewAud": one advisory lock for every appender
_VERIFY_BATCH = 1000
_SQLITE_WRITE_LOCK = text("UPDATE supervision_audit SET seq = seq WHERE 0 = 1")
_POSTGRES_APPEND_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_HEAD = core_select(AUDIT.c.seq, AUDIT.c.hash).order_by(AUDIT.c.seq.desc()).limit(1)
_INSERT = insert(AUDIT)


def canonical_json(value: object) -> str:
    """Sorted keys, no whitespace, no NaN: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(
    *, seq: int, at: datetime, kind: str, subject: str, actor: str, payload: JsonObject, prev_hash: str
) -> str:
    """The sha256 (hex) of an entry's fields as canonical JSON."""
    document = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "kind": kind,
        "subject": subject,
        "actor": actor,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditDraft:
    """An entry still to be appended: what happened (`kind`) to what, who did it, and the figures."""

    kind: str
    subject: str
    actor: str
    payload: JsonObject


def _view(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        kind=row.kind,
        subject=row.subject,
        actor=row.actor,
        payload=row.payload,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditLog:
    """Appends to and verifies the audit chain stored in `engine`."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def append(self, session: Session, *, kind: str, subject: str, actor: str, payload: JsonObject) -> AuditEntry:
        """Add an entry inside the caller's transaction, so it commits (or not) with the change it records.

        Appends are serialised so the chain never forks: PostgreSQL takes a transaction-scoped advisory
        lock; SQLite takes the database write lock (a no-op UPDATE) before reading the head. Call it as
        the last write of a transaction so the lock is held briefly. The unique `seq` is the backstop.
        """
        (entry,) = self.append_all(session, [AuditDraft(kind=kind, subject=subject, actor=actor, payload=payload)])
        return entry

    def append_all(self, session: Session, drafts: Sequence[AuditDraft]) -> list[AuditEntry]:
        """Add several entries, in order, inside the caller's transaction; like `append` for each.

        One change that several entries record takes the lock and reads the head once for all of them.
        """
        if not drafts:
            return []
        connection = session.connection()
        self._lock_head(connection)
        session.flush()  # the caller's pending writes, then the head, as an ORM query would autoflush
        head = connection.execute(_HEAD).first()
        seq = 0 if head is None else head.seq
        prev_hash = GENESIS_HASH if head is None else head.hash
        entries: list[AuditEntry] = []
        for draft in drafts:
            seq += 1
            at = self._clock.now().astimezone(UTC)
            # Round-trip the payload so what is hashed is exactly what the database gives back.
            stored: JsonObject = json.loads(canonical_json(draft.payload))
            digest = entry_hash(
                seq=seq,
                at=at,
                kind=draft.kind,
                subject=draft.subject,
                actor=draft.actor,
                payload=stored,
                prev_hash=prev_hash,
            )
            entries.append(
                AuditEntry(
                    seq=seq,
                    at=at,
                    kind=draft.kind,
                    subject=draft.subject,
                    actor=draft.actor,
                    payload=stored,
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
            prev_hash = digest
        connection.execute(_INSERT, [entry.model_dump() for entry in entries])
        return entries

    def entries(self, subject: str | None = None) -> list[AuditEntry]:
        """Every entry in chain order, or only those about `subject` (a proposal id, an agent action)."""
        with Session(self._engine) as session:
            statement = select(AuditRow).order_by(col(AuditRow.seq))
            if subject is not None:
                statement = statement.where(col(AuditRow.subject) == subject)
            return [_view(row) for row in session.exec(statement)]

    def verify(self) -> AuditVerification:
        """Re-walk the chain from seq 1 and report the first entry that does not hold up."""
        count = 0
        expected_seq = 1
        prev_hash = GENESIS_HASH
        last_seq: int | None = None
        with Session(self._engine) as session:
            while True:
                batch = select(AuditRow).order_by(col(AuditRow.seq)).limit(_VERIFY_BATCH)
                if last_seq is not None:
                    batch = batch.where(col(AuditRow.seq) > last_seq)
                rows = list(session.exec(batch))
                for row in rows:
                    count += 1
                    problem = self._check(row, expected_seq, prev_hash)
                    if problem is not None:
                        return AuditVerification(ok=False, count=count, first_bad_seq=expected_seq, reason=problem)
                    expected_seq += 1
                    prev_hash = row.hash
                    last_seq = row.seq
                if len(rows) < _VERIFY_BATCH:
                    break
                session.expunge_all()
        return AuditVerification(ok=True, count=count, head_hash=prev_hash if count else None)

    @staticmethod
    def _check(row: AuditRow, expected_seq: int, prev_hash: str) -> str | None:
        if row.seq != expected_seq:
            return f"entry {expected_seq} is missing (the next entry found is {row.seq})"
        if row.prev_hash != prev_hash:
            return f"entry {row.seq} does not link to the entry before it (an entry was removed or moved)"
        recomputed = entry_hash(
            seq=row.seq,
            at=row.at,
            kind=row.kind,
            subject=row.subject,
            actor=row.actor,
            payload=row.payload,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            return f"entry {row.seq} was modified after it was written (its hash does not match)"
        return None

    @staticmethod
    def _lock_head(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(_POSTGRES_APPEND_LOCK, {"key": _APPEND_LOCK_KEY})
        else:
            connection.execute(_SQLITE_WRITE_LOCK)

"""The append-only, hash-chained audit log.

Each entry stores the hash of the one before it and its own hash over every field (sequence number,
time, kind, subject, actor, payload and previous hash) as canonical JSON. `AuditLog.verify` re-walks
the chain and reports the first entry that was changed, removed or moved.

What the chain cannot prove on its own: that nothing was cut off its newest end, or that an entry was
not edited and every later hash recomputed. Signed checkpoints of the head (`supervision._anchor`, with
a key kept outside the database) and heads recorded elsewhere (`ExpectedHead`) close that gap:
`verify_anchored` checks both.

Walking the chain is O(n): 2.5 s for 100,000 entries on SQLite (SHA-256 and canonical JSON of each;
`benchmarks/audit_page.py`). A page that shows the chain's state uses `chain_status`, which walks in
full at most once per `max_age` and otherwise only checks what was appended since, linked to the head it
verified.

Payloads hold ids, decisions and figures only, never personal data (names, addresses, free text
about a customer), so a customer's erasure never has to touch, and so never breaks, the chain.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, insert, text
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from core import Clock, JsonObject
from supervision._anchor import AuditAnchor, CheckpointSchedule, CheckpointSigner
from supervision._errors import SupervisionError
from supervision._tables import AUDIT, AuditRow
from supervision._views import (
    AnchoredVerification,
    AuditChainStatus,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditPage,
    AuditVerification,
    ExpectedHead,
)

SubjectMatch = Literal["exact", "prefix"]
"""How `AuditLog.search` matches the subject: the whole id, or its beginning (``credit/`` finds every
autonomy change of the credit agent)."""

MAX_SEARCH_PAGE = 1000
CHAIN_STATUS_MAX_AGE = timedelta(minutes=10)
"""How long `AuditLog.chain_status` trusts its last full walk before walking again."""

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
    """Appends to and verifies the audit chain stored in `engine`.

    With a `signer`, appends write signed checkpoints of the head on `schedule` (see `supervision._anchor`);
    checkpoints verify against the signer's public key and `trusted_keys` (hex; retired keys, or the keys of
    a verifier that does not sign).
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        signer: CheckpointSigner | None = None,
        schedule: CheckpointSchedule | None = None,
        trusted_keys: Collection[str] = (),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._anchor = AuditAnchor(engine, clock, signer, schedule or CheckpointSchedule(), trusted_keys)
        self._status: AuditChainStatus | None = None
        self._status_lock = threading.Lock()

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
        return self._append(connection, drafts)

    def append_after_write(self, connection: Connection, drafts: Sequence[AuditDraft]) -> list[AuditEntry]:
        """`append_all` in a Core transaction that has already written the change the entries record.

        On SQLite that write holds the database's write lock until the commit, so the head read next is
        the newest and no lock statement is needed; PostgreSQL takes its advisory lock as always.
        """
        if not drafts:
            return []
        if connection.dialect.name == "postgresql":
            self._lock_head(connection)
        elif not getattr(connection.connection.dbapi_connection, "in_transaction", False):
            # sqlite3 opens a transaction only at a transaction's first write: without one, no lock is held.
            raise SupervisionError("append_after_write needs a transaction that has already written")
        return self._append(connection, drafts)

    def _append(self, connection: Connection, drafts: Sequence[AuditDraft]) -> list[AuditEntry]:
        """Read the head and insert the entries after it; the caller holds the append lock."""
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
        self._anchor.appended(connection, entries[0].seq, AuditHead(seq=entries[-1].seq, hash=entries[-1].hash))
        return entries

    def checkpoint(self) -> AuditCheckpoint:
        """Sign the chain's head now and store the checkpoint; print it to keep the head elsewhere too."""
        with self._engine.begin() as connection:
            head = connection.execute(_HEAD).first()
            if head is None:
                raise SupervisionError("the audit chain is empty: there is no head to checkpoint yet")
            return self._anchor.write(connection, head.seq, head.hash)

    def checkpoint_if_pending(self) -> AuditCheckpoint | None:
        """A checkpoint of the head when this log appended entries since its last checkpoint and the head is
        not anchored yet (by another process); None otherwise, or when the log has no signer.

        Call it where a process finishes a unit of work (Steward does when it closes): what it appended is
        then anchored at once, and a process that only read writes and queries nothing.
        """
        if not self._anchor.pending:
            return None
        with self._engine.begin() as connection:
            head = connection.execute(_HEAD).first()
            newest = self._anchor.newest_seq(connection)
            if head is None or (newest is not None and newest >= head.seq):
                self._anchor.settle()
                return None
            return self._anchor.write(connection, head.seq, head.hash)

    def checkpoints(self) -> list[AuditCheckpoint]:
        """Every stored checkpoint, oldest entry first."""
        return self._anchor.checkpoints()

    def verify_anchored(self, expected: Sequence[ExpectedHead] = ()) -> AnchoredVerification:
        """`verify`, then every checkpoint and every head recorded elsewhere checked against the chain.

        A checkpoint holds when a trusted key signed it, its signature matches its fields, and entry `seq`
        still has the signed hash; so the chain up to the newest checkpoint can be neither cut nor
        recomputed unseen. An expected head holds when the chain still has that entry (see `ExpectedHead`).
        """
        chain = self.verify()
        with self._engine.connect() as connection:
            row = connection.execute(_HEAD).first()
            head = None if row is None else AuditHead(seq=row.seq, hash=row.hash)
            found, missing = self._find(connection, expected, head)
        count, newest, problems = self._anchor.check(0 if head is None else head.seq)
        return AnchoredVerification(
            chain=chain,
            head=head,
            checkpoints=count,
            newest_checkpoint=newest,
            expected_heads=found,
            problems=problems + missing,
        )

    @staticmethod
    def _find(
        connection: Connection, expected: Sequence[ExpectedHead], head: AuditHead | None
    ) -> tuple[list[AuditHead], list[str]]:
        """The expected heads the chain holds, and a sentence for each it does not."""
        ends = f"the chain ends at entry {head.seq}" if head else "the chain is empty"
        found: list[AuditHead] = []
        missing: list[str] = []
        for wanted in expected:
            if wanted.seq is None:
                seq = connection.execute(core_select(AUDIT.c.seq).where(AUDIT.c.hash == wanted.hash)).scalar()
                if seq is None:
                    missing.append(
                        f"expected head {wanted.hash} is not in the chain ({ends}): "
                        "entries were cut off or rewritten after it was recorded"
                    )
                else:
                    found.append(AuditHead(seq=seq, hash=wanted.hash))
                continue
            stored = connection.execute(core_select(AUDIT.c.hash).where(AUDIT.c.seq == wanted.seq)).scalar()
            name = f"expected head {wanted.seq}:{wanted.hash}"
            if stored == wanted.hash:
                found.append(AuditHead(seq=wanted.seq, hash=wanted.hash))
            elif stored is not None:
                missing.append(
                    f"{name}: entry {wanted.seq} has hash {stored[:16]}… instead, "
                    "so the chain was rewritten up to there and its hashes recomputed"
                )
            elif head is None or wanted.seq > head.seq:
                missing.append(f"{name}: {ends}, so entries were cut off its end")
            else:
                missing.append(f"{name}: entry {wanted.seq} is missing")
        return found, missing

    def entries(self, subject: str | None = None) -> list[AuditEntry]:
        """Every entry in chain order, or only those about `subject` (a proposal id, an agent action)."""
        with Session(self._engine) as session:
            statement = select(AuditRow).order_by(col(AuditRow.seq))
            if subject is not None:
                statement = statement.where(col(AuditRow.subject) == subject)
            return [_view(row) for row in session.exec(statement)]

    def search(
        self,
        *,
        kind: str | None = None,
        actor: str | None = None,
        subject: str | None = None,
        subject_match: SubjectMatch = "exact",
        since: datetime | None = None,
        until: datetime | None = None,
        before_seq: int | None = None,
        after_seq: int | None = None,
        limit: int = 100,
    ) -> AuditPage:
        """Entries matching every filter given, newest first, a page of at most `limit` at a time.

        `since` is inclusive and `until` exclusive. Keyset pages on `seq`: `before_seq` gives the page
        just older than that entry, `after_seq` the page just newer (still shown newest first); the
        page's `older_than` and `newer_than` are what to pass for its neighbours.
        """
        limit = max(1, min(limit, MAX_SEARCH_PAGE))
        conditions = self._search_filters(kind, actor, subject, subject_match, since, until)
        seq = AUDIT.c.seq
        statement = core_select(AUDIT).where(*conditions)
        if before_seq is not None:
            statement = statement.where(seq < before_seq)
        if after_seq is not None:
            statement = statement.where(seq > after_seq)
        # Walking up from `after_seq` reads the entries just above it; otherwise, down from the top.
        upward = after_seq is not None
        statement = statement.order_by(seq if upward else seq.desc()).limit(limit + 1)
        with self._engine.connect() as connection:
            found = connection.execute(statement).all()
            more = len(found) > limit
            rows = list(found[:limit])
            if upward:
                rows.reverse()
            entries = [AuditEntry.model_validate(row._mapping) for row in rows]
            if not entries:
                return AuditPage(entries=[], older_than=None, newer_than=None)
            newest, oldest = entries[0].seq, entries[-1].seq
            has_newer = more if upward else self._any(connection, conditions, seq > newest)
            has_older = self._any(connection, conditions, seq < oldest) if upward else more
        return AuditPage(
            entries=entries, older_than=oldest if has_older else None, newer_than=newest if has_newer else None
        )

    def _search_filters(
        self,
        kind: str | None,
        actor: str | None,
        subject: str | None,
        subject_match: SubjectMatch,
        since: datetime | None,
        until: datetime | None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if kind is not None:
            conditions.append(AUDIT.c.kind == kind)
        if actor is not None:
            conditions.append(AUDIT.c.actor == actor)
        if subject is not None:
            conditions += _subject_conditions(subject, subject_match, self._engine.dialect.name)
        if since is not None:
            conditions.append(AUDIT.c.at >= since)
        if until is not None:
            conditions.append(AUDIT.c.at < until)
        return conditions

    @staticmethod
    def _any(connection: Connection, conditions: Sequence[ColumnElement[bool]], beyond: ColumnElement[bool]) -> bool:
        return connection.execute(core_select(AUDIT.c.seq).where(*conditions, beyond).limit(1)).first() is not None

    def verify(self) -> AuditVerification:
        """Re-walk the chain from seq 1 and report the first entry that does not hold up."""
        return self._walk(AuditVerification(ok=True, count=0))

    def chain_status(self, *, max_age: timedelta = CHAIN_STATUS_MAX_AGE) -> AuditChainStatus:
        """The chain's verification for a page view: one full walk per `max_age`, cheap checks between.

        A full walk on every view would cost O(n) each time (2.5 s with 100,000 entries). So the last
        full walk's result is kept, and within `max_age` a call only re-reads the head that walk
        ended on (its hash must be unchanged, or a rewrite or truncation is reported) and checks the
        entries appended since, each linked to the one before. A change deep inside the verified part
        shows at the next full walk, at most `max_age` later; `steward audit verify` walks in full at any
        time. A broken chain is reported as found until the next full walk. The full walk also checks the
        signed checkpoints (`verify_anchored`).
        """
        with self._status_lock:
            now = self._clock.now()
            cached = self._status
            if cached is None or now - cached.walked_at >= max_age:
                full = self.verify_anchored()
                status = AuditChainStatus(
                    verification=full.chain,
                    walked_at=now,
                    checked_at=now,
                    checkpoints=full.checkpoints,
                    checkpoint_problems=full.problems,
                )
            elif not cached.ok:
                return cached
            else:
                extended = self._extend(cached.verification)
                status = cached.model_copy(update={"verification": extended, "checked_at": now})
            self._status = status
            return status

    def _extend(self, known: AuditVerification) -> AuditVerification:
        """`known` (a good chain of `known.count` entries) extended by what was appended since."""
        if known.count:
            with self._engine.connect() as connection:
                head = connection.execute(core_select(AUDIT.c.hash).where(AUDIT.c.seq == known.count)).first()
            if head is None or head.hash != known.head_hash:
                return AuditVerification(
                    ok=False,
                    count=known.count,
                    first_bad_seq=known.count,
                    reason=f"entry {known.count} was changed or removed after the chain was verified",
                )
        return self._walk(known)

    def _walk(self, known: AuditVerification) -> AuditVerification:
        """Check the entries after `known`, a good chain of `known.count` entries ending in its head hash."""
        count = known.count
        expected_seq = count + 1
        prev_hash = known.head_hash or GENESIS_HASH
        last_seq: int | None = count or None
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


def _subject_conditions(subject: str, match: SubjectMatch, dialect: str) -> list[ColumnElement[bool]]:
    """The subject filter. A prefix is a range on SQLite, whose binary collation orders by code point, so
    the subject index serves it (its LIKE ignores ASCII case and would read every entry); PostgreSQL's
    collation may not order that way, so there it is LIKE (prefix escaped)."""
    column = AUDIT.c.subject
    if match == "exact":
        return [column == subject]
    if dialect != "sqlite":
        return [column.startswith(subject, autoescape=True)]
    if not subject:
        return []
    last = ord(subject[-1])
    if last == 0x10FFFF:
        return [column >= subject, column.startswith(subject, autoescape=True)]
    return [column >= subject, column < subject[:-1] + chr(last + 1)]

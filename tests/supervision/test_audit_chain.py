"""The hash-chained audit log: appends, verification, tampering, concurrency, on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core import FixedClock
from steward import create_schema, make_engine
from supervision import AuditDraft, AuditLog, SupervisionError
from supervision._audit import GENESIS_HASH, entry_hash
from supervision._tables import AuditRow
from tests.supervision.supervision_helpers import START, RacingClock


def write(audit: AuditLog, engine: Engine, count: int, clock: FixedClock | None = None) -> None:
    for index in range(count):
        with Session(engine) as session:
            audit.append(
                session,
                kind="test.event",
                subject=f"s-{index % 3}",
                actor="tester",
                payload={"index": index, "amount": index * 1.5, "tags": ["a", "b"], "ok": index % 2 == 0},
            )
            session.commit()
        if clock is not None:
            clock.advance(timedelta(seconds=1, microseconds=7))


def tamper(engine: Engine, *statements: str, **params: Any) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def test_append_links_entries(audit: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(audit, engine, 3, clock)
    entries = audit.entries()

    assert [entry.seq for entry in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert [entry.prev_hash for entry in entries[1:]] == [entry.hash for entry in entries[:-1]]
    assert entries[0].at == START and entries[0].at.tzinfo is not None
    assert entries[1].payload == {"index": 1, "amount": 1.5, "tags": ["a", "b"], "ok": False}
    first = entries[0]
    assert first.hash == entry_hash(
        seq=1,
        at=first.at,
        kind=first.kind,
        subject=first.subject,
        actor=first.actor,
        payload=first.payload,
        prev_hash=GENESIS_HASH,
    )
    assert [entry.seq for entry in audit.entries("s-1")] == [2]
    assert audit.verify().model_dump() == {
        "ok": True,
        "count": 3,
        "first_bad_seq": None,
        "reason": None,
        "head_hash": entries[-1].hash,
    }


def test_empty_chain_verifies(audit: AuditLog) -> None:
    assert audit.verify().model_dump() == {
        "ok": True,
        "count": 0,
        "first_bad_seq": None,
        "reason": None,
        "head_hash": None,
    }


def test_an_entry_rolls_back_with_its_transaction(audit: AuditLog, engine: Engine) -> None:
    with Session(engine) as session:
        audit.append(session, kind="k", subject="s", actor="a", payload={})
        session.rollback()
    write(audit, engine, 1)
    assert [entry.seq for entry in audit.entries()] == [1]
    assert audit.verify().ok


def test_append_all_chains_entries_in_order_in_the_callers_transaction(audit: AuditLog, engine: Engine) -> None:
    write(audit, engine, 1)
    drafts = [AuditDraft(kind="k", subject="s", actor="a", payload={"i": i}) for i in range(3)]
    with Session(engine) as session:
        assert audit.append_all(session, []) == []
        audit.append_all(session, drafts)
        session.rollback()
    with Session(engine) as session:
        appended = audit.append_all(session, drafts)
        session.commit()

    assert appended == audit.entries("s")
    assert [(entry.seq, entry.payload) for entry in appended] == [(2, {"i": 0}), (3, {"i": 1}), (4, {"i": 2})]
    result = audit.verify()
    assert (result.ok, result.count) == (True, 4)


def test_modified_payload_is_detected(audit: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(audit, engine, 5, clock)
    tamper(engine, "UPDATE supervision_audit SET payload = :payload WHERE seq = 3", payload='{"index": 99}')

    result = audit.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert result.reason is not None and "modified" in result.reason


def test_modified_actor_is_detected(audit: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(audit, engine, 5, clock)
    tamper(engine, "UPDATE supervision_audit SET actor = 'mallory' WHERE seq = 4")
    assert audit.verify().first_bad_seq == 4


def test_deleted_entry_is_detected(audit: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(audit, engine, 5, clock)
    tamper(engine, "DELETE FROM supervision_audit WHERE seq = 2")

    result = audit.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.reason is not None and "missing" in result.reason


def test_deleted_and_renumbered_entry_is_detected(audit: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(audit, engine, 5, clock)
    tamper(
        engine,
        "DELETE FROM supervision_audit WHERE seq = 2",
        "UPDATE supervision_audit SET seq = 2 WHERE seq = 3",
        "UPDATE supervision_audit SET seq = 3 WHERE seq = 4",
        "UPDATE supervision_audit SET seq = 4 WHERE seq = 5",
    )
    assert audit.verify().first_bad_seq == 2


def test_swapped_entries_are_detected(audit: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(audit, engine, 5, clock)
    tamper(
        engine,
        "UPDATE supervision_audit SET seq = -1 WHERE seq = 3",
        "UPDATE supervision_audit SET seq = 3 WHERE seq = 4",
        "UPDATE supervision_audit SET seq = 4 WHERE seq = -1",
    )

    result = audit.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_truncated_head_is_not_detectable_without_an_anchor(
    audit: AuditLog, engine: Engine, clock: RacingClock
) -> None:
    """Documented limit: cutting the newest entries leaves a valid chain; compare `head_hash` instead."""
    write(audit, engine, 5, clock)
    anchor = audit.verify().head_hash
    tamper(engine, "DELETE FROM supervision_audit WHERE seq = 5")

    result = audit.verify()
    assert result.ok and result.count == 4
    assert result.head_hash != anchor


def test_concurrent_appends_never_fork_the_chain(audit: AuditLog, engine: Engine) -> None:
    per_thread = 15
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def appender(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            for index in range(per_thread):
                with Session(engine) as session:
                    audit.append(session, kind="race", subject=name, actor=name, payload={"i": index})
                    session.commit()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=appender, args=(f"t{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    result = audit.verify()
    assert (result.ok, result.count) == (True, 3 * per_thread)
    assert [entry.seq for entry in audit.entries()] == list(range(1, 3 * per_thread + 1))


def test_an_append_after_a_write_links_to_the_chain_and_needs_that_write_on_sqlite(
    audit: AuditLog, engine: Engine
) -> None:
    write(audit, engine, 2)
    draft = AuditDraft(kind="test.after_write", subject="s-x", actor="tester", payload={"ok": True})
    with engine.begin() as connection:
        connection.execute(text("UPDATE supervision_audit SET actor = actor WHERE seq = 1"))  # the change recorded
        (entry,) = audit.append_after_write(connection, [draft])
    assert (entry.seq, entry.prev_hash) == (3, audit.entries()[1].hash)
    assert audit.verify().ok
    if engine.dialect.name == "sqlite":
        # A transaction that has not written holds no lock: appending there could fork the chain.
        with engine.begin() as connection, pytest.raises(SupervisionError, match="already written"):
            audit.append_after_write(connection, [draft])
    else:  # PostgreSQL takes its advisory lock in any transaction
        with engine.begin() as connection:
            audit.append_after_write(connection, [draft])
    assert audit.verify().ok


# -- property: any single change to any entry is detected (SQLite only: each example hits the DB) --

FIELDS = ("seq", "at", "kind", "subject", "actor", "payload", "prev_hash", "hash")
CHAIN_LENGTH = 6

json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8)
payloads = st.dictionaries(st.text(max_size=6), json_scalars | st.lists(json_scalars, max_size=3), max_size=4)


def _new_value(field: str, original: Any, data: st.DataObject) -> Any:
    match field:
        case "seq":
            return data.draw(
                st.integers(-5, CHAIN_LENGTH + 5).filter(lambda v: not 1 <= v <= CHAIN_LENGTH), label="seq"
            )
        case "at":
            return data.draw(
                st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
                label="at",
            )
        case "payload":
            return data.draw(payloads, label="payload")
        case _:
            return data.draw(st.text(max_size=70), label=field)


@pytest.fixture
def sqlite_chain(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'chain.sqlite'}")
    create_schema(engine)
    audit = AuditLog(engine, FixedClock(START))
    write(audit, engine, CHAIN_LENGTH)
    yield engine, audit
    engine.dispose()


def test_any_single_modification_is_detected(sqlite_chain: tuple[Engine, AuditLog]) -> None:
    engine, audit = sqlite_chain
    originals = {entry.seq: entry for entry in audit.entries()}
    assert audit.verify().ok

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seq=st.integers(1, CHAIN_LENGTH), field=st.sampled_from(FIELDS), data=st.data())
    def check(seq: int, field: str, data: st.DataObject) -> None:
        original = getattr(originals[seq], field)
        value = _new_value(field, original, data)
        assume(value != original)
        with Session(engine) as session:
            session.exec(update(AuditRow).where(col(AuditRow.seq) == seq).values({field: value}))
            session.commit()
        try:
            result = audit.verify()
            assert not result.ok
            assert result.first_bad_seq is not None and result.first_bad_seq <= seq
        finally:
            where = value if field == "seq" else seq
            with Session(engine) as session:
                session.exec(update(AuditRow).where(col(AuditRow.seq) == where).values({field: original}))
                session.commit()
        assert audit.verify().ok

    check()


def test_deleting_any_entry_but_the_newest_is_detected(sqlite_chain: tuple[Engine, AuditLog]) -> None:
    engine, audit = sqlite_chain
    for seq in range(1, CHAIN_LENGTH):
        with engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM supervision_audit WHERE seq = :s"), {"s": seq}).mappings().one()
        saved = dict(row)
        tamper(engine, "DELETE FROM supervision_audit WHERE seq = :s", s=seq)
        assert audit.verify().first_bad_seq == seq
        columns = ", ".join(saved)
        tamper(
            engine,
            f"INSERT INTO supervision_audit ({columns}) VALUES ({', '.join(':' + c for c in saved)})",
            **saved,
        )
        assert audit.verify().ok

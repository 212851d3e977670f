"""Signed checkpoints anchor the audit chain: a cut tail, a recomputed chain and a forged checkpoint are seen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import ConfigurationError, FixedClock
from steward import create_schema, make_engine
from supervision import (
    AuditDraft,
    AuditLog,
    CheckpointSchedule,
    Ed25519Signer,
    ExpectedHead,
    SupervisionError,
    checkpoint_message,
    signature_valid,
)
from supervision._anchor import CHECKPOINT
from supervision._audit import GENESIS_HASH, entry_hash
from supervision._tables import AUDIT
from tests.supervision.supervision_helpers import START, RacingClock
from tests.supervision.test_audit_chain import tamper, write

EVERY = 5
SIGNER = Ed25519Signer.generate()


@pytest.fixture
def anchored(engine: Engine, clock: RacingClock) -> AuditLog:
    """An audit log that checkpoints every 5 entries (and after an hour)."""
    return AuditLog(
        engine, clock, signer=SIGNER, schedule=CheckpointSchedule(entries=EVERY, interval=timedelta(hours=1))
    )


def recompute(engine: Engine, from_seq: int) -> None:
    """What someone with write access does after editing entry `from_seq`: rehash it and every later entry."""
    entries = AuditLog(engine, FixedClock(START)).entries()
    prev_hash = GENESIS_HASH
    with engine.begin() as conn:
        for entry in entries:
            if entry.seq < from_seq:
                prev_hash = entry.hash
                continue
            fields = entry.model_dump(exclude={"hash", "prev_hash"})
            digest = entry_hash(**fields, prev_hash=prev_hash)
            conn.execute(update(AUDIT).where(AUDIT.c.seq == entry.seq).values(prev_hash=prev_hash, hash=digest))
            prev_hash = digest


def test_appends_write_a_checkpoint_each_time_the_chain_crosses_a_multiple(
    anchored: AuditLog, engine: Engine, clock: RacingClock
) -> None:
    write(anchored, engine, 12, clock)

    checkpoints = anchored.checkpoints()
    assert [c.seq for c in checkpoints] == [5, 10]
    entries = {e.seq: e for e in anchored.entries()}
    for checkpoint in checkpoints:
        assert checkpoint.head_hash == entries[checkpoint.seq].hash
        assert checkpoint.public_key == SIGNER.public_key
        message = checkpoint_message(checkpoint.seq, checkpoint.head_hash, checkpoint.at)
        assert signature_valid(checkpoint.public_key, message, checkpoint.signature)
    result = anchored.verify_anchored()
    assert result.ok and result.problems == []
    assert (result.checkpoints, result.newest_checkpoint) == (2, checkpoints[-1])
    assert result.head is not None and (result.head.seq, result.head.hash) == (12, entries[12].hash)


def test_a_checkpoint_commits_or_rolls_back_with_the_entries_it_anchors(anchored: AuditLog, engine: Engine) -> None:
    write(anchored, engine, 3)
    with Session(engine) as session:
        anchored.append_all(session, [])
        for index in range(3):
            anchored.append(session, kind="k", subject="s", actor="a", payload={"i": index})
        session.rollback()
    assert anchored.checkpoints() == []

    drafts = [AuditDraft(kind="k", subject="s", actor="a", payload={"i": index}) for index in range(3)]
    with Session(engine) as session:
        anchored.append_all(session, drafts)
        session.commit()
    assert [c.seq for c in anchored.checkpoints()] == [6]  # 4..6 crossed 5: the newest of them is signed


def test_the_first_append_after_the_interval_writes_a_checkpoint(engine: Engine, clock: RacingClock) -> None:
    audit = AuditLog(
        engine, clock, signer=SIGNER, schedule=CheckpointSchedule(entries=1000, interval=timedelta(minutes=10))
    )
    write(audit, engine, 2, clock)
    assert audit.checkpoints() == []
    clock.advance(timedelta(minutes=10))
    write(audit, engine, 2, clock)
    assert [c.seq for c in audit.checkpoints()] == [3]


def test_a_log_without_a_signer_writes_no_checkpoints(audit: AuditLog, engine: Engine) -> None:
    write(audit, engine, 12)
    assert audit.checkpoints() == []
    assert audit.checkpoint_if_pending() is None
    with pytest.raises(ConfigurationError, match="no signing key"):
        audit.checkpoint()


def test_checkpoint_on_demand_signs_the_head(anchored: AuditLog, engine: Engine) -> None:
    with pytest.raises(SupervisionError, match="empty"):
        anchored.checkpoint()
    write(anchored, engine, 3)
    checkpoint = anchored.checkpoint()
    assert (checkpoint.seq, checkpoint.head_hash) == (3, anchored.entries()[-1].hash)
    assert anchored.checkpoints() == [checkpoint]
    assert str(checkpoint.head) == f"3:{checkpoint.head_hash}"


def test_checkpoint_if_pending_anchors_only_what_this_log_appended(
    anchored: AuditLog, engine: Engine, clock: RacingClock
) -> None:
    assert anchored.checkpoint_if_pending() is None  # nothing appended: nothing to do

    write(anchored, engine, 3)
    pending = anchored.checkpoint_if_pending()
    assert pending is not None and pending.seq == 3
    assert anchored.checkpoint_if_pending() is None

    other_process = AuditLog(engine, clock, signer=SIGNER)
    write(other_process, engine, 1)
    write(anchored, engine, 1)
    assert [c.seq for c in anchored.checkpoints()] == [3, 5]  # 5 crossed the boundary: anchored on append
    assert other_process.checkpoint_if_pending() is None  # the head is anchored already


def test_a_cut_tail_below_the_newest_checkpoint_is_detected(anchored: AuditLog, engine: Engine) -> None:
    write(anchored, engine, 12)
    tamper(engine, "DELETE FROM supervision_audit WHERE seq > 7")

    assert anchored.verify().ok  # the chain alone: a shorter, valid chain
    result = anchored.verify_anchored()
    assert result.chain.ok and not result.ok
    assert result.head is not None and result.head.seq == 7
    assert len(result.problems) == 1
    assert "anchors entry 10, but the chain ends at entry 7: entries were cut off its end" in result.problems[0]


def test_an_edited_entry_with_every_later_hash_recomputed_is_detected(anchored: AuditLog, engine: Engine) -> None:
    write(anchored, engine, 12)
    tamper(engine, "UPDATE supervision_audit SET actor = 'mallory' WHERE seq = 3")
    recompute(engine, 3)

    assert anchored.verify().ok  # the chain alone holds up after the recomputation
    result = anchored.verify_anchored()
    assert not result.ok
    assert [p.split(" is not the one ")[0] for p in result.problems] == ["entry 5", "entry 10"]
    assert all("rewritten" in problem and "recomputed" in problem for problem in result.problems)


def test_a_removed_anchored_entry_is_named(anchored: AuditLog, engine: Engine) -> None:
    write(anchored, engine, 7)
    tamper(engine, "DELETE FROM supervision_audit WHERE seq = 5")
    result = anchored.verify_anchored()
    assert (result.chain.ok, result.chain.first_bad_seq) == (False, 5)
    assert len(result.problems) == 1 and "anchors entry 5, which is missing" in result.problems[0]


def test_a_checkpoint_signed_by_another_key_is_forged(anchored: AuditLog, engine: Engine) -> None:
    write(anchored, engine, 12)
    tamper(engine, "UPDATE supervision_audit SET actor = 'mallory' WHERE seq = 2")
    recompute(engine, 2)
    # The forger re-signs every checkpoint for the rewritten chain with a key of their own.
    forger = Ed25519Signer.generate()
    entries = {e.seq: e for e in anchored.entries()}
    tamper(engine, "DELETE FROM supervision_audit_checkpoint")
    with engine.begin() as conn:
        for seq in (5, 10):
            signature = forger.sign(checkpoint_message(seq, entries[seq].hash, START))
            conn.execute(
                insert(CHECKPOINT).values(
                    seq=seq, head_hash=entries[seq].hash, at=START, public_key=forger.public_key, signature=signature
                )
            )

    result = anchored.verify_anchored()
    assert result.chain.ok and result.checkpoints == 2 and not result.ok
    assert len(result.problems) == 2
    assert all("which this installation does not trust: it is forged" in p for p in result.problems)


@pytest.mark.parametrize(
    ("column", "value"),
    [("head_hash", "ab" * 32), ("seq", 4), ("at", START + timedelta(days=1)), ("signature", "00" * 64)],
)
def test_an_edited_checkpoint_no_longer_matches_its_signature(
    anchored: AuditLog, engine: Engine, column: str, value: object
) -> None:
    write(anchored, engine, 7)
    with engine.begin() as conn:
        conn.execute(update(CHECKPOINT).values({column: value}))
    result = anchored.verify_anchored()
    assert not result.ok
    assert len(result.problems) == 1 and "does not match its signature" in result.problems[0]


def test_a_verifier_trusts_the_keys_it_is_given(anchored: AuditLog, engine: Engine, clock: RacingClock) -> None:
    write(anchored, engine, 5)
    stranger = AuditLog(engine, clock, signer=Ed25519Signer.generate())
    assert "does not trust" in stranger.verify_anchored().problems[0]

    rotated = AuditLog(engine, clock, signer=Ed25519Signer.generate(), trusted_keys=[SIGNER.public_key.upper()])
    verifier = AuditLog(engine, clock, trusted_keys=[SIGNER.public_key])
    assert rotated.verify_anchored().ok
    assert verifier.verify_anchored().ok


def test_an_expected_head_catches_a_cut_or_a_rewrite_after_the_newest_checkpoint(
    anchored: AuditLog, engine: Engine
) -> None:
    write(anchored, engine, 13)
    kept = anchored.entries()[-1]  # entry 13, after the newest checkpoint (10): recorded elsewhere
    eleven = anchored.entries()[10]
    by_place = ExpectedHead(seq=13, hash=kept.hash)
    by_hash = ExpectedHead(hash=kept.hash)
    earlier = ExpectedHead(hash=anchored.entries()[5].hash)

    holds = anchored.verify_anchored([by_place, by_hash, earlier])
    assert holds.ok
    assert [str(head) for head in holds.expected_heads] == [f"13:{kept.hash}", f"13:{kept.hash}", f"6:{earlier.hash}"]

    tamper(engine, "DELETE FROM supervision_audit WHERE seq > 11")
    assert anchored.verify_anchored().ok  # the checkpoints alone cannot see a cut after the newest of them
    cut = anchored.verify_anchored([by_place, by_hash, earlier])
    assert not cut.ok and [str(head) for head in cut.expected_heads] == [f"6:{earlier.hash}"]
    assert cut.problems == [
        f"expected head 13:{kept.hash}: the chain ends at entry 11, so entries were cut off its end",
        f"expected head {kept.hash} is not in the chain (the chain ends at entry 11): "
        "entries were cut off or rewritten after it was recorded",
    ]

    tamper(engine, "UPDATE supervision_audit SET subject = 'other' WHERE seq = 11")
    recompute(engine, 11)
    new_head = anchored.verify().head_hash
    assert new_head is not None and new_head != eleven.hash
    assert anchored.verify_anchored([ExpectedHead(seq=11, hash=new_head)]).ok  # consistent in itself...
    rewritten = anchored.verify_anchored([ExpectedHead(seq=11, hash=eleven.hash)])  # ...but not what was kept
    assert rewritten.problems == [
        f"expected head 11:{eleven.hash}: entry 11 has hash {new_head[:16]}… instead, "
        "so the chain was rewritten up to there and its hashes recomputed"
    ]


def test_chain_status_reports_checkpoint_problems(anchored: AuditLog, engine: Engine) -> None:
    write(anchored, engine, 12)
    status = anchored.chain_status()
    assert status.ok and status.checkpoints == 2 and status.checkpoint_problems == []

    tamper(engine, "DELETE FROM supervision_audit WHERE seq > 7")
    walked = anchored.chain_status(max_age=timedelta(0))
    assert not walked.ok and walked.verification.ok
    assert "entries were cut off its end" in walked.checkpoint_problems[0]
    assert anchored.chain_status() == walked  # a broken status stays reported until the next full walk


# -- property: any edit up to the newest checkpoint, rehashed onward, is detected (SQLite only) --


@pytest.fixture
def sqlite_anchored(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'anchored.sqlite'}")
    create_schema(engine)
    audit = AuditLog(engine, FixedClock(START), signer=SIGNER, schedule=CheckpointSchedule(entries=EVERY))
    write(audit, engine, 12)
    yield engine, audit
    engine.dispose()


def test_any_recomputed_edit_up_to_the_newest_checkpoint_is_detected(sqlite_anchored: tuple[Engine, AuditLog]) -> None:
    engine, audit = sqlite_anchored
    original = {row["seq"]: dict(row) for row in _rows(engine)}

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seq=st.integers(1, 10), actor=st.text(min_size=1, max_size=12))
    def check(seq: int, actor: str) -> None:
        try:
            tamper(engine, "UPDATE supervision_audit SET actor = :actor WHERE seq = :seq", actor=actor, seq=seq)
            recompute(engine, seq)
            if actor == original[seq]["actor"]:
                assert audit.verify_anchored().ok
            else:
                assert audit.verify().ok and not audit.verify_anchored().ok
        finally:
            for row in original.values():
                tamper(
                    engine,
                    "UPDATE supervision_audit SET actor = :actor, prev_hash = :prev_hash, hash = :hash "
                    "WHERE seq = :seq",
                    **{key: row[key] for key in ("actor", "prev_hash", "hash", "seq")},
                )
        assert audit.verify_anchored().ok

    check()


def _rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT * FROM supervision_audit ORDER BY seq")).mappings())

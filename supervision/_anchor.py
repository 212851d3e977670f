"""Signed checkpoints of the audit chain's head: what lets a verifier see a cut tail or a recomputed chain.

The chain alone proves that no entry was changed in place, but not that nothing was cut off its end, nor
that someone with write access did not edit an entry and recompute every hash after it. A checkpoint is
an Ed25519 signature over (seq, hash of that entry, time), made with a key kept outside the database:
whoever can write the tables still cannot sign. Verification re-checks each signature against the keys
the installation trusts and that entry `seq` still has the signed hash.

When checkpoints are written (`CheckpointSchedule`): in the same transaction as the entries whose
sequence numbers cross a multiple of `entries` (a boundary test in memory, no query), in the first
append at least `interval` after this process's last checkpoint, and on demand (`AuditLog.checkpoint`,
`AuditLog.checkpoint_if_pending`; Steward calls the latter when it closes).

What checkpoints in the database cannot prove: the entries after the newest checkpoint can still be cut
or rewritten unseen, and someone who deletes the newest checkpoint rows along with every entry after the
newest remaining one leaves a consistent picture. A head kept elsewhere (`ExpectedHead`) closes that gap.
Whoever holds the private key can sign anything: keep it where the database's writers cannot read it.

The signing key itself is loaded by the caller (Steward reads a key file); this module only signs and
verifies.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import BigInteger, Index, Table, func, insert, inspect
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from core import Clock, ConfigurationError
from supervision._tables import AUDIT, UtcDateTime
from supervision._views import AuditCheckpoint, AuditHead

CHECKPOINT_PURPOSE = "steward audit checkpoint v1"
"""Signed with every checkpoint, so a signature made by the same key for anything else never passes."""


class AuditCheckpointRow(SQLModel, table=True):
    """One signed checkpoint of the audit chain's head."""

    __tablename__ = "supervision_audit_checkpoint"
    __table_args__ = (Index("ix_supervision_audit_checkpoint_seq", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(sa_type=BigInteger)
    head_hash: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)
    public_key: str = Field(max_length=64)
    signature: str = Field(max_length=128)


CHECKPOINT: Table = inspect(AuditCheckpointRow).local_table  # type: ignore[assignment]


class CheckpointSigner(Protocol):
    """Signs checkpoints with an Ed25519 key that stays outside the database (a key file, a KMS, an HSM)."""

    @property
    def public_key(self) -> str:
        """The raw 32-byte Ed25519 public key, hex."""
        ...

    def sign(self, message: bytes) -> str:
        """The 64-byte Ed25519 signature of `message`, hex."""
        ...


class Ed25519Signer:
    """A `CheckpointSigner` over an Ed25519 private key held in memory."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> str:
        return self._public

    def sign(self, message: bytes) -> str:
        return self._key.sign(message).hex()


@dataclass(frozen=True)
class CheckpointSchedule:
    """When appends write a checkpoint by themselves (see the module docstring)."""

    entries: int = 100
    """A checkpoint in the transaction whose entries cross a multiple of this many."""
    interval: timedelta = timedelta(minutes=10)
    """And in the first append at least this long after this process's last checkpoint."""

    def __post_init__(self) -> None:
        if self.entries < 1 or self.interval <= timedelta(0):
            raise ValueError("a checkpoint schedule needs entries >= 1 and a positive interval")


def checkpoint_message(seq: int, head_hash: str, at: datetime) -> bytes:
    """The bytes a checkpoint signs: purpose, sequence number, hash and UTC time as canonical JSON."""
    document = {"purpose": CHECKPOINT_PURPOSE, "seq": seq, "head_hash": head_hash, "at": at.astimezone(UTC).isoformat()}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature_valid(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (hex) is the Ed25519 signature of `message` by `public_key` (hex, raw)."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), message)
    except (ValueError, InvalidSignature):
        return False
    return True


def _view(row: object) -> AuditCheckpoint:
    return AuditCheckpoint.model_validate(row, from_attributes=True)


class AuditAnchor:
    """Writes and checks the signed checkpoints of one audit chain (used through `AuditLog`)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        signer: CheckpointSigner | None,
        schedule: CheckpointSchedule,
        trusted_keys: Collection[str] = (),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._signer = signer
        self._schedule = schedule
        mine = set() if signer is None else {signer.public_key}
        self._trusted = frozenset(mine | {key.lower() for key in trusted_keys})
        self._last_at = clock.now()
        self._pending = False
        self._lock = threading.Lock()

    @property
    def pending(self) -> bool:
        """Whether entries were appended through this anchor since its last checkpoint."""
        with self._lock:
            return self._pending

    def settle(self) -> None:
        """Nothing is pending any more: the head was found anchored by another process."""
        with self._lock:
            self._pending = False

    def appended(self, connection: Connection, first_seq: int, newest: AuditHead) -> None:
        """After entries `first_seq`..`newest.seq` were inserted in `connection`'s transaction: checkpoint the
        newest in the same transaction when the schedule says so (decided in memory, no query)."""
        if self._signer is None:
            return
        every = self._schedule.entries
        crossed = newest.seq // every > (first_seq - 1) // every
        with self._lock:
            late = self._clock.now() - self._last_at >= self._schedule.interval
            self._pending = True
        if crossed or late:
            self.write(connection, newest.seq, newest.hash)

    def write(self, connection: Connection, seq: int, head_hash: str) -> AuditCheckpoint:
        """Sign entry `seq` with `head_hash` now and insert the checkpoint in `connection`'s transaction."""
        if self._signer is None:
            raise ConfigurationError("the audit log has no signing key, so it cannot write checkpoints")
        at = self._clock.now().astimezone(UTC)
        signature = self._signer.sign(checkpoint_message(seq, head_hash, at))
        values = {
            "seq": seq,
            "head_hash": head_hash,
            "at": at,
            "public_key": self._signer.public_key,
            "signature": signature,
        }
        result = connection.execute(insert(CHECKPOINT).values(values))
        with self._lock:
            self._last_at = at
            self._pending = False
        (checkpoint_id,) = result.inserted_primary_key or (0,)
        return AuditCheckpoint(id=checkpoint_id, **values)

    def newest_seq(self, connection: Connection) -> int | None:
        return connection.execute(core_select(func.max(CHECKPOINT.c.seq))).scalar()

    def checkpoints(self) -> list[AuditCheckpoint]:
        """Every checkpoint, oldest entry first."""
        statement = core_select(CHECKPOINT).order_by(CHECKPOINT.c.seq, CHECKPOINT.c.id)
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(statement)]

    def check(self, head_seq: int) -> tuple[int, AuditCheckpoint | None, list[str]]:
        """Every checkpoint against the trusted keys and the entry it anchors, in one query.

        Returns how many there are, the newest (by entry) and one sentence per problem, by entry.
        """
        statement = (
            core_select(CHECKPOINT, AUDIT.c.hash.label("entry_hash"))
            .outerjoin(AUDIT, AUDIT.c.seq == CHECKPOINT.c.seq)
            .order_by(CHECKPOINT.c.seq, CHECKPOINT.c.id)
        )
        problems: list[str] = []
        count = 0
        newest: AuditCheckpoint | None = None
        with self._engine.connect() as connection:
            for row in connection.execute(statement):
                count += 1
                checkpoint = _view(row)
                newest = checkpoint
                problem = self._problem(checkpoint, row.entry_hash, head_seq)
                if problem is not None:
                    problems.append(problem)
        return count, newest, problems

    def _problem(self, checkpoint: AuditCheckpoint, entry_hash: str | None, head_seq: int) -> str | None:
        name = f"checkpoint {checkpoint.id} (entry {checkpoint.seq}, signed {checkpoint.at.isoformat()})"
        if checkpoint.public_key not in self._trusted:
            return (
                f"{name} is signed by key {checkpoint.public_key[:16]}…, which this installation does not trust: "
                "it is forged, or was signed with a key that is no longer trusted"
            )
        message = checkpoint_message(checkpoint.seq, checkpoint.head_hash, checkpoint.at)
        if not signature_valid(checkpoint.public_key, message, checkpoint.signature):
            return f"{name} does not match its signature: the checkpoint was edited or forged"
        if entry_hash is None:
            if checkpoint.seq > head_seq:
                return (
                    f"{name} anchors entry {checkpoint.seq}, but the chain ends at entry {head_seq}: "
                    "entries were cut off its end"
                )
            return f"{name} anchors entry {checkpoint.seq}, which is missing: entries were removed"
        if entry_hash != checkpoint.head_hash:
            return (
                f"entry {checkpoint.seq} is not the one {name} signed (its hash differs): "
                "the chain was rewritten up to there and its hashes recomputed"
            )
        return None

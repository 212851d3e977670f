"""Locks shared by every process on one database, released when their holder ends, however it ends.

A crash leaves no lock behind: PostgreSQL drops a session's advisory locks when its connection goes,
and the kernel drops an `flock` when its process dies. That is what lets a lock stand for "someone
alive is doing this": a process that gets the lock knows that whoever held it before has finished or
died. SQLite installations (one host) lock files beside the database file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from sqlalchemy import text
from sqlalchemy.engine import Engine

LockKind = Literal["execution", "recovery"]
"""`execution`: one proposal's claim, action and completion; `recovery`: one recovery run at a time."""

STRIPES = 64
"""SQLite: the proposals' execution locks share this many files (two proposals may wait on each other
briefly; no file is created per proposal)."""

_KEY = text("SELECT hashtextextended(current_schema() || ':' || :name, 0)")
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


class InstallationLocks:
    """Named locks across every process that uses `engine`'s database (and every thread in them)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def hold(self, kind: LockKind, key: str = "", *, wait: bool = True) -> Iterator[bool]:
        """Hold the lock `kind`/`key` for the block; yields True once held.

        With `wait=False` it yields False at once while someone else holds it (the block then runs
        without the lock: check the value). Locks of different kinds never block each other, so a
        holder of the recovery lock may take execution locks.
        """
        if self._engine.dialect.name == "postgresql":
            with self._advisory(f"{kind}:{key}", wait) as held:
                yield held
        else:
            with self._flock(kind, key, wait) as held:
                yield held

    @contextmanager
    def _advisory(self, name: str, wait: bool) -> Iterator[bool]:
        with self._engine.connect() as connection:
            number = connection.execute(_KEY, {"name": name}).scalar_one()
            function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            held = connection.execute(text(f"SELECT {function}(:key)"), {"key": number}).scalar()
            held = True if wait else bool(held)
            # A session lock outlives the transaction: end it, so the connection is not idle in one.
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": number})
                    connection.commit()

    @contextmanager
    def _flock(self, kind: LockKind, key: str, wait: bool) -> Iterator[bool]:
        stripe = int(hashlib.sha256(key.encode()).hexdigest(), 16) % STRIPES if key else 0
        name = f"{kind}-{stripe:02d}.lock"
        database = self._engine.url.database
        if not database or database == ":memory:":
            # One process owns an in-memory database: a lock in this process is enough.
            with _local_guard:
                lock = _local_locks.setdefault(name, threading.Lock())
            held = lock.acquire(blocking=wait)
            try:
                yield held
            finally:
                if held:
                    lock.release()
            return
        folder = Path(f"{database}.locks")
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
            except BlockingIOError:
                held = False
            yield held
        finally:
            os.close(descriptor)  # closing the file releases the lock

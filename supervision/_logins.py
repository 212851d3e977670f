"""Failed logins, kept in the database so every web process (and replica) counts the same attempts.

A failure is stored under opaque keys (keyed hashes made by the web app: of the user name with the
client, and of the user name alone), never the name or address themselves; rows older than the window
are deleted as new failures come in, so the table stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col

from core import Clock
from supervision._tables import UtcDateTime


class LoginFailureRow(SQLModel, table=True):
    """One failed login attempt, under one key."""

    __tablename__ = "supervision_login_failure"
    __table_args__ = (Index("ix_supervision_login_failure_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)


@dataclass(frozen=True)
class RecentFailures:
    """The failures of one key within the window: how many, and the first and last of them."""

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None


class LoginFailures:
    """Counts recent failed logins per key over a sliding window."""

    def __init__(self, engine: Engine, clock: Clock, window: timedelta) -> None:
        self._engine = engine
        self._clock = clock
        self._window = window

    def recent(self, keys: Sequence[str]) -> dict[str, RecentFailures]:
        """The failures of each key within the window, in one query (a key without any maps to zero)."""
        since = self._clock.now() - self._window
        at = col(LoginFailureRow.at)
        statement = (
            select(col(LoginFailureRow.key), func.count(), func.min(at), func.max(at))
            .where(col(LoginFailureRow.key).in_(keys), at > since)
            .group_by(col(LoginFailureRow.key))
        )
        with self._engine.connect() as connection:
            found = {
                key: RecentFailures(int(count), first, last)
                for key, count, first, last in connection.execute(statement)
            }
        return {key: found.get(key, RecentFailures()) for key in keys}

    def record(self, keys: Sequence[str]) -> None:
        """One failure under each key, now (and prune what left the window)."""
        now = self._clock.now()
        with Session(self._engine) as session:
            session.exec(delete(LoginFailureRow).where(col(LoginFailureRow.at) <= now - self._window))
            session.add_all(LoginFailureRow(key=key, at=now) for key in keys)
            session.commit()

    def clear(self, key: str) -> None:
        with Session(self._engine) as session:
            session.exec(delete(LoginFailureRow).where(col(LoginFailureRow.key) == key))
            session.commit()

"""Failed logins, kept in the database so every web process (and replica) counts the same attempts.

A failure is stored under an opaque key (a keyed hash of the user name and client address, made by
the web app), never the name or address themselves; rows older than the window are deleted as new
failures come in, so the table stays small.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col

from core import Clock
from supervision._tables import UtcDateTime


class LoginFailureRow(SQLModel, table=True):
    """One failed login attempt for a (user name, address) key."""

    __tablename__ = "supervision_login_failure"
    __table_args__ = (Index("ix_supervision_login_failure_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)


class LoginFailures:
    """Counts recent failed logins per key over a sliding window."""

    def __init__(self, engine: Engine, clock: Clock, window: timedelta) -> None:
        self._engine = engine
        self._clock = clock
        self._window = window

    def recent(self, key: str) -> tuple[int, datetime | None]:
        """The failures within the window and the oldest of them (None when there are none)."""
        since = self._clock.now() - self._window
        statement = select(func.count(), func.min(col(LoginFailureRow.at))).where(
            col(LoginFailureRow.key) == key, col(LoginFailureRow.at) > since
        )
        with self._engine.connect() as connection:
            count, oldest = connection.execute(statement).one()
        return int(count), oldest

    def retry_after(self, key: str, allowed: int) -> timedelta | None:
        """How long until `key` may try again after `allowed` failures in the window; None: it may now."""
        count, oldest = self.recent(key)
        if count < allowed or oldest is None:
            return None
        return max(oldest + self._window - self._clock.now(), timedelta(seconds=1))

    def record(self, key: str) -> None:
        now = self._clock.now()
        with Session(self._engine) as session:
            session.exec(delete(LoginFailureRow).where(col(LoginFailureRow.at) <= now - self._window))
            session.add(LoginFailureRow(key=key, at=now))
            session.commit()

    def clear(self, key: str) -> None:
        with Session(self._engine) as session:
            session.exec(delete(LoginFailureRow).where(col(LoginFailureRow.key) == key))
            session.commit()

"""Web sessions kept on the server, so logging out, a password change or disabling a user ends them at once.

The browser holds a random session token (inside the signed session cookie); the table keeps only its
SHA-256, beside the user, when the session started, was last seen and expires, and when it was revoked.
Every request finds its row by that hash (the primary key), joined to the user's roles: one query.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col

from core import Clock
from policies import Reviewer
from supervision._tables import UserRow, UtcDateTime

SEEN_EVERY = timedelta(minutes=1)
"""`last_seen_at` is written at most this often per session, so reading a page rarely writes."""


class WebSessionRow(SQLModel, table=True):
    """One logged-in browser: the hash of its session token, whose it is and how long it lasts."""

    __tablename__ = "supervision_web_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="supervision_user.id", index=True, max_length=200)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (nothing to brute-force), and it can be looked up.
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_sessions(session: Session, user_id: str, now: datetime) -> None:
    """End every live session of the user, inside the caller's transaction (a password or role change)."""
    session.exec(
        update(WebSessionRow)
        .where(col(WebSessionRow.user_id) == user_id, col(WebSessionRow.revoked_at).is_(None))
        .values(revoked_at=now)
    )


class WebSessions:
    """Starts, checks and ends web sessions; a session lasts `lifetime` from login, unless revoked first."""

    def __init__(self, engine: Engine, clock: Clock, lifetime: timedelta) -> None:
        self._engine = engine
        self._clock = clock
        self._lifetime = lifetime

    def start(self, user_id: str) -> str:
        """A new session for the user; returns its token (only the hash is stored). Prunes expired sessions."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        with Session(self._engine) as session:
            session.exec(delete(WebSessionRow).where(col(WebSessionRow.expires_at) <= now))
            session.add(
                WebSessionRow(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self._lifetime,
                )
            )
            session.commit()
        return token

    def reviewer(self, token: str) -> Reviewer | None:
        """Who the session belongs to, with their current roles; None when it ended, expired or the user is disabled."""
        wanted = token_hash(token)
        now = self._clock.now()
        statement = (
            select(col(WebSessionRow.user_id), col(WebSessionRow.last_seen_at), col(UserRow.roles))
            .join(UserRow, col(UserRow.id) == col(WebSessionRow.user_id))
            .where(
                col(WebSessionRow.token_hash) == wanted,
                col(WebSessionRow.revoked_at).is_(None),
                col(WebSessionRow.expires_at) > now,
                col(UserRow.disabled_at).is_(None),
            )
        )
        with self._engine.connect() as connection:
            found = connection.execute(statement).first()
            if found is None:
                return None
            user_id, last_seen, roles = found
            if last_seen <= now - SEEN_EVERY:
                connection.execute(
                    update(WebSessionRow).where(col(WebSessionRow.token_hash) == wanted).values(last_seen_at=now)
                )
                connection.commit()
        return Reviewer(id=user_id, roles=frozenset(roles))

    def end(self, token: str) -> None:
        """Log this session out (idempotent)."""
        with Session(self._engine) as session:
            session.exec(
                update(WebSessionRow)
                .where(col(WebSessionRow.token_hash) == token_hash(token), col(WebSessionRow.revoked_at).is_(None))
                .values(revoked_at=self._clock.now())
            )
            session.commit()

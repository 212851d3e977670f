"""The people who review proposals: their roles, their passwords (argon2) and their API tokens.

A password change, a role taken away or disabling the user ends every web session of theirs at once
(`supervision.WebSessions`); disabling also revokes their API tokens.
"""

from __future__ import annotations

import builtins
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from core import Clock, NotFound, SystemClock
from policies import Reviewer
from supervision._errors import UserDisabled, WeakPassword
from supervision._sessions import revoke_sessions
from supervision._sessions import token_hash as _token_hash
from supervision._tables import ApiTokenRow, UserRow
from supervision._views import ApiTokenView, UserView

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "stw_"
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=1)
"""A token's `last_used_at` is written at most this often, so API calls rarely write."""


class UserDirectory:
    """Reviewers by id; the approval UI and CLI turn a logged-in user or an API token into a `Reviewer` here.

    Passwords are kept only as argon2id hashes; API tokens only as SHA-256 hashes, shown once when issued.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None, hasher: PasswordHasher | None = None) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None

    def add(self, user_id: str, *, name: str, roles: Iterable[str]) -> Reviewer:
        """Create or update a user (idempotent: the same call twice leaves one user; a password stays).

        Taking a role away ends the user's web sessions. A disabled user stays disabled (`enable`).
        """
        role_list = sorted(set(roles))
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                session.add(UserRow(id=user_id, name=name, roles=role_list))
            else:
                if not set(row.roles) <= set(role_list):
                    revoke_sessions(session, user_id, self._clock.now())
                row.name = name
                row.roles = role_list
                session.add(row)
            session.commit()
        return Reviewer(id=user_id, roles=frozenset(role_list))

    def get(self, user_id: str) -> Reviewer:
        """The reviewer with this id, who may act: `NotFound` if there is none, `UserDisabled` if disabled.

        Every decision, sign-off and policy change names its actor through here, from the web, the API
        and the CLI (`--as USER`) alike, so a disabled user acts nowhere.
        """
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound("user", user_id)
            if row.disabled_at is not None:
                raise UserDisabled(user_id)
            return Reviewer(id=row.id, roles=frozenset(row.roles))

    def list(self) -> builtins.list[UserView]:
        """Every user, by id."""
        with Session(self._engine) as session:
            return [
                UserView(
                    id=row.id,
                    name=row.name,
                    roles=tuple(sorted(row.roles)),
                    can_log_in=row.password_hash is not None and row.disabled_at is None,
                    disabled=row.disabled_at is not None,
                )
                for row in session.exec(select(UserRow).order_by(col(UserRow.id)))
            ]

    def disable(self, user_id: str) -> None:
        """Disable the user: no login from now on, every web session ended and every API token revoked."""
        now = self._clock.now()
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound("user", user_id)
            if row.disabled_at is None:
                row.disabled_at = now
                session.add(row)
            revoke_sessions(session, user_id, now)
            self._revoke_tokens(session, user_id, now)
            session.commit()

    def enable(self, user_id: str) -> None:
        """Let a disabled user log in again (with their password; old sessions and tokens stay revoked)."""
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound("user", user_id)
            row.disabled_at = None
            session.add(row)
            session.commit()

    # -- passwords ------------------------------------------------------------------------------

    def _decoy_hash(self) -> str:
        """Verified against when there is no stored hash, so an unknown user costs as long as a wrong password."""
        if self._decoy is None:
            self._decoy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def set_password(self, user_id: str, password: str) -> None:
        """Store an argon2id hash of `password` for an existing user and end their web sessions.

        `WeakPassword` if it is too short.
        """
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(MIN_PASSWORD_LENGTH)
        hashed = self._hasher.hash(password)
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound("user", user_id)
            now = self._clock.now()
            row.password_hash = hashed
            row.password_changed_at = now
            session.add(row)
            revoke_sessions(session, user_id, now)
            session.commit()

    def verify_password(self, user_id: str, password: str) -> Reviewer | None:
        """The reviewer if `password` is theirs; None for a wrong password, an unknown or disabled user, or none set."""
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            stored = row.password_hash if row is not None else None
            try:
                self._hasher.verify(stored or self._decoy_hash(), password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None or stored is None or row.disabled_at is not None:
                return None
            if self._hasher.check_needs_rehash(stored):
                row.password_hash = self._hasher.hash(password)
                session.add(row)
                session.commit()
            return Reviewer(id=row.id, roles=frozenset(row.roles))

    # -- API tokens -----------------------------------------------------------------------------

    def issue_token(self, user_id: str, *, expires_in: timedelta | None = None) -> str:
        """A new API token for the user, valid for `expires_in` (None: until revoked).

        Only its hash is stored, so this is the one time it is seen. `UserDisabled` for a disabled user.
        """
        if expires_in is not None and expires_in <= timedelta(0):
            raise ValueError("a token's lifetime must be positive")
        token_id = secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = self._clock.now()
        with Session(self._engine) as session:
            user = session.get(UserRow, user_id)
            if user is None:
                raise NotFound("user", user_id)
            if user.disabled_at is not None:
                raise UserDisabled(user_id)
            session.add(
                ApiTokenRow(
                    id=token_id,
                    user_id=user_id,
                    token_hash=_token_hash(token),
                    created_at=now,
                    expires_at=None if expires_in is None else now + expires_in,
                )
            )
            session.commit()
        return token

    def user_for_token(self, token: str) -> Reviewer | None:
        """The reviewer an API token belongs to; None for an unknown, malformed, revoked or expired token, or
        a disabled user. Records when the token was last used (at most once a minute)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        wanted = _token_hash(token)
        now = self._clock.now()
        statement = (
            select(ApiTokenRow, UserRow)
            .join(UserRow, col(UserRow.id) == col(ApiTokenRow.user_id))
            .where(col(ApiTokenRow.token_hash) == wanted)
        )
        with Session(self._engine) as session:
            found = session.exec(statement).first()
            if found is None:
                return None
            row, user = found
            if (
                row.revoked_at is not None
                or (row.expires_at is not None and row.expires_at <= now)
                or user.disabled_at is not None
                or not hmac.compare_digest(row.token_hash, wanted)
            ):
                return None
            if row.last_used_at is None or row.last_used_at <= now - TOKEN_USE_RECORDED_EVERY:
                session.exec(update(ApiTokenRow).where(col(ApiTokenRow.id) == row.id).values(last_used_at=now))
                session.commit()
            return Reviewer(id=user.id, roles=frozenset(user.roles))

    def tokens(self, user_id: str) -> builtins.list[ApiTokenView]:
        """The user's API tokens (ids and times, never the tokens), oldest first."""
        with Session(self._engine) as session:
            if session.get(UserRow, user_id) is None:
                raise NotFound("user", user_id)
            rows = session.exec(
                select(ApiTokenRow)
                .where(col(ApiTokenRow.user_id) == user_id)
                .order_by(col(ApiTokenRow.created_at), col(ApiTokenRow.id))
            )
            return [
                ApiTokenView(
                    id=row.id,
                    created_at=row.created_at,
                    expires_at=row.expires_at,
                    last_used_at=row.last_used_at,
                    revoked_at=row.revoked_at,
                )
                for row in rows
            ]

    def revoke_tokens(self, user_id: str) -> int:
        """Revoke every live API token of the user; returns how many were revoked. `NotFound` for no such user."""
        with Session(self._engine) as session:
            if session.get(UserRow, user_id) is None:
                raise NotFound("user", user_id)
            revoked = self._revoke_tokens(session, user_id, self._clock.now())
            session.commit()
            return revoked

    @staticmethod
    def _revoke_tokens(session: Session, user_id: str, now: datetime) -> int:
        live = builtins.list(
            session.exec(
                select(ApiTokenRow).where(col(ApiTokenRow.user_id) == user_id, col(ApiTokenRow.revoked_at).is_(None))
            )
        )
        for row in live:
            row.revoked_at = now
            session.add(row)
        return len(live)

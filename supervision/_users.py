"""The people who review proposals: their roles, their passwords (argon2) and their API tokens."""

from __future__ import annotations

import builtins
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import Clock, NotFound, SystemClock
from policies import Reviewer
from supervision._errors import WeakPassword
from supervision._tables import ApiTokenRow, UserRow
from supervision._views import UserView

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "stw_"


def _token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (nothing to brute-force), and it can be looked up.
    return hashlib.sha256(token.encode()).hexdigest()


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
        """Create or update a user (idempotent: the same call twice leaves one user; a password stays)."""
        role_list = sorted(set(roles))
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                session.add(UserRow(id=user_id, name=name, roles=role_list))
            else:
                row.name = name
                row.roles = role_list
                session.add(row)
            session.commit()
        return Reviewer(id=user_id, roles=frozenset(role_list))

    def get(self, user_id: str) -> Reviewer:
        """The reviewer with this id; `NotFound` if there is none."""
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound("user", user_id)
            return Reviewer(id=row.id, roles=frozenset(row.roles))

    def list(self) -> builtins.list[UserView]:
        """Every user, by id."""
        with Session(self._engine) as session:
            return [
                UserView(
                    id=row.id,
                    name=row.name,
                    roles=tuple(sorted(row.roles)),
                    can_log_in=row.password_hash is not None,
                )
                for row in session.exec(select(UserRow).order_by(col(UserRow.id)))
            ]

    # -- passwords ------------------------------------------------------------------------------

    def _decoy_hash(self) -> str:
        """Verified against when there is no stored hash, so an unknown user costs as long as a wrong password."""
        if self._decoy is None:
            self._decoy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def set_password(self, user_id: str, password: str) -> None:
        """Store an argon2id hash of `password` for an existing user; `WeakPassword` if it is too short."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(MIN_PASSWORD_LENGTH)
        hashed = self._hasher.hash(password)
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound("user", user_id)
            row.password_hash = hashed
            row.password_changed_at = self._clock.now()
            session.add(row)
            session.commit()

    def verify_password(self, user_id: str, password: str) -> Reviewer | None:
        """The reviewer if `password` is theirs; None for a wrong password, an unknown user or no password set."""
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            stored = row.password_hash if row is not None else None
            try:
                self._hasher.verify(stored or self._decoy_hash(), password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None or stored is None:
                return None
            if self._hasher.check_needs_rehash(stored):
                row.password_hash = self._hasher.hash(password)
                session.add(row)
                session.commit()
            return Reviewer(id=row.id, roles=frozenset(row.roles))

    # -- API tokens -----------------------------------------------------------------------------

    def issue_token(self, user_id: str) -> str:
        """A new API token for the user; only its hash is stored, so this is the one time it is seen."""
        token_id = secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with Session(self._engine) as session:
            if session.get(UserRow, user_id) is None:
                raise NotFound("user", user_id)
            session.add(
                ApiTokenRow(id=token_id, user_id=user_id, token_hash=_token_hash(token), created_at=self._clock.now())
            )
            session.commit()
        return token

    def user_for_token(self, token: str) -> Reviewer | None:
        """The reviewer an API token belongs to; None for an unknown, malformed or revoked token."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        wanted = _token_hash(token)
        with Session(self._engine) as session:
            found = session.exec(select(ApiTokenRow).where(col(ApiTokenRow.token_hash) == wanted)).first()
            if found is None or found.revoked_at is not None or not hmac.compare_digest(found.token_hash, wanted):
                return None
            user = session.get(UserRow, found.user_id)
            return None if user is None else Reviewer(id=user.id, roles=frozenset(user.roles))

    def revoke_tokens(self, user_id: str) -> int:
        """Revoke every live API token of the user; returns how many were revoked."""
        now = self._clock.now()
        with Session(self._engine) as session:
            live = builtins.list(
                session.exec(
                    select(ApiTokenRow).where(
                        col(ApiTokenRow.user_id) == user_id, col(ApiTokenRow.revoked_at).is_(None)
                    )
                )
            )
            for row in live:
                row.revoked_at = now
                session.add(row)
            session.commit()
            return len(live)

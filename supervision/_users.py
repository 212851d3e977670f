"""The people who review proposals, and their roles."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import NotFound
from policies import Reviewer
from supervision._tables import UserRow
from supervision._views import UserView


class UserDirectory:
    """Reviewers by id; the approval UI and CLI turn a logged-in user into a `Reviewer` here."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, user_id: str, *, name: str, roles: Iterable[str]) -> Reviewer:
        """Create or update a user (idempotent: the same call twice leaves one user)."""
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
                UserView(id=row.id, name=row.name, roles=tuple(sorted(row.roles)))
                for row in session.exec(select(UserRow).order_by(col(UserRow.id)))
            ]

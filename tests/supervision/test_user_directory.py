"""Reviewers and their roles, on both backends."""

from __future__ import annotations

import pytest

from core import NotFound
from policies import Reviewer
from supervision import UserDirectory, UserView


def test_add_get_list(users: UserDirectory) -> None:
    olga = users.add("olga", name="Olga Officer", roles=["credit_officer"])
    users.add("mia", name="Mia Manager", roles=("credit_manager", "ops_manager"))

    assert olga == Reviewer(id="olga", roles=frozenset({"credit_officer"}))
    assert users.get("mia").roles == frozenset({"credit_manager", "ops_manager"})
    assert users.list() == [
        UserView(id="mia", name="Mia Manager", roles=("credit_manager", "ops_manager")),
        UserView(id="olga", name="Olga Officer", roles=("credit_officer",)),
    ]


def test_add_is_an_idempotent_upsert(users: UserDirectory) -> None:
    users.add("olga", name="Olga", roles=["credit_officer"])
    users.add("olga", name="Olga", roles=["credit_officer"])
    users.add("olga", name="Olga O.", roles=["credit_manager", "credit_manager"])

    assert users.list() == [UserView(id="olga", name="Olga O.", roles=("credit_manager",))]


def test_unknown_user(users: UserDirectory) -> None:
    with pytest.raises(NotFound, match="unknown user 'ghost'"):
        users.get("ghost")

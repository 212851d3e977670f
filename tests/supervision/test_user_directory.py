"""Reviewers and their roles, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import Engine

from core import NotFound
from policies import Reviewer
from supervision import UserDirectory, UserDisabled, UserView, WeakPassword
from tests.supervision.supervision_helpers import RacingClock


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


FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def directory(engine: Engine) -> UserDirectory:
    """A directory with cheap argon2 parameters, so the tests stay fast (the algorithm is the same)."""
    return UserDirectory(engine, hasher=FAST_HASHER)


def test_passwords_are_stored_as_argon2_hashes_and_verified(directory: UserDirectory, engine: Engine) -> None:
    directory.add("olga", name="Olga", roles=["credit_officer"])
    assert directory.list()[0].can_log_in is False
    assert directory.verify_password("olga", "anything at all") is None  # no password yet

    directory.set_password("olga", "correct horse battery")

    assert directory.verify_password("olga", "correct horse battery") == Reviewer(
        id="olga", roles=frozenset({"credit_officer"})
    )
    assert directory.verify_password("olga", "correct horse battery!") is None
    assert directory.verify_password("ghost", "correct horse battery") is None
    assert directory.list()[0].can_log_in is True
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM supervision_user")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


def test_a_short_password_or_an_unknown_user_is_refused(directory: UserDirectory) -> None:
    directory.add("olga", name="Olga", roles=["credit_officer"])
    with pytest.raises(WeakPassword, match="at least 10 characters"):
        directory.set_password("olga", "short")
    with pytest.raises(NotFound):
        directory.set_password("ghost", "long enough password")


def test_adding_a_user_again_keeps_the_password(directory: UserDirectory) -> None:
    directory.add("olga", name="Olga", roles=["credit_officer"])
    directory.set_password("olga", "correct horse battery")
    directory.add("olga", name="Olga O.", roles=["senior_credit_officer"])
    reviewer = directory.verify_password("olga", "correct horse battery")
    assert reviewer is not None
    assert reviewer.roles == frozenset({"senior_credit_officer"})


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(directory: UserDirectory, engine: Engine) -> None:
    directory.add("olga", name="Olga", roles=["credit_officer"])
    token = directory.issue_token("olga")
    other = directory.issue_token("olga")

    assert token != other
    assert directory.user_for_token(token) == Reviewer(id="olga", roles=frozenset({"credit_officer"}))
    assert directory.user_for_token(token + "x") is None
    assert directory.user_for_token("not-a-token") is None
    with engine.connect() as connection:
        stored = list(connection.execute(text("SELECT token_hash FROM supervision_api_token")).scalars())
    assert len(stored) == 2
    assert token not in stored
    assert all(token.split("_")[-1] not in value for value in stored)

    assert directory.revoke_tokens("olga") == 2
    assert directory.user_for_token(token) is None
    assert directory.user_for_token(other) is None
    with pytest.raises(NotFound):
        directory.issue_token("ghost")


def test_tokens_expire_record_their_last_use_at_most_once_a_minute_and_are_listed(
    engine: Engine, clock: RacingClock
) -> None:
    directory = UserDirectory(engine, clock, hasher=FAST_HASHER)
    directory.add("olga", name="Olga", roles=["credit_officer"])
    issued = clock.now()
    week = directory.issue_token("olga", expires_in=timedelta(days=7))
    with pytest.raises(ValueError, match="positive"):
        directory.issue_token("olga", expires_in=timedelta(0))
    [listed] = directory.tokens("olga")
    assert listed.model_dump(exclude={"id"}) == {
        "created_at": issued,
        "expires_at": issued + timedelta(days=7),
        "last_used_at": None,
        "revoked_at": None,
    }
    assert week.split("_")[1] == listed.id

    assert directory.user_for_token(week) is not None
    clock.advance(timedelta(seconds=59))
    assert directory.user_for_token(week) is not None
    assert directory.tokens("olga")[0].last_used_at == issued
    clock.advance(timedelta(seconds=1))
    assert directory.user_for_token(week) is not None
    assert directory.tokens("olga")[0].last_used_at == clock.now()

    clock.advance(timedelta(days=7))
    assert directory.user_for_token(week) is None
    with pytest.raises(NotFound):
        directory.tokens("ghost")
    with pytest.raises(NotFound):
        directory.revoke_tokens("ghost")


def test_a_disabled_user_gets_no_new_token(engine: Engine, clock: RacingClock) -> None:
    directory = UserDirectory(engine, clock, hasher=FAST_HASHER)
    directory.add("olga", name="Olga", roles=["credit_officer"])
    directory.disable("olga")
    with pytest.raises(UserDisabled, match="steward users enable olga"):
        directory.issue_token("olga")
    directory.enable("olga")
    assert directory.user_for_token(directory.issue_token("olga")) is not None

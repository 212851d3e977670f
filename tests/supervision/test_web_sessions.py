"""Server-side web sessions on both backends: they start, expire, end at logout, and end for a user whose
password changes, who loses a role or who is disabled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from core import NotFound
from policies import Reviewer
from supervision import UserDirectory, WebSessions
from supervision._sessions import WebSessionRow
from tests.supervision.supervision_helpers import RacingClock
from tests.supervision.test_user_directory import FAST_HASHER


@pytest.fixture
def directory(engine: Engine, clock: RacingClock) -> UserDirectory:
    directory = UserDirectory(engine, clock, hasher=FAST_HASHER)
    for user in ("olga", "sam"):
        directory.add(user, name=user.title(), roles=["credit_officer", "auditor"])
    return directory


@pytest.fixture
def sessions(engine: Engine, clock: RacingClock) -> WebSessions:
    return WebSessions(engine, clock, timedelta(hours=8))


def _last_seen(engine: Engine) -> list[datetime]:
    with engine.connect() as connection:
        return list(connection.execute(select(col(WebSessionRow.last_seen_at))).scalars())


def test_a_session_names_its_user_with_current_roles_until_it_expires(
    sessions: WebSessions, directory: UserDirectory, engine: Engine, clock: RacingClock
) -> None:
    token = sessions.start("olga")
    assert sessions.reviewer(token) == Reviewer(id="olga", roles=frozenset({"credit_officer", "auditor"}))
    assert sessions.reviewer(token + "x") is None
    assert sessions.reviewer("") is None
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash, user_id FROM supervision_web_session")).one()
    assert stored.user_id == "olga" and len(stored.token_hash) == 64 and token not in stored.token_hash

    clock.advance(timedelta(hours=7, minutes=59))
    assert sessions.reviewer(token) is not None
    clock.advance(timedelta(minutes=1))
    assert sessions.reviewer(token) is None


def test_last_seen_is_written_at_most_once_a_minute(
    sessions: WebSessions, directory: UserDirectory, engine: Engine, clock: RacingClock
) -> None:
    started = clock.now()
    token = sessions.start("olga")
    clock.advance(timedelta(seconds=59))
    assert sessions.reviewer(token) is not None
    assert _last_seen(engine) == [started]
    clock.advance(timedelta(seconds=1))
    assert sessions.reviewer(token) is not None
    assert _last_seen(engine) == [clock.now()]


def test_logout_ends_one_session(sessions: WebSessions, directory: UserDirectory) -> None:
    laptop, phone = sessions.start("olga"), sessions.start("olga")
    sessions.end(laptop)
    sessions.end(laptop)  # idempotent
    assert sessions.reviewer(laptop) is None
    assert sessions.reviewer(phone) is not None


def test_a_password_change_ends_every_session_of_that_user(sessions: WebSessions, directory: UserDirectory) -> None:
    laptop, phone, other = sessions.start("olga"), sessions.start("olga"), sessions.start("sam")
    directory.set_password("olga", "correct horse battery")
    assert (sessions.reviewer(laptop), sessions.reviewer(phone)) == (None, None)
    assert sessions.reviewer(other) is not None
    after = sessions.start("olga")
    assert sessions.reviewer(after) is not None


def test_taking_a_role_away_ends_the_sessions_adding_or_renaming_does_not(
    sessions: WebSessions, directory: UserDirectory
) -> None:
    token = sessions.start("olga")
    directory.add("olga", name="Olga O.", roles=["credit_officer", "auditor", "ops_manager"])
    reviewer = sessions.reviewer(token)
    assert reviewer is not None and "ops_manager" in reviewer.roles
    directory.add("olga", name="Olga O.", roles=["credit_officer", "ops_manager"])
    assert sessions.reviewer(token) is None


def test_disabling_ends_sessions_refuses_login_and_tokens_and_enable_lets_the_password_in_again(
    sessions: WebSessions, directory: UserDirectory
) -> None:
    directory.set_password("olga", "correct horse battery")
    token, api = sessions.start("olga"), directory.issue_token("olga")
    directory.disable("olga")

    assert sessions.reviewer(token) is None
    assert directory.user_for_token(api) is None
    assert directory.verify_password("olga", "correct horse battery") is None
    [olga] = [user for user in directory.list() if user.id == "olga"]
    assert olga.disabled and not olga.can_log_in
    assert [token.revoked_at is not None for token in directory.tokens("olga")] == [True]

    directory.enable("olga")
    assert directory.verify_password("olga", "correct horse battery") is not None
    assert sessions.reviewer(token) is None  # what disabling ended stays ended
    assert directory.user_for_token(api) is None
    with pytest.raises(NotFound):
        directory.disable("ghost")

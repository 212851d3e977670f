"""Failed logins in the database, on both backends: a sliding window per key, pruned as it slides."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from supervision import LoginFailures, RecentFailures
from supervision._logins import LoginFailureRow
from tests.supervision.supervision_helpers import RacingClock


def test_failures_count_within_the_window_per_key_and_old_ones_are_pruned(engine: Engine, clock: RacingClock) -> None:
    failures = LoginFailures(engine, clock, timedelta(minutes=15))
    assert failures.recent(["a"]) == {"a": RecentFailures()}
    first = clock.now()
    failures.record(["a"])
    clock.advance(timedelta(minutes=5))
    second = clock.now()
    failures.record(["a", "b"])  # one attempt counted under two keys (the client's and the user's)
    recent = failures.recent(["a", "b", "c"])
    assert recent == {
        "a": RecentFailures(count=2, first=first, last=second),
        "b": RecentFailures(count=1, first=second, last=second),
        "c": RecentFailures(),
    }
    assert recent["a"].first is not None and recent["a"].first.tzinfo is not None
    clock.advance(timedelta(minutes=11))  # the first failure left the window
    assert failures.recent(["a"])["a"] == RecentFailures(count=1, first=second, last=second)
    failures.record(["c"])  # a new failure prunes rows older than the window
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LoginFailureRow)).scalar() == 3
    failures.clear("a")
    assert failures.recent(["a"])["a"] == RecentFailures()
    assert failures.recent(["b"])["b"].count == 1

"""Failed logins in the database, on both backends: a sliding window per key, pruned as it slides."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from supervision import LoginFailures
from supervision._logins import LoginFailureRow
from tests.supervision.supervision_helpers import RacingClock


def test_failures_count_within_the_window_per_key_and_old_ones_are_pruned(engine: Engine, clock: RacingClock) -> None:
    failures = LoginFailures(engine, clock, timedelta(minutes=15))
    assert failures.recent("a") == (0, None)
    first = clock.now()
    failures.record("a")
    clock.advance(timedelta(minutes=5))
    failures.record("a")
    failures.record("b")
    count, oldest = failures.recent("a")
    assert (count, oldest) == (2, first)
    assert oldest is not None and oldest.tzinfo is not None
    clock.advance(timedelta(minutes=11))  # the first failure left the window
    assert failures.recent("a")[0] == 1
    failures.record("c")  # a new failure prunes rows older than the window
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LoginFailureRow)).scalar() == 3
    failures.clear("a")
    assert failures.recent("a") == (0, None)
    assert failures.recent("b")[0] == 1

"""Fixtures for supervision tests: the stores on a fresh database (both backends) and a racing clock."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from supervision import ApprovalQueue, AuditLog, AutonomyStore, KpiStore, UserDirectory
from tests.supervision.supervision_helpers import START, RacingClock


@pytest.fixture
def clock() -> RacingClock:
    return RacingClock(START)


@pytest.fixture
def audit(engine: Engine, clock: RacingClock) -> AuditLog:
    return AuditLog(engine, clock)


@pytest.fixture
def queue(engine: Engine, clock: RacingClock, audit: AuditLog) -> ApprovalQueue:
    return ApprovalQueue(engine, clock, audit)


@pytest.fixture
def kpis(engine: Engine, clock: RacingClock) -> KpiStore:
    return KpiStore(engine, clock)


@pytest.fixture
def autonomy(engine: Engine, clock: RacingClock, audit: AuditLog) -> AutonomyStore:
    return AutonomyStore(engine, clock, audit)


@pytest.fixture
def users(engine: Engine) -> UserDirectory:
    return UserDirectory(engine)

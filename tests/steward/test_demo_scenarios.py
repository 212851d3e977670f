"""The demo takes each agent's part from its definition: the accounts it decides as, when its story starts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agents import BUNDLED, AgentRegistry, DemoScenario, DemoUser
from core import ConfigurationError
from steward import Settings, load_roles
from steward._demo import DEMO_USERS, _demo_users, _starts_at

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _with(**demo: Any) -> AgentRegistry:
    """The bundled agents plus a copy of the last one, renamed, with the given demo scenario."""
    extra = dataclasses.replace(BUNDLED[-1], name="demo_probe", demo=DemoScenario(**demo))
    return AgentRegistry((*BUNDLED, extra))


def test_the_demo_people_come_first_then_each_scenarios_accounts_all_with_installed_roles(tmp_path: Path) -> None:
    users = _demo_users(AgentRegistry(BUNDLED))
    simulated = [user_id for d in BUNDLED if d.demo for user_id in d.demo.users]
    assert simulated, "a bundled agent's demo decides as simulated reviewers"
    assert list(users) == [*DEMO_USERS, *simulated]
    load_roles(Settings(home=tmp_path)).require(role for user in users.values() for role in user.roles)


def test_a_scenario_account_cannot_take_an_id_already_used() -> None:
    registry = _with(users={"officer": DemoUser("Impostor", ("auditor",))})
    with pytest.raises(ConfigurationError, match=r"agent 'demo_probe': its demo account 'officer' is taken"):
        _demo_users(registry)


def test_the_clock_starts_a_day_before_the_earliest_story(tmp_path: Path) -> None:
    early = NOW - timedelta(days=400)
    registry = _with(starts_at=lambda world: early)
    starts = [d.demo.starts_at for d in BUNDLED if d.demo and d.demo.starts_at]
    assert starts, "the credit scenario starts at the world's first credit request"
    (tmp_path / "erp").mkdir()
    (tmp_path / "erp" / "credit_requests.csv").write_text(
        "request_id,requested_at\nR-2,2026-03-04T10:00:00+00:00\nR-1,2026-02-01T09:30:00+00:00\n", encoding="utf-8"
    )
    assert _starts_at(AgentRegistry(BUNDLED), tmp_path, NOW) == datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert _starts_at(registry, tmp_path, NOW) == early - timedelta(days=1)
    assert _starts_at(AgentRegistry(), tmp_path, NOW) == NOW

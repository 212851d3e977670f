"""Fixtures of the routing tests: the tests' ERP (routing_world.py), its default stock and orders, on each backend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from steward import Settings
from tests.agents.order_routing.routing_world import Order, World, routing_settings

STOCK: dict[tuple[str, str], int] = {
    ("WH-A", "SKU-1"): 10,
    ("WH-A", "SKU-2"): 3,
    ("WH-B", "SKU-1"): 10,
    ("WH-B", "SKU-2"): 2,
    ("WH-B", "SKU-3"): 4,
    ("WH-C", "SKU-2"): 5,
    ("WH-C", "SKU-3"): 2,
}
THURSDAY = date(2026, 3, 5)
FRIDAY = date(2026, 3, 6)


@pytest.fixture
def world(tmp_path: Path) -> World:
    """The tests' ERP: stock as `STOCK`, one open order near WH-A (SO-1); each test adds what it needs."""
    return World(tmp_path / "erp-world", stock=dict(STOCK), orders=[Order("SO-1", "1001", (("SKU-1", 1),), THURSDAY)])


@pytest.fixture
def settings(steward_settings: Settings, world: World) -> Settings:
    """A fresh installation on each backend reading the world's exports (written when the test asks)."""
    return routing_settings(steward_settings, world)

"""Web tests share one installation per test module (each test uses its own proposals), on SQLite only:
the web layer adds no storage of its own, and every store it calls is tested on both backends in
tests/supervision and tests/agents."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from steward._settings import Settings
from tests.approval_ui.web_helpers import Web, web_installation


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory, trained_scorecard: Path) -> Settings:
    """Like `steward_settings` (SQLite), for a whole test module."""
    home = tmp_path_factory.mktemp("web")
    settings = Settings(home=home / "home", database_url=f"sqlite:///{home / 'steward.sqlite'}")
    settings.model_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained_scorecard, settings.model_path)
    return settings


@pytest.fixture(scope="module")
def web(module_settings: Settings) -> Iterator[Web]:
    with web_installation(module_settings, small=8, large=3) as installed:
        yield installed

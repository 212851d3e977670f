"""Web tests share one installation per test module (each test uses its own proposals). Most modules run
on SQLite: the web layer adds no storage of its own, and every store it calls is tested on both
backends in tests/supervision and tests/agents. test_decide.py runs on both (`web_on_each_backend`),
so the decisions, edits and similar-case reads the pages make are exercised on PostgreSQL too."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from steward import Settings
from tests.approval_ui.web_helpers import Web, web_installation


def _settings(home: Path, database_url: str, trained_scorecard: Path) -> Settings:
    settings = Settings(home=home / "home", database_url=database_url)
    settings.model_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained_scorecard, settings.model_path)
    return settings


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory, trained_scorecard: Path) -> Settings:
    """Like `steward_settings` (SQLite), for a whole test module."""
    home = tmp_path_factory.mktemp("web")
    return _settings(home, f"sqlite:///{home / 'steward.sqlite'}", trained_scorecard)


@pytest.fixture(scope="module")
def web(module_settings: Settings) -> Iterator[Web]:
    with web_installation(module_settings, small=8, large=3) as installed:
        yield installed


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web_on_each_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, trained_scorecard: Path
) -> Iterator[Web]:
    """`web` once on SQLite and once on PostgreSQL (a fresh schema of the session's test database)."""
    home = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{home / 'steward.sqlite'}"
    if request.param == "postgres":
        database: str = request.getfixturevalue("postgres_database")
        schema = f"w_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{database}?options={quote(f'-csearch_path={schema}')}"
    with web_installation(_settings(home, url, trained_scorecard), small=8, large=3) as installed:
        yield installed

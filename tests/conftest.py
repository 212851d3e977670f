"""Shared fixtures: a fresh database on each backend, and a guard against real model calls."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy.engine import Engine

from steward import Settings, configure_logging, create_schema, make_engine

POSTGRES_SERVER = os.environ.get("STEWARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SHARED_DATA = Path(__file__).resolve().parents[1] / "steward" / "data"


@pytest.fixture(autouse=True, scope="session")
def _quiet_logs() -> None:
    """Logs go to stderr at WARNING, as at every entry point, so stdout holds only what commands print."""
    configure_logging("WARNING")


@pytest.fixture(autouse=True)
def _no_real_model_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach a real LLM service fails the test: tests bring their own local server."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("STEWARD_LLM_BASE_URL", raising=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session; dropped at the end."""
    name = f"steward_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_SERVER}: {exc}. Start it (see .ci/run).")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_SERVER.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database, once per backend; PostgreSQL tests each get their own schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'steward.sqlite'}"
    database: str = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{database}?options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with every table created."""
    engine = make_engine(database_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def trained_scorecard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The credit scorecard trained once on the bundled data, saved to a file the tests copy."""
    from agents.credit import load_or_train_scorecard

    path = tmp_path_factory.mktemp("model") / "credit_scorecard.pkl"
    load_or_train_scorecard(path, SHARED_DATA / "german_credit" / "german_credit.csv")
    return path


@pytest.fixture
def steward_settings(database_url: str, tmp_path: Path, trained_scorecard: Path) -> Settings:
    """Settings for a fresh installation on each backend, with the trained scorecard in place."""
    settings = Settings(home=tmp_path / "home", database_url=database_url)
    settings.model_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained_scorecard, settings.model_path)
    return settings


@pytest.fixture
def steward_env(steward_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment variables that point a `steward` process at the test installation."""
    env = {
        "STEWARD_HOME": str(steward_settings.home),
        "STEWARD_DATABASE_URL": steward_settings.resolved_database_url,
        "STEWARD_LOG_LEVEL": "WARNING",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env

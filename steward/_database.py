"""One database for everything Steward persists: SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, create_engine

from core import ConfigurationError


def normalise_url(url: str) -> str:
    """Accept the URL spellings people paste and return the one SQLAlchemy should use.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 here; a SQLite file's folder is created.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with no hint
        raise ConfigurationError(f"STEWARD_DATABASE_URL is not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    elif parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///path or postgresql://..."
        )
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys, so two processes can share it."""
    url = normalise_url(url)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def register_tables() -> None:
    """Import every package that defines tables, so `SQLModel.metadata` knows them all."""
    import agents  # noqa: F401  (the bundled agents' own tables: routing plans)
    import customers  # noqa: F401
    import supervision  # noqa: F401


def create_schema(engine: Engine) -> None:
    """Create every table (used by tests and before migrations exist); idempotent."""
    register_tables()
    SQLModel.metadata.create_all(engine)

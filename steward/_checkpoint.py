"""The LangGraph checkpointer matching the database: SqliteSaver beside a SQLite file, PostgresSaver in PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from psycopg import Connection
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from steward._database import is_sqlite, normalise_url


def libpq_url(url: str) -> str:
    """The plain libpq form of a SQLAlchemy PostgreSQL URL (no ``+psycopg`` driver suffix)."""
    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def open_checkpointer(database_url: str, sqlite_path: Path) -> Iterator[BaseCheckpointSaver[str]]:
    """Yield a ready checkpointer (tables set up) for the database at `database_url`.

    With SQLite the checkpoints live in their own file `sqlite_path` (LangGraph's SqliteSaver owns its
    connection); with PostgreSQL they live in the same database, in LangGraph's own tables.
    """
    if is_sqlite(database_url):
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(sqlite_path), check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        try:
            saver = SqliteSaver(conn)
            saver.setup()
            yield saver
        finally:
            conn.close()
    else:
        with Connection.connect(
            libpq_url(database_url), autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as pg:
            saver_pg = PostgresSaver(pg)
            saver_pg.setup()
            yield saver_pg

"""The Alembic migrations build exactly the schema the table models describe, on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from steward import make_engine
from steward._migrations import alembic_config, upgrade


def test_migrations_create_every_table_and_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"customer", "credit_application", "supervision_proposal", "supervision_audit"} <= tables
        # `alembic check` raises if the models and the migrated database differ in any way.
        command.check(alembic_config(engine))
        upgrade(engine)  # a second upgrade is a no-op
    finally:
        engine.dispose()

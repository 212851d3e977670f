"""Alembic environment: migrations run on the engine Steward hands over (see steward/_migrations.py)."""

from alembic import context
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from steward._database import register_tables

register_tables()
target_metadata = SQLModel.metadata

engine: Engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()

"""autonomy promotion sign-off

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_autonomy_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("from_level", sa.String(length=100), nullable=False),
        sa.Column("to_level", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("kpi", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("open_for", sa.String(length=401), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_for"),
    )
    with op.batch_alter_table("supervision_autonomy_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervision_autonomy_request_agent_action", ["agent", "action", "requested_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supervision_autonomy_request", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_autonomy_request_agent_action")

    op.drop_table("supervision_autonomy_request")

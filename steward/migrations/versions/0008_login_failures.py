"""login failures, shared by every web process

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_supervision_login_failure_key_at", ["key", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supervision_login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_login_failure_key_at")
    op.drop_table("supervision_login_failure")

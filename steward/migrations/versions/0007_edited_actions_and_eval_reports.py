"""edited actions and eval reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_action", sa.String(length=200), nullable=True))
    with op.batch_alter_table("supervision_review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_action", sa.String(length=200), nullable=True))
    op.create_table(
        "supervision_eval_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dataset", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_eval_report", schema=None) as batch_op:
        batch_op.create_index("ix_supervision_eval_report_name_created", ["name", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supervision_eval_report", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_eval_report_name_created")
    op.drop_table("supervision_eval_report")
    with op.batch_alter_table("supervision_review", schema=None) as batch_op:
        batch_op.drop_column("edited_action")
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.drop_column("edited_action")

"""signed checkpoints of the audit chain's head

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_audit_checkpoint", schema=None) as batch_op:
        batch_op.create_index("ix_supervision_audit_checkpoint_seq", ["seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supervision_audit_checkpoint", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_audit_checkpoint_seq")
    op.drop_table("supervision_audit_checkpoint")

"""review clock per action: timeout behaviour and escalation of proposals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Proposals stored before the review clock existed expire at their deadline, as they always did.
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_timeout", sa.String(length=10), server_default="expire", nullable=False))
        batch_op.add_column(sa.Column("escalate_to", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("escalated_sla_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated_to", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_supervision_proposal_escalated",
            ["escalated_to", "status", "expires_at", "id", "created_at", "agent", "action", "priority"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_proposal_escalated")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalated_to")
        batch_op.drop_column("escalated_sla_seconds")
        batch_op.drop_column("escalate_to")
        batch_op.drop_column("on_timeout")

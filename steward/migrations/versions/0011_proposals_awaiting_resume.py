"""proposals whose decision awaits its agent's thread (crash recovery)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows decided before this column existed start unmarked: recovery still finds every approved, edited
    # or executing proposal by its status.
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting_resume_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_supervision_proposal_awaiting_resume", ["awaiting_resume_since"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_proposal_awaiting_resume")
        batch_op.drop_column("awaiting_resume_since")

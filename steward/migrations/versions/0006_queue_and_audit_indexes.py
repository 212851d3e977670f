"""queue and audit indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# supervision.priority_of in SQL, for the proposals stored before the column existed: a review that a
# hard limit or a rule forced, or that needs four eyes, is high.
_HIGH_PRIORITY = {
    "sqlite": (
        "json_extract(gate, '$.outcome') = 'review' AND (json_extract(gate, '$.source') IN ('hard_limit', 'rule') "
        "OR json_extract(gate, '$.review.approvals_required') = 2)"
    ),
    "postgresql": (
        "gate->>'outcome' = 'review' AND (gate->>'source' IN ('hard_limit', 'rule') "
        "OR gate->'review'->>'approvals_required' = '2')"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.String(length=10), server_default="normal", nullable=False))
        batch_op.drop_index("ix_supervision_proposal_status_created")
        batch_op.create_index(
            "ix_supervision_proposal_queue_newest",
            ["status", "created_at", "id", "agent", "action", "priority", "expires_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_supervision_proposal_queue_due",
            ["status", "expires_at", "id", "agent", "action", "priority"],
            unique=False,
        )
        batch_op.create_index(
            "ix_supervision_proposal_queue_agent_action",
            ["agent", "action", "status", "created_at", "id", "priority", "expires_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_supervision_proposal_queue_all_newest",
            ["created_at", "id", "status", "agent", "action", "priority", "expires_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_supervision_proposal_queue_all_due",
            ["expires_at", "id", "status", "agent", "action", "priority"],
            unique=False,
        )
    op.execute(f"UPDATE supervision_proposal SET priority = 'high' WHERE {_HIGH_PRIORITY[op.get_bind().dialect.name]}")

    with op.batch_alter_table("supervision_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_audit_subject")
        batch_op.create_index("ix_supervision_audit_subject_seq", ["subject", "seq"], unique=False)
        batch_op.create_index("ix_supervision_audit_kind_seq", ["kind", "seq"], unique=False)
        batch_op.create_index("ix_supervision_audit_actor_seq", ["actor", "seq"], unique=False)
        batch_op.create_index("ix_supervision_audit_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supervision_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_audit_at")
        batch_op.drop_index("ix_supervision_audit_actor_seq")
        batch_op.drop_index("ix_supervision_audit_kind_seq")
        batch_op.drop_index("ix_supervision_audit_subject_seq")
        batch_op.create_index("ix_supervision_audit_subject", ["subject"], unique=False)

    with op.batch_alter_table("supervision_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_proposal_queue_all_due")
        batch_op.drop_index("ix_supervision_proposal_queue_all_newest")
        batch_op.drop_index("ix_supervision_proposal_queue_agent_action")
        batch_op.drop_index("ix_supervision_proposal_queue_due")
        batch_op.drop_index("ix_supervision_proposal_queue_newest")
        batch_op.create_index("ix_supervision_proposal_status_created", ["status", "created_at"], unique=False)
        batch_op.drop_column("priority")

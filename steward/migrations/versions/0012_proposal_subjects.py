"""the subjects each proposal names (customers and other records), indexed

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The proposals stored before the table existed name their customer, and the customers their arguments name
# at the top level under `customer_id` or `other_customer_id` (the only places earlier agents put one),
# unless that customer has been erased. Erased customers' ids leave the proposals' `customer_id` too, as
# an erasure does from now on.
_NAMED = {
    "sqlite": (
        "SELECT id, customer_id AS named FROM supervision_proposal "
        "UNION SELECT id, json_extract(arguments, '$.{key}') FROM supervision_proposal "
        "WHERE CASE WHEN json_valid(arguments) THEN json_type(arguments, '$.{key}') END = 'text'"
    ),
    "postgresql": (
        "SELECT id, customer_id AS named FROM supervision_proposal "
        "UNION SELECT id, arguments->>'{key}' FROM supervision_proposal "
        "WHERE json_typeof(arguments->'{key}') = 'string'"
    ),
}
_ARGUMENT_KEYS = ("customer_id", "other_customer_id")
_ERASED = "SELECT id FROM customer WHERE erased_at IS NOT NULL"


def _backfill(dialect: str) -> str:
    named = " UNION ".join(_NAMED[dialect].format(key=key) for key in _ARGUMENT_KEYS)
    return (
        "INSERT INTO supervision_proposal_subject (proposal_id, kind, subject_id) "
        f"SELECT id, 'customer', named FROM ({named}) AS named_ids "
        f"WHERE named IS NOT NULL AND named <> '' AND length(named) <= 200 AND named NOT IN ({_ERASED})"
    )


def upgrade() -> None:
    op.create_table(
        "supervision_proposal_subject",
        sa.Column("proposal_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["supervision_proposal.id"]),
        sa.PrimaryKeyConstraint("proposal_id", "kind", "subject_id"),
    )
    with op.batch_alter_table("supervision_proposal_subject", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervision_proposal_subject_kind_subject", ["kind", "subject_id", "proposal_id"], unique=False
        )
    op.execute(_backfill(op.get_bind().dialect.name))
    op.execute(f"UPDATE supervision_proposal SET customer_id = NULL WHERE customer_id IN ({_ERASED})")


def downgrade() -> None:
    with op.batch_alter_table("supervision_proposal_subject", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_proposal_subject_kind_subject")
    op.drop_table("supervision_proposal_subject")

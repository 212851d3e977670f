"""fulfilment: the shipments and holds Steward records for source orders; quarantined rows name their subject

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_quarantine_record_subject", ["source_system", "subject_id"], unique=False)
    op.create_table(
        "order_shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=264), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.String(length=200), nullable=True),
        sa.Column("warehouse_id", sa.String(length=200), nullable=False),
        sa.Column("carrier_id", sa.String(length=200), nullable=False),
        sa.Column("ship_on", sa.Date(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("promised_by", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", "part", name="uq_order_shipment_key_part"),
    )
    with op.batch_alter_table("order_shipment", schema=None) as batch_op:
        batch_op.create_index("ix_order_shipment_created", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_shipment_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_shipment_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_order_shipment_warehouse_day", ["warehouse_id", "ship_on"], unique=False)
    op.create_table(
        "order_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=264), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("order_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_hold_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_hold_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_hold_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_hold_customer_id"))
    op.drop_table("order_hold")
    with op.batch_alter_table("order_shipment", schema=None) as batch_op:
        batch_op.drop_index("ix_order_shipment_warehouse_day")
        batch_op.drop_index(batch_op.f("ix_order_shipment_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_shipment_customer_id"))
        batch_op.drop_index("ix_order_shipment_created")
    op.drop_table("order_shipment")
    with op.batch_alter_table("quarantine_record", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_record_subject")
        batch_op.drop_column("subject_id")

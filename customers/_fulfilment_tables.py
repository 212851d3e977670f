"""Tables of what Steward decided about orders: the shipments it recorded and the orders it held.

The orders themselves stay in staging, as their source systems state them; these rows say what
Steward did about them. A shipment row is one parcel from one warehouse; a split order has several
rows under one idempotency key, numbered by `part`, so the whole decision is written once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from customers._tables import core_table, utc_column

ORDER_ID_LENGTH = 264
"""``<system>:<record id>``: a system name (64) and a record id (200)."""


class OrderShipmentRow(SQLModel, table=True):
    """One shipment of an order: which warehouse sends which lines with which carrier, on which day."""

    __tablename__ = "order_shipment"
    __table_args__ = (
        UniqueConstraint("idempotency_key", "part", name="uq_order_shipment_key_part"),
        Index("ix_order_shipment_warehouse_day", "warehouse_id", "ship_on"),
        Index("ix_order_shipment_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=ORDER_ID_LENGTH, index=True)
    customer_id: str | None = Field(default=None, max_length=64, index=True)
    """The order's customer when it was recorded (for erasure and export); None once erased."""
    idempotency_key: str = Field(max_length=200)
    part: int
    parts: int
    proposal_id: str | None = Field(default=None, max_length=200)
    warehouse_id: str = Field(max_length=200)
    carrier_id: str = Field(max_length=200)
    ship_on: date
    lines: Any = Field(sa_column=Column(JSON, nullable=False))
    """``[{"sku": ..., "quantity": ...}, ...]``"""
    cost: float
    promised_by: date
    kind: str = Field(max_length=16)
    created_at: datetime = utc_column()


class OrderHoldRow(SQLModel, table=True):
    """An order Steward held back from routing, with the reason; released when a person lets it go on."""

    __tablename__ = "order_hold"

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=ORDER_ID_LENGTH, index=True)
    customer_id: str | None = Field(default=None, max_length=64, index=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    proposal_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = utc_column()
    released_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


ORDER_SHIPMENT = core_table(OrderShipmentRow)
ORDER_HOLD = core_table(OrderHoldRow)

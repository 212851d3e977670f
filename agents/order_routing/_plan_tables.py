"""The routing plans as stored (migration 0015): one row per batch, one per order of a batch, and the planner's
version counter that keeps two batches from being stored on the same reading of what is free."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def _utc(*, nullable: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable)
    return Field(default=None, sa_column=column) if nullable else Field(sa_column=column)


class RoutingBatchRow(SQLModel, table=True):
    """One planned batch and the solver's figures for it."""

    __tablename__ = "routing_batch"

    id: str = Field(primary_key=True, max_length=40)
    created_at: datetime = _utc()
    scope: str = Field(max_length=200)
    """What was planned: every open order, or the one order a run named."""
    orders: int
    routed: int
    split: int
    held: int
    shipping_cost: float
    objective: float
    """What the solver minimised: shipping cost plus late penalties (and the penalty of orders it left out)."""
    bound: float
    gap_pct: float
    status: str = Field(max_length=20)
    method: str = Field(max_length=100)
    seconds: float


class RoutingPlanLineRow(SQLModel, table=True):
    """What the plan of a batch says about one order, and how its proposal ended."""

    __tablename__ = "routing_plan_line"
    __table_args__ = (
        UniqueConstraint("batch_id", "order_id", name="uq_routing_plan_line_batch_order"),
        Index("ix_routing_plan_line_order", "order_id", "created_at"),
        Index("ix_routing_plan_line_unsettled", "settled_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="routing_batch.id", max_length=40)
    order_id: str = Field(max_length=200)
    kind: str = Field(max_length=10)
    """route, split or hold."""
    plan: dict[str, Any] = Field(sa_type=JSON)
    """The chosen shipments, the promise, the cheapest cost and, for a hold, its cause and reason."""
    alternatives: list[dict[str, Any]] = Field(sa_type=JSON)
    cost: float
    created_at: datetime = _utc()
    proposal_id: str | None = Field(default=None, max_length=64)
    settled_status: str | None = Field(default=None, max_length=20)
    """How the line's proposal ended (executed, rejected, expired, denied, failed); None while it may still ship."""
    settled_at: datetime | None = _utc(nullable=True)


class RoutingPlannerRow(SQLModel, table=True):
    """The planner's version: each stored batch moves it on, guarded by the version it read."""

    __tablename__ = "routing_planner"

    name: str = Field(primary_key=True, max_length=40)
    version: int

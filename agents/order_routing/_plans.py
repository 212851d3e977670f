"""Where batch plans are kept: each batch with its solver figures, each order's planned line, how it ended.

A batch is stored only if no other batch was stored since the planner read what is free (`save` takes the
version it read and moves it on in the same transaction, or stores nothing): two planners never promise
the same capacity twice, whichever process they run in. A line is `settled` when its proposal's run ended
(executed, rejected, expired, denied, failed); until then, for `IN_FLIGHT`, it holds its capacity and stock
even before its proposal reaches the queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from agents.order_routing._plan_tables import RoutingBatchRow, RoutingPlanLineRow, RoutingPlannerRow
from agents.order_routing._planner import Alternative, BatchPlan, OrderPlan, ShipmentPlan
from core import Clock, JsonObject

IN_FLIGHT = timedelta(minutes=30)
"""How long a planned line holds its capacity before its proposal is in the queue; a run that died before
proposing frees it after this."""
_PLANNER = "batches"
_CHUNK = 500


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class BatchFigures:
    """A stored batch's size and the solver's figures."""

    id: str
    created_at: datetime
    scope: str
    orders: int
    routed: int
    split: int
    held: int
    shipping_cost: float
    objective: float
    bound: float
    gap_pct: float
    status: str
    method: str
    seconds: float


@dataclass(frozen=True)
class PlanLine:
    """One order's line of a stored batch."""

    batch_id: str
    plan: OrderPlan
    created_at: datetime
    proposal_id: str | None
    settled_status: str | None

    @property
    def order_id(self) -> str:
        return self.plan.order_id


def plan_json(plan: OrderPlan) -> JsonObject:
    return {
        "shipments": [
            {
                "warehouse_id": s.warehouse_id,
                "carrier_id": s.carrier_id,
                "ship_on": s.ship_on.isoformat(),
                "quantities": [[sku, quantity] for sku, quantity in s.quantities],
                "cost": s.cost,
                "expected_delivery": s.expected_delivery.isoformat(),
            }
            for s in plan.shipments
        ],
        "promised_by": plan.promised_by.isoformat(),
        "cheapest_cost": plan.cheapest_cost,
        "hold_cause": plan.hold_cause,
        "reason": plan.reason,
    }


def alternatives_json(plan: OrderPlan) -> list[JsonObject]:
    return [
        {
            "warehouse_id": a.warehouse_id,
            "carrier_id": a.carrier_id,
            "ship_on": a.ship_on.isoformat(),
            "cost": a.cost,
            "expected_delivery": a.expected_delivery.isoformat(),
            "keeps_promise": a.keeps_promise,
            "why_not": a.why_not,
        }
        for a in plan.alternatives
    ]


def _order_plan(row: RoutingPlanLineRow) -> OrderPlan:
    data: dict[str, Any] = row.plan
    return OrderPlan(
        order_id=row.order_id,
        kind=cast(Any, row.kind),
        shipments=tuple(
            ShipmentPlan(
                warehouse_id=str(s["warehouse_id"]),
                carrier_id=str(s["carrier_id"]),
                ship_on=date.fromisoformat(s["ship_on"]),
                quantities=tuple((str(sku), int(quantity)) for sku, quantity in s["quantities"]),
                cost=float(s["cost"]),
                expected_delivery=date.fromisoformat(s["expected_delivery"]),
            )
            for s in data["shipments"]
        ),
        promised_by=date.fromisoformat(data["promised_by"]),
        cheapest_cost=float(data["cheapest_cost"]),
        alternatives=tuple(
            Alternative(
                warehouse_id=str(a["warehouse_id"]),
                carrier_id=str(a["carrier_id"]),
                ship_on=date.fromisoformat(a["ship_on"]),
                cost=float(a["cost"]),
                expected_delivery=date.fromisoformat(a["expected_delivery"]),
                keeps_promise=bool(a["keeps_promise"]),
                why_not=str(a["why_not"]),
            )
            for a in row.alternatives
        ),
        hold_cause=data.get("hold_cause"),
        reason=str(data.get("reason") or ""),
    )


def _line(row: RoutingPlanLineRow) -> PlanLine:
    return PlanLine(
        batch_id=row.batch_id,
        plan=_order_plan(row),
        created_at=_utc(row.created_at),
        proposal_id=row.proposal_id,
        settled_status=row.settled_status,
    )


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


class RoutingPlans:
    """The stored batch plans of one installation."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def version(self) -> int:
        """The planner's version now: read it before reading what is free, pass it to `save`."""
        with Session(self._engine) as session:
            row = session.get(RoutingPlannerRow, _PLANNER)
            if row is not None:
                return row.version
            session.add(RoutingPlannerRow(name=_PLANNER, version=0))
            try:
                session.commit()
            except IntegrityError:  # another planner created it first
                session.rollback()
            return 0

    def save(self, plan: BatchPlan, *, scope: str, read_version: int) -> str | None:
        """Store `plan` as a new batch and return its id, or None (storing nothing) when another batch was
        stored since `read_version` was read: the caller reads what is free again and plans again."""
        batch_id = f"RB-{uuid.uuid4().hex[:16]}"
        now = self._clock.now()
        with Session(self._engine) as session:
            moved = session.execute(
                update(RoutingPlannerRow)
                .where(col(RoutingPlannerRow.name) == _PLANNER, col(RoutingPlannerRow.version) == read_version)
                .values(version=read_version + 1)
            )
            if cast(Any, moved).rowcount != 1:
                session.rollback()
                return None
            session.add(
                RoutingBatchRow(
                    id=batch_id,
                    created_at=now,
                    scope=scope[:200],
                    orders=len(plan.orders),
                    routed=plan.count("route"),
                    split=plan.count("split"),
                    held=plan.count("hold"),
                    shipping_cost=plan.shipping_cost,
                    objective=plan.objective,
                    bound=plan.bound,
                    gap_pct=plan.gap_pct,
                    status=plan.status,
                    method=plan.method[:100],
                    seconds=plan.seconds,
                )
            )
            session.flush()
            if plan.orders:
                session.execute(
                    insert(RoutingPlanLineRow),
                    [
                        {
                            "batch_id": batch_id,
                            "order_id": order.order_id,
                            "kind": order.kind,
                            "plan": plan_json(order),
                            "alternatives": alternatives_json(order),
                            "cost": order.cost,
                            "created_at": now,
                        }
                        for order in plan.orders
                    ],
                )
            session.commit()
        return batch_id

    def batch(self, batch_id: str) -> BatchFigures | None:
        with Session(self._engine) as session:
            row = session.get(RoutingBatchRow, batch_id)
            if row is None:
                return None
            return BatchFigures(**{**row.model_dump(), "created_at": _utc(row.created_at)})

    def line(self, batch_id: str, order_id: str) -> PlanLine | None:
        with Session(self._engine) as session:
            row = session.exec(
                select(RoutingPlanLineRow).where(
                    col(RoutingPlanLineRow.batch_id) == batch_id, col(RoutingPlanLineRow.order_id) == order_id
                )
            ).first()
            return None if row is None else _line(row)

    def in_flight(self) -> list[PlanLine]:
        """Unsettled lines planned within `IN_FLIGHT`, the latest per order: routes being proposed or waiting."""
        since = self._clock.now() - IN_FLIGHT
        with Session(self._engine) as session:
            rows = session.exec(
                select(RoutingPlanLineRow)
                .where(col(RoutingPlanLineRow.settled_at).is_(None), col(RoutingPlanLineRow.created_at) >= since)
                .order_by(col(RoutingPlanLineRow.created_at), col(RoutingPlanLineRow.id))
            ).all()
        latest = {row.order_id: row for row in rows}
        return [_line(row) for row in latest.values()]

    def settle(self, batch_id: str, order_id: str, *, proposal_id: str, status: str) -> None:
        """Record how the line's proposal ended (repeating it changes nothing)."""
        with Session(self._engine) as session:
            session.execute(
                update(RoutingPlanLineRow)
                .where(and_(col(RoutingPlanLineRow.batch_id) == batch_id, col(RoutingPlanLineRow.order_id) == order_id))
                .values(proposal_id=proposal_id, settled_status=status, settled_at=self._clock.now())
            )
            session.commit()

    def rejected_routes(self, order_ids: Collection[str]) -> dict[str, frozenset[tuple[str, str]]]:
        """(warehouse, carrier) pairs a reviewer rejected, per order: the planner offers them last."""
        found: dict[str, set[tuple[str, str]]] = {}
        with Session(self._engine) as session:
            for chunk in _chunks(order_ids):
                rows = session.exec(
                    select(RoutingPlanLineRow).where(
                        col(RoutingPlanLineRow.order_id).in_(chunk),
                        col(RoutingPlanLineRow.settled_status) == "rejected",
                    )
                ).all()
                for row in rows:
                    for shipment in row.plan.get("shipments", []):
                        found.setdefault(row.order_id, set()).add(
                            (str(shipment["warehouse_id"]), str(shipment["carrier_id"]))
                        )
        return {order_id: frozenset(pairs) for order_id, pairs in found.items()}

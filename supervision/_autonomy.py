"""Where each agent action stands on its autonomy ladder, and every move it made, audited."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import Clock, JsonObject
from policies import KpiSnapshot, LadderChange
from supervision._audit import AuditLog
from supervision._errors import AutonomyConflict
from supervision._tables import AUTONOMY_STATE, AutonomyChangeRow, AutonomyStateRow
from supervision._views import AutonomyChangeView, AutonomyStateView, ChangeDirection

_LEVEL = core_select(AUTONOMY_STATE.c.level).where(
    AUTONOMY_STATE.c.agent == bindparam("agent"), AUTONOMY_STATE.c.action == bindparam("action")
)


class AutonomyStore:
    """Stores autonomy levels; every change writes its history row and audit entry with it."""

    def __init__(self, engine: Engine, clock: Clock, audit: AuditLog) -> None:
        self._engine = engine
        self._clock = clock
        self._audit = audit

    def level(self, agent: str, action: str, default: str) -> str:
        """The current level, or `default` (the policy's starting level) if it never moved."""
        with self._engine.connect() as connection:
            level = connection.execute(_LEVEL, {"agent": agent, "action": action}).scalar()
        return default if level is None else str(level)

    def changed_at(self, agent: str, action: str) -> datetime | None:
        """When the level last changed; None if it never did."""
        with Session(self._engine) as session:
            row = session.get(AutonomyStateRow, (agent, action))
            return None if row is None else row.changed_at

    def apply(self, change: LadderChange, *, actor: str) -> None:
        """Move an action on its ladder as the ladder decided, recording the KPI snapshot behind it.

        Raises `AutonomyConflict` if the action is no longer at `change.from_level` (someone moved
        it since the KPIs were evaluated).
        """
        self._move(
            change.agent,
            change.action,
            expected=change.from_level,
            to_level=change.to_level,
            direction=change.direction,
            reason=change.reason,
            actor=actor,
            kpi=change.kpi,
        )

    def set_level(self, agent: str, action: str, level: str, *, actor: str, reason: str) -> None:
        """Set a level by hand (an ops manager's override); audited like a ladder move."""
        self._move(agent, action, expected=None, to_level=level, direction="manual", reason=reason, actor=actor)

    def history(self, agent: str, action: str) -> list[AutonomyChangeView]:
        """Every change of this action's level, oldest first."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(AutonomyChangeRow)
                .where(col(AutonomyChangeRow.agent) == agent, col(AutonomyChangeRow.action) == action)
                .order_by(col(AutonomyChangeRow.at), col(AutonomyChangeRow.id))
            )
            return [
                AutonomyChangeView(
                    agent=row.agent,
                    action=row.action,
                    from_level=row.from_level,
                    to_level=row.to_level,
                    direction=cast(ChangeDirection, row.direction),
                    reason=row.reason,
                    actor=row.actor,
                    at=row.at,
                    kpi=None if row.kpi is None else KpiSnapshot.model_validate(row.kpi),
                )
                for row in rows
            ]

    def all_levels(self) -> list[AutonomyStateView]:
        """The stored level of every action that ever moved, by agent and action."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(AutonomyStateRow).order_by(col(AutonomyStateRow.agent), col(AutonomyStateRow.action))
            )
            return [
                AutonomyStateView(
                    agent=row.agent,
                    action=row.action,
                    level=row.level,
                    changed_at=row.changed_at,
                    changed_by=row.changed_by,
                )
                for row in rows
            ]

    def _move(
        self,
        agent: str,
        action: str,
        *,
        expected: str | None,
        to_level: str,
        direction: ChangeDirection,
        reason: str,
        actor: str,
        kpi: KpiSnapshot | None = None,
    ) -> None:
        now = self._clock.now()
        with Session(self._engine) as session:
            current = session.get(AutonomyStateRow, (agent, action))
            if current is None:
                from_level = expected
                session.add(
                    AutonomyStateRow(agent=agent, action=action, level=to_level, changed_at=now, changed_by=actor)
                )
                session.flush()  # a concurrent first move fails here on the primary key
            else:
                from_level = current.level
                if expected is not None and current.level != expected:
                    raise AutonomyConflict(agent, action, expected, current.level)
                moved = session.exec(
                    update(AutonomyStateRow)
                    .where(
                        col(AutonomyStateRow.agent) == agent,
                        col(AutonomyStateRow.action) == action,
                        col(AutonomyStateRow.level) == current.level,
                    )
                    .values(level=to_level, changed_at=now, changed_by=actor)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if moved != 1:
                    session.rollback()
                    actual = self.level(agent, action, default=current.level)
                    raise AutonomyConflict(agent, action, current.level, actual)
            kpi_json: JsonObject | None = None if kpi is None else kpi.model_dump(mode="json")
            session.add(
                AutonomyChangeRow(
                    agent=agent,
                    action=action,
                    from_level=from_level,
                    to_level=to_level,
                    direction=direction,
                    reason=reason,
                    actor=actor,
                    at=now,
                    kpi=kpi_json,
                )
            )
            self._audit.append(
                session,
                kind="autonomy.changed",
                subject=f"{agent}/{action}",
                actor=actor,
                payload={
                    "agent": agent,
                    "action": action,
                    "from_level": from_level,
                    "to_level": to_level,
                    "direction": direction,
                    "reason": reason,
                    "kpi": kpi_json,
                },
            )
            session.commit()

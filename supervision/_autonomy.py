"""Where each agent action stands on its autonomy ladder, every move it made, and the promotions that
wait for an ops manager's sign-off; all of it audited."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from core import Clock, JsonObject, NotFound
from policies import KpiSnapshot, LadderChange
from supervision._audit import AuditLog
from supervision._errors import AutonomyConflict, AutonomyRequestClosed
from supervision._tables import AUTONOMY_STATE, AutonomyChangeRow, AutonomyRequestRow, AutonomyStateRow
from supervision._views import (
    AutonomyChangeView,
    AutonomyRequestStatus,
    AutonomyRequestView,
    AutonomyStateView,
    ChangeDirection,
)

_LEVEL = core_select(AUTONOMY_STATE.c.level).where(
    AUTONOMY_STATE.c.agent == bindparam("agent"), AUTONOMY_STATE.c.action == bindparam("action")
)
LADDER_ACTOR = "autonomy-ladder"
"""Who moves or requests a move on the ladder's own evidence."""


def _open_key(agent: str, action: str) -> str:
    return f"{agent}/{action}"


def _request_view(row: AutonomyRequestRow) -> AutonomyRequestView:
    assert row.id is not None
    return AutonomyRequestView(
        id=row.id,
        agent=row.agent,
        action=row.action,
        from_level=row.from_level,
        to_level=row.to_level,
        reason=row.reason,
        kpi=KpiSnapshot.model_validate(row.kpi),
        requested_at=row.requested_at,
        status=cast(AutonomyRequestStatus, row.status),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


class AutonomyStore:
    """Stores autonomy levels; every change writes its history row and audit entry with it.

    A promotion that needs sign-off is kept as a request (at most one pending per action) until an ops
    manager approves it (the move is then applied like any other, by them) or declines it. Any move of
    the action, a demotion above all, supersedes its pending request: it was computed from a level
    that is no longer current.
    """

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

    # -- promotions waiting for sign-off ----------------------------------------------------------

    def request_promotion(self, change: LadderChange) -> AutonomyRequestView:
        """Record that the promotion `change` waits for sign-off, audited; returns the pending request.

        An action has at most one pending request: while one for the same move is open it is returned
        unchanged (evaluating the ladder again does not duplicate it, even from two processes at once).
        """
        if change.direction != "promote":
            raise ValueError(f"only promotions wait for sign-off, not a {change.direction}")
        key = _open_key(change.agent, change.action)
        for _ in range(2):
            with Session(self._engine) as session:
                now = self._clock.now()
                pending = session.exec(
                    select(AutonomyRequestRow).where(col(AutonomyRequestRow.open_for) == key)
                ).first()
                if pending is not None:
                    if (pending.from_level, pending.to_level) == (change.from_level, change.to_level):
                        return _request_view(pending)
                    self._supersede(session, change.agent, change.action, actor=LADDER_ACTOR, now=now)
                kpi: JsonObject = change.kpi.model_dump(mode="json")
                row = AutonomyRequestRow(
                    agent=change.agent,
                    action=change.action,
                    from_level=change.from_level,
                    to_level=change.to_level,
                    reason=change.reason,
                    kpi=kpi,
                    requested_at=now,
                    status="pending",
                    open_for=key,
                )
                session.add(row)
                try:
                    session.flush()
                except IntegrityError:  # another evaluation opened the request first: use theirs
                    session.rollback()
                    continue
                self._audit.append(
                    session,
                    kind="autonomy.promotion_requested",
                    subject=key,
                    actor=LADDER_ACTOR,
                    payload={
                        "request_id": row.id,
                        "agent": change.agent,
                        "action": change.action,
                        "from_level": change.from_level,
                        "to_level": change.to_level,
                        "reason": change.reason,
                        "kpi": kpi,
                    },
                )
                session.commit()
                session.refresh(row)
                return _request_view(row)
        raise AutonomyConflict(change.agent, change.action, change.from_level, "changing concurrently")

    def request(self, request_id: int) -> AutonomyRequestView:
        """One promotion request; raises `NotFound` for an unknown id."""
        with Session(self._engine) as session:
            row = session.get(AutonomyRequestRow, request_id)
            if row is None:
                raise NotFound("autonomy request", str(request_id))
            return _request_view(row)

    def requests(
        self,
        agent: str | None = None,
        action: str | None = None,
        *,
        status: AutonomyRequestStatus | None = None,
        limit: int = 100,
    ) -> list[AutonomyRequestView]:
        """Promotion requests, newest first, optionally of one agent action or in one state."""
        statement = select(AutonomyRequestRow)
        if agent is not None:
            statement = statement.where(col(AutonomyRequestRow.agent) == agent)
        if action is not None:
            statement = statement.where(col(AutonomyRequestRow.action) == action)
        if status is not None:
            statement = statement.where(col(AutonomyRequestRow.status) == status)
        statement = statement.order_by(col(AutonomyRequestRow.requested_at).desc(), col(AutonomyRequestRow.id).desc())
        with Session(self._engine) as session:
            return [_request_view(row) for row in session.exec(statement.limit(limit))]

    def pending_requests(self, agent: str | None = None, action: str | None = None) -> list[AutonomyRequestView]:
        """Promotions waiting for sign-off, newest first."""
        return self.requests(agent, action, status="pending")

    def declined_at(self, agent: str, action: str) -> datetime | None:
        """When a promotion of the action was last declined, if that was after its level last changed.

        The ladder counts fresh evidence from then on, so a declined promotion is not asked again at once.
        """
        with Session(self._engine) as session:
            declined = session.exec(
                select(func.max(AutonomyRequestRow.decided_at)).where(
                    col(AutonomyRequestRow.agent) == agent,
                    col(AutonomyRequestRow.action) == action,
                    col(AutonomyRequestRow.status) == "declined",
                )
            ).one()
            state = session.get(AutonomyStateRow, (agent, action))
        if declined is None or (state is not None and state.changed_at >= declined):
            return None
        return declined

    def sign_off(self, request_id: int, *, actor: str, approve: bool, note: str | None = None) -> AutonomyRequestView:
        """Approve (apply the promotion, as `actor`) or decline a pending request; audited as ``autonomy.sign_off``.

        Raises `NotFound` for an unknown request, `AutonomyRequestClosed` if it is no longer pending,
        and `AutonomyConflict` if the action left the request's starting level meanwhile (the request
        is then superseded).
        """
        note = (note or "").strip() or None
        decision: AutonomyRequestStatus = "approved" if approve else "declined"
        with Session(self._engine) as session:
            now = self._clock.now()
            row = session.get(AutonomyRequestRow, request_id)
            if row is None:
                raise NotFound("autonomy request", str(request_id))
            if row.status != "pending":
                raise AutonomyRequestClosed(request_id, row.status, row.decided_by)
            agent, action, from_level, to_level = row.agent, row.action, row.from_level, row.to_level
            claimed = session.exec(
                update(AutonomyRequestRow)
                .where(col(AutonomyRequestRow.id) == request_id, col(AutonomyRequestRow.status) == "pending")
                .values(status=decision, decided_by=actor, decided_at=now, note=note, open_for=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                session.rollback()
                raise AutonomyRequestClosed(request_id, *self._decided(request_id))
            if approve:
                try:
                    self._move_in(
                        session,
                        agent,
                        action,
                        expected=from_level,
                        to_level=to_level,
                        direction="promote",
                        reason=f"{row.reason} Signed off by {actor} (request {request_id}).",
                        actor=actor,
                        kpi=KpiSnapshot.model_validate(row.kpi),
                    )
                except AutonomyConflict:
                    session.rollback()
                    self._supersede_stale(request_id, actor)
                    raise
            self._audit.append(
                session,
                kind="autonomy.sign_off",
                subject=_open_key(agent, action),
                actor=actor,
                payload={
                    "request_id": request_id,
                    "agent": agent,
                    "action": action,
                    "from_level": from_level,
                    "to_level": to_level,
                    "decision": decision,
                    "note": note is not None,
                },
            )
            session.commit()
        return self.request(request_id)

    def _decided(self, request_id: int) -> tuple[str, str | None]:
        found = self.request(request_id)
        return found.status, found.decided_by

    def _supersede_stale(self, request_id: int, actor: str) -> None:
        with Session(self._engine) as session:
            row = session.get(AutonomyRequestRow, request_id)
            if row is not None and row.status == "pending":
                self._supersede(session, row.agent, row.action, actor=actor, now=self._clock.now())
                session.commit()

    def _supersede(self, session: Session, agent: str, action: str, *, actor: str, now: datetime) -> None:
        """Close the action's pending request, if any: the level it would move from is gone."""
        pending = session.exec(
            select(AutonomyRequestRow).where(col(AutonomyRequestRow.open_for) == _open_key(agent, action))
        ).first()
        if pending is None:
            return
        pending.status, pending.decided_by, pending.decided_at, pending.open_for = "superseded", actor, now, None
        session.add(pending)
        self._audit.append(
            session,
            kind="autonomy.request_superseded",
            subject=_open_key(agent, action),
            actor=actor,
            payload={"request_id": pending.id, "agent": agent, "action": action, "from_level": pending.from_level},
        )

    # -- moving -----------------------------------------------------------------------------------

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
        with Session(self._engine) as session:
            self._move_in(
                session,
                agent,
                action,
                expected=expected,
                to_level=to_level,
                direction=direction,
                reason=reason,
                actor=actor,
                kpi=kpi,
            )
            session.commit()

    def _move_in(
        self,
        session: Session,
        agent: str,
        action: str,
        *,
        expected: str | None,
        to_level: str,
        direction: ChangeDirection,
        reason: str,
        actor: str,
        kpi: KpiSnapshot | None,
    ) -> None:
        """Move the level within `session` (the caller commits): state, history, audit, and any
        pending request superseded."""
        now = self._clock.now()
        current = session.get(AutonomyStateRow, (agent, action))
        if current is None:
            from_level = expected
            session.add(AutonomyStateRow(agent=agent, action=action, level=to_level, changed_at=now, changed_by=actor))
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
            subject=_open_key(agent, action),
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
        self._supersede(session, agent, action, actor=actor, now=now)

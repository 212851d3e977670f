"""Browsing the queue: filtered pages with keyset pagination, and counts per state.

Keyset pagination (``created_at, id`` below the last row seen) costs the same on page 1 and page 1000,
unlike OFFSET, and a proposal arriving between two pages neither repeats nor hides a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine

from supervision._tables import PROPOSAL
from supervision._views import QueuePage, QueuePosition, QueueRow, QueueStatus

MAX_PAGE = 200

_ROW_COLUMNS = (
    PROPOSAL.c.id,
    PROPOSAL.c.agent,
    PROPOSAL.c.action,
    PROPOSAL.c.status,
    PROPOSAL.c.customer_id,
    PROPOSAL.c.arguments,
    PROPOSAL.c.gate,
    PROPOSAL.c.created_at,
    PROPOSAL.c.expires_at,
    PROPOSAL.c.decided_at,
    PROPOSAL.c.decided_by,
)


class QueueBrowser:
    """Read-only views of the queue for people: a page of rows, the counts per state, the agent actions seen."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def page(
        self,
        *,
        agent: str | None = None,
        action: str | None = None,
        status: QueueStatus | None = None,
        after: QueuePosition | None = None,
        limit: int = 50,
    ) -> QueuePage:
        """Up to `limit` proposals (newest first) matching the filters, starting after `after`."""
        limit = max(1, min(limit, MAX_PAGE))
        statement = select(*_ROW_COLUMNS).where(*self._filters(agent, action, status))
        if after is not None:
            statement = statement.where(
                or_(
                    PROPOSAL.c.created_at < after.created_at,
                    and_(PROPOSAL.c.created_at == after.created_at, PROPOSAL.c.id < after.id),
                )
            )
        statement = statement.order_by(PROPOSAL.c.created_at.desc(), PROPOSAL.c.id.desc()).limit(limit + 1)
        with self._engine.connect() as connection:
            found = connection.execute(statement).all()
        rows = [_row(r._mapping) for r in found[:limit]]
        more = len(found) > limit
        last = rows[-1] if rows else None
        next_after = QueuePosition(created_at=last.created_at, id=last.id) if more and last is not None else None
        return QueuePage(rows=rows, next_after=next_after)

    def counts(self, *, agent: str | None = None, action: str | None = None) -> dict[str, int]:
        """How many proposals are in each state (states with none are left out)."""
        statement = (
            select(PROPOSAL.c.status, func.count())
            .where(*self._filters(agent, action, None))
            .group_by(PROPOSAL.c.status)
        )
        with self._engine.connect() as connection:
            return {status: count for status, count in connection.execute(statement)}

    def agent_actions(self) -> list[tuple[str, str]]:
        """Every (agent, action) pair that has proposals, sorted."""
        statement = select(PROPOSAL.c.agent, PROPOSAL.c.action).distinct().order_by(PROPOSAL.c.agent, PROPOSAL.c.action)
        with self._engine.connect() as connection:
            return [(agent, action) for agent, action in connection.execute(statement)]

    @staticmethod
    def _filters(agent: str | None, action: str | None, status: QueueStatus | None) -> Sequence[Any]:
        conditions = []
        if agent is not None:
            conditions.append(PROPOSAL.c.agent == agent)
        if action is not None:
            conditions.append(PROPOSAL.c.action == action)
        if status is not None:
            conditions.append(PROPOSAL.c.status == status)
        return conditions


def _row(values: Any) -> QueueRow:
    gate = values["gate"]
    return QueueRow(
        id=values["id"],
        agent=values["agent"],
        action=values["action"],
        status=values["status"],
        customer_id=values["customer_id"],
        arguments=values["arguments"],
        gate_outcome=gate["outcome"],
        gate_matched=gate["matched"],
        autonomy_level=gate["autonomy_level"],
        created_at=values["created_at"],
        expires_at=values["expires_at"],
        decided_at=values["decided_at"],
        decided_by=values["decided_by"],
    )

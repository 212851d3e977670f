"""Browsing the queue: filtered, sorted pages with keyset pagination, and counts per state.

Keyset pagination (the rows after the last one seen, in the page's order) costs the same on page 1 and
page 1000, unlike OFFSET, and a proposal arriving between two pages neither repeats nor hides a row.
Two orders: newest first on ``(created_at, id)``, and SLA due soonest on ``(expires_at, id)`` with the
proposals that have no deadline last. Each order is an index range read in order (see `ProposalRow`),
and the keyset is compared as a row value, ``(a, b) < (x, y)``, so a deep page starts with an index seek
(SQLite seeks on the time, all but unique, then steps past ties).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, assert_never

from sqlalchemy import Boolean, ColumnElement, Select, func, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core import Clock, ConfigurationError
from supervision._tables import PROPOSAL
from supervision._views import QueuePage, QueuePosition, QueuePriority, QueueRow, QueueSort, QueueStatus, SlaDue

MAX_PAGE = 200

DUE_WINDOWS: dict[SlaDue, timedelta | None] = {
    "overdue": None,
    "within_4h": timedelta(hours=4),
    "within_24h": timedelta(hours=24),
}
"""How far ahead each SLA filter looks (`overdue` looks back: the deadline has passed)."""

_ROW_COLUMNS = (
    PROPOSAL.c.id,
    PROPOSAL.c.agent,
    PROPOSAL.c.action,
    PROPOSAL.c.status,
    PROPOSAL.c.priority,
    PROPOSAL.c.customer_id,
    PROPOSAL.c.arguments,
    PROPOSAL.c.gate,
    PROPOSAL.c.created_at,
    PROPOSAL.c.expires_at,
    PROPOSAL.c.decided_at,
    PROPOSAL.c.decided_by,
)


class QueueBrowser:
    """Read-only views of the queue for people: a page of rows, the counts per state, the agent actions seen.

    The SLA filters compare deadlines with the injected clock's now.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def page(
        self,
        *,
        agent: str | None = None,
        action: str | None = None,
        status: QueueStatus | None = None,
        priority: QueuePriority | None = None,
        due: SlaDue | None = None,
        sort: QueueSort = "newest",
        after: QueuePosition | None = None,
        limit: int = 50,
    ) -> QueuePage:
        """Up to `limit` proposals matching the filters, in the `sort` order, starting after `after`.

        `after` must come from a page of the same sort (`ConfigurationError` otherwise).
        """
        if after is not None and after.sort != sort:
            raise ConfigurationError(f"a position in the {after.sort!r} order cannot continue a {sort!r} page")
        limit = max(1, min(limit, MAX_PAGE))
        # Newest first, a deadline filter is tested in the index while reading in creation order (`_Likely`).
        conditions = self._filters(agent, action, status, priority, due, due_is_likely=sort == "newest")
        with self._engine.connect() as connection:
            match sort:
                case "newest":
                    found = list(connection.execute(self._newest(conditions, after, limit + 1)))
                case "due":
                    statement = self._due_soonest(conditions, after, limit + 1)
                    found = [] if statement is None else list(connection.execute(statement))
                    if len(found) <= limit and due is None:  # room left: the proposals without a deadline
                        tail = self._no_deadline(conditions, after, limit + 1 - len(found))
                        found += connection.execute(tail).all()
                case unreachable:
                    assert_never(unreachable)
        rows = [_row(r._mapping) for r in found[:limit]]
        if len(found) <= limit or not rows:
            return QueuePage(rows=rows, next_after=None)
        last = rows[-1]
        at = last.created_at if sort == "newest" else last.expires_at
        return QueuePage(rows=rows, next_after=QueuePosition(sort=sort, at=at, id=last.id))

    def counts(
        self,
        *,
        agent: str | None = None,
        action: str | None = None,
        priority: QueuePriority | None = None,
        due: SlaDue | None = None,
    ) -> dict[str, int]:
        """How many proposals are in each state under the other filters (states with none are left out).

        A count reads every matching entry, so it grows with the proposals counted, settled ones too. Each
        of the queue's indexes holds every filter column, so whichever the planner picks, it counts inside
        the index and never reads the table (100,000 pending and 20,000 settled: 4 to 15 ms on SQLite).
        """
        statement = (
            select(PROPOSAL.c.status, func.count())
            .where(*self._filters(agent, action, None, priority, due))
            .group_by(PROPOSAL.c.status)
        )
        with self._engine.connect() as connection:
            return {status: count for status, count in connection.execute(statement)}

    def agent_actions(self) -> list[tuple[str, str]]:
        """Every (agent, action) pair that has proposals, sorted.

        A skip scan: two index seeks per pair (the next action of the agent, else the next agent), where
        DISTINCT would read every proposal.
        """
        agent, action = PROPOSAL.c.agent, PROPOSAL.c.action
        first = select(agent, action).order_by(agent, action).limit(1)
        pairs: list[tuple[str, str]] = []
        with self._engine.connect() as connection:
            found = connection.execute(first).first()
            while found is not None:
                pairs.append((found.agent, found.action))
                found = (
                    connection.execute(first.where(agent == found.agent, action > found.action)).first()
                    or connection.execute(first.where(agent > found.agent)).first()
                )
        return pairs

    @staticmethod
    def _newest(conditions: Sequence[ColumnElement[bool]], after: QueuePosition | None, limit: int) -> Select[Any]:
        statement = select(*_ROW_COLUMNS).where(*conditions)
        if after is not None:
            if after.at is None:
                raise ConfigurationError("a position in the 'newest' order needs the row's creation time")
            statement = statement.where(tuple_(PROPOSAL.c.created_at, PROPOSAL.c.id) < (after.at, after.id))
        return statement.order_by(PROPOSAL.c.created_at.desc(), PROPOSAL.c.id.desc()).limit(limit)

    @staticmethod
    def _due_soonest(
        conditions: Sequence[ColumnElement[bool]], after: QueuePosition | None, limit: int
    ) -> Select[Any] | None:
        """The rows with a deadline, soonest first; None when `after` is already past them all."""
        if after is not None and after.at is None:
            return None
        statement = select(*_ROW_COLUMNS).where(*conditions, PROPOSAL.c.expires_at.is_not(None))
        if after is not None:
            statement = statement.where(tuple_(PROPOSAL.c.expires_at, PROPOSAL.c.id) > (after.at, after.id))
        return statement.order_by(PROPOSAL.c.expires_at, PROPOSAL.c.id).limit(limit)

    @staticmethod
    def _no_deadline(conditions: Sequence[ColumnElement[bool]], after: QueuePosition | None, limit: int) -> Select[Any]:
        """The rows without a deadline, by id: the tail of the `due` order (a separate query, so both
        parts read an index in order; ``NULLS LAST`` would make SQLite sort every matching row)."""
        statement = select(*_ROW_COLUMNS).where(*conditions, PROPOSAL.c.expires_at.is_(None))
        if after is not None and after.at is None:
            statement = statement.where(PROPOSAL.c.id > after.id)
        return statement.order_by(PROPOSAL.c.id).limit(limit)

    def _filters(
        self,
        agent: str | None,
        action: str | None,
        status: QueueStatus | None,
        priority: QueuePriority | None,
        due: SlaDue | None,
        *,
        due_is_likely: bool = False,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if agent is not None:
            conditions.append(PROPOSAL.c.agent == agent)
        if action is not None:
            conditions.append(PROPOSAL.c.action == action)
        if status is not None:
            conditions.append(PROPOSAL.c.status == status)
        if priority is not None:
            conditions.append(PROPOSAL.c.priority == priority)
        if due is not None:
            deadline = _due_conditions(due, self._clock.now())
            conditions += [_Likely(condition) for condition in deadline] if due_is_likely else deadline
        return conditions


class _Likely(FunctionElement[bool]):
    """A condition SQLite's planner should take to hold for most rows, so it does not pick an index for it.

    A deadline filter on a newest-first page would otherwise send SQLite (which has no statistics) to the
    deadline index, to sort every matching row by creation time; read in creation order instead, with
    the deadline tested inside the index, a page costs the same however many rows match. Other
    databases see the plain condition.
    """

    type = Boolean()
    name = "likely"
    inherit_cache = True


@compiles(_Likely)
def _plain_condition(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return compiler.process(condition, **kw)


@compiles(_Likely, "sqlite")
def _likely_condition(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"likely({compiler.process(condition, **kw)})"


def _due_conditions(due: SlaDue, now: datetime) -> list[ColumnElement[bool]]:
    window = DUE_WINDOWS[due]
    if window is None:
        return [PROPOSAL.c.expires_at < now]
    return [PROPOSAL.c.expires_at >= now, PROPOSAL.c.expires_at < now + window]


def _row(values: Any) -> QueueRow:
    gate = values["gate"]
    return QueueRow(
        id=values["id"],
        agent=values["agent"],
        action=values["action"],
        status=values["status"],
        priority=values["priority"],
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

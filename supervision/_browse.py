"""Browsing the queue: filtered, sorted pages with keyset pagination, and counts per state.

The customer filter keeps the proposals that name the customer among their subjects (an IN on the
subject index: the customer's few proposals, not the whole queue, are read).

Keyset pagination (the rows after the last one seen, in the page's order) costs the same on page 1 and
page 1000, unlike OFFSET, and a proposal arriving between two pages neither repeats nor hides a row.
Two orders: newest first on ``(created_at, id)``, and SLA due soonest on ``(expires_at, id)`` with the
proposals that have no deadline last. Each order is an index range read in order (see `ProposalRow`),
and the keyset is compared as a row value, ``(a, b) < (x, y)``, so a deep page starts with an index seek
(SQLite seeks on the time, all but unique, then steps past ties).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, assert_never, cast

from sqlalchemy import Boolean, ColumnElement, Select, func, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeEngine

from core import Clock, ConfigurationError
from supervision._subjects import CUSTOMER, naming
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
    PROPOSAL.c.escalated_to,
    PROPOSAL.c.escalated_at,
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
        customer: str | None = None,
        sort: QueueSort = "newest",
        after: QueuePosition | None = None,
        limit: int = 50,
        escalated: bool | None = None,
        escalated_to: Collection[str] | None = None,
    ) -> QueuePage:
        """Up to `limit` proposals matching the filters, in the `sort` order, starting after `after`.

        `customer` keeps the proposals that name that customer (see `ProposalSubmission.subjects`).
        `escalated` keeps the proposals whose overdue review was escalated (True) or the others (False);
        `escalated_to` those escalated to one of these roles (a viewer's roles: "escalated to you"), read
        through their own index.
        `after` must come from a page of the same sort (`ConfigurationError` otherwise).
        """
        if after is not None and after.sort != sort:
            raise ConfigurationError(f"a position in the {after.sort!r} order cannot continue a {sort!r} page")
        limit = max(1, min(limit, MAX_PAGE))
        # Newest first, a deadline filter is tested in the index while reading in creation order (`_Likely`).
        conditions = self._filters(agent, action, status, priority, due, customer, due_is_likely=sort == "newest")
        few = customer is not None
        if escalated is True or escalated_to is not None:  # few rows: read through their own index, then sorted
            conditions, few = [_hint(condition, few=True) for condition in conditions], True
        conditions += _escalation_filters(escalated, escalated_to)
        with self._engine.connect() as connection:
            match sort:
                case "newest":
                    found = list(connection.execute(self._newest(conditions, after, limit + 1, few)))
                case "due":
                    statement = self._due_soonest(conditions, after, limit + 1, few)
                    found = [] if statement is None else list(connection.execute(statement))
                    if len(found) <= limit and due is None:  # room left: the proposals without a deadline
                        tail = self._no_deadline(conditions, after, limit + 1 - len(found), few)
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
        customer: str | None = None,
        escalated: bool | None = None,
        escalated_to: Collection[str] | None = None,
    ) -> dict[str, int]:
        """How many proposals are in each state under the other filters (states with none are left out).

        A count reads every matching entry, so it grows with the proposals counted, settled ones too. Each
        of the queue's indexes holds every filter column, so whichever the planner picks, it counts inside
        the index and never reads the table (100,000 pending and 20,000 settled: 4 to 15 ms on SQLite).
        """
        statement = (
            select(PROPOSAL.c.status, func.count())
            .where(*self._filters(agent, action, None, priority, due, customer))
            .where(*_escalation_filters(escalated, escalated_to))
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
    def _newest(
        conditions: Sequence[ColumnElement[bool]], after: QueuePosition | None, limit: int, few: bool
    ) -> Select[Any]:
        statement = select(*_ROW_COLUMNS).where(*conditions)
        if after is not None:
            if after.at is None:
                raise ConfigurationError("a position in the 'newest' order needs the row's creation time")
            statement = statement.where(_hint(tuple_(PROPOSAL.c.created_at, PROPOSAL.c.id) < (after.at, after.id), few))
        return statement.order_by(PROPOSAL.c.created_at.desc(), PROPOSAL.c.id.desc()).limit(limit)

    @staticmethod
    def _due_soonest(
        conditions: Sequence[ColumnElement[bool]], after: QueuePosition | None, limit: int, few: bool
    ) -> Select[Any] | None:
        """The rows with a deadline, soonest first; None when `after` is already past them all."""
        if after is not None and after.at is None:
            return None
        statement = select(*_ROW_COLUMNS).where(*conditions, _hint(PROPOSAL.c.expires_at.is_not(None), few))
        if after is not None:
            statement = statement.where(_hint(tuple_(PROPOSAL.c.expires_at, PROPOSAL.c.id) > (after.at, after.id), few))
        return statement.order_by(PROPOSAL.c.expires_at, PROPOSAL.c.id).limit(limit)

    @staticmethod
    def _no_deadline(
        conditions: Sequence[ColumnElement[bool]], after: QueuePosition | None, limit: int, few: bool
    ) -> Select[Any]:
        """The rows without a deadline, by id: the tail of the `due` order (a separate query, so both
        parts read an index in order; ``NULLS LAST`` would make SQLite sort every matching row)."""
        statement = select(*_ROW_COLUMNS).where(*conditions, _hint(PROPOSAL.c.expires_at.is_(None), few))
        if after is not None and after.at is None:
            statement = statement.where(_hint(PROPOSAL.c.id > after.id, few))
        return statement.order_by(PROPOSAL.c.id).limit(limit)

    def _filters(
        self,
        agent: str | None,
        action: str | None,
        status: QueueStatus | None,
        priority: QueuePriority | None,
        due: SlaDue | None,
        customer: str | None = None,
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
        if customer is not None:
            conditions = [_hint(condition, few=True) for condition in conditions]
            conditions.append(PROPOSAL.c.id.in_(naming(CUSTOMER, [customer])))
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


def likely(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition`, marked for SQLite's planner as holding for most rows (`_Likely`): it picks no index for it."""
    return condition if isinstance(condition, _Likely) else _Likely(condition)


def _hint(condition: ColumnElement[bool], few: bool) -> ColumnElement[bool]:
    """`condition`, marked `likely` when the rows come from a customer's few proposals (`few`).

    Those are fetched through the subject index and sorted, a handful of rows; no other condition, nor a
    page's order, may tempt SQLite into walking a queue index and testing each of its rows instead.
    """
    return likely(condition) if few else condition


@compiles(_Likely)
def _plain_condition(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return compiler.process(condition, **kw)


@compiles(_Likely, "sqlite")
def _likely_condition(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"likely({compiler.process(condition, **kw)})"


def _escalation_filters(escalated: bool | None, roles: Collection[str] | None) -> list[ColumnElement[bool]]:
    """The escalation filters. Escalated proposals are few, and read through their own index
    (``ix_supervision_proposal_escalated``): a page marks its other conditions `likely`, so no queue index
    tempts SQLite to read the whole queue in order looking for them; `_Unlikely` tells it that "escalated
    at all" matches few rows (SQLite takes ``IS NOT NULL`` to match most)."""
    conditions: list[ColumnElement[bool]] = []
    if escalated is not None:
        is_escalated = PROPOSAL.c.escalated_to.is_not(None)
        conditions.append(_Unlikely(is_escalated) if escalated else PROPOSAL.c.escalated_to.is_(None))
    if roles is not None:
        conditions.append(PROPOSAL.c.escalated_to.in_(sorted(set(roles))))  # no roles: nothing matches
    return conditions


class _Unlikely(FunctionElement[bool]):
    """A condition SQLite's planner should take to hold for few rows; other databases see it plain.

    Untyped, so it stands bare in a WHERE clause (a boolean-typed function would be compared with 1) and
    SQLite may still read an index by it.
    """

    type = cast("TypeEngine[bool]", NullType())
    name = "unlikely"
    inherit_cache = True


@compiles(_Unlikely)
def _plain_unlikely(element: _Unlikely, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return compiler.process(condition, **kw)


@compiles(_Unlikely, "sqlite")
def _unlikely_condition(element: _Unlikely, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"unlikely({compiler.process(condition, **kw)})"


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
        escalated_to=values["escalated_to"],
        escalated_at=values["escalated_at"],
    )

"""KPI snapshots of one agent action, computed from the queue's history.

Agreement counts only proposals a person decided: approved unchanged agrees; an edit or a rejection
disagrees. Expired reviews are reported apart and never count as rejections; auto-approved and
denied proposals were never reviewed and do not count at all. Outcome KPIs look at executed actions,
auto or reviewed, that have a recorded good/bad outcome.

`KpiStore.series` gives the same figures over time, per day or ISO week (UTC), for the autonomy
dashboard: a handful of grouped queries over the bounded span, whatever the size of the queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, Select, and_, case, cast, extract, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from core import Clock
from policies import KpiSnapshot, wilson_interval
from supervision._tables import PROPOSAL, ProposalRow
from supervision._views import KpiBucket, KpiSeries, SeriesGranularity

MAX_SERIES_DAYS = 371
"""The longest span a series covers: 53 ISO weeks."""
DAILY_UP_TO = 31
"""Spans up to this many days are shown per day; longer ones per ISO week."""


class KpiStore:
    """Computes `KpiSnapshot`s for the autonomy ladder from recorded decisions and outcomes."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def snapshot(
        self, agent: str, action: str, *, window: int, confidence: float, since: datetime | None = None
    ) -> KpiSnapshot:
        """KPIs over the `window` most recent reviewed (and, separately, executed) proposals.

        `since` is when the action last moved on its ladder: `reviewed_since_change` counts every
        reviewed proposal decided after it (all of them if None). `expired` counts the expired
        reviews in the same period as the reviewed window (all of them while the window is not full).
        """
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        mine = (col(ProposalRow.agent) == agent, col(ProposalRow.action) == action)
        with Session(self._engine) as session:
            reviewed_rows = list(
                session.exec(
                    select(ProposalRow.verdict, ProposalRow.decided_at)
                    .where(*mine, col(ProposalRow.verdict).is_not(None))
                    .order_by(col(ProposalRow.decided_at).desc(), col(ProposalRow.id).desc())
                    .limit(window)
                )
            )
            since_change = select(func.count()).where(*mine, col(ProposalRow.verdict).is_not(None))
            if since is not None:
                since_change = since_change.where(col(ProposalRow.decided_at) > since)
            reviewed_since_change = session.exec(since_change).one()

            expired_query = select(func.count()).where(*mine, col(ProposalRow.status) == "expired")
            if len(reviewed_rows) == window:
                oldest = reviewed_rows[-1][1]
                expired_query = expired_query.where(col(ProposalRow.decided_at) >= oldest)
            expired = session.exec(expired_query).one()

            outcomes = [
                outcome
                for outcome in session.exec(
                    select(ProposalRow.outcome)
                    .where(*mine, col(ProposalRow.status) == "executed")
                    .order_by(col(ProposalRow.executed_at).desc(), col(ProposalRow.id).desc())
                    .limit(window)
                )
                if outcome is not None
            ]

        reviewed = len(reviewed_rows)
        agreed = sum(1 for verdict, _ in reviewed_rows if verdict == "approve")
        observed = len(outcomes)
        bad = sum(1 for outcome in outcomes if outcome == "bad")
        return KpiSnapshot(
            agent=agent,
            action=action,
            reviewed=reviewed,
            reviewed_since_change=reviewed_since_change,
            agreed=agreed,
            agreement_rate=agreed / reviewed if reviewed else 0.0,
            agreement_lower_bound=wilson_interval(agreed, reviewed, confidence)[0],
            outcomes_observed=observed,
            bad_outcomes=bad,
            bad_outcome_rate=bad / observed if observed else 0.0,
            bad_outcome_upper_bound=wilson_interval(bad, observed, confidence)[1],
            expired=expired,
            taken_at=self._clock.now(),
        )

    def series(self, agent: str, action: str, *, days: int = 84) -> KpiSeries:
        """The action's KPIs over the last `days` (to today, UTC): per day up to 31 days, else per ISO week."""
        return self.series_of([(agent, action)], days=days)[0]

    def series_of(self, actions: Iterable[tuple[str, str]], *, days: int = 84) -> list[KpiSeries]:
        """`series` for several agent actions at once (same span), in the order given.

        Four grouped queries over the span, one count before it; the database assigns the buckets.
        """
        pairs = list(dict.fromkeys(actions))
        if not 1 <= days <= MAX_SERIES_DAYS:
            raise ValueError(f"a KPI series covers 1 to {MAX_SERIES_DAYS} days, got {days}")
        now = self._clock.now()
        span = _Span.ending_at(now, days)
        if not pairs:
            return []
        mine = or_(*(and_(_P.agent == agent, _P.action == action) for agent, action in pairs))
        with self._engine.connect() as connection:
            dialect = connection.dialect.name
            created = _grouped(connection, mine, span, _P.created_at, _CREATIONS)
            decided = _grouped(connection, mine, span, _P.decided_at, _DECISIONS)
            outcomes = _grouped(connection, mine, span, _P.outcome_at, _OUTCOMES)
            medians = _medians(connection, mine, span, _hours_to_decision(dialect))
            pending_before = _pending_at(connection, mine, span.bounds[0])
        series = []
        for agent, action in pairs:
            backlog = pending_before.get((agent, action), 0)
            buckets = []
            for index in range(span.size):
                key = (agent, action, index)
                opened, closed = created.get(key, {}), decided.get(key, {})
                backlog += opened.get("waits", 0) - closed.get("count", 0)
                buckets.append(
                    _bucket(
                        span,
                        index,
                        created=opened,
                        decided=closed,
                        outcomes=outcomes.get(key, {}),
                        median=medians.get(key),
                        backlog=backlog,
                    )
                )
            series.append(
                KpiSeries(agent=agent, action=action, granularity=span.granularity, buckets=buckets, taken_at=now)
            )
        return series


_JULIAN_DAY_AT_UNIX_EPOCH = 2440587.5


@dataclass(frozen=True)
class _Span:
    """Consecutive UTC days or ISO weeks ending with the current one; `bounds` has one more entry than buckets."""

    granularity: SeriesGranularity
    bounds: tuple[datetime, ...]
    now: datetime
    """The current bucket ends here for now: nothing recorded later is counted."""

    @classmethod
    def ending_at(cls, now: datetime, days: int) -> _Span:
        today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if days <= DAILY_UP_TO:
            first = today - timedelta(days=days - 1)
            return cls("day", tuple(first + timedelta(days=i) for i in range(days + 1)), now)
        weeks = -(-days // 7)
        first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
        return cls("week", tuple(first + timedelta(weeks=i) for i in range(weeks + 1)), now)

    @property
    def size(self) -> int:
        return len(self.bounds) - 1

    @property
    def width(self) -> timedelta:
        return timedelta(days=1) if self.granularity == "day" else timedelta(weeks=1)

    def label(self, index: int) -> str:
        start = self.bounds[index]
        if self.granularity == "day":
            return start.date().isoformat()
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"

    def within(self, moment: Any) -> ColumnElement[bool]:
        return and_(moment >= self.bounds[0], moment < self.bounds[-1], moment <= self.now)

    def index_of(self, moment: Any, dialect: str) -> ColumnElement[int]:
        """The bucket of `moment` (a column already limited to the span), by arithmetic in the database.

        Bounds fall on whole days, so the floating-point day numbers of SQLite divide exactly there.
        """
        width_days = self.width.days
        if dialect == "sqlite":
            start = self.bounds[0].timestamp() / 86400 + _JULIAN_DAY_AT_UNIX_EPOCH
            return cast((func.julianday(moment) - start) / width_days, Integer)
        start_epoch = self.bounds[0].timestamp()
        return cast(func.floor((extract("epoch", moment) - start_epoch) / (width_days * 86400)), Integer)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


_P = PROPOSAL.c
_CREATIONS: dict[str, ColumnElement[int]] = {
    # Proposals that were or are pending review (auto and deny were decided as they came, so they are
    # counted here and among the decisions alike); one redacted while pending has no decision time.
    "waits": _flag(or_(_P.decided_at.is_not(None), _P.status == "pending")),
}
_DECISIONS: dict[str, ColumnElement[int]] = {
    "reviewed": _flag(_P.verdict.is_not(None)),
    "agreed": _flag(_P.verdict == "approve"),
    "overridden": _flag(_P.verdict.in_(("reject", "edit"))),
    "expired": _flag(_P.status == "expired"),
    "automated": _flag(and_(_P.verdict.is_(None), _P.status == "executed", _P.gate["outcome"].as_string() == "auto")),
}
_OUTCOMES: dict[str, ColumnElement[int]] = {
    "observed": _flag(_P.outcome.is_not(None)),
    "bad": _flag(_P.outcome == "bad"),
}

Counts = dict[str, int]
BucketKey = tuple[str, str, int]


def _grouped(
    connection: Connection,
    mine: ColumnElement[bool],
    span: _Span,
    moment: Any,
    measures: dict[str, ColumnElement[int]],
) -> dict[BucketKey, Counts]:
    """Rows per (agent, action, bucket of `moment`) as ``count``, and the sum of each 0/1 measure."""
    bucket = span.index_of(moment, connection.dialect.name).label("bucket")
    inner = (
        core_select(_P.agent, _P.action, bucket, *(m.label(n) for n, m in measures.items()))
        .where(mine, span.within(moment))
        .subquery()
    )
    keys = (inner.c.agent, inner.c.action, inner.c.bucket)
    statement: Select[Any] = core_select(
        *keys, func.count().label("count"), *(func.sum(inner.c[name]).label(name) for name in measures)
    ).group_by(*keys)
    grouped: dict[BucketKey, Counts] = {}
    for row in connection.execute(statement).mappings():
        grouped[(row["agent"], row["action"], int(row["bucket"]))] = {
            name: int(row[name] or 0) for name in ("count", *measures)
        }
    return grouped


def _hours_to_decision(dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return (func.julianday(_P.decided_at) - func.julianday(_P.created_at)) * 24.0
    return cast(extract("epoch", _P.decided_at - _P.created_at), Float) / 3600.0


def _medians(
    connection: Connection, mine: ColumnElement[bool], span: _Span, hours: ColumnElement[Any]
) -> dict[BucketKey, float]:
    """Median hours from proposal to a person's verdict, per bucket of the verdict, by window functions."""
    inner = (
        core_select(
            _P.agent,
            _P.action,
            span.index_of(_P.decided_at, connection.dialect.name).label("bucket"),
            hours.label("hours"),
        )
        .where(mine, span.within(_P.decided_at), _P.verdict.is_not(None))
        .subquery()
    )
    keys = (inner.c.agent, inner.c.action, inner.c.bucket)
    ranked = core_select(
        *keys,
        inner.c.hours,
        func.row_number().over(partition_by=keys, order_by=inner.c.hours).label("rn"),
        func.count().over(partition_by=keys).label("n"),
    ).subquery()
    middle = (ranked.c.agent, ranked.c.action, ranked.c.bucket)
    statement = (
        core_select(*middle, func.avg(ranked.c.hours).label("median"))
        .where(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)  # the middle row, or the two
        .group_by(*middle)
    )
    return {
        (row.agent, row.action, int(row.bucket)): float(row.median)
        for row in connection.execute(statement)
        if row.median is not None
    }


def _pending_at(connection: Connection, mine: ColumnElement[bool], moment: datetime) -> dict[tuple[str, str], int]:
    """Reviews pending at `moment`: created before it and not decided by then.

    Each bucket's backlog follows from this one by adding the reviews opened in it and subtracting
    the proposals decided in it.
    """
    statement = (
        core_select(_P.agent, _P.action, func.count().label("pending"))
        .where(
            mine,
            _P.created_at < moment,
            or_(_P.decided_at >= moment, and_(_P.decided_at.is_(None), _P.status == "pending")),
        )
        .group_by(_P.agent, _P.action)
    )
    return {(row.agent, row.action): int(row.pending) for row in connection.execute(statement)}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _bucket(
    span: _Span,
    index: int,
    *,
    created: Counts,
    decided: Counts,
    outcomes: Counts,
    median: float | None,
    backlog: int,
) -> KpiBucket:
    reviewed, agreed = decided.get("reviewed", 0), decided.get("agreed", 0)
    observed, bad = outcomes.get("observed", 0), outcomes.get("bad", 0)
    return KpiBucket(
        label=span.label(index),
        start=span.bounds[index],
        end=span.bounds[index + 1],
        created=created.get("count", 0),
        automated=decided.get("automated", 0),
        reviewed=reviewed,
        agreed=agreed,
        overridden=decided.get("overridden", 0),
        expired=decided.get("expired", 0),
        agreement_rate=_rate(agreed, reviewed),
        outcomes_observed=observed,
        bad_outcomes=bad,
        bad_outcome_rate=_rate(bad, observed),
        backlog=backlog,
        median_hours_to_decision=median,
    )

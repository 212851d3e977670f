"""KPI snapshots of one agent action, computed from the queue's history.

Agreement counts only proposals a person decided: approved unchanged agrees; an edit or a rejection
disagrees. Expired reviews are reported apart and never count as rejections; auto-approved and
denied proposals were never reviewed and do not count at all. Outcome KPIs look at executed actions,
auto or reviewed, that have a recorded good/bad outcome.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import Clock
from policies import KpiSnapshot, wilson_interval
from supervision._tables import ProposalRow


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

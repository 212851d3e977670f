"""Settled proposals of one agent action, newest first: what reviewers did and how it turned out.

The proposal page shows the most similar of them next to a new proposal; the store only reads them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.engine import Engine

from supervision._tables import PROPOSAL
from supervision._views import JsonPayload, OutcomeLabel, QueueStatus

SETTLED: tuple[QueueStatus, ...] = ("approved", "rejected", "edited", "executed", "failed", "denied", "expired")


class SettledCase(BaseModel):
    """A decided proposal: the facts the gate saw, the action that ran, who decided and the outcome."""

    model_config = ConfigDict(frozen=True)

    id: str
    status: QueueStatus
    verdict: str | None
    """The human verdict (approve, reject, edit); None when the policy decided alone, or on expiry."""
    edited_action: str | None
    arguments: JsonPayload
    facts: JsonPayload
    decided_by: str | None
    decided_at: datetime | None
    outcome: OutcomeLabel | None


class DecisionHistory:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def settled(self, agent: str, action: str, *, limit: int = 500) -> list[SettledCase]:
        """The `limit` most recently decided proposals of the action the agent proposed."""
        statement = (
            select(
                PROPOSAL.c.id,
                PROPOSAL.c.status,
                PROPOSAL.c.verdict,
                PROPOSAL.c.edited_action,
                PROPOSAL.c.arguments,
                PROPOSAL.c.facts,
                PROPOSAL.c.decided_by,
                PROPOSAL.c.decided_at,
                PROPOSAL.c.outcome,
            )
            .where(PROPOSAL.c.agent == agent, PROPOSAL.c.action == action, PROPOSAL.c.status.in_(SETTLED))
            .order_by(PROPOSAL.c.decided_at.desc(), PROPOSAL.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [SettledCase.model_validate(row._asdict()) for row in connection.execute(statement)]

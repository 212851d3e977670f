"""Test doubles for the tools' plug points (a tiny credit scorer, an in-memory grant verifier) and
a ready tool context over customers loaded from the bundled German credit file.

Kept out of conftest.py on purpose: several test folders have one, and mypy sees them as one module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from core import FixedClock, StewardError
from customers import CustomerRepository, load_applicants
from tools import Authorization, ToolContext

GERMAN_CREDIT = Path(__file__).resolve().parents[2] / "steward" / "data" / "german_credit" / "german_credit.csv"
LOADED_AT = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FakeReason:
    code: str
    feature: str
    description: str
    contribution: float


@dataclass(frozen=True)
class FakeScore:
    probability_of_default: float
    score: int
    decision: str
    cutoff: float
    reason_codes: tuple[FakeReason, ...]
    model_version: str


@dataclass
class FakeScorer:
    """Probability of default grows with the amount; remembers what it was fed."""

    seen: list[dict[str, str | int | float]] = field(default_factory=list)

    def assess(self, features: Mapping[str, str | int | float]) -> FakeScore:
        self.seen.append(dict(features))
        pd = min(float(features["credit_amount"]) / 20000, 0.99)
        return FakeScore(
            probability_of_default=pd,
            score=int(600 - 200 * pd),
            decision="decline" if pd > 0.25 else "approve",
            cutoff=0.25,
            reason_codes=(FakeReason("R01", "credit_amount", "Amount is high", 12.5),),
            model_version="fake-1",
        )


class NoClaim(StewardError):
    pass


@dataclass
class InMemoryGrants:
    """Claimed executions by (proposal id, action hash) → idempotency key."""

    claims: dict[tuple[str, str], str] = field(default_factory=dict)

    def claim(self, auth: Authorization) -> None:
        self.claims[(auth.proposal_id, auth.action_hash)] = auth.idempotency_key

    def verify_claim(self, proposal_id: str, action_hash: str) -> str:
        try:
            return self.claims[(proposal_id, action_hash)]
        except KeyError:
            raise NoClaim(f"proposal {proposal_id!r} has no claimed execution of {action_hash[:12]}") from None


@dataclass(frozen=True)
class ToolWorld:
    """A tool context and the doubles behind it, so a test can arrange grants and inspect the scorer."""

    ctx: ToolContext
    repo: CustomerRepository
    scorer: FakeScorer
    grants: InMemoryGrants


def tool_world(engine: Engine, *, rows: int = 30) -> ToolWorld:
    """The first `rows` applicants of the German credit file loaded at `LOADED_AT`, and a tool context."""
    clock = FixedClock(LOADED_AT)
    repo = CustomerRepository(engine, clock)
    load_applicants(repo, GERMAN_CREDIT, limit=rows)
    scorer, grants = FakeScorer(), InMemoryGrants()
    return ToolWorld(ToolContext(customers=repo, clock=clock, scorer=scorer, grants=grants), repo, scorer, grants)

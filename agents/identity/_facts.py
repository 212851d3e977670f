"""The facts the identity-resolution policy's conditions may read (``policies/identity_resolution.yaml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class CandidateFacts(_Facts):
    """Two customer records the matcher finds probably one person, with the evidence it weighed."""

    probability: float
    """The matcher's probability that the two records are one person."""
    customer_id: str
    other_customer_id: str
    record: str
    other_record: str
    agreeing: int
    """Compared fields that agree."""
    disagreeing: int
    """Compared fields that differ."""
    missing: int
    """Compared fields missing on either side."""


class CustomersFacts(_Facts):
    """Both customers together."""

    open_credit_applications: int
    """Credit applications of either customer still waiting for a decision."""


class IdentityFacts(_Facts):
    """Everything the identity policy's conditions may read; `agents.fact_schema` gives their CEL types."""

    candidate: CandidateFacts
    customers: CustomersFacts

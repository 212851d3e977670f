"""What an agent proposes: one typed action with its evidence, for the gate and for a reviewer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from core import JsonObject
from supervision import Subject
from tools import FieldEvidence, ReasonCode, action_hash


class Proposal(BaseModel):
    """An agent's proposed action, complete enough to gate, review, execute and audit.

    `evidence` is every field the proposal rests on with its lineage (source system, source record,
    observation time); `reason_codes` are the model's top factors, usable as adverse-action reasons.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    agent: str
    action: str
    arguments: JsonObject
    customer_id: str
    subject_id: str
    """What the action is about, e.g. the credit application id."""
    probability: float | None = None
    """The model's probability behind the proposal (for credit: probability of default)."""
    score: int | None = None
    reason_codes: tuple[ReasonCode, ...] = ()
    rationale: str
    evidence: tuple[FieldEvidence, ...] = ()
    model_version: str
    created_at: datetime
    subjects: tuple[Subject, ...] = ()
    """Every customer and record the proposal concerns besides `customer_id`, which the queue adds itself
    (the queue indexes them; erasure finds them)."""

    @property
    def action_hash(self) -> str:
        """Hash of exactly what would be executed: an approval binds to this value."""
        return action_hash(self.action, self.arguments)

"""The facts the credit-approval policy's conditions may read (``policies/credit_approval.yaml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class CustomerFacts(_Facts):
    """The applicant, from the golden record."""

    id: str
    age: int | None
    """Whole years; null when no source system knows the age."""
    objects_to_automated_decisions: bool
    """A GDPR Art. 22 objection is on record."""
    vulnerable: bool
    foreign_worker: bool


class ApplicationFacts(_Facts):
    """The application as proposed; an edit of an approval changes the amount and the term."""

    id: str
    amount: float
    """In DM, always a float: write 4000.0 in conditions (CEL does not mix ints and doubles in arithmetic)."""
    duration_months: int
    purpose: str
    requested_by: str | None
    """Who asked for the credit (that person may not approve it); null when the customer applied alone."""


class ExposureFacts(_Facts):
    """What the customer already holds at the bank."""

    existing_credits: int | None


class ProposalFacts(_Facts):
    """What the agent proposes and the model behind it."""

    action: str
    """approve_credit, decline_credit or request_information."""
    probability_of_default: float
    score: int | None
    model_version: str


class CreditFacts(_Facts):
    """Everything the credit policy's conditions may read; `agents.fact_schema` gives their CEL types."""

    customer: CustomerFacts
    application: ApplicationFacts
    exposure: ExposureFacts
    proposal: ProposalFacts

"""The credit-approval agent: propose (evidence, score, action) → (shared) gate, review, execute → record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field

from agents._definition import AgentDefinition, AgentEnvironment, AgentNodes, Trigger
from agents._proposal import Proposal
from agents._state import SupervisedState
from agents.credit._actions import CREDIT_ACTIONS
from agents.credit._demo import CREDIT_DEMO
from agents.credit._facts import CreditFacts
from agents.credit._reasoning import CreditPolicyOfProposal, RationaleWriter, TemplateRationale
from agents.credit._scorer import MODEL_FILE, TRAINING_FILE, LazyScorecard
from core import Clock, JsonObject
from supervision import Subject
from tools import (
    ApplicationDetails,
    ApplicationQuery,
    CreditScore,
    CreditScoreQuery,
    CustomerProfile,
    CustomerQuery,
    Exposure,
    FieldEvidence,
    PaymentHistory,
    ToolContext,
    get_application,
    get_credit_score,
    get_customer_profile,
    get_exposure,
    get_payment_history,
)

AGENT = "credit_approval"

log = structlog.get_logger(__name__)


class CreditState(SupervisedState, total=False):
    application_id: str
    customer_id: str


class CreditEvidence(BaseModel):
    """Everything the read tools returned about one application, each field with its lineage."""

    model_config = ConfigDict(frozen=True)

    application: ApplicationDetails
    profile: CustomerProfile
    exposure: Exposure
    payment_history: PaymentHistory

    def lineage(self) -> tuple[FieldEvidence, ...]:
        """Every field the tools returned, with its source, once per field name."""
        seen: dict[str, FieldEvidence] = {}
        for part in (self.application, self.profile, self.exposure, self.payment_history):
            for item in part.evidence:
                seen.setdefault(item.field, item)
        return tuple(seen.values())


@dataclass(frozen=True)
class CreditNodes:
    """The agent's own nodes; each reads tools only, so a re-run after a crash changes nothing."""

    tools: ToolContext
    clock: Clock
    proposer: CreditPolicyOfProposal
    rationale: RationaleWriter

    def assess(self, application_id: str) -> tuple[CreditEvidence, CreditScore]:
        """Read the application and the customer (each golden record once) and score the application."""
        with self.tools.customers.reading_once() as customers:
            tools = replace(self.tools, customers=customers)
            application = get_application(tools, ApplicationQuery(application_id=application_id))
            customer = CustomerQuery(customer_id=application.customer_id)
            evidence = CreditEvidence(
                application=application,
                profile=get_customer_profile(tools, customer),
                exposure=get_exposure(tools, customer),
                payment_history=get_payment_history(tools, customer),
            )
            query = CreditScoreQuery(customer_id=application.customer_id, application_id=application.application_id)
            return evidence, get_credit_score(tools, query)

    def propose(self, state: CreditState) -> dict[str, Any]:
        """Assess the application and propose an action; reads tools only, so a re-run after a crash changes
        nothing. The evidence travels in the proposal (with its lineage), not twice in the state."""
        evidence, score = self.assess(state["application_id"])
        reasons = tuple(score.reason_codes)
        action = self.proposer.propose(
            application_id=state["application_id"],
            amount=evidence.application.amount,
            duration_months=evidence.application.duration_months,
            probability_of_default=score.probability_of_default,
            cutoff=score.cutoff,
            reason_codes=reasons,
        )
        proposal = Proposal(
            id=str(uuid.uuid4()),
            agent=AGENT,
            action=action.action,
            arguments=action.arguments,
            customer_id=evidence.application.customer_id,
            subject_id=state["application_id"],
            probability=score.probability_of_default,
            score=score.score,
            reason_codes=reasons,
            rationale=self.rationale.write(action, score.probability_of_default, score.cutoff, reasons),
            evidence=evidence.lineage(),
            model_version=score.model_version,
            created_at=self.clock.now(),
            subjects=(Subject(kind="application", id=state["application_id"]),),
        )
        spec = CREDIT_ACTIONS[proposal.action]
        facts = spec.facts_for(credit_facts(evidence, proposal), spec.args_model.model_validate(proposal.arguments))
        return {"customer_id": proposal.customer_id, "proposal": proposal.model_dump(mode="json"), "facts": facts}

    def record(self, state: CreditState) -> dict[str, Any]:
        proposal = Proposal.model_validate(state["proposal"])
        log.info("credit.finished", proposal_id=proposal.id, action=proposal.action, status=state["status"])
        return {}


def credit_facts(evidence: CreditEvidence, proposal: Proposal) -> JsonObject:
    """The facts the credit policy's conditions see (documented in policies/credit_approval.yaml)."""
    application = evidence.application
    profile = evidence.profile
    return {
        "customer": {
            "id": proposal.customer_id,
            "age": profile.age_in_years,
            "objects_to_automated_decisions": profile.objects_to_automated_decisions,
            "vulnerable": profile.vulnerable,
            "foreign_worker": profile.foreign_worker == "yes",
        },
        "application": {
            "id": application.application_id,
            "amount": float(application.amount),
            "duration_months": application.duration_months,
            "purpose": application.purpose,
            "requested_by": application.requested_by,
        },
        "exposure": {"existing_credits": evidence.exposure.number_of_existing_credits_at_this_bank},
        "proposal": {
            "action": proposal.action,
            "probability_of_default": float(proposal.probability or 0.0),
            "score": proposal.score,
            "model_version": proposal.model_version,
        },
    }


class CreditInput(BaseModel):
    """One run of the credit agent: the application to assess."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    application_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")


def _nodes(environment: AgentEnvironment) -> AgentNodes:
    """The credit agent's nodes, with the scorecard (and the LLM rationale, when configured) of its own."""
    scorer = LazyScorecard(environment.home / MODEL_FILE, environment.data_dir / TRAINING_FILE)
    rationale: RationaleWriter = TemplateRationale()
    if environment.llm is not None:
        from agents.llm import OpenAIRationale  # the openai client only when configured

        rationale = environment.resources.enter_context(OpenAIRationale(environment.llm, fallback=rationale))
    nodes = CreditNodes(
        tools=replace(environment.tools, scorer=scorer),
        clock=environment.clock,
        proposer=CreditPolicyOfProposal(),
        rationale=rationale,
    )
    return AgentNodes(steps=(("propose", nodes.propose),), finish=nodes.record)


def _applications_waiting(environment: AgentEnvironment, limit: int | None) -> list[JsonObject]:
    """Applications received or waiting for information that no proposal names yet, oldest first."""
    pending = [application.id for application in environment.tools.customers.pending_applications()]
    proposed = environment.queue.subjects_with_proposals("application", pending)
    waiting = [application_id for application_id in pending if application_id not in proposed]
    return [{"application_id": application_id} for application_id in waiting[:limit]]


CREDIT_APPROVAL = AgentDefinition(
    name=AGENT,
    description="Approves, declines or asks for more information on consumer credit applications.",
    input_model=CreditInput,
    state=CreditState,
    nodes=_nodes,
    actions=tuple(CREDIT_ACTIONS.values()),
    facts_model=CreditFacts,
    triggers=(
        Trigger(
            name="applications",
            description="Credit applications ingested from the ERP that no proposal has assessed yet.",
            waiting=_applications_waiting,
        ),
    ),
    input_key="application_id",
    title="Credit approval",
    demo=CREDIT_DEMO,
)
"""The credit-approval agent, as Steward installs it."""

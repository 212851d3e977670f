"""The credit-approval agent: gather evidence → score → propose → (shared) gate, review, execute → record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, ConfigDict

from agents._proposal import Proposal
from agents._state import SupervisedState
from agents._supervised import SupervisedStep
from agents._supervisor import AgentRuntime
from agents.credit._actions import CREDIT_ACTIONS
from agents.credit._reasoning import CreditPolicyOfProposal, RationaleWriter, TemplateRationale
from core import Clock, JsonObject
from policies import PolicySource
from supervision import ApprovalQueue, AutonomyStore
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
    evidence: JsonObject
    """`CreditEvidence`, dumped: what the read tools returned."""
    assessment: JsonObject
    """The credit-score tool's `CreditScore`, dumped."""


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
class CreditRun:
    """How one run ended (for now): the proposal, its action and its queue status."""

    thread_id: str
    proposal_id: str
    action: str
    status: str


@dataclass(frozen=True)
class CreditNodes:
    """The agent's own nodes; each reads tools only, so a re-run after a crash changes nothing."""

    tools: ToolContext
    clock: Clock
    proposer: CreditPolicyOfProposal
    rationale: RationaleWriter

    def gather(self, state: CreditState) -> dict[str, Any]:
        application = get_application(self.tools, ApplicationQuery(application_id=state["application_id"]))
        customer = CustomerQuery(customer_id=application.customer_id)
        evidence = CreditEvidence(
            application=application,
            profile=get_customer_profile(self.tools, customer),
            exposure=get_exposure(self.tools, customer),
            payment_history=get_payment_history(self.tools, customer),
        )
        return {"customer_id": application.customer_id, "evidence": evidence.model_dump(mode="json")}

    def score(self, state: CreditState) -> dict[str, Any]:
        query = CreditScoreQuery(customer_id=state["customer_id"], application_id=state["application_id"])
        return {"assessment": get_credit_score(self.tools, query).model_dump(mode="json")}

    def propose(self, state: CreditState) -> dict[str, Any]:
        evidence = CreditEvidence.model_validate(state["evidence"])
        score = CreditScore.model_validate(state["assessment"])
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
            customer_id=state["customer_id"],
            subject_id=state["application_id"],
            probability=score.probability_of_default,
            score=score.score,
            reason_codes=reasons,
            rationale=self.rationale.write(action, score.probability_of_default, score.cutoff, reasons),
            evidence=evidence.lineage(),
            model_version=score.model_version,
            created_at=self.clock.now(),
        )
        spec = CREDIT_ACTIONS[proposal.action]
        facts = spec.facts_for(credit_facts(evidence, proposal), spec.args_model.model_validate(proposal.arguments))
        return {"proposal": proposal.model_dump(mode="json"), "facts": facts}

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


class CreditApprovalAgent:
    """Runs the credit-approval graph for one application at a time."""

    def __init__(self, runtime: AgentRuntime) -> None:
        self.runtime = runtime

    def run(self, application_id: str, *, thread_id: str | None = None) -> CreditRun:
        """Run until the proposal is executed, denied, or paused for review."""
        thread_id = thread_id or f"{AGENT}:{application_id}:{uuid.uuid4().hex[:8]}"
        with structlog.contextvars.bound_contextvars(thread_id=thread_id, agent=AGENT):
            state = self.runtime.graph.invoke(
                {"application_id": application_id, "thread_id": thread_id},
                {"configurable": {"thread_id": thread_id}},
            )
        return CreditRun(
            thread_id=thread_id,
            proposal_id=state["proposal"]["id"],
            action=state["proposal"]["action"],
            status=state["status"],
        )


def build_credit_agent(
    *,
    tools: ToolContext,
    policies: PolicySource,
    queue: ApprovalQueue,
    autonomy: AutonomyStore,
    clock: Clock,
    review_sla: timedelta,
    checkpointer: BaseCheckpointSaver[Any],
    rationale: RationaleWriter | None = None,
    proposer: CreditPolicyOfProposal | None = None,
) -> AgentRuntime:
    """Compile the credit-approval graph with the shared supervised-action step."""
    step = SupervisedStep(
        agent=AGENT,
        policies=policies,
        queue=queue,
        autonomy=autonomy,
        tools=tools,
        actions=CREDIT_ACTIONS,
        clock=clock,
        review_sla=review_sla,
    )
    nodes = CreditNodes(
        tools=tools,
        clock=clock,
        proposer=proposer or CreditPolicyOfProposal(),
        rationale=rationale or TemplateRationale(),
    )
    graph: StateGraph[Any] = StateGraph(CreditState)
    graph.add_node("gather", nodes.gather)
    graph.add_node("score", nodes.score)
    graph.add_node("propose", nodes.propose)
    graph.add_node("record", nodes.record)
    graph.add_edge(START, "gather")
    graph.add_edge("gather", "score")
    graph.add_edge("score", "propose")
    step.add_to(graph, after="propose", finish="record")
    graph.add_edge("record", END)
    return AgentRuntime(step=step, graph=graph.compile(checkpointer=checkpointer))

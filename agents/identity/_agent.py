"""The identity-resolution agent: turns an uncertain match into a `merge_customers` proposal.

Ingestion links the record pairs that are almost surely one person by itself; the pairs in the
uncertain band come here. The agent proposes the merge with the matcher's evidence, and the shared
supervised step gates it, waits for a person, and merges exactly once on approval. A rejection is
remembered, so the same pair is not proposed again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from agents._proposal import Proposal
from agents._state import SupervisedState
from agents._supervised import ActionSpec, SupervisedStep
from agents._supervisor import AgentRuntime
from core import Clock, JsonObject
from customers import MergeCandidate
from policies import Facts, PolicySource
from supervision import ApprovalQueue, AutonomyStore
from tools import MergeCustomersArgs, ToolContext, merge_customers

AGENT = "identity_resolution"
MODEL_VERSION = "fellegi-sunter-em"

log = structlog.get_logger(__name__)


class IdentityState(SupervisedState, total=False):
    candidate: JsonObject


def _merge_facts(facts: Facts, args: MergeCustomersArgs) -> JsonObject:
    return dict(facts)


IDENTITY_ACTIONS: dict[str, ActionSpec[Any]] = {
    "merge_customers": ActionSpec("merge_customers", MergeCustomersArgs, merge_customers, _merge_facts)
}


def candidate_facts(candidate: MergeCandidate, open_applications: int) -> JsonObject:
    """The facts the identity policy's conditions see (documented in policies/identity_resolution.yaml)."""
    outcomes = list(candidate.evidence.values())
    return {
        "candidate": {
            "probability": float(candidate.probability),
            "customer_id": candidate.customer_id,
            "other_customer_id": candidate.other_customer_id,
            "record": candidate.record,
            "other_record": candidate.other_record,
            "agreeing": sum(1 for o in outcomes if o not in ("different", "missing")),
            "disagreeing": sum(1 for o in outcomes if o == "different"),
            "missing": sum(1 for o in outcomes if o == "missing"),
        },
        "customers": {"open_credit_applications": open_applications},
    }


def _rationale(candidate: MergeCandidate) -> str:
    agree = [name for name, outcome in candidate.evidence.items() if outcome not in ("different", "missing")]
    differ = [name for name, outcome in candidate.evidence.items() if outcome == "different"]
    text = (
        f"Records {candidate.record} and {candidate.other_record} are the same person with probability "
        f"{candidate.probability:.0%}. Agreeing: {', '.join(agree) or 'none'}."
    )
    if differ:
        text += f" Different: {', '.join(differ)}."
    return text


@dataclass(frozen=True)
class IdentityNodes:
    tools: ToolContext
    clock: Clock

    def propose(self, state: IdentityState) -> dict[str, Any]:
        candidate = MergeCandidate(**state["candidate"])  # type: ignore[arg-type]
        args = MergeCustomersArgs(
            customer_id=candidate.customer_id,
            other_customer_id=candidate.other_customer_id,
            record=candidate.record,
            other_record=candidate.other_record,
        )
        open_applications = self.tools.customers.open_applications_of(
            [candidate.customer_id, candidate.other_customer_id]
        )
        proposal = Proposal(
            id=str(uuid.uuid4()),
            agent=AGENT,
            action="merge_customers",
            arguments=args.model_dump(mode="json"),
            customer_id=candidate.customer_id,
            subject_id=candidate.other_customer_id,
            probability=candidate.probability,
            rationale=_rationale(candidate),
            model_version=MODEL_VERSION,
            created_at=self.clock.now(),
        )
        return {"proposal": proposal.model_dump(mode="json"), "facts": candidate_facts(candidate, open_applications)}

    def record(self, state: IdentityState) -> dict[str, Any]:
        proposal = Proposal.model_validate(state["proposal"])
        if state.get("status") == "rejected":
            args = MergeCustomersArgs.model_validate(proposal.arguments)
            self.tools.customers.keep_apart(
                args.record, args.other_record, decided_by="reviewer", reference=f"rejected:{proposal.id}"
            )
        log.info("identity.finished", proposal_id=proposal.id, status=state.get("status"))
        return {}


@dataclass(frozen=True)
class IdentityRun:
    thread_id: str
    proposal_id: str
    status: str


class IdentityResolutionAgent:
    def __init__(self, runtime: AgentRuntime) -> None:
        self.runtime = runtime

    def run(self, candidate: MergeCandidate) -> IdentityRun:
        """Propose one merge; runs until it is executed, denied, or paused for review."""
        thread_id = f"{AGENT}:{uuid.uuid4().hex[:12]}"
        with structlog.contextvars.bound_contextvars(thread_id=thread_id, agent=AGENT):
            state = self.runtime.graph.invoke(
                {"candidate": candidate.as_json(), "thread_id": thread_id},
                {"configurable": {"thread_id": thread_id}},
            )
        return IdentityRun(thread_id=thread_id, proposal_id=state["proposal"]["id"], status=state["status"])


def build_identity_agent(
    *,
    tools: ToolContext,
    policies: PolicySource,
    queue: ApprovalQueue,
    autonomy: AutonomyStore,
    clock: Clock,
    review_sla: timedelta,
    checkpointer: BaseCheckpointSaver[Any],
) -> AgentRuntime:
    step = SupervisedStep(
        agent=AGENT,
        policies=policies,
        queue=queue,
        autonomy=autonomy,
        tools=tools,
        actions=IDENTITY_ACTIONS,
        clock=clock,
        review_sla=review_sla,
    )
    nodes = IdentityNodes(tools=tools, clock=clock)
    graph: StateGraph[Any] = StateGraph(IdentityState)
    graph.add_node("propose", nodes.propose)
    graph.add_node("record", nodes.record)
    graph.add_edge(START, "propose")
    step.add_to(graph, after="propose", finish="record")
    graph.add_edge("record", END)
    return AgentRuntime(step=step, graph=graph.compile(checkpointer=checkpointer))

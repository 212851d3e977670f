"""The identity-resolution agent: turns an uncertain match into a `merge_customers` proposal.

Ingestion links the record pairs that are almost surely one person by itself; the pairs in the
uncertain band come here. The agent proposes the merge with the matcher's evidence, and the shared
supervised step gates it, waits for a person, and merges exactly once on approval. A rejection is
remembered, so the same pair is not proposed again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field

from agents._definition import AgentDefinition, AgentEnvironment, AgentNodes, Trigger
from agents._demo import DemoScenario
from agents._proposal import Proposal
from agents._state import SupervisedState
from agents.identity._actions import IDENTITY_ACTIONS
from agents.identity._facts import IdentityFacts
from core import Clock, JsonObject
from customers import MergeCandidate, resolve_identities
from supervision import Subject
from tools import MergeCustomersArgs, ToolContext

AGENT = "identity_resolution"
MODEL_VERSION = "fellegi-sunter-em"

log = structlog.get_logger(__name__)


class IdentityState(SupervisedState, total=False):
    candidate: JsonObject


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
            subjects=(
                Subject(kind="customer", id=candidate.other_customer_id),
                Subject(kind="record", id=candidate.record),
                Subject(kind="record", id=candidate.other_record),
            ),
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


_ID = Field(min_length=1, max_length=200)


class CandidateInput(BaseModel):
    """An uncertain match, as `customers.MergeCandidate.as_json` writes it."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    customer_id: str = _ID
    other_customer_id: str = _ID
    record: str = _ID
    other_record: str = _ID
    probability: float = Field(ge=0.0, le=1.0)
    evidence: dict[str, str] = Field(default_factory=dict, max_length=64)


class IdentityInput(BaseModel):
    """One run of the identity agent: the uncertain match to propose as a merge."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    candidate: CandidateInput


def _pair(customer_id: object, other: object) -> frozenset[str]:
    return frozenset((str(customer_id), str(other)))


def matches_to_propose(environment: AgentEnvironment, candidates: Sequence[MergeCandidate]) -> list[JsonObject]:
    """The inputs for `candidates` whose pair of customers has no merge proposal waiting in the queue."""
    waiting = environment.queue.list(status="pending", agent=AGENT, limit=1_000_000)
    pending = {_pair(item.arguments.get("customer_id"), item.arguments.get("other_customer_id")) for item in waiting}
    return [
        {"candidate": candidate.as_json()}
        for candidate in candidates
        if _pair(candidate.customer_id, candidate.other_customer_id) not in pending
    ]


def _uncertain_matches(environment: AgentEnvironment, limit: int | None) -> list[JsonObject]:
    """Uncertain matches (resolved again now) not yet waiting in the queue."""
    candidates = resolve_identities(environment.tools.customers).candidates
    return matches_to_propose(environment, candidates)[:limit]


def _nodes(environment: AgentEnvironment) -> AgentNodes:
    nodes = IdentityNodes(tools=environment.tools, clock=environment.clock)
    return AgentNodes(steps=(("propose", nodes.propose),), finish=nodes.record)


IDENTITY_RESOLUTION = AgentDefinition(
    name=AGENT,
    description="Proposes merging two customer records that are probably the same person.",
    input_model=IdentityInput,
    state=IdentityState,
    nodes=_nodes,
    actions=tuple(IDENTITY_ACTIONS.values()),
    facts_model=IdentityFacts,
    after_ingest=lambda environment, report: matches_to_propose(environment, report.candidates),
    triggers=(
        Trigger(
            name="uncertain_matches",
            description="Uncertain matches (0.5 <= p < 0.9) of identity resolution not yet in the queue.",
            waiting=_uncertain_matches,
        ),
    ),
    title="Identity",
    demo=DemoScenario(review_note="a person confirms or rejects each possible duplicate"),
)
"""The identity-resolution agent, as Steward installs it."""

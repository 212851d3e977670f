"""The supervised-action step every agent shares: gate → pause for review → resume → execute once.

An agent's graph ends its own reasoning with a `Proposal` and the gate facts in its state, then hands
over to these nodes (`SupervisedStep.add_to`). The step

- asks the policy for a decision at the action's current autonomy level and submits the proposal to
  the approval queue (idempotent by proposal id, so a re-run writes nothing twice);
- pauses the thread with `interrupt()` in a node that does nothing else, because a resumed node runs
  again from its first line;
- on resume, executes only what the queue says was approved, bound to the approved action's hash,
  through an execution claim, so the action tool runs exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, Literal, TypeVar

import structlog
from langgraph.graph import StateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel, ConfigDict

from agents._proposal import Proposal
from agents._state import SupervisedState
from agents._summary import Figure
from core import Clock, JsonObject, StewardError
from policies import Facts, GateDecision, Policy, PolicySource
from supervision import (
    AlreadyExecuted,
    ApprovalQueue,
    AutonomyStore,
    ProposalSubmission,
    QueueStatus,
    Subject,
)
from tools import Authorization, ToolContext, ToolInput

log = structlog.get_logger(__name__)

ArgsT = TypeVar("ArgsT", bound=ToolInput)

EXECUTABLE: frozenset[str] = frozenset({"approved", "edited"})
TO_EXECUTE: frozenset[str] = EXECUTABLE | {"executing", "executed"}
"""Statuses the execute node answers: approved or edited (run the action), executing (a claim whose run
stopped in a crash: run it again under the claim's idempotency key), executed (report the result)."""


@dataclass(frozen=True)
class ActionSpec(Generic[ArgsT]):
    """How one action of an agent is validated, gated and run."""

    name: str
    args_model: type[ArgsT]
    run: Callable[[ToolContext, ArgsT, Authorization], BaseModel]
    facts_for: Callable[[Facts, ArgsT], JsonObject]
    """The gate facts for these arguments (an edit changes the amount the limits look at)."""
    check: Callable[[ToolContext, ArgsT], None] | None = None
    """The action tool's own rules on its arguments (raising `tools.InvalidToolArguments`), run on a
    reviewer's edit before it is recorded, so an accepted edit is one the tool will carry out."""
    label: str = ""
    """What a person calls the action ("Approve credit"); the name, humanised, when empty."""
    description: str = ""
    """One sentence for a reviewer choosing this action in place of another."""
    figures: tuple[Figure, ...] = ()
    """The headline figures of a proposal of this action, for the proposal page and `steward queue show`."""
    subjects: Callable[[ArgsT], tuple[Subject, ...]] | None = None
    """The customers and records these arguments name (order lines' customers, say): a reviewer's edit that
    brings in another one records it with the proposal's subjects. None: the arguments name nothing new."""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class ReviewRequest(BaseModel):
    """What a paused thread tells the outside world it is waiting for."""

    model_config = ConfigDict(frozen=True)

    proposal_id: str
    agent: str
    action: str
    action_hash: str


class ReviewOutcome(BaseModel):
    """What a paused thread is resumed with: the queue's final word on its proposal."""

    model_config = ConfigDict(frozen=True)

    proposal_id: str
    status: QueueStatus
    action_hash: str


@dataclass(frozen=True)
class SupervisedStep:
    """The shared gate / review / execute nodes for one agent."""

    agent: str
    policies: PolicySource
    """Where the policy in force comes from: read on every decision, so a saved change applies at once."""
    queue: ApprovalQueue
    autonomy: AutonomyStore
    tools: ToolContext
    actions: Mapping[str, ActionSpec[Any]]
    clock: Clock
    review_sla: timedelta

    @property
    def policy(self) -> Policy:
        """The policy in force now (the latest saved version, else the file)."""
        return self.policies.current()

    def level(self, action: str, policy: Policy | None = None) -> str:
        start = (policy or self.policy).initial_level(action)
        return self.autonomy.level(self.agent, action, default=start)

    def gate_action(self, action: str, facts: Facts) -> GateDecision:
        """The decision of the policy in force for `action` with `facts` at the action's current autonomy level."""
        policy = self.policy
        return policy.gate(action, facts, self.level(action, policy))

    # -- nodes -------------------------------------------------------------------------------

    def gate(self, state: SupervisedState) -> dict[str, Any]:
        """Decide and submit; idempotent, so a re-run of this node after a crash writes nothing twice."""
        proposal = Proposal.model_validate(state["proposal"])
        hashed = proposal.action_hash
        facts: JsonObject = state["facts"]
        policy = self.policy  # read once: the gate and the review clock come from the same version
        decision = policy.gate(proposal.action, facts, self.level(proposal.action, policy))
        review_clock = policy.review_clock(proposal.action)
        escalated_wait = review_clock.escalation_deadline(self.review_sla)
        item = self.queue.submit(
            ProposalSubmission(
                id=proposal.id,
                agent=self.agent,
                action=proposal.action,
                thread_id=state["thread_id"],
                customer_id=proposal.customer_id,
                arguments=proposal.arguments,
                action_hash=hashed,
                proposal=state["proposal"],
                facts=facts,
                gate=decision,
                requested_by=decision.review.requested_by,
                subjects=proposal.subjects,
                expires_at=self.clock.now() + review_clock.deadline(self.review_sla),
                on_timeout=review_clock.on_timeout,
                escalate_to=review_clock.escalate_to,
                escalated_sla_seconds=None if escalated_wait is None else int(escalated_wait.total_seconds()),
            )
        )
        log.info(
            "gate.decided",
            proposal_id=proposal.id,
            action=proposal.action,
            outcome=decision.outcome,
            matched=decision.matched,
            level=decision.autonomy_level,
            status=item.status,
        )
        return {"gate": decision.model_dump(mode="json"), "status": item.status, "action_hash": hashed}

    def await_review(self, state: SupervisedState) -> dict[str, Any]:
        """Pause until a person has decided. Nothing else happens here: this node re-runs on resume."""
        proposal = state["proposal"]
        request = ReviewRequest(
            proposal_id=proposal["id"],
            agent=self.agent,
            action=proposal["action"],
            # Threads paused before the hash was kept in the state compute it again.
            action_hash=state.get("action_hash") or Proposal.model_validate(proposal).action_hash,
        )
        answer = interrupt(request.model_dump(mode="json"))
        outcome = ReviewOutcome.model_validate(answer)
        return {"review": outcome.model_dump(mode="json"), "status": outcome.status}

    def execute(self, state: SupervisedState) -> dict[str, Any]:
        """Run the approved action once, bound to the hash the queue approved.

        The proposal's execution lock is held from the claim until the result is recorded, so a claim
        found `executing` here was left by a process that died: the action runs again under the claim's
        idempotency key, and the tool finds its earlier write instead of writing twice.
        """
        proposal_id = Proposal.model_validate(state["proposal"]).id
        with self.queue.execution_lock(proposal_id):
            return self._execute(proposal_id, state.get("review"))

    def _execute(self, proposal_id: str, review: JsonObject | None) -> dict[str, Any]:
        item = self.queue.get(proposal_id)
        if review is not None and review["action_hash"] != item.action_hash:
            # The thread was resumed for another action than the one the queue approved.
            self.queue.fail_execution(proposal_id, "resume named a different action than the approved one")
            return {"status": "failed"}
        try:
            claim = self.queue.claim_execution(proposal_id, item.action_hash)
        except AlreadyExecuted as done:
            log.info("action.already_executed", proposal_id=proposal_id)
            return {"status": "executed", "execution": done.result}
        spec = self.actions[item.runs]
        args = spec.args_model.model_validate(item.arguments)
        auth = Authorization(
            proposal_id=proposal_id, action_hash=claim.action_hash, idempotency_key=claim.idempotency_key
        )
        try:
            result = spec.run(self.tools, args, auth).model_dump(mode="json")
        except StewardError as exc:
            self.queue.fail_execution(proposal_id, str(exc))
            log.warning("action.failed", proposal_id=proposal_id, error=str(exc))
            return {"status": "failed"}
        self.queue.complete_execution(proposal_id, result)
        log.info("action.executed", proposal_id=proposal_id, action=item.runs)
        return {"status": "executed", "execution": result}

    # -- routing -----------------------------------------------------------------------------

    @staticmethod
    def after_gate(state: SupervisedState) -> Literal["execute", "await_review", "finish"]:
        status = state["status"]
        if status in TO_EXECUTE:
            return "execute"
        if status == "pending":
            return "await_review"
        return "finish"

    @staticmethod
    def after_review(state: SupervisedState) -> Literal["execute", "finish"]:
        return "execute" if state["status"] in TO_EXECUTE else "finish"

    def add_to(self, graph: StateGraph[Any], *, after: str, finish: str) -> None:
        """Wire the gate, review and execute nodes between `after` and `finish` in `graph`."""
        after_gate = {"execute": "execute", "await_review": "await_review", "finish": finish}

        def gate(state: SupervisedState) -> Command[str]:
            # Every proposal passes here: the gate names the next node itself (from the status it just
            # wrote) instead of a conditional edge, which would read the whole state back once more.
            update = self.gate(state)
            return Command(update=update, goto=after_gate[self.after_gate(SupervisedState(status=update["status"]))])

        graph.add_node("gate", gate, destinations=tuple(after_gate.values()))
        graph.add_node("await_review", self.await_review)
        graph.add_node("execute", self.execute)
        graph.add_edge(after, "gate")
        graph.add_conditional_edges("await_review", self.after_review, {"execute": "execute", "finish": finish})
        graph.add_edge("execute", finish)

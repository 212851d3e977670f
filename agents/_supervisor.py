"""Decisions from people, turned into resumed graphs: the other half of the supervised-action step.

A reviewer's decision may come hours later, from another process (the CLI, the web UI). The
`Supervisor` records it in the queue (which checks authority, four eyes and conflicts), re-gates an
edited action first, resumes the paused thread from its checkpoint, and then lets the autonomy
ladder look at the new evidence. A process that dies part-way leaves the rest to `recover`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import ValidationError

from agents._definition import AgentDefinition, AgentEnvironment
from agents._errors import AgentNotInstalled, CannotProposeAgain, InvalidEdit
from agents._recovery import RecoveryReport, recover
from agents._supervised import ReviewOutcome, SupervisedStep
from core import JsonObject, StewardError
from policies import KpiSnapshot, LadderChange, ReviewVerdict
from supervision import (
    ApprovalQueue,
    AutonomyStore,
    DecisionEdit,
    GatedEdit,
    KpiStore,
    QueueItem,
    ReviewTimeouts,
    UserDirectory,
)
from tools import action_hash

log = structlog.get_logger(__name__)

FINAL_REVIEW_STATES: frozenset[str] = frozenset({"approved", "edited", "rejected", "expired"})


@dataclass(frozen=True)
class AgentRuntime:
    """One built agent: its definition, what it was built with, its supervised step and its compiled graph."""

    definition: AgentDefinition
    environment: AgentEnvironment
    step: SupervisedStep
    graph: CompiledStateGraph[Any, Any, Any, Any]


@dataclass(frozen=True)
class Supervisor:
    queue: ApprovalQueue
    autonomy: AutonomyStore
    kpis: KpiStore
    users: UserDirectory
    agents: Mapping[str, AgentRuntime]

    def decide(
        self,
        proposal_id: str,
        *,
        reviewer_id: str,
        verdict: ReviewVerdict,
        comment: str | None = None,
        edit: DecisionEdit | None = None,
    ) -> QueueItem:
        """Record a reviewer's decision and, when it is final, resume the paused thread.

        An edit (`DecisionEdit`) changes the arguments, or with `edit.action` puts another action of the same agent
        in place of the proposed one (a credit officer asks for information instead of approving);
        either way the edited action goes through the gate again before it counts as approved.
        """
        item = self.queue.get(proposal_id)
        with structlog.contextvars.bound_contextvars(
            proposal_id=proposal_id, agent=item.agent, thread_id=item.thread_id, reviewer=reviewer_id
        ):
            return self._decide(item, reviewer_id, verdict, comment, edit)

    def _decide(
        self,
        item: QueueItem,
        reviewer_id: str,
        verdict: ReviewVerdict,
        comment: str | None,
        edit: DecisionEdit | None,
    ) -> QueueItem:
        proposal_id = item.id
        reviewer = self.users.get(reviewer_id)
        runtime = self._runtime(item.agent)
        gated: GatedEdit | None = None
        if verdict == "edit":
            self.queue.ensure_decidable(item)  # a settled or expired proposal is a conflict, not a bad edit
            gated = self._regate_edit(runtime.step, item, edit)
        elif edit is not None:
            raise InvalidEdit(proposal_id, "only the edit verdict changes the arguments or replaces the action")
        decided = self.queue.decide(proposal_id, reviewer, verdict, comment=comment, edit=gated)
        log.info(
            "review.decided",
            proposal_id=proposal_id,
            reviewer=reviewer_id,
            verdict=verdict,
            status=decided.status,
        )
        if decided.status in FINAL_REVIEW_STATES:
            decided = self.resume(decided)
            self.review_ladder(decided.agent, decided.action)
            self.queue.mark_resumed(decided.id)  # a crash before this line leaves it to `recover`
        return decided

    def apply_timeouts(self) -> ReviewTimeouts:
        """Apply the review clock to pending reviews past their deadline, as each one's policy said.

        An expired review's thread is let finish (the expiry is never counted as a rejection); an escalated
        one stays paused, pending with a new deadline, first in line for the role it went to.
        """
        timeouts = self.queue.apply_timeouts()
        finished = []
        for item in timeouts.expired:
            finished.append(self.resume(item))
            self.queue.mark_resumed(item.id)
        return ReviewTimeouts(expired=finished, escalated=timeouts.escalated)

    def expire_overdue(self) -> list[QueueItem]:
        """Apply the review clock (`apply_timeouts`); the reviews that expired, their threads finished."""
        return self.apply_timeouts().expired

    def record_outcome(self, proposal_id: str, outcome: Literal["good", "bad"]) -> LadderChange | None:
        """Record how an executed action turned out, then let the ladder react (demotion is immediate)."""
        item = self.queue.record_outcome(proposal_id, outcome)
        return self.review_ladder(item.agent, item.action)

    def resume(self, item: QueueItem) -> QueueItem:
        """Carry `item`'s thread on from its checkpoint; a no-op when there is nothing to do (safe to repeat).

        A thread paused for review is resumed with the queue's decision; a thread whose run stopped
        part-way (a crash during execution) is continued from its last checkpoint, and the execution
        claim plus the action's idempotency key make the action run exactly once.
        """
        graph = self._runtime(item.agent).graph
        config: RunnableConfig = {"configurable": {"thread_id": item.thread_id}}
        snapshot = graph.get_state(config)
        waiting = snapshot.next
        if "await_review" in waiting:
            if item.status == "pending":
                return item  # still waiting for people
            # The queue's word may be further on than the decision (a claim made before a crash).
            outcome = ReviewOutcome(proposal_id=item.id, status=item.status, action_hash=item.action_hash)
            command: Command[Any] = Command(resume=outcome.model_dump(mode="json"))
            graph.invoke(command, config)
        elif waiting or snapshot.tasks:
            # `next` leaves out a task that finished before the crash but whose step was never saved
            # (the resumed review node, say): its writes wait on the checkpoint, and invoking applies them.
            graph.invoke(None, config)
        else:
            return item
        return self.queue.get(item.id)

    def propose_again(self, proposal_id: str, *, actor: str) -> QueueItem:
        """Run the agent afresh on the input of a proposal whose execution failed; the new proposal.

        The failed proposal stays as it is: its error is the record of what went wrong. The new run reads
        the data as it is now, is gated as any proposal is, and lives in the thread `<thread>:again`, so
        asking twice gives the same new proposal rather than two.
        """
        item = self.queue.get(proposal_id)
        if item.status != "failed":
            raise CannotProposeAgain(item.id, f"it is {item.status}; only a failed execution is proposed again")
        if item.thread_id is None:
            raise CannotProposeAgain(item.id, "it has no agent run to start from")
        graph = self._runtime(item.agent).graph
        thread_id = f"{item.thread_id}:again"
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        proposal = graph.get_state(config).values.get("proposal")
        if proposal is None:
            first = self._run_input(graph, item)
            with structlog.contextvars.bound_contextvars(thread_id=thread_id, agent=item.agent):
                graph.invoke({**first, "thread_id": thread_id}, config)
            proposal = graph.get_state(config).values["proposal"]
            self.queue.note_proposed_again(item.id, str(proposal["id"]), actor=actor)
            log.info("proposal.proposed_again", proposal_id=item.id, new_proposal_id=proposal["id"], actor=actor)
        return self.queue.get(str(proposal["id"]))

    @staticmethod
    def _run_input(graph: CompiledStateGraph[Any, Any, Any, Any], item: QueueItem) -> dict[str, Any]:
        """What the agent's run of `item` started from: its state at the first step, as the run's caller gave it."""
        history = graph.get_state_history({"configurable": {"thread_id": item.thread_id}})
        first = next((snapshot for snapshot in history if (snapshot.metadata or {}).get("step") == 0), None)
        if first is None or not first.values:
            raise CannotProposeAgain(item.id, "its agent run is no longer kept (erased or removed)")
        return dict(first.values)

    def recover(self) -> RecoveryReport:
        """Carry on, once, every decision a crash left between the queue and its thread (`agents/_recovery.py`)."""
        return recover(self)

    def review_ladders(self, agent: str) -> list[LadderChange]:
        """`review_ladder` for each of the agent's actions (after outcomes arrived other than by `record_outcome`)."""
        changes = (self.review_ladder(agent, action) for action in self._runtime(agent).step.actions)
        return [change for change in changes if change is not None]

    def ladder_state(self, agent: str, action: str) -> tuple[str, KpiSnapshot]:
        """The action's current autonomy level and the KPIs its ladder judges it on."""
        step = self._runtime(agent).step
        ladder = step.policy.ladder(action)
        kpi = self.kpis.snapshot(
            agent,
            action,
            window=ladder.window,
            confidence=ladder.promotion.confidence,
            since=self.autonomy.changed_at(agent, action),
        )
        return step.level(action), kpi

    def review_ladder(self, agent: str, action: str) -> LadderChange | None:
        """Evaluate the action's autonomy ladder on its current KPIs and apply a move, audited.

        A promotion whose policy asks for sign-off is not applied: it is recorded as a pending request
        (one per action; after a decline it takes fresh evidence to ask again) and None is returned.
        Demotions apply at once and supersede a pending request.
        """
        level, kpi = self.ladder_state(agent, action)
        ladder = self._runtime(agent).step.policy.ladder(action)
        change = ladder.evaluate(level, kpi)
        if change is not None and change.direction == "promote" and ladder.promotion.sign_off:
            declined_at = self.autonomy.declined_at(agent, action)
            if declined_at is not None:
                window, confidence = ladder.window, ladder.promotion.confidence
                fresh = self.kpis.snapshot(agent, action, window=window, confidence=confidence, since=declined_at)
                change = ladder.evaluate(level, fresh)
            if change is not None:
                request = self.autonomy.request_promotion(change)
                log.info("autonomy.awaits_sign_off", agent=agent, action=action, to=change.to_level, request=request.id)
            return None
        if change is not None:
            self.autonomy.apply(change, actor="autonomy-ladder")
            log.info("autonomy.changed", agent=agent, action=action, to=change.to_level, reason=change.reason)
        return change

    def _runtime(self, agent: str) -> AgentRuntime:
        try:
            return self.agents[agent]
        except KeyError:
            raise AgentNotInstalled(agent, list(self.agents)) from None

    @staticmethod
    def _regate_edit(step: SupervisedStep, item: QueueItem, edit: DecisionEdit | None) -> GatedEdit:
        """Validate an edit as the action tool would, and gate the result afresh.

        The edit is laid over the current arguments; for a replacement action only the current arguments
        that action also takes are kept (the application id, say). A reviewer may change only the fields
        the action's argument model declares `reviewer_editable`: every other field names what the action
        applies to and must stay as proposed. The tool's own rules (`ActionSpec.check`) run here too, so
        an edit that is recorded is one that can execute. Nothing is recorded when this raises.
        """
        if edit is None:
            raise InvalidEdit(item.id, "an edit needs the edited arguments as a JSON object")
        edited, action = edit.arguments, edit.action or item.runs
        spec = step.actions.get(action)
        if spec is None:
            known = ", ".join(sorted(step.actions))
            raise InvalidEdit(item.id, f"{item.agent} has no action {action!r} (it has {known})")
        model = spec.args_model
        editable = model.reviewer_editable
        unknown = sorted(set(edited) - set(model.model_fields))
        if unknown:
            takes = ", ".join(model.model_fields)
            raise InvalidEdit(item.id, f"{action} has no argument {', '.join(unknown)} (it takes {takes})")
        kept = {key: value for key, value in item.arguments.items() if key in model.model_fields}
        locked = sorted(
            key for key, value in edited.items() if key not in editable and (key not in kept or kept[key] != value)
        )
        if locked:
            may = ", ".join(sorted(editable)) or "nothing"
            raise InvalidEdit(
                item.id,
                f"{', '.join(locked)} of {action} cannot be changed by a reviewer "
                f"(it names what the action applies to; a reviewer may change: {may})",
            )
        try:
            args = model.model_validate({**kept, **edited})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'arguments'}: {error['msg']}"
                for error in exc.errors()
            )
            raise InvalidEdit(item.id, problems) from exc
        arguments: JsonObject = args.model_dump(mode="json")
        if spec.check is not None:
            try:
                spec.check(step.tools, args)
            except StewardError as exc:
                raise InvalidEdit(item.id, str(exc)) from exc
        facts = spec.facts_for(item.facts, args)
        return GatedEdit(
            arguments=arguments,
            action_hash=action_hash(action, arguments),
            gate=step.gate_action(action, facts),
            action=None if action == item.action else action,
            subjects=spec.subjects(args) if spec.subjects is not None else (),
        )

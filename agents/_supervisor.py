"""Decisions from people, turned into resumed graphs: the other half of the supervised-action step.

A reviewer's decision may come hours later, from another process (the CLI, the web UI). The
`Supervisor` records it in the queue (which checks authority, four eyes and conflicts), re-gates an
edited action first, resumes the paused thread from its checkpoint, and then lets the autonomy
ladder look at the new evidence.
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

from agents._errors import InvalidEdit
from agents._supervised import ReviewOutcome, SupervisedStep
from core import JsonObject
from policies import KpiSnapshot, LadderChange, ReviewVerdict
from supervision import ApprovalQueue, AutonomyStore, KpiStore, QueueItem, UserDirectory
from tools import action_hash

log = structlog.get_logger(__name__)

FINAL_REVIEW_STATES: frozenset[str] = frozenset({"approved", "edited", "rejected", "expired"})


@dataclass(frozen=True)
class AgentRuntime:
    """One agent as the supervisor sees it: its supervised step and its compiled graph."""

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
        edited_arguments: JsonObject | None = None,
        edited_action: str | None = None,
    ) -> QueueItem:
        """Record a reviewer's decision and, when it is final, resume the paused thread.

        An edit changes the arguments, or with `edited_action` puts another action of the same agent
        in place of the proposed one (a credit officer asks for information instead of approving);
        either way the edited action goes through the gate again before it counts as approved.
        """
        item = self.queue.get(proposal_id)
        with structlog.contextvars.bound_contextvars(
            proposal_id=proposal_id, agent=item.agent, thread_id=item.thread_id, reviewer=reviewer_id
        ):
            return self._decide(item, reviewer_id, verdict, comment, edited_arguments, edited_action)

    def _decide(
        self,
        item: QueueItem,
        reviewer_id: str,
        verdict: ReviewVerdict,
        comment: str | None,
        edited_arguments: JsonObject | None,
        edited_action: str | None,
    ) -> QueueItem:
        proposal_id = item.id
        reviewer = self.users.get(reviewer_id)
        runtime = self._runtime(item.agent)
        edit: dict[str, Any] = {}
        if verdict == "edit":
            edit = self._regate_edit(runtime.step, item, edited_arguments, edited_action)
        elif edited_action is not None:
            raise InvalidEdit(proposal_id, "only an edit may replace the action")
        decided = self.queue.decide(proposal_id, reviewer, verdict, comment=comment, **edit)
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
        return decided

    def expire_overdue(self) -> list[QueueItem]:
        """Expire pending reviews past their SLA and let their threads finish (not counted as rejections)."""
        return [self.resume(item) for item in self.queue.expire_overdue()]

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
        waiting = graph.get_state(config).next
        if "await_review" in waiting:
            if item.status not in FINAL_REVIEW_STATES:
                return item
            outcome = ReviewOutcome(proposal_id=item.id, status=item.status, action_hash=item.action_hash)
            command: Command[Any] = Command(resume=outcome.model_dump(mode="json"))
            graph.invoke(command, config)
        elif waiting:
            graph.invoke(None, config)
        else:
            return item
        return self.queue.get(item.id)

    def resume_decided(self) -> list[QueueItem]:
        """Carry on every thread whose proposal was decided or claimed but not finished (e.g. after a crash)."""
        resumed = []
        for status in ("approved", "edited", "rejected", "expired", "executing"):
            for item in self.queue.list(status=status, limit=10_000):
                if item.agent in self.agents:
                    resumed.append(self.resume(item))
        return resumed

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
            raise KeyError(f"no agent {agent!r} is wired into this supervisor") from None

    @staticmethod
    def _regate_edit(
        step: SupervisedStep, item: QueueItem, edited: JsonObject | None, action: str | None
    ) -> dict[str, Any]:
        """Validate the edited arguments (of the replacement action, if any) and gate the result afresh.

        The edited arguments are laid over the current ones; for a replacement action only the
        current arguments that action also takes are kept (the application id, say).
        """
        if edited is None:
            raise InvalidEdit(item.id, "an edit needs the edited arguments as a JSON object")
        action = action or item.runs
        spec = step.actions.get(action)
        if spec is None:
            known = ", ".join(sorted(step.actions))
            raise InvalidEdit(item.id, f"{item.agent} has no action {action!r} (it has {known})")
        kept = {key: value for key, value in item.arguments.items() if key in spec.args_model.model_fields}
        try:
            args = spec.args_model.model_validate({**kept, **edited})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'arguments'}: {error['msg']}"
                for error in exc.errors()
            )
            raise InvalidEdit(item.id, problems) from exc
        arguments: JsonObject = args.model_dump(mode="json")
        facts = spec.facts_for(item.facts, args)
        return {
            "edited_arguments": arguments,
            "edited_action_hash": action_hash(action, arguments),
            "edited_gate": step.gate_action(action, facts),
            "edited_action": action,
        }

"""One runner for every agent: a run on one input, and a run over what a trigger has waiting."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from pydantic import BaseModel, ValidationError

from agents._supervisor import AgentRuntime
from core import JsonObject, StewardError

log = structlog.get_logger(__name__)

Progress = Callable[[int, int], None]
"""Called after each run of a batch with (done, total)."""


@dataclass(frozen=True)
class AgentRun:
    """How one run ended (for now): its thread, its proposal, the proposed action and its queue status."""

    thread_id: str
    proposal_id: str
    action: str
    status: str

    def as_json(self) -> JsonObject:
        return {
            "thread_id": self.thread_id,
            "proposal_id": self.proposal_id,
            "action": self.action,
            "status": self.status,
        }


@dataclass
class TriggerReport:
    """What one pass over a trigger's waiting inputs did."""

    agent: str
    trigger: str
    waiting: int = 0
    runs: list[AgentRun] = field(default_factory=list)
    not_run: list[JsonObject] = field(default_factory=list)
    """Inputs the agent could not run on (`input`: the input key, `reason`): offered again next time."""

    @property
    def by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for run in self.runs:
            counts[run.status] = counts.get(run.status, 0) + 1
        return counts

    def as_json(self) -> JsonObject:
        return {
            "agent": self.agent,
            "trigger": self.trigger,
            "waiting": self.waiting,
            "proposed": len(self.runs),
            "by_status": dict(self.by_status),
            "runs": [run.as_json() for run in self.runs],
            "not_run": list(self.not_run),
        }


class AgentRunner:
    """Runs one agent's compiled graph until each proposal is executed, denied, or paused for review."""

    def __init__(self, runtime: AgentRuntime, *, review_ladders: Callable[[], object] | None = None) -> None:
        self.runtime = runtime
        self.review_ladders = review_ladders
        """Called after a trigger has read what waits (a trigger may record outcomes, e.g. deliveries) and before
        anything is proposed, so that the ladder reacts at once: a demotion applies to this pass's proposals."""

    @property
    def name(self) -> str:
        return self.runtime.definition.name

    def run(self, value: BaseModel | Mapping[str, Any] | str, *, thread_id: str | None = None) -> AgentRun:
        """Run on one input (the input model, its JSON, or the value of the agent's `input_key`)."""
        definition = self.runtime.definition
        run_input = definition.run_input(value)
        if thread_id is None:
            key = getattr(run_input, definition.input_key) if definition.input_key else None
            thread_id = (
                f"{definition.name}:{key}:{uuid.uuid4().hex[:8]}"
                if key
                else f"{definition.name}:{uuid.uuid4().hex[:12]}"
            )
        with structlog.contextvars.bound_contextvars(thread_id=thread_id, agent=definition.name):
            state = self.runtime.graph.invoke(
                {**run_input.model_dump(mode="json"), "thread_id": thread_id},
                {"configurable": {"thread_id": thread_id}},
            )
        return AgentRun(
            thread_id=thread_id,
            proposal_id=state["proposal"]["id"],
            action=state["proposal"]["action"],
            status=state["status"],
        )

    def run_input(self, key: str) -> TriggerReport:
        """Run once on the input named by `key` (the value of the agent's `input_key`), reported like a trigger's
        pass (trigger `input`): an input the agent cannot assess is reported in `not_run`, not raised."""
        definition = self.runtime.definition
        report = TriggerReport(agent=definition.name, trigger="input", waiting=1)
        try:
            report.runs.append(self.run(key))
        except (StewardError, ValidationError) as exc:
            report.not_run.append({"input": key[:200], "reason": _reason(exc)})
            log.warning("agent.input_not_run", agent=definition.name, input=key, error=str(exc))
        return report

    def run_waiting(
        self, trigger: str | None = None, *, limit: int | None = None, progress: Progress | None = None
    ) -> TriggerReport:
        """Run once on each input the trigger has waiting (at most `limit`); a second pass finds none of them."""
        definition = self.runtime.definition
        chosen = definition.trigger(trigger)
        waiting = list(chosen.waiting(self.runtime.environment, None))
        if self.review_ladders is not None:
            self.review_ladders()
        report = TriggerReport(agent=definition.name, trigger=chosen.name, waiting=len(waiting))
        total = len(waiting) if limit is None else min(limit, len(waiting))
        for item in waiting:
            if limit is not None and len(report.runs) >= limit:
                break
            try:
                report.runs.append(self.run(item))
            except StewardError as exc:
                # One input the agent cannot assess (an incomplete record) must not hold up the rest:
                # it is reported, and offered again next time, when its data may be complete.
                key = item.get(definition.input_key) if definition.input_key else None
                report.not_run.append({"input": str(key) if key is not None else None, "reason": str(exc)})
                log.warning("agent.input_not_run", agent=definition.name, input=key, error=str(exc))
                continue
            if progress is not None:
                progress(len(report.runs), total)
        log.info("agent.triggered", agent=definition.name, trigger=chosen.name, **report.by_status)
        return report


def _reason(exc: Exception) -> str:
    """Why an input was not run, in one line (a validation error names its first problem)."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "input"
        return f"invalid input: {where}: {first['msg']}"
    return str(exc)

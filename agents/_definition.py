"""Agents as plug-ins: one typed definition per agent, and the registry that holds them.

An agent is its `AgentDefinition`: a name, what one run takes (`input_model`), its own graph nodes up to
a proposal (`nodes`), the actions it may propose with their argument models (`actions`), the facts its
policy may read (`facts_model`), what starts it (`triggers`) and how its proposals are summarised (each
action's `figures`). `build_agent` (agents/_builder.py) turns a definition into a compiled graph with the
shared supervised step; `AgentRunner` runs it. Nothing outside the agent's folder knows its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from agents._supervised import ActionSpec
from core import Clock, ConfigurationError, JsonObject
from customers import IngestReport
from supervision import ApprovalQueue
from tools import ToolContext

if TYPE_CHECKING:
    from agents._demo import DemoScenario
    from agents.llm import LLMEndpoint

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
"""Agent, action and trigger names: lower-case identifiers (they appear in thread ids and policy files)."""

SCHEDULE_PATTERN = re.compile(r"^(on demand|every ([1-9][0-9]{0,3})(m|h|d))$")
"""A trigger's schedule: `on demand` (a person or a script runs it), or `every <N>m|h|d`."""

Node = Callable[[Any], dict[str, Any]]
"""A LangGraph node: takes the state, returns the keys it changes."""


@dataclass(frozen=True)
class AgentEnvironment:
    """What the composition root offers every agent when it is built (shared, agent-neutral)."""

    tools: ToolContext
    clock: Clock
    queue: ApprovalQueue
    home: Path
    """The installation's folder: an agent keeps its trained models under ``home / "models"``."""
    data_dir: Path
    """The bundled datasets (each with its SOURCE notes)."""
    llm: LLMEndpoint | None
    """The configured OpenAI-compatible endpoint, or None: every agent then uses its deterministic models."""
    resources: ExitStack
    """Closed when Steward closes: an agent enters what it opens (an LLM client) here."""


@dataclass(frozen=True)
class AgentNodes:
    """An agent's own nodes: `steps` run in order before the supervised step; the last leaves `proposal`
    (a dumped `Proposal`) and `facts` in the state. `finish` runs after it (records how the run ended)."""

    steps: tuple[tuple[str, Node], ...]
    finish: Node | None = None


@dataclass(frozen=True)
class Trigger:
    """What starts an agent: `waiting` lists the inputs (as `input_model` JSON) not yet handled, oldest
    first, at most `limit` of them; running the agent on them must make them not waiting any more."""

    name: str
    description: str
    waiting: Callable[[AgentEnvironment, int | None], Sequence[JsonObject]]
    schedule: str = "on demand"


@dataclass(frozen=True)
class AgentDefinition:
    """Everything Steward needs to know about one agent."""

    name: str
    description: str
    input_model: type[BaseModel]
    """What one run takes (validated before the graph starts)."""
    state: type[Any]
    """The graph's state: a `TypedDict` extending `agents.SupervisedState` with the input's fields."""
    nodes: Callable[[AgentEnvironment], AgentNodes]
    actions: tuple[ActionSpec[Any], ...]
    facts_model: type[BaseModel]
    """The facts the agent's policy conditions may read (checked when a policy is saved)."""
    triggers: tuple[Trigger, ...] = ()
    input_key: str | None = None
    """The input field naming what a run is about (an application id): part of the thread id, and a run
    may be started with just its value."""
    policy_file: Path | None = None
    """The agent's policy as installed; None: ``<name>.yaml`` in the bundled policies folder."""
    after_ingest: Callable[[AgentEnvironment, IngestReport], Sequence[JsonObject]] | None = None
    """The inputs an ingest run leaves for this agent (run by `steward ingest` right after it)."""
    title: str = ""
    """A short heading for the agent in summaries ("Identity"); empty: its name."""
    demo: DemoScenario | None = None
    """Its part in `steward demo` (agents/_demo.py), or None: the demo only lists its actions' autonomy."""
    action_map: Mapping[str, ActionSpec[Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"agent {self.name!r}"
        if not NAME_PATTERN.match(self.name):
            raise ConfigurationError(f"{where}: the name must match {NAME_PATTERN.pattern}")
        if not self.actions:
            raise ConfigurationError(f"{where} declares no action")
        _unique(where, "action", (spec.name for spec in self.actions))
        _unique(where, "trigger", (trigger.name for trigger in self.triggers))
        for spec in self.actions:
            if not NAME_PATTERN.match(spec.name):
                raise ConfigurationError(f"{where}: action name {spec.name!r} must match {NAME_PATTERN.pattern}")
        for trigger in self.triggers:
            if not SCHEDULE_PATTERN.match(trigger.schedule):
                raise ConfigurationError(
                    f"{where}: trigger {trigger.name!r} has the schedule {trigger.schedule!r}, which cannot be "
                    "scheduled (write 'on demand' or 'every <N>m', 'every <N>h', 'every <N>d')"
                )
        if self.input_key is not None and self.input_key not in self.input_model.model_fields:
            raise ConfigurationError(
                f"{where}: input_key {self.input_key!r} is not a field of {self.input_model.__name__}"
            )
        object.__setattr__(self, "action_map", MappingProxyType({spec.name: spec for spec in self.actions}))

    def run_input(self, value: BaseModel | Mapping[str, Any] | str) -> BaseModel:
        """The validated input of one run: a model, its JSON, or just the `input_key` value."""
        if isinstance(value, str):
            if self.input_key is None:
                raise ConfigurationError(f"agent {self.name!r} has no input key: give the whole input")
            return self.input_model.model_validate({self.input_key: value})
        if isinstance(value, BaseModel):
            return self.input_model.model_validate(value.model_dump(mode="json"))
        return self.input_model.model_validate(dict(value))

    def trigger(self, name: str | None) -> Trigger:
        """The named trigger (the first one when `name` is None)."""
        if not self.triggers:
            raise ConfigurationError(f"agent {self.name!r} has no trigger: it runs only when another part starts it")
        if name is None:
            return self.triggers[0]
        for trigger in self.triggers:
            if trigger.name == name:
                return trigger
        known = ", ".join(t.name for t in self.triggers)
        raise ConfigurationError(f"agent {self.name!r} has no trigger {name!r} (it has {known})")


def _unique(where: str, what: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigurationError(f"{where} declares the {what} {name!r} twice")
        seen.add(name)


class AgentRegistry(Mapping[str, AgentDefinition]):
    """The installed agents, in registration order; a name is registered once."""

    def __init__(self, definitions: Iterable[AgentDefinition] = ()) -> None:
        self._by_name: dict[str, AgentDefinition] = {}
        for definition in definitions:
            self.register(definition)

    def register(self, definition: AgentDefinition) -> None:
        if not isinstance(definition, AgentDefinition):
            raise ConfigurationError(f"{definition!r} is not an AgentDefinition")
        if definition.name in self._by_name:
            raise ConfigurationError(f"agent {definition.name!r} is registered twice")
        self._by_name[definition.name] = definition

    def __getitem__(self, name: str) -> AgentDefinition:
        return self._by_name[name]

    def require(self, name: str) -> AgentDefinition:
        """The named agent, or a `ConfigurationError` listing the installed ones."""
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self._by_name) or "none"
            raise ConfigurationError(f"no agent {name!r} is installed (installed: {known})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"AgentRegistry({list(self._by_name)})"

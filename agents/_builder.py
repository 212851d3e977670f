"""One builder for every agent: its own nodes, then the shared supervised step, then its finish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from agents._definition import AgentDefinition, AgentEnvironment
from agents._supervised import SupervisedStep
from agents._supervisor import AgentRuntime
from policies import PolicySource
from supervision import AutonomyStore


def _finished(state: Any) -> dict[str, Any]:
    return {}


def build_agent(
    definition: AgentDefinition,
    environment: AgentEnvironment,
    *,
    policies: PolicySource,
    autonomy: AutonomyStore,
    review_sla: timedelta,
    checkpointer: BaseCheckpointSaver[Any],
) -> AgentRuntime:
    """Compile `definition`'s graph: START → its steps → gate → (review) → (execute) → finish → END."""
    step = SupervisedStep(
        agent=definition.name,
        policies=policies,
        queue=environment.queue,
        autonomy=autonomy,
        tools=environment.tools,
        actions=definition.action_map,
        clock=environment.clock,
        review_sla=review_sla,
    )
    nodes = definition.nodes(environment)
    if not nodes.steps:
        raise ValueError(f"agent {definition.name!r} has no node before the supervised step")
    graph: StateGraph[Any] = StateGraph(definition.state)
    previous = START
    for name, node in nodes.steps:
        graph.add_node(name, cast(Any, node))  # nodes take the agent's own state type
        graph.add_edge(previous, name)
        previous = name
    graph.add_node("record", cast(Any, nodes.finish or _finished))
    step.add_to(graph, after=previous, finish="record")
    graph.add_edge("record", END)
    return AgentRuntime(
        definition=definition,
        environment=environment,
        step=step,
        graph=graph.compile(checkpointer=checkpointer),
    )

"""The agents bundled with Steward; a deployment adds its own (`Settings.agent_modules`)."""

from __future__ import annotations

import importlib

from agents._definition import AgentDefinition, AgentRegistry
from agents.credit import CREDIT_APPROVAL
from agents.identity import IDENTITY_RESOLUTION
from agents.order_routing import ORDER_ROUTING
from core import ConfigurationError

BUNDLED: tuple[AgentDefinition, ...] = (CREDIT_APPROVAL, IDENTITY_RESOLUTION, ORDER_ROUTING)


def load_agent(reference: str) -> list[AgentDefinition]:
    """The agent definitions named by `module:attribute` (an `AgentDefinition`, or a tuple or list of them)."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(f"agent module {reference!r}: write it as package.module:ATTRIBUTE")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"agent module {reference!r} cannot be imported: {exc}") from exc
    value = getattr(module, attribute, None)
    found = list(value) if isinstance(value, tuple | list) else [value]
    definitions = [item for item in found if isinstance(item, AgentDefinition)]
    if not found or len(definitions) != len(found):
        raise ConfigurationError(
            f"agent module {reference!r}: {attribute} is not an AgentDefinition (or a list of them)"
        )
    return definitions


def agent_registry(extra: tuple[str, ...] | list[str] = ()) -> AgentRegistry:
    """The bundled agents, then those of each `module:attribute` in `extra`, in order."""
    registry = AgentRegistry(BUNDLED)
    for reference in extra:
        for definition in load_agent(reference):
            registry.register(definition)
    return registry

"""The tool registry describes every tool with a sane function-calling schema."""

from __future__ import annotations

import json
from typing import Any

import tools
from tools import TOOLS, ToolKind, tool_specs


def _specs(kind: ToolKind | None = None) -> list[Any]:
    """The specs as an LLM client would send them: through JSON."""
    parsed: list[Any] = json.loads(json.dumps(tool_specs(kind)))
    return parsed


def test_every_tool_is_registered_with_its_kind() -> None:
    assert {name: tool.kind for name, tool in TOOLS.items()} == {
        "get_customer_profile": "read",
        "get_customer_360": "read",
        "get_exposure": "read",
        "get_payment_history": "read",
        "get_credit_score": "read",
        "get_application": "read",
        "approve_credit": "action",
        "decline_credit": "action",
        "request_information": "action",
        "merge_customers": "action",
        "get_open_orders": "read",
        "get_order": "read",
        "get_stock": "read",
        "get_capacity": "read",
        "get_carrier_rates": "read",
        "get_customer_standing": "read",
        "route_order": "action",
        "split_order": "action",
        "hold_order": "action",
    }
    for name in TOOLS:
        assert callable(getattr(tools, name))


def test_specs_are_openai_function_schemas() -> None:
    specs = _specs()

    assert [spec["function"]["name"] for spec in specs] == list(TOOLS)
    for spec in specs:
        assert spec["type"] == "function"
        function = spec["function"]
        assert set(function) == {"name", "description", "parameters"} and function["description"]
        parameters = function["parameters"]
        assert parameters["type"] == "object"
        assert parameters["additionalProperties"] is False
        assert parameters["required"] and set(parameters["required"]) <= set(parameters["properties"])


def test_action_schema_carries_the_argument_constraints() -> None:
    [approve] = [s for s in _specs("action") if s["function"]["name"] == "approve_credit"]
    parameters = approve["function"]["parameters"]

    assert parameters["required"] == ["application_id", "amount", "duration_months"]
    assert parameters["properties"]["amount"]["exclusiveMinimum"] == 0
    assert len(_specs("read")) == 12 and len(_specs("action")) == 7

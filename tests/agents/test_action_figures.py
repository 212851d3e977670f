"""Every bundled action says what a person calls it and which headline figures a reviewer sees first, and
every figure points at something a proposal of that action has."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from agents import BUNDLED, ActionSpec, Figure, Proposal, format_value, show_figures

ACTIONS = [(definition, spec) for definition in BUNDLED for spec in definition.actions]


def _has_path(model: type[BaseModel], parts: list[str]) -> bool:
    """True when the dotted `parts` name a field of `model` (through nested models)."""
    field = model.model_fields.get(parts[0])
    if field is None:
        return False
    if len(parts) == 1:
        return True
    inner = field.annotation
    return isinstance(inner, type) and issubclass(inner, BaseModel) and _has_path(inner, parts[1:])


@pytest.mark.parametrize(("definition", "spec"), ACTIONS, ids=[f"{d.name}.{s.name}" for d, s in ACTIONS])
def test_every_action_has_a_label_a_description_and_figures_that_resolve(
    definition: Any, spec: ActionSpec[Any]
) -> None:
    assert spec.label and spec.description and spec.title == spec.label
    assert spec.figures, "a reviewer sees the action's headline figures first"
    assert len({figure.label for figure in spec.figures}) == len(spec.figures)
    roots: dict[str, type[BaseModel]] = {
        "arguments": spec.args_model,
        "facts": definition.facts_model,
        "proposal": Proposal,
    }
    for figure in spec.figures:
        root, *rest = figure.path.split(".")
        assert _has_path(roots[root], rest), f"{figure.label}: {figure.path} is not in {roots[root].__name__}"


def test_figures_are_formatted_and_a_missing_value_shows_empty() -> None:
    figures = (
        Figure("Amount", "arguments.amount", "money", "DM"),
        Figure("Probability", "proposal.probability", "percent"),
        Figure("Lines", "arguments.items", "list"),
        Figure("Missing", "facts.application.amount", "money"),
    )
    shown = show_figures(
        figures, arguments={"amount": 2096.0, "items": ["a", "b"]}, facts={}, proposal={"probability": 0.043}
    )
    assert [(f.label, f.text) for f in shown] == [
        ("Amount", "2,096.00 DM"),
        ("Probability", "4.3 %"),
        ("Lines", "a, b"),
        ("Missing", ""),
    ]
    assert format_value("not a number", "money") == "not a number"  # shown as it is, never raised on

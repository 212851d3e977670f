"""How a proposal is summarised for a person: the headline figures an action declares.

An action names its figures (`Figure`: a label, where the value sits in the proposal, a format and a
unit); the web page and `steward queue show` render them the same way for every agent, so neither
knows any agent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from core import JsonValue

FigureFormat = Literal["text", "integer", "number", "percent", "money", "list"]
"""`percent` shows a fraction (0.12 → 12.0 %); `money` two decimals with thousands separators; `list` a
list joined with commas."""

FIGURE_ROOTS: frozenset[str] = frozenset({"arguments", "facts", "proposal"})


@dataclass(frozen=True)
class Figure:
    """One headline figure of a proposal: `path` is dotted from `arguments`, `facts` or `proposal`."""

    label: str
    path: str
    format: FigureFormat = "text"
    unit: str | None = None

    def __post_init__(self) -> None:
        root = self.path.split(".", 1)[0]
        if root not in FIGURE_ROOTS or not all(self.path.split(".")):
            raise ValueError(f"figure {self.label!r}: path {self.path!r} must start with one of {sorted(FIGURE_ROOTS)}")


@dataclass(frozen=True)
class ShownFigure:
    """A figure as displayed: its label and its value as text (empty when the proposal lacks it)."""

    label: str
    text: str


def _lookup(document: Mapping[str, JsonValue], path: str) -> JsonValue:
    value: JsonValue = dict(document)
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def format_value(value: JsonValue, format: FigureFormat, unit: str | None = None) -> str:
    """`value` as a person reads it; a value of the wrong type is shown as it is, never raised on."""
    if value is None:
        return ""
    text: str
    if format == "list" and isinstance(value, list):
        text = ", ".join(str(part) for part in value)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
    elif format == "percent":
        text = f"{value * 100:.1f} %"
    elif format == "money":
        text = f"{value:,.2f}"
    elif format == "integer":
        text = f"{int(value):,}"
    elif format == "number":
        text = f"{value:,}" if isinstance(value, int) else f"{round(value, 4):,}".removesuffix(".0")
    else:
        text = str(value)
    return f"{text} {unit}" if unit else text


def show_figures(
    figures: Sequence[Figure],
    *,
    arguments: Mapping[str, JsonValue],
    facts: Mapping[str, JsonValue],
    proposal: Mapping[str, JsonValue],
) -> tuple[ShownFigure, ...]:
    """The figures of one proposal, formatted, in the declared order."""
    document: dict[str, JsonValue] = {"arguments": dict(arguments), "facts": dict(facts), "proposal": dict(proposal)}
    return tuple(
        ShownFigure(figure.label, format_value(_lookup(document, figure.path), figure.format, figure.unit))
        for figure in figures
    )

"""The edit form of a proposal: one labelled input per argument of the action that would run.

The inputs come from the action's pydantic argument model (its JSON schema), so every agent's
actions get a form without templates of their own. Only the fields the model declares
`reviewer_editable` are inputs; the others name what the action applies to and are shown read-only.
The form is a convenience, not the check: a posted value for a read-only field is passed on, and the
`Supervisor` refuses it as it refuses the same change from the API or the CLI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from approval_ui._backend import Backend
from core import JsonObject, JsonValue
from supervision import QueueItem

FieldKind = Literal["number", "integer", "text", "lines"]
FORM_PREFIX = "arg_"


@dataclass(frozen=True)
class EditField:
    name: str
    label: str
    kind: FieldKind
    value: str
    help: str
    editable: bool

    @property
    def input_name(self) -> str:
        return FORM_PREFIX + self.name


class BadEditForm(ValueError):
    """A value in the edit form that is not of its field's kind; the message names the field."""


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _kind(schema: Mapping[str, Any]) -> FieldKind:
    kind = schema.get("type")
    if kind == "number":
        return "number"
    if kind == "integer":
        return "integer"
    if kind == "array":
        return "lines"
    return "text"


def _shown(value: JsonValue | None, kind: FieldKind) -> str:
    if value is None:
        return ""
    if kind == "lines" and isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def edit_fields(backend: Backend, item: QueueItem) -> list[EditField]:
    """The fields of the action that would run, filled with its current arguments; [] if unknown."""
    runtime = backend.supervisor.agents.get(item.agent)
    spec = None if runtime is None else runtime.step.actions.get(item.runs)
    if spec is None:
        return []
    properties: dict[str, Any] = spec.args_model.model_json_schema().get("properties", {})
    editable = spec.args_model.reviewer_editable
    fields = []
    for name, schema in properties.items():
        kind = _kind(schema)
        fields.append(
            EditField(
                name=name,
                label=str(schema.get("title") or _label(name)),
                kind=kind,
                value=_shown(item.arguments.get(name), kind),
                help=str(schema.get("description") or ""),
                editable=name in editable,
            )
        )
    return fields


def can_request_information(backend: Backend, item: QueueItem) -> bool:
    """True when the agent has a `request_information` action to put in place of this one."""
    runtime = backend.supervisor.agents.get(item.agent)
    return runtime is not None and "request_information" in runtime.step.actions and item.runs != "request_information"


def _clipped(raw: str) -> str:
    return raw if len(raw) <= 40 else f"{raw[:40]}…"


def changed_arguments(fields: list[EditField], form: Mapping[str, str]) -> JsonObject:
    """The editable values the form changed, typed by their field; raises `BadEditForm` on a bad value."""
    changed: JsonObject = {}
    for field in fields:
        if field.input_name not in form:
            continue
        raw = form[field.input_name].strip()
        if raw == field.value.strip():
            continue
        value: JsonValue
        try:
            match field.kind:
                case "number":
                    value = float(raw)
                case "integer":
                    value = int(raw)
                case "lines":
                    value = [line.strip() for line in raw.splitlines() if line.strip()]
                case "text":
                    value = raw
        except ValueError:
            kind = "a whole number" if field.kind == "integer" else "a number"
            raise BadEditForm(f"{field.label} must be {kind}, not {_clipped(raw)!r}.") from None
        if isinstance(value, float) and not math.isfinite(value):  # float() reads "inf", "nan", "1e400" (as inf)
            raise BadEditForm(f"{field.label} must be a finite number, not {_clipped(raw)!r}.")
        changed[field.name] = value
    return changed

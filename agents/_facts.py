"""From an agent's facts model (pydantic) to the `policies.FactSchema` its policy's conditions are checked against.

Each agent declares the facts its policy may read as a pydantic model; the policy engine is pure and
knows no agent's models, so this turns one into the CEL types the engine checks conditions with. Facts
reach CEL as JSON, so a date or time is its ISO text (a ``string``: compare it with
``timestamp(customer.since)``), an enum its value, a tuple or set a ``list``.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, JsonValue

from core import ConfigurationError
from policies import CelType, FactSchema, FactType

_SCALARS: Mapping[type, CelType] = {
    bool: "bool",  # before int: a bool is an int to Python, not to CEL
    int: "int",
    float: "double",
    str: "string",
    bytes: "string",
    datetime.datetime: "string",
    datetime.date: "string",
    datetime.time: "string",
    datetime.timedelta: "string",
    decimal.Decimal: "string",
    uuid.UUID: "string",
}
_LISTS = (list, tuple, set, frozenset, Sequence, typing.Sequence)
_MAPS = (dict, Mapping, typing.Mapping)


def fact_schema(model: type[BaseModel]) -> FactSchema:
    """The facts `model` declares (its fields, by name) with their CEL types.

    Raises `ConfigurationError`, naming the field, for a type CEL cannot be given.
    """
    return FactSchema(_fields(model, model.__name__, ()))


def _fields(model: type[BaseModel], where: str, seen: tuple[type, ...]) -> dict[str, FactType]:
    if model in seen:
        raise ConfigurationError(f"{where}: the facts model {model.__name__} contains itself; facts must be finite")
    return {
        name: _fact_type(info.annotation, f"{where}.{name}", (*seen, model))
        for name, info in model.model_fields.items()
    }


def _fact_type(annotation: Any, where: str, seen: tuple[type, ...]) -> FactType:
    origin = get_origin(annotation)
    if annotation is Any or annotation is object or annotation is JsonValue:
        return FactType("dyn")
    if origin is Annotated:
        return _fact_type(get_args(annotation)[0], where, seen)
    if origin is Union or origin is types.UnionType:
        return _union(get_args(annotation), where, seen)
    if origin is Literal:
        values = get_args(annotation)
        kinds = {_literal_kind(value, where) for value in values if value is not None}
        return FactType(kinds.pop() if len(kinds) == 1 else "dyn", nullable=None in values)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return FactType("map", _fields(annotation, where, seen))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        kinds = {_literal_kind(member.value, where) for member in annotation}
        return FactType(kinds.pop() if len(kinds) == 1 else "dyn")
    if annotation in _LISTS or origin in _LISTS:
        members = [_fact_type(arg, f"{where}[]", seen) for arg in get_args(annotation) if arg is not Ellipsis]
        same = bool(members) and all(member == members[0] for member in members)
        return FactType("list", element=members[0] if same else FactType("dyn"))  # tuple[int, str]: dyn
    if annotation in _MAPS or origin in _MAPS:
        keys_and_values = get_args(annotation)
        if keys_and_values and keys_and_values[0] is not str:
            raise ConfigurationError(f"{where}: a map of facts must have string keys, not {keys_and_values[0]!r}")
        value = _fact_type(keys_and_values[1], f"{where}[]", seen) if keys_and_values else FactType("dyn")
        return FactType("map", element=value)
    for python, kind in _SCALARS.items():
        if isinstance(annotation, type) and issubclass(annotation, python):
            return FactType(kind)
    raise ConfigurationError(
        f"{where}: the type {annotation!r} cannot be given to a policy's conditions; use bool, int, float, str, "
        "a date or time, a list, a dict with str keys, or a nested pydantic model"
    )


def _union(members: tuple[Any, ...], where: str, seen: tuple[type, ...]) -> FactType:
    """``X | None`` is X, nullable; a union of different types is ``dyn`` (nothing is checked about it)."""
    nullable = type(None) in members
    inner = [_fact_type(member, where, seen) for member in members if member is not type(None)]
    if not inner:
        return FactType("null")
    first = inner[0]
    if all(item == first for item in inner[1:]):
        return FactType(first.kind, first.fields, first.element, nullable=nullable or first.nullable)
    return FactType("dyn", nullable=nullable)


def _literal_kind(value: object, where: str) -> CelType:
    for python, kind in _SCALARS.items():
        if isinstance(value, python):
            return kind
    raise ConfigurationError(f"{where}: the literal {value!r} cannot be given to a policy's conditions")

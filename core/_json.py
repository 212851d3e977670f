"""JSON value types for payloads whose shape belongs to someone else (policy facts, audit payloads).

pydantic's `JsonValue` is a proper recursive type that both mypy and pydantic understand.
"""

from typing import TypeAlias

from pydantic import JsonValue

JsonObject: TypeAlias = dict[str, JsonValue]

__all__ = ["JsonObject", "JsonValue"]

"""JSON value types for payloads whose shape belongs to someone else (policy facts, audit payloads)."""

from typing import TypeAlias

JsonValue: TypeAlias = "str | int | float | bool | None | list[JsonValue] | dict[str, JsonValue]"
JsonObject: TypeAlias = "dict[str, JsonValue]"

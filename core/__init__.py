"""Shared vocabulary for every Steward package: the root errors, the clock and JSON value types.

`core` imports nothing of ours, so every other package may import it.
"""

from core._clock import Clock, FixedClock, SystemClock
from core._errors import ConfigurationError, NotFound, StewardError
from core._json import JsonObject, JsonValue

__all__ = [
    "Clock",
    "ConfigurationError",
    "FixedClock",
    "JsonObject",
    "JsonValue",
    "NotFound",
    "StewardError",
    "SystemClock",
]

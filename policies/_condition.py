"""Compiled CEL expressions: compile once at load time, evaluate cheaply and fail loudly.

CEL compares ints with doubles (``4000 <= 4000.0`` is true) but refuses to mix them in arithmetic
(``amount * 1.0`` raises when ``amount`` is an int). Facts therefore carry amounts and rates as floats,
and policy files write float literals (``4000.0``). Anything that goes wrong while evaluating (a missing
fact, a wrong type, a non-boolean result) surfaces as `ConditionError`, never as a silent ``False``.
"""

import re
from dataclasses import dataclass, field

import cel

from policies._errors import ConditionError
from policies._types import Facts

_POSITION = re.compile(r"<input>:(\d+):(\d+): ")


def compile_error(source: str) -> str | None:
    """Why `source` does not compile as CEL, in one line, or ``None`` when it compiles."""
    try:
        cel.compile(source)
    except ValueError as exc:
        return _one_line(str(exc), source)
    return None


def _one_line(message: str, source: str) -> str:
    """Shorten the library's multi-line parse error to its first problem with the column."""
    for line in message.splitlines():
        match = _POSITION.search(line)
        if match:
            return f"column {match.group(2)}: {line[match.end() :].strip()}"
    first = message.splitlines()[0] if message else "unknown parse error"
    return first.replace(f"Failed to parse expression {source!r}: ", "")


@dataclass(frozen=True)
class Expression:
    """One CEL expression from a policy file, compiled."""

    source: str
    program: cel.Program = field(repr=False, compare=False)

    @classmethod
    def compile(cls, source: str) -> "Expression":
        """Compile `source`; raises `ConditionError` if it is not valid CEL (the loader checks first)."""
        try:
            return cls(source=source, program=cel.compile(source))
        except ValueError as exc:
            raise ConditionError(source, _one_line(str(exc), source)) from exc

    def value(self, bindings: "Bindings") -> object:
        """Evaluate on `bindings`; any failure of the CEL runtime becomes `ConditionError`."""
        if bindings.context is None:
            raise ConditionError(self.source, bindings.problem)
        try:
            return self.program.execute(bindings.context)
        # The runtime raises KeyError, TypeError, ValueError, RuntimeError, OverflowError, ... on bad
        # facts; all of them mean "cannot tell", which the gate turns into a person looking.
        except Exception as exc:
            raise ConditionError(self.source, _describe(exc)) from exc

    def holds(self, bindings: "Bindings") -> bool:
        """Evaluate as a condition: true or false, anything else is a `ConditionError`."""
        result = self.value(bindings)
        if not isinstance(result, bool):
            kind = type(result).__name__
            raise ConditionError(self.source, f"it gave {result!r} ({kind}), not true or false")
        return result


@dataclass(frozen=True)
class Bindings:
    """Facts converted once into a CEL context, shared by every expression of one gate decision.

    Converting the facts costs far more than evaluating a condition, so the gate converts them once.
    Facts CEL cannot represent leave `context` empty and every expression fails with `problem`.
    """

    context: cel.Context | None = field(repr=False)
    problem: str = ""

    @classmethod
    def of(cls, facts: Facts) -> "Bindings":
        try:
            return cls(context=cel.Context(dict(facts)))
        except Exception as exc:  # the library raises ValueError (or worse) on values it cannot convert
            return cls(context=None, problem=f"the facts cannot be given to CEL: {_describe(exc)}")


def _describe(exc: Exception) -> str:
    """A one-line account of a CEL runtime failure."""
    if isinstance(exc, KeyError):
        return f"the fact field {exc.args[0]!r} is missing"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if text.startswith("No such overload"):
        return "a value has the wrong type for this operation (CEL does not convert types)"
    if text.startswith("Undefined variable"):
        return text.split(". ")[0].replace("Undefined variable or function", "the fact is missing")
    return text

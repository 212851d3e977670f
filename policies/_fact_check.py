"""Conditions checked against the facts their agent provides, before they ever run.

At run time a condition that reads a fact the agent does not give (``application.amout``) or compares
values CEL cannot compare (``customer.vulnerable > 3``) only fails closed: the case goes to a person,
and nobody learns why until it is looked for. So every condition of a policy is read once more, on the
syntax tree `policies._syntax` builds, with the agent's `FactSchema`, and these are reported:

- a name or a dotted path that is not a fact (with the closest known name, and the names known there);
  comprehension variables (``orders.exists(o, o.total > 0.0)``) are known inside their macro;
- comparisons CEL cannot make (ordering a string against a number, or a bool against a number), and
  ``==`` between types that are never equal (a number and a string); ints and doubles compare freely;
- arithmetic CEL refuses (``int * double``: CEL converts nothing), and ``&&``, ``||``, ``!`` or ``?:`` on
  values that are not true or false;
- a condition that does not give true or false, an authority ``amount`` that is not a number, a
  ``requested_by`` that is not a string or null.

Names are found statically because evaluation short-circuits: ``false && application.amout > 0.0``
never reads the misspelt fact. Where a type cannot be known (a function this check does not know, a
fact declared ``dyn``), nothing is reported.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, assert_never

from policies._cost import MAX_NESTING
from policies._facts import DYN, NUMBERS, CelType, FactSchema, FactType
from policies._syntax import (
    Call,
    Chain,
    Collection,
    Comprehension,
    Conditional,
    Index,
    Lit,
    Name,
    Node,
    Select,
    TooDeep,
    Unary,
    Unreadable,
    parse,
)

Expected = Literal["bool", "number", "requester"]
"""What a condition must give: a condition true or false, an authority amount a number, a requester a string."""

EXPECTED_BY_KEY: Mapping[str, Expected] = {
    "when": "bool",
    "auto_when": "bool",
    "four_eyes_when": "bool",
    "amount": "number",
    "requested_by": "requester",
}
"""What the CEL under each key of a policy file must give; other keys are checked for names and types only."""

MACROS = frozenset({"all", "exists", "exists_one", "existsOne", "map", "filter"})
_TYPE_NAMES = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn", "timestamp"}
    | {"duration"}
)
"""Names of CEL types (``type(x) == int``): values, not facts."""
_CONVERSIONS: Mapping[str, CelType] = {
    "int": "int",
    "uint": "uint",
    "double": "double",
    "string": "string",
    "bool": "bool",
    "bytes": "bytes",
    "timestamp": "timestamp",
    "duration": "duration",
}
_STRING_TESTS = frozenset({"contains", "startsWith", "endsWith", "matches"})
_TIME_PARTS = frozenset(
    {
        "getFullYear",
        "getMonth",
        "getDayOfYear",
        "getDayOfMonth",
        "getDate",
        "getDayOfWeek",
        "getHours",
        "getMinutes",
        "getSeconds",
        "getMilliseconds",
    }
)
_ORDERED: frozenset[CelType] = frozenset({"string", "bytes", "bool", "timestamp", "duration"})
_SIZED: frozenset[CelType] = frozenset({"string", "bytes", "list", "map", "dyn"})
_SHOWN_NAMES = 12
"""How many known names a message lists before it says how many more there are."""


@dataclass(frozen=True)
class _Typed:
    """A subexpression's type, and how messages name it: the path as written, and where a variable comes from."""

    type: FactType
    label: str | None = None
    origin: str | None = None
    """For a path through a comprehension variable: ``o is an element of orders``."""


_UNKNOWN = _Typed(DYN)


def condition_problems(source: str, schema: FactSchema, *, agent: str, expected: Expected | None) -> list[str]:
    """What is wrong with `source` (CEL the library compiled) against `schema`, each problem once, in order."""
    try:
        tree = parse(source, max_depth=MAX_NESTING)
    except (TooDeep, Unreadable):
        return []  # the cost check has refused it already
    checker = _Checker(schema, agent)
    try:
        result = checker.type_of(tree, {})
    except RecursionError:
        return ["is nested too deeply to be checked against the facts; write it more plainly"]
    problem = _result_problem(result, expected)
    if problem is not None:
        checker.report(problem)
    return list(dict.fromkeys(checker.problems))


def _result_problem(result: _Typed, expected: Expected | None) -> str | None:
    kind = result.type.kind
    if expected is None or kind == "dyn":
        return None
    if expected == "bool" and kind != "bool":
        return f"gives {_what(result)}, not true or false; a condition must be true or false"
    if expected == "number" and kind not in NUMBERS and kind != "null":
        return f"gives {_what(result)}, not a number; the amount is what role limits are compared with"
    if expected == "requester" and kind not in ("string", "null"):
        return f"gives {_what(result)}, not a string or null; it names who requested the action"
    return None


class _Checker:
    def __init__(self, schema: FactSchema, agent: str) -> None:
        self._schema = schema
        self._agent = agent
        self.problems: list[str] = []

    def report(self, problem: str) -> None:
        self.problems.append(problem)

    def type_of(self, node: Node, scope: Mapping[str, _Typed]) -> _Typed:
        """The type of `node` where the comprehension variables `scope` are bound; problems are reported."""
        match node:
            case Lit(kind=kind):
                return _Typed(FactType(kind))
            case Name(name=name):
                return self._name(name, scope)
            case Select(operand=operand, field=field):
                return self._field(self.type_of(operand, scope), field)
            case Index(operand=operand, index=index):
                return self._index(self.type_of(operand, scope), index, scope)
            case Unary(operand=operand, operators=operators):
                return self._unary(self.type_of(operand, scope), operators)
            case Conditional(condition=condition, then=then, otherwise=otherwise):
                self._truth(self.type_of(condition, scope), "?:")
                return _either(self.type_of(then, scope), self.type_of(otherwise, scope))
            case Collection():
                return self._collection(node, scope)
            case Chain():
                return self._chain(node, scope)
            case Call():
                return self._call(node, scope)
            case Comprehension():
                return self._comprehension(node, scope)
            case _:
                assert_never(node)

    # -- names ----------------------------------------------------------------------------------

    def _name(self, name: str, scope: Mapping[str, _Typed]) -> _Typed:
        if name in scope:
            return scope[name]
        if name in self._schema.roots:
            return _Typed(self._schema.roots[name], name)
        if name in _TYPE_NAMES:
            return _UNKNOWN
        known = [*self._schema.roots, *scope]
        self.report(self._unknown(name, known, suggestions=known))
        return _UNKNOWN

    def _field(self, value: _Typed, field: str) -> _Typed:
        label = None if value.label is None else f"{value.label}.{field}"
        kind = value.type.kind
        if kind == "dyn":
            return _Typed(DYN, label, value.origin)
        if kind != "map":
            self.report(f"{label or field} reads the field {field!r} of {_what(value)}, which has no fields")
            return _UNKNOWN
        fields = value.type.fields
        if fields is None:
            return _Typed(value.type.element or DYN, label, value.origin)
        if field in fields:
            return _Typed(fields[field], label, value.origin)
        prefix = "" if value.label is None else f"{value.label}."
        siblings = [f"{prefix}{name}" for name in fields]
        everything = [path for path in self._schema.paths() if "[]" not in path]
        self.report(self._unknown(label or field, siblings, suggestions=siblings + everything, origin=value.origin))
        return _UNKNOWN

    def _unknown(
        self, written: str, known: Sequence[str], *, suggestions: Sequence[str], origin: str | None = None
    ) -> str:
        """``order.amout is not a fact of shop; known: order.amount, ...; did you mean order.amount?``"""
        message = f"{written} is not a fact of {self._agent}" + ("" if origin is None else f" ({origin})")
        shown = sorted(known)[:_SHOWN_NAMES]
        more = len(known) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        message += f"; known: {listed}" if shown else "; it provides no facts there"
        close = difflib.get_close_matches(written, list(dict.fromkeys(suggestions)), n=1, cutoff=0.6)
        return message + (f"; did you mean {close[0]}?" if close else "")

    # -- operators ------------------------------------------------------------------------------

    def _index(self, value: _Typed, index: Node, scope: Mapping[str, _Typed]) -> _Typed:
        key = self.type_of(index, scope)
        kind = value.type.kind
        if kind == "list":
            if key.type.kind not in ("int", "uint", "dyn"):
                self.report(f"indexes {_what(value)} with {_what(key)}; a list's index is an int")
            label = None if value.label is None else f"{value.label}[]"
            return _Typed(value.type.element or DYN, label, value.origin)
        if kind == "map":
            if value.type.fields is not None and isinstance(index, Lit) and index.kind == "string":
                assert index.text is not None
                return self._field(value, index.text)
            if value.type.fields is not None:
                return _UNKNOWN
            return _Typed(value.type.element or DYN)
        if kind != "dyn":
            self.report(f"indexes {_what(value)}, which is neither a list nor a map")
        return _UNKNOWN

    def _unary(self, value: _Typed, operators: Sequence[str]) -> _Typed:
        result = value
        for operator in reversed(operators):  # the innermost operator applies first
            if operator == "!":
                self._truth(result, "!")
                result = _Typed(FactType("bool"))
            elif result.type.kind in ("int", "double", "duration"):
                result = _Typed(FactType(result.type.kind))
            elif result.type.kind != "dyn":
                self.report(f"negates {_what(result)}; only an int, a double or a duration can be negated")
                result = _UNKNOWN
        return result

    def _truth(self, value: _Typed, operator: str) -> None:
        if value.type.kind not in ("bool", "dyn"):
            self.report(f"uses {_what(value)} with {operator}, which needs true or false")

    def _chain(self, node: Chain, scope: Mapping[str, _Typed]) -> _Typed:
        left = self.type_of(node.operands[0], scope)
        for operator, operand in zip(node.operators, node.operands[1:], strict=True):
            right = self.type_of(operand, scope)
            left = self._binary(operator, left, right)
        return left

    def _binary(self, operator: str, left: _Typed, right: _Typed) -> _Typed:
        boolean = _Typed(FactType("bool"))
        a, b = left.type.kind, right.type.kind
        if operator in ("&&", "||"):
            self._truth(left, operator)
            self._truth(right, operator)
            return boolean
        if operator in ("==", "!="):
            if not _may_equal(a, b):
                always = "false" if operator == "==" else "true"
                self.report(
                    f"compares {_what(left)} with {_what(right)} using {operator}: values of different types are "
                    f"never equal in CEL, so it is always {always}"
                )
            return boolean
        if operator in ("<", "<=", ">", ">="):
            if not _may_order(a, b):
                self.report(
                    f"compares {_what(left)} with {_what(right)} using {operator}, which CEL cannot do; "
                    "the condition would fail every time it is evaluated"
                )
            return boolean
        if operator == "in":
            self._membership(left, right)
            return boolean
        result = _arithmetic(operator, left.type, right.type)
        if result is None:
            hint = ""
            if {a, b} == {"int", "double"}:
                hint = "; write whole numbers as doubles (4000.0) or convert with double(...)"
            self.report(
                f"applies {operator} to {_what(left)} and {_what(right)}, which CEL refuses (it converts no types)"
                + hint
            )
            return _UNKNOWN
        return _Typed(result)

    def _membership(self, item: _Typed, container: _Typed) -> None:
        kind = container.type.kind
        if kind == "list":
            element = container.type.element or DYN
            if not _may_equal(item.type.kind, element.kind):
                self.report(
                    f"looks for {_what(item)} in {_what(container)}: no element can equal it, so it is always false"
                )
        elif kind == "map":
            keys: CelType = "string" if container.type.fields is not None else "dyn"
            if not _may_equal(item.type.kind, keys):
                self.report(f"looks for {_what(item)} among the keys of {_what(container)}, which are strings")
        elif kind != "dyn":
            self.report(f"uses in on {_what(container)}, which is neither a list nor a map")

    # -- literals, calls and macros -------------------------------------------------------------

    def _collection(self, node: Collection, scope: Mapping[str, _Typed]) -> _Typed:
        if node.kind == "message":  # Type{field: value}: the keys name fields of the message, not facts
            for value in node.items[1::2]:
                self.type_of(value, scope)
            return _UNKNOWN
        items = [self.type_of(item, scope) for item in node.items]
        if node.kind == "list":
            return _Typed(FactType("list", element=_common(items)))
        keys, values = node.items[0::2], items[1::2]
        if all(isinstance(key, Lit) and key.kind == "string" for key in keys):
            texts = [key.text or "" for key in keys if isinstance(key, Lit)]
            return _Typed(FactType("map", {text: value.type for text, value in zip(texts, values, strict=True)}))
        return _Typed(FactType("map", element=_common(values)))

    def _call(self, node: Call, scope: Mapping[str, _Typed]) -> _Typed:
        target = None if node.target is None else self.type_of(node.target, scope)
        args = [self.type_of(arg, scope) for arg in node.args]
        operands = ([] if target is None else [target]) + args
        function = node.function
        if function in _STRING_TESTS and operands:
            subject = operands[0]
            if subject.type.kind not in ("string", "dyn"):
                self.report(f"calls {function}() on {_what(subject)}; it works on strings")
            return _Typed(FactType("bool"))
        if function == "size" and len(operands) == 1:
            if operands[0].type.kind not in _SIZED:
                self.report(f"asks the size of {_what(operands[0])}; only strings, bytes, lists and maps have one")
            return _Typed(FactType("int"))
        if function == "has":
            return _Typed(FactType("bool"))
        if function in _CONVERSIONS and target is None and len(args) == 1:
            return _Typed(FactType(_CONVERSIONS[function]))
        if function in _TIME_PARTS and target is not None:
            if target.type.kind not in ("timestamp", "dyn"):
                self.report(f"calls {function}() on {_what(target)}; it works on timestamps")
            return _Typed(FactType("int"))
        return _UNKNOWN

    def _comprehension(self, node: Comprehension, scope: Mapping[str, _Typed]) -> _Typed:
        source = self.type_of(node.range, scope)
        if node.macro not in MACROS:  # an ordinary method call that looks like a macro: its first argument is a value
            self.type_of(Name(node.var), scope)
            for part in node.body:
                self.type_of(part, scope)
            return _UNKNOWN
        kind = source.type.kind
        if kind == "list":
            element = source.type.element or DYN
        elif kind == "map":
            element = FactType("string") if source.type.fields is not None else DYN
        else:
            element = DYN
            if kind != "dyn":
                self.report(f"calls {node.macro}() on {_what(source)}; it works on lists and maps")
        origin = None if source.label is None else f"{node.var} is an element of {source.label}"
        inner = {**scope, node.var: _Typed(element, node.var, origin)}
        body = [self.type_of(part, inner) for part in node.body]
        predicates = body if node.macro != "map" else body[:-1]
        for predicate in predicates:
            self._truth(predicate, f"{node.macro}()")
        if node.macro == "map":
            return _Typed(FactType("list", element=body[-1].type))
        if node.macro == "filter":
            return _Typed(FactType("list", element=element))
        return _Typed(FactType("bool"))


def _may_equal(a: CelType, b: CelType) -> bool:
    """Whether values of kinds `a` and `b` can ever be equal in CEL (null and dyn may be anything)."""
    return "dyn" in (a, b) or "null" in (a, b) or a == b or (a in NUMBERS and b in NUMBERS)


def _may_order(a: CelType, b: CelType) -> bool:
    """Whether CEL orders values of kinds `a` and `b` (ints, uints and doubles with each other)."""
    return "dyn" in (a, b) or (a in NUMBERS and b in NUMBERS) or (a == b and a in _ORDERED)


def _arithmetic(operator: str, left: FactType, right: FactType) -> FactType | None:
    """The type `left operator right` gives, or None when CEL has no such operation."""
    a, b = left.kind, right.kind
    if "dyn" in (a, b):
        return DYN
    allowed: dict[str, frozenset[CelType]] = {
        "+": frozenset({"int", "uint", "double", "string", "bytes", "list", "duration"}),
        "-": frozenset({"int", "uint", "double", "duration"}),
        "*": NUMBERS,
        "/": NUMBERS,
        "%": frozenset({"int", "uint"}),
    }
    if a == b and a in allowed.get(operator, frozenset()):
        if a == "list":
            same = left.element == right.element
            return FactType("list", element=left.element if same else DYN)
        return FactType(a)
    if operator == "+" and {a, b} == {"timestamp", "duration"}:
        return FactType("timestamp")
    if operator == "-" and a == "timestamp" and b in ("timestamp", "duration"):
        return FactType("duration" if b == "timestamp" else "timestamp")
    return None


def _common(items: Sequence[_Typed]) -> FactType:
    """The type all `items` share (a list's elements, a map's values), else dyn."""
    kinds = {item.type.kind for item in items}
    if len(kinds) == 1:
        return replace(items[0].type, nullable=False)
    return DYN


def _either(then: _Typed, otherwise: _Typed) -> _Typed:
    """The type of ``c ? then : otherwise``: theirs when they agree, else dyn."""
    if then.type.kind == otherwise.type.kind:
        return _Typed(then.type)
    return _UNKNOWN


def _what(value: _Typed) -> str:
    """``application.amount (a double)``, or ``a string`` for a value not read from a fact."""
    described = value.type.describe()
    if described != "null":
        described = f"{'an' if described[0] in 'aeiou' else 'a'} {described}"
    return described if value.label is None else f"{value.label} ({described})"

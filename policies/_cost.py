"""What a condition may cost: limits checked when a policy is validated, so that every evaluation is cheap.

A CEL evaluation cannot be interrupted, and the library's comprehensions are costly: ``map`` and
``filter`` copy the list they build at every step, a comprehension inside another runs its body once
per pair, ``+`` on lists copies both sides, and ``matches`` compiles its pattern at every call (``\\w``
alone costs a quarter of a millisecond). So each condition is held, before it is ever run, to:

- at most `MAX_CONDITION_CHARS` characters (checked before the library sees it: it crashes the process
  on expressions some tens of thousands of operators long);
- brackets, calls, indexes and ``?:`` nested at most `MAX_NESTING` deep;
- comprehensions (``all``, ``exists``, ``exists_one``, ``map``, ``filter``, or any method called in
  a macro's shape) nested at most `MAX_COMPREHENSION_DEPTH` deep;
- an estimated cost of at most `MAX_CONDITION_COST` steps per evaluation, and all conditions of a
  file together at most `MAX_POLICY_COST` (one step is roughly a fifth of a microsecond);
- ``matches`` with a string literal as its pattern, so the pattern's cost is known.

The estimate is an upper bound computed on the syntax tree (`policies._syntax`): a value read from the
facts is assumed to hold at most `FACT_SIZE` elements, a literal its own, and each operation costs what
the library spends on it at worst.
"""

import re
from dataclasses import dataclass, field
from typing import assert_never

from policies._errors import PolicyError
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

MAX_CONDITION_CHARS = 1_000
"""Characters in one condition."""
MAX_NESTING = 32
"""How deep brackets, calls, indexes and ``?:`` may nest in one condition."""
MAX_COMPREHENSION_DEPTH = 2
"""How many comprehensions may nest in one another (``orders.exists(o, o.items.all(i, ...))`` is 2)."""
MAX_CONDITION_COST = 100_000
"""Estimated steps of one evaluation of one condition (about 20 ms at worst)."""
MAX_POLICY_COST = 1_000_000
"""Estimated steps of all the conditions of one policy file together: what judging one case may cost."""
FACT_SIZE = 100
"""The number of elements the estimate assumes a value read from the facts holds at most."""

_EVALUATION = 10
"""Steps for starting one evaluation."""
_NAMES = "all, exists, exists_one, map, filter"

# What compiling a regular expression costs per element, in steps (Rust's regex with Unicode tables).
_UNICODE_CLASS = 5_000
"""``\\w``, ``\\W``, ``\\p{..}``, ``\\P{..}``: large Unicode tables."""
_DIGIT_CLASS = 500
"""``\\d``, ``\\D``: Unicode digits."""
_WIDE = 100
"""``.``, ``\\s``, ``\\S``, ``\\b``, a negated class: any character, or a test on its neighbours."""
_PLAIN = 80
"""A literal character or a plain class (case-insensitive matching makes a letter a class)."""
_REPETITION = re.compile(r"\{\s*([0-9]+)\s*(?:(,)\s*([0-9]*)\s*)?\}")


class ConditionTooCostly(PolicyError):
    """A condition breaks one of the limits; the message says which, as a phrase after the condition's place."""


@dataclass(frozen=True)
class _Scope:
    """What a subexpression sees: the sizes of the comprehension variables, and how deep it sits among them."""

    sizes: dict[str, int] = field(default_factory=dict)
    depth: int = 0
    max_depth: int = MAX_COMPREHENSION_DEPTH

    def inside(self, var: str, size: int) -> "_Scope":
        """The scope of a comprehension's body, whose variable `var` holds values of `size`."""
        return _Scope({**self.sizes, var: size}, self.depth + 1, self.max_depth)


@dataclass(frozen=True)
class _Estimate:
    size: int
    """Upper bound on the value's size: elements of lists and maps, strings in 64-byte units."""
    cost: int
    """Upper bound on the steps to compute it."""


def check_condition(source: str) -> int:
    """The estimated cost of one evaluation of `source` (CEL the library compiled); raises `ConditionTooCostly`."""
    try:
        tree = parse(source, max_depth=MAX_NESTING)
    except TooDeep:
        raise ConditionTooCostly(
            f"nests brackets, calls, indexes or ?: more than {MAX_NESTING} deep; "
            "write it flatter or split it into several rules"
        ) from None
    except Unreadable as exc:
        raise ConditionTooCostly(
            f"could not be checked against the cost limits ({exc}); write it more plainly"
        ) from None
    cost = _EVALUATION + _estimate(tree, _Scope()).cost
    if cost > MAX_CONDITION_COST:
        raise ConditionTooCostly(
            f"may take about {cost:,} evaluation steps, more than the limit of {MAX_CONDITION_COST:,} "
            "(comprehensions multiply the work of their bodies, and so do large lists, + on lists and "
            "regular expressions); simplify it or split it into several rules"
        )
    return cost


def estimated_cost(source: str) -> int:
    """The estimate alone, comprehensions nested at any depth (what `benchmarks.condition_cost` compares)."""
    return _EVALUATION + _estimate(parse(source, max_depth=MAX_NESTING), _Scope(max_depth=len(source))).cost


def too_long(source: str) -> str | None:
    """Why `source` is too long to be handed to the CEL library, or None."""
    if len(source) <= MAX_CONDITION_CHARS:
        return None
    return (
        f"is {len(source):,} characters long, more than the limit of {MAX_CONDITION_CHARS:,} for a condition; "
        "split it into several rules"
    )


def _estimate(node: Node, scope: _Scope) -> _Estimate:
    """Upper bounds of `node`'s size and cost."""
    match node:
        case Lit(size=size):
            return _Estimate(size, 1)
        case Name(name=name):
            return _Estimate(scope.sizes.get(name, FACT_SIZE), 1)
        case Select(operand=operand):
            inner = _estimate(operand, scope)
            return _Estimate(inner.size, inner.cost + 1)
        case Index(operand=operand, index=index):
            inner, key = _estimate(operand, scope), _estimate(index, scope)
            return _Estimate(inner.size, inner.cost + key.cost + 1)
        case Collection(items=items):
            parts = [_estimate(item, scope) for item in items]
            return _Estimate(1 + sum(p.size for p in parts), 1 + sum(p.cost for p in parts))
        case Unary(operand=operand):
            return _Estimate(1, _estimate(operand, scope).cost + 1)
        case Conditional(condition=condition, then=then, otherwise=otherwise):
            test, yes, no = (_estimate(part, scope) for part in (condition, then, otherwise))
            return _Estimate(max(yes.size, no.size), test.cost + yes.cost + no.cost + 1)
        case Chain():
            return _chain(node, scope)
        case Call():
            return _call(node, scope)
        case Comprehension():
            return _comprehension(node, scope)
        case _:
            assert_never(node)


def _chain(node: Chain, scope: _Scope) -> _Estimate:
    first, *rest = (_estimate(operand, scope) for operand in node.operands)
    size, cost = first.size, first.cost
    for operator, right in zip(node.operators, rest, strict=True):
        cost += right.cost + 1
        if operator == "+":  # numbers, or strings and lists: a new value with copies of both sides
            size += right.size
            cost += size
        elif operator in ("==", "!="):  # equal values are compared element by element
            cost += min(size, right.size)
            size = 1
        elif operator == "in":  # a scan of the list, each element compared
            cost += right.size
            size = 1
        else:  # logic, order and arithmetic give a boolean or a number
            size = 1
    return _Estimate(size, cost)


def _call(node: Call, scope: _Scope) -> _Estimate:
    operands = [*([] if node.target is None else [node.target]), *node.args]
    parts = [_estimate(operand, scope) for operand in operands]
    sizes = sum(p.size for p in parts)
    cost = 1 + sum(p.cost for p in parts) + sizes  # reading the operands once: sizes, conversions, tests
    if node.function == "matches":
        pattern = node.args[-1] if node.args else None
        if not isinstance(pattern, Lit) or pattern.text is None:
            raise ConditionTooCostly(
                "calls matches() with a pattern that is not a string literal; write the pattern out in the "
                "condition so its cost can be checked"
            )
        cost += pattern_cost(pattern.text)
    if node.function in ("matches", "contains", "startsWith", "endsWith", "size", "has"):
        return _Estimate(1, cost)
    return _Estimate(1 + sizes, cost)


def _comprehension(node: Comprehension, scope: _Scope) -> _Estimate:
    if scope.depth >= scope.max_depth:
        raise ConditionTooCostly(
            f"nests comprehensions ({_NAMES}) more than {MAX_COMPREHENSION_DEPTH} deep, and each level "
            "multiplies the work; split it into several rules"
        )
    source = _estimate(node.range, scope)
    count = source.size  # how many times the body runs, and how large one element may be
    body = [_estimate(part, scope.inside(node.var, count)) for part in node.body]
    cost = source.cost + count * (1 + sum(part.cost for part in body))
    if node.macro in ("all", "exists", "exists_one", "existsOne"):
        return _Estimate(1, cost)
    if node.macro == "filter":  # the kept elements, the list copied at each step
        return _Estimate(count, cost + count * count)
    # map, or a macro this checker does not know, taken to be as costly: an element per element, the
    # list copied at each step
    size = 1 + count * body[-1].size
    return _Estimate(size, cost + count * size)


def pattern_cost(pattern: str) -> int:
    """An upper bound of the steps compiling `pattern` costs (CEL compiles a ``matches`` pattern at each call).

    Elements are weighed by kind (a Unicode class such as ``\\w`` weighs most), groups and alternatives
    add up, and a repetition ``{n,m}`` copies what it repeats m times, ``+`` twice.
    """
    groups: list[list[list[int]]] = [[[]]]  # open groups, each a list of alternatives, each of element weights
    at = 0
    while at < len(pattern):
        char = pattern[at]
        items = groups[-1][-1]
        if char == "\\":
            weight, at = _escape(pattern, at)
            items.append(weight)
            continue
        if char == "[":
            weight, at = _class(pattern, at)
            items.append(weight)
            continue
        if char == "(":
            flags = _flags_end(pattern, at)
            if flags is not None:  # (?i): flags for the rest of the group, no group of its own
                at = flags
                continue
            groups.append([[]])
        elif char == ")" and len(groups) > 1:
            group = groups.pop()
            groups[-1][-1].append(sum(sum(alternative) for alternative in group))
        elif char == "|":
            groups[-1].append([])
        elif char == "+" and items:
            items[-1] *= 2
        elif char in "*?" and items:
            pass  # a loop around, or an optional copy of, what precedes it
        elif char == "{" and items and (repeat := _repetition(pattern, at)) is not None:
            times, at = repeat
            items[-1] *= max(times, 1)
            continue
        else:
            items.append(_WIDE if char == "." else _PLAIN)
        at += 1
    while len(groups) > 1:  # an unclosed group: the library refuses the pattern, but count it all the same
        group = groups.pop()
        groups[-1][-1].append(sum(sum(alternative) for alternative in group))
    return _PLAIN + sum(sum(alternative) for alternative in groups[0])


def _escape(pattern: str, at: int) -> tuple[int, int]:
    """The weight of the escape at `at`, and where it ends (``\\p{Greek}`` and ``\\x{263a}`` included)."""
    letter = pattern[at + 1 : at + 2]
    end = at + 2
    if letter in ("p", "P", "x", "u", "U") and pattern[end : end + 1] == "{":
        closing = pattern.find("}", end)
        end = len(pattern) if closing < 0 else closing + 1
    elif letter in ("p", "P"):
        end += 1  # \pL: a one-letter class name
    if letter in ("w", "W", "p", "P"):
        return _UNICODE_CLASS, end
    if letter in ("d", "D"):
        return _DIGIT_CLASS, end
    if letter in ("s", "S", "b", "B"):
        return _WIDE, end
    return _PLAIN, end


def _class(pattern: str, at: int) -> tuple[int, int]:
    """The weight of the bracketed class at `at` (the heaviest of its escapes), and where it ends."""
    weight = _WIDE if pattern[at + 1 : at + 2] == "^" else _PLAIN
    depth, index = 0, at
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escaped, index = _escape(pattern, index)
            weight = max(weight, escaped)
            continue
        if char == "[":
            depth += 1
            if pattern[index + 1 : index + 2] == "]":
                index += 1  # a ] right after the opening bracket is a literal
            elif pattern[index + 1 : index + 3] == "^]":
                index += 2
        elif char == "]":
            depth -= 1
            if depth == 0:
                return weight, index + 1
        index += 1
    return weight, index


def _flags_end(pattern: str, at: int) -> int | None:
    """Where a flags-only group such as ``(?i)`` or ``(?-u)`` at `at` ends; None for any other group."""
    if pattern[at + 1 : at + 2] != "?":
        return None
    index = at + 2
    while index < len(pattern) and (pattern[index].isalpha() or pattern[index] == "-"):
        index += 1
    return index + 1 if pattern[index : index + 1] == ")" else None


def _repetition(pattern: str, at: int) -> tuple[int, int] | None:
    """``{n}``, ``{n,}`` or ``{n,m}`` at `at`: the most copies it makes and where it ends; None if not one."""
    found = _REPETITION.match(pattern, at)
    if found is None:
        return None
    low, comma, high = found.group(1), found.group(2), found.group(3)
    times = int(high) if high else int(low) + (1 if comma else 0)
    return times, found.end()

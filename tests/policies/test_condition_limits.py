"""Conditions are held to size, nesting and cost limits when a policy is read, so no evaluation is costly.

A CEL evaluation cannot be interrupted, so a condition such as three comprehensions nested in one
another (n³ steps per case) must be refused before it ever runs, with the line and the limit named.
"""

from __future__ import annotations

import json
from typing import Any

import cel
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import (
    MAX_COMPREHENSION_DEPTH,
    MAX_CONDITION_CHARS,
    MAX_CONDITION_COST,
    MAX_NESTING,
    MAX_POLICY_COST,
    PolicyFileError,
    parse_policy,
)
from policies._cost import ConditionTooCostly, check_condition, pattern_cost
from policies._syntax import Comprehension, parse
from tests.policies.policy_samples import CREDIT_POLICY_PATH, SAMPLE_POLICY, sample_facts

TEN = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
ATTACK = f"{TEN}.all(a, {TEN}.all(b, {TEN}.all(c, a + b + c > 0)))"
"""Comprehensions three deep: the body runs n³ times for every case replayed."""
WIDE = "[" + ", ".join(["1"] * 100) + "]"
SQUARED_MAP = f"{WIDE}.map(x, {WIDE}.map(y, {WIDE})).size() > 0"
"""Only two deep, but map copies the list it builds at every step: seconds for one evaluation."""
CAP_LINE = '    when: "order.amount > 1000.0"'


def _with_cap(condition: str) -> str:
    """The sample policy with the hard limit `cap` reading `condition` (marked as the line errors point at)."""
    assert SAMPLE_POLICY.count(CAP_LINE) == 1
    return SAMPLE_POLICY.replace(CAP_LINE, f"    when: {json.dumps(condition)}  # <-")


def _refusal(text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, path="p.yaml")
    marked = next(number for number, line in enumerate(text.splitlines(), 1) if "# <-" in line)
    assert caught.value.line == marked
    return caught.value


def _conditions(node: Any) -> list[str]:
    """Every CEL source in a policy file's data."""
    if isinstance(node, dict):
        keys = ("when", "auto_when", "amount", "requested_by", "four_eyes_when")
        found = [value for key, value in node.items() if key in keys and isinstance(value, str)]
        return found + [source for value in node.values() for source in _conditions(value)]
    if isinstance(node, list):
        return [source for item in node for source in _conditions(item)]
    return []


@pytest.mark.parametrize(
    "text",
    [
        CREDIT_POLICY_PATH.read_text(encoding="utf-8"),
        (CREDIT_POLICY_PATH.parent / "identity_resolution.yaml").read_text(encoding="utf-8"),
        SAMPLE_POLICY,
    ],
    ids=["credit_approval", "identity_resolution", "sample"],
)
def test_the_bundled_and_sample_policies_pass_every_limit_with_room_to_spare(text: str) -> None:
    sources = _conditions(yaml.safe_load(text))
    assert len(sources) >= 3
    costs = [check_condition(source) for source in sources]
    assert max(len(source) for source in sources) <= MAX_CONDITION_CHARS // 10
    assert max(costs) <= MAX_CONDITION_COST // 100
    assert sum(costs) <= MAX_POLICY_COST // 1000
    parse_policy(text)


def test_comprehensions_nested_three_deep_are_refused_with_the_line_and_the_limit() -> None:
    cel.compile(ATTACK)  # valid CEL: only the limit refuses it
    error = _refusal(_with_cap(ATTACK))
    assert error.reason == (
        "hard_limits[0].when nests comprehensions (all, exists, exists_one, map, filter) more than "
        f"{MAX_COMPREHENSION_DEPTH} deep, and each level multiplies the work; split it into several rules"
    )
    assert str(error).startswith(f"p.yaml:{error.line}: hard_limits[0].when nests comprehensions")


def test_a_costly_condition_within_the_nesting_limit_is_refused_by_its_estimated_cost() -> None:
    error = _refusal(_with_cap(SQUARED_MAP))
    assert "hard_limits[0].when may take about" in error.reason
    assert f"more than the limit of {MAX_CONDITION_COST:,}" in error.reason


def test_two_comprehensions_deep_over_the_facts_are_allowed_and_work() -> None:
    condition = "order.lines.exists(line, line.parts.exists(part, part.recalled))"
    policy = parse_policy(_with_cap(condition).replace("  # <-", ""))
    recalled = sample_facts(lines=[{"parts": [{"recalled": False}]}, {"parts": [{"recalled": True}]}])
    fine = sample_facts(lines=[{"parts": [{"recalled": False}]}])
    assert policy.gate("refund", recalled, "small").matched == "cap"
    assert policy.gate("refund", fine, "small").outcome == "auto"


def test_a_condition_one_character_over_the_length_limit_is_refused_before_the_library_sees_it() -> None:
    clause = " && order.amount > 0.0"
    within = "order.amount > 1000.0" + clause * ((MAX_CONDITION_CHARS - 21) // len(clause))
    within += " " * (MAX_CONDITION_CHARS - len(within))
    assert len(within) == MAX_CONDITION_CHARS
    parse_policy(_with_cap(within))

    error = _refusal(_with_cap(within + " "))
    assert error.reason == (
        f"hard_limits[0].when is {MAX_CONDITION_CHARS + 1:,} characters long, more than the limit of "
        f"{MAX_CONDITION_CHARS:,} for a condition; split it into several rules"
    )


def test_an_expression_long_enough_to_crash_the_cel_library_is_refused_without_running_it() -> None:
    # cel.compile overflows its stack (the process dies) at some 30,000 chained operators.
    error = _refusal(_with_cap("1" + " + 1" * 40_000 + " > 0"))
    assert "characters long" in error.reason


@pytest.mark.parametrize(("depth", "refused"), [(MAX_NESTING - 1, False), (MAX_NESTING + 1, True)])
def test_brackets_nest_at_most_to_the_limit(depth: int, refused: bool) -> None:
    condition = "(" * depth + "order.amount" + ")" * depth + " > 1000.0"
    if not refused:
        parse_policy(_with_cap(condition))
        return
    error = _refusal(_with_cap(condition))
    assert f"more than {MAX_NESTING} deep" in error.reason


def test_brackets_and_macros_inside_string_literals_count_for_nothing() -> None:
    condition = "order.kind != '((((((((((((((((((((((((((((((((((.all(x, [1].all(y, [1].all(z, true)))'"
    assert check_condition(condition) < 100
    raw = "order.kind == r'\\' || order.kind == " + '"""\\""""' + ' && order.kind != "\\""'
    cel.compile(raw)
    assert check_condition(raw) < 100


@pytest.mark.parametrize(
    "condition",
    [
        f"{TEN}.existsOne(a, {TEN}.existsOne(b, {TEN}.existsOne(c, a + b + c > 0)))",  # the library's alias
        f"{TEN}.all(a, {TEN}.someMacro(b, {TEN}.exists(c, a + b + c > 0)))",  # a macro the checker does not know
    ],
)
def test_every_call_in_a_macros_shape_counts_as_a_comprehension(condition: str) -> None:
    with pytest.raises(ConditionTooCostly, match="nests comprehensions"):
        check_condition(condition)


def test_a_raw_string_cannot_hide_code_from_the_checker() -> None:
    """In a raw string a backslash escapes nothing: the quote after it ends the string, and the rest is code."""
    hidden = r"order.kind == r'\' || " + ATTACK
    cel.compile(hidden)
    with pytest.raises(ConditionTooCostly, match="nests comprehensions"):
        check_condition(hidden)


def test_the_reader_understands_every_form_of_cel_the_policies_may_use() -> None:
    sources = [
        "a.purpose in ['car', \"tv\", r'x\\y', b'z', '''q\"q''', \"\"\"p'p\"\"\"] && 0x1F == 31 && 1u == 1u",
        "a ? b : c ? d : e",
        "size(a.list) > 2 && a.list.all(x, x > 0) && a.list.exists_one(x, x == 1)",
        "a.list.map(x, x * 2).exists(y, y > 3) && a.list.map(x, x > 1, x * 2).size() > 0",
        "a.list.filter(x, x % 2 == 0).size() == 1 && {'k': 1, 'j': [2]}['k'] == 1 && [1, 2,].size() == 2",
        "has(a.b) || .a.c == 1 || -a.x < 0 && !a.flag || a.s // a comment ((\n == 'x'",
        "timestamp(a.t) > timestamp('2020-01-01T00:00:00Z') + duration('1h') && double(a.i) / 2.0 >= .5e1",
        "a.name.startsWith('A') && a.name.endsWith('z') && a.name.contains('\\u0041\\x41\\101')",
        "a.name.matches('^[A-Z]{2}[0-9]{6}$') || matches(a.name, '^TEST-')",
    ]
    for source in sources:
        cel.compile(source)
        assert check_condition(source) <= MAX_CONDITION_COST // 4, source
    comprehensions = parse("a.list.all(x, a.other.exists(y, x == y))", max_depth=MAX_NESTING)
    assert isinstance(comprehensions, Comprehension) and comprehensions.macro == "all"
    assert isinstance(comprehensions.body[0], Comprehension) and comprehensions.body[0].var == "y"


def test_a_pattern_must_be_a_literal_and_its_compilation_cheap() -> None:
    with pytest.raises(ConditionTooCostly, match="pattern that is not a string literal"):
        check_condition("order.kind.matches(order.pattern)")
    with pytest.raises(ConditionTooCostly, match="evaluation steps"):
        check_condition(r"order.kind.matches('(\\w{40}){40}')")  # about a third of a second at every call
    assert pattern_cost(r"\w{10}") == 10 * pattern_cost(r"\w") - 9 * pattern_cost("")
    assert pattern_cost("(?i)abc") == pattern_cost("abc")
    assert pattern_cost("[[:alpha:]]{3}") < pattern_cost(r"[\w]")
    check_condition(r"order.kind.matches('^\\w+@\\w+\\.\\w+$')")


def test_all_conditions_of_a_file_together_stay_within_the_policy_limit() -> None:
    some = "[" + ", ".join(["1"] * 25) + "]"
    costly = f"{some}.exists(x, order.tags.exists(t, t == x))"
    each = check_condition(costly)
    assert MAX_CONDITION_COST // 2 < each <= MAX_CONDITION_COST
    before = ["order.amount > 1000.0", "customer.blocked", "order.amount", "order.requested_by"]
    spent = sum(check_condition(source) for source in [*before, "order.amount > 500.0", "order.fraud"])
    rules = (MAX_POLICY_COST - spent) // each + 1  # the last one crosses the limit
    lines = [f'      - {{name: rule_{n}, when: "{costly}", outcome: review, reason: "r"}}' for n in range(rules)]
    lines[-1] += "  # <-"
    text = SAMPLE_POLICY.replace("    rules:\n", "    rules:\n" + "\n".join(lines) + "\n")
    error = _refusal(text)
    assert error.reason.startswith(f"actions.refund.rules[{rules - 1}].when: brings the estimated cost")
    assert f"the limit of {MAX_POLICY_COST:,} for a whole policy" in error.reason
    parse_policy(SAMPLE_POLICY.replace("    rules:\n", "    rules:\n" + "\n".join(lines[:-2]) + "\n"))


def _cel_expressions() -> st.SearchStrategy[str]:
    """Valid CEL built from every form the reader knows: literals, names, fields, calls, macros, operators."""
    names = st.sampled_from(["order", "customer", "score", "x"])
    literals = st.one_of(
        st.integers(0, 99).map(str),
        st.floats(0, 99, allow_nan=False).map(lambda f: f"{f:.2f}"),
        st.sampled_from(["true", "false", "null", "0x1f", "3u", "'a(b'", '"[c"', "r'\\d'", "b'z'", "'''t'''"]),
    )
    leaves = st.one_of(literals, names, names.map(lambda name: f"{name}.field"))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        operators = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in"])
        macros = st.sampled_from(["all", "exists", "exists_one", "filter", "map"])
        return st.one_of(
            st.tuples(inner, operators, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"!{e}"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
            st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
            st.tuples(inner, inner).map(lambda t: "{" + f"{t[0]}: {t[1]}" + "}"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.tuples(inner, inner).map(lambda t: f"size({t[0]}) + {t[1]}.size()"),
            st.tuples(inner, macros, inner).map(lambda t: f"{t[0]}.{t[1]}(x, {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}.matches('^a+$') || {t[1]}.startsWith('b')"),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(source=_cel_expressions())
def test_the_reader_reads_any_cel_the_library_compiles_and_refuses_only_on_a_limit(source: str) -> None:
    try:
        cel.compile(source)
    except ValueError:
        return  # e.g. a map literal with a map as key: the library's own refusal comes first
    try:
        cost = check_condition(source)
    except ConditionTooCostly as exc:
        assert "could not be checked" not in str(exc), source
    else:
        assert cost >= 10

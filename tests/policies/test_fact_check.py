"""Conditions are checked against the facts their agent provides: unknown names and mixed types are found
when a policy is read, with the line and the known names, instead of failing closed at run time."""

from __future__ import annotations

import json
from itertools import product
from typing import get_args

import cel
import pytest

from core import ConfigurationError, JsonObject
from policies import (
    CelType,
    FactSchema,
    FactType,
    PolicyFactsError,
    PolicyFileError,
    check_conditions,
    default_policy_dir,
    load_policy,
    parse_policy,
)
from policies._fact_check import Expected, condition_problems
from tests.policies.policy_samples import CREDIT_FACTS, SAMPLE_POLICY, sample_facts

SAMPLE_FACTS = FactSchema.of(
    {
        "order.amount": "double",
        "order.requested_by": "string",
        "order.fraud": "bool",
        "order.kind": "string",
        "order.trusted": "bool",
        "order.lines[].sku": "string",
        "order.lines[].quantity": "int",
        "order.lines[].price": "double",
        "order.tags[]": "string",
        "customer.blocked": "bool",
        "customer.age": "int",
        "customer.since": "string",
        "score.value": "double",
    }
)


def _facts() -> JsonObject:
    """Facts of the shape `SAMPLE_FACTS` declares, for checking what CEL itself makes of a condition."""
    facts = sample_facts(
        lines=[{"sku": "A-1", "quantity": 2, "price": 150.0}, {"sku": "B-2", "quantity": 1, "price": 20.0}],
        tags=["vip"],
    )
    facts["customer"] = {"blocked": False, "age": 41, "since": "2019-05-01T00:00:00Z"}
    return facts


CAP_LINE = '    when: "order.amount > 1000.0"'


def _with_cap(condition: str) -> str:
    """The sample policy with the hard limit `cap` reading `condition` (marked as the line problems point at)."""
    assert SAMPLE_POLICY.count(CAP_LINE) == 1
    return SAMPLE_POLICY.replace(CAP_LINE, f"    when: {json.dumps(condition)}  # <-")


def _marked(text: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if "# <-" in line)


def _problems(condition: str, expected: Expected | None = "bool") -> list[str]:
    return condition_problems(condition, SAMPLE_FACTS, agent="sample", expected=expected)


def test_both_bundled_policies_fit_the_facts_their_agents_provide() -> None:
    credit = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
    assert check_conditions(credit, CREDIT_FACTS) == []
    assert load_policy(default_policy_dir() / "credit_approval.yaml", facts=CREDIT_FACTS).agent == "credit_approval"
    assert check_conditions(SAMPLE_POLICY, SAMPLE_FACTS) == []


def test_a_misspelt_fact_is_refused_with_its_line_the_known_names_and_the_closest_one() -> None:
    text = _with_cap("order.amout > 1000.0")
    (problem,) = check_conditions(text, SAMPLE_FACTS, "sample.yaml")
    assert (problem.line, problem.location, problem.where) == (
        _marked(text),
        ("hard_limits", 0, "when"),
        "hard_limits[0].when",
    )
    assert problem.message == (
        "order.amout is not a fact of sample; known: order.amount, order.fraud, order.kind, order.lines, "
        "order.requested_by, order.tags, order.trusted; did you mean order.amount?"
    )
    with pytest.raises(PolicyFactsError) as caught:
        parse_policy(text, "sample.yaml", facts=SAMPLE_FACTS)
    assert isinstance(caught.value, PolicyFileError)  # what the editor, the API and the CLI already show
    assert caught.value.line == _marked(text)
    assert str(caught.value) == f"sample.yaml:{_marked(text)}: hard_limits[0].when: {problem.message}"
    assert caught.value.problems == (problem,)
    assert parse_policy(text, "sample.yaml").agent == "sample"  # without the facts, only the run would tell


def test_an_unknown_top_level_name_lists_the_facts_the_agent_provides() -> None:
    assert _problems("ordr.amount > 1.0") == [
        "ordr is not a fact of sample; known: customer, order, score; did you mean order?"
    ]
    assert _problems("customer.amount > 1.0") == [
        "customer.amount is not a fact of sample; known: customer.age, customer.blocked, customer.since; "
        "did you mean order.amount?"
    ]


def test_a_misspelt_fact_is_found_even_where_evaluation_would_never_read_it() -> None:
    condition = "false && order.amout > 1.0"
    assert cel.evaluate(condition, _facts()) is False  # short-circuited: running it proves nothing
    assert [problem.split(";")[0] for problem in _problems(condition)] == ["order.amout is not a fact of sample"]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ("customer.blocked > 3", "compares customer.blocked (a bool) with an int using >, which CEL cannot do"),
        ('order.amount == "x"', "compares order.amount (a double) with a string using ==: values of different"),
        ("order.kind < 2.0", "compares order.kind (a string) with a double using <, which CEL cannot do"),
        ("order.kind < null", "compares order.kind (a string) with null using <, which CEL cannot do"),
        ("order.kind >= customer.age", "compares order.kind (a string) with customer.age (an int) using >="),
        ("order.amount * 2 > 10.0", "applies * to order.amount (a double) and an int, which CEL refuses"),
        ("order.amount + customer.age > 10.0", "applies + to order.amount (a double) and customer.age (an int)"),
        ("customer.age && order.trusted", "uses customer.age (an int) with &&, which needs true or false"),
        ("!order.kind", "uses order.kind (a string) with !, which needs true or false"),
        ("-order.kind == 'x'", "negates order.kind (a string)"),
        ("order.amount", "gives order.amount (a double), not true or false"),
        ("order.kind in [1, 2]", "looks for order.kind (a string) in a list of int"),
        ("1 in order.amount", "uses in on order.amount (a double), which is neither a list nor a map"),
        ("order.amount.contains('1')", "calls contains() on order.amount (a double); it works on strings"),
        ("size(order.amount) > 0", "asks the size of order.amount (a double)"),
        ("order.amount.total > 1.0", "order.amount.total reads the field 'total' of order.amount (a double)"),
        ("order.lines.exists(l, l.sku > 3)", "compares l.sku (a string) with an int using >"),
        ("order.amount.exists(x, x > 1.0)", "calls exists() on order.amount (a double); it works on lists"),
        ("order.lines[order.kind].price > 1.0", "indexes order.lines (a list of map) with order.kind (a string)"),
        ("order.trusted ? order.amount : 1.0", "gives a double, not true or false"),
        ("customer.age ? true : false", "uses customer.age (an int) with ?:"),
        ("customer.since.getFullYear() > 2000", "calls getFullYear() on customer.since (a string)"),
    ],
)
def test_a_fact_used_with_the_wrong_type_is_refused(condition: str, problem: str) -> None:
    found = _problems(condition)
    assert len(found) == 1, found
    assert found[0].startswith(problem), found[0]


@pytest.mark.parametrize(
    "condition",
    [
        "customer.age < 18.5",  # CEL orders ints and doubles together
        "order.amount == 1",
        "order.requested_by == null",
        "order.lines.exists(l, l.quantity > 1 && l.price * 2.0 > order.amount)",
        "order.lines.all(l, l.sku.startsWith('A') || l.sku.matches('^B-[0-9]+$'))",
        "order.tags.exists(t, t == 'vip') && 'vip' in order.tags && size(order.tags) > 0",
        "order.lines.map(l, l.price).exists(p, p > 100.0)",
        "order.lines.filter(l, l.quantity > 1).size() > 0",
        "order.lines.exists_one(l, l.quantity == 2)",
        "order.lines.map(l, l.quantity > 1, l.sku).exists(s, s == 'A-1')",
        "has(order.fraud) && !order.fraud",
        "timestamp(customer.since) < timestamp('2020-01-01T00:00:00Z')",
        "timestamp(customer.since).getFullYear() >= 2019",
        "double(customer.age) * 1.5 > 20.0 && customer.age % 2 == 1",
        "[40, 41].exists(x, x == customer.age)",
        "(order.trusted ? 1.0 : 2.0) < order.amount",
        "order.lines[0].price > 1.0 && order['amount'] > 1.0",
        "{'a': 1.0}.a < order.amount",
        "'amount' in order",
        "order.kind + '-x' == 'web-x' || order.kind != 'void'",
    ],
)
def test_conditions_cel_can_evaluate_are_not_reported(condition: str) -> None:
    assert _problems(condition) == []
    assert isinstance(cel.evaluate(condition, _facts()), bool)  # and CEL agrees: it runs on such facts


def test_a_comprehension_variable_is_known_inside_its_macro_only() -> None:
    assert _problems("order.lines.exists(l, l.skuu == 'x')") == [
        "l.skuu is not a fact of sample (l is an element of order.lines); known: l.price, l.quantity, l.sku; "
        "did you mean l.sku?"
    ]
    assert _problems("order.lines.exists(l, true) && l.sku == 'x'")[0].startswith("l is not a fact of sample")
    assert _problems("order.lines.exists(order, order.sku == 'A-1')") == []  # a variable shadows a fact
    assert _problems("order.tags.all(t, order.lines.exists(l, l.sku == t))") == []


def test_authority_expressions_must_give_what_the_authority_needs() -> None:
    text = SAMPLE_POLICY.replace('amount: "order.amount"', 'amount: "order.kind"  # <-')
    (problem,) = check_conditions(text, SAMPLE_FACTS)
    assert (problem.where, problem.line) == ("authority.amount", _marked(text))
    assert problem.message.startswith("gives order.kind (a string), not a number")
    assert _problems("order.amount", "requester")[0].startswith("gives order.amount (a double), not a string or null")
    assert _problems("order.requested_by", "requester") == []
    assert _problems("order.fraud ? null : order.requested_by", "requester") == []
    assert _problems("customer.age", "number") == []
    text = SAMPLE_POLICY.replace('four_eyes_when: "order.amount > 500.0"', 'four_eyes_when: "order.amont > 500.0"')
    assert [p.where for p in check_conditions(text, SAMPLE_FACTS)] == ["authority.four_eyes_when"]


def test_every_problem_of_a_file_is_listed_with_its_own_line() -> None:
    text = (
        SAMPLE_POLICY.replace("score.value > 0.9 && order.amount <= 50.0", "score.valu > 0.9 && order.amount <= 50")
        .replace("order.kind == 'manual'", "order.kind == 1")
        .replace('    when: "order.fraud"', '    when: "order.fraud > 0"')
    )
    problems = check_conditions(text, SAMPLE_FACTS, "sample.yaml")

    def line_of(written: str) -> int:
        return next(number for number, line in enumerate(text.splitlines(), 1) if written in line)

    assert [(p.where, p.line, p.message.split(" (")[0]) for p in problems] == [
        ("actions.refund.hard_limits[0].when", line_of('"order.fraud > 0"'), "compares order.fraud"),
        ("actions.refund.rules[0].when", line_of("order.kind == 1"), "compares order.kind"),
        (
            "actions.refund.autonomy.levels[2].auto_when",
            line_of("score.valu "),
            "score.valu is not a fact of sample; known: score.value; did you mean score.value?",
        ),
    ]
    with pytest.raises(PolicyFactsError) as caught:
        parse_policy(text, "sample.yaml", facts=SAMPLE_FACTS)
    assert caught.value.problems == tuple(problems)
    assert caught.value.line == problems[0].line
    assert all(str(problem) in str(caught.value) for problem in problems[1:])


def test_a_file_that_is_not_a_policy_is_refused_before_its_facts_are_checked() -> None:
    with pytest.raises(PolicyFileError, match="is not valid YAML"):
        check_conditions("agent: [", SAMPLE_FACTS)


KIND_VALUES: dict[CelType, str] = {"int": "3", "double": "2.5", "string": "'x'", "bool": "true", "null": "null"}
ORDERING = ("<", "<=", ">", ">=")
ARITHMETIC = ("+", "-", "*", "/", "%")
VALUE_FACTS = FactSchema.of({f"v.{kind}_value": kind for kind in KIND_VALUES})
VALUES: JsonObject = {
    "v": {"int_value": 3, "double_value": 2.5, "string_value": "x", "bool_value": True, "null_value": None}
}


def _runs(expression: str) -> bool:
    try:
        cel.evaluate(expression, VALUES)
    except Exception:
        return False
    return True


@pytest.mark.parametrize(("left", "right"), list(product(KIND_VALUES, repeat=2)))
def test_the_type_check_agrees_with_what_cel_does_for_every_pair_of_types(left: CelType, right: CelType) -> None:
    """Facts against literals and against facts: refused exactly when CEL refuses, or finds the result fixed."""
    for operator, right_side in product((*ORDERING, *ARITHMETIC, "==", "!="), (KIND_VALUES[right], f"v.{right}_value")):
        expression = f"v.{left}_value {operator} {right_side}"
        reported = condition_problems(expression, VALUE_FACTS, agent="values", expected=None) != []
        if operator in ORDERING or operator in ARITHMETIC:
            assert reported == (not _runs(expression)), expression
        else:  # == and != always run; a reported comparison is one that is constant
            assert _runs(expression)
            if reported:
                assert cel.evaluate(expression, VALUES) is (operator == "!="), expression


def test_a_fact_schema_from_dotted_paths() -> None:
    assert set(get_args(CelType)) >= {"bool", "int", "double", "string", "list", "map", "timestamp"}
    assert SAMPLE_FACTS.get("order.lines[].price") == FactType("double")
    assert SAMPLE_FACTS.get("order.tags") == FactType("list", element=FactType("string"))
    assert SAMPLE_FACTS.get("order.amout") is None
    assert SAMPLE_FACTS.paths()["order.lines[].sku"] == "string"
    assert list(CREDIT_FACTS.paths())[:2] == ["customer", "customer.id"]
    for bad in ({"a.b": "float"}, {"a": "int", "a.b": "int"}, {"a..b": "int"}, {"a.b[]": "int", "a.b": "int"}):
        with pytest.raises(ConfigurationError):
            FactSchema.of(bad)  # type: ignore[arg-type]

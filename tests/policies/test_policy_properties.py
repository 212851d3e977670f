"""Invariants of the gate on arbitrary facts: it fails closed and never automates a hard limit.

The oracle evaluates the policy's CEL sources directly, independently of the engine: an action may
run automatically only if some band at or below the level evaluates to exactly ``true``, and never
when a hard limit evaluates to ``true``.
"""

from typing import Any

import cel
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from core import JsonObject, JsonValue
from policies import Policy, load_policy, parse_policy
from tests.policies.policy_samples import CREDIT_POLICY_PATH, SAMPLE_POLICY

SAMPLE_DENY = SAMPLE_POLICY.replace("default: review", "default: deny")
POLICIES: list[tuple[Policy, dict[str, Any]]] = [
    (load_policy(CREDIT_POLICY_PATH), yaml.safe_load(CREDIT_POLICY_PATH.read_text(encoding="utf-8"))),
    (parse_policy(SAMPLE_POLICY), yaml.safe_load(SAMPLE_POLICY)),
    (parse_policy(SAMPLE_DENY), yaml.safe_load(SAMPLE_DENY)),
]

scalars: st.SearchStrategy[JsonValue] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
)
wrong: st.SearchStrategy[JsonValue] = st.one_of(scalars, st.lists(scalars, max_size=2))
amounts = st.one_of(
    st.floats(min_value=0, max_value=10000), st.floats(min_value=0, max_value=60000), st.integers(0, 20000)
)
rates = st.floats(min_value=0.0, max_value=1.0)

FIELDS: dict[str, dict[str, st.SearchStrategy[JsonValue]]] = {
    "customer": {
        "age": st.integers(min_value=10, max_value=90),
        "objects_to_automated_decisions": st.booleans(),
        "vulnerable": st.booleans(),
        "foreign_worker": st.booleans(),
        "blocked": st.booleans(),
    },
    "application": {
        "amount": amounts,
        "duration_months": st.integers(min_value=4, max_value=72),
        "requested_by": st.one_of(st.none(), st.sampled_from(["ann", "bob"])),
    },
    "exposure": {"existing_credits": st.integers(min_value=0, max_value=6)},
    "proposal": {"probability_of_default": rates, "score": st.integers(300, 900)},
    "order": {
        "amount": amounts,
        "requested_by": st.one_of(st.none(), st.sampled_from(["ann", "bob"])),
        "fraud": st.booleans(),
        "kind": st.sampled_from(["web", "manual", "void"]),
        "trusted": st.booleans(),
    },
    "score": {"value": rates},
}


MISSING = "<missing>"
"""Marks a key to leave out; the facts strategies never produce this string as a value otherwise."""


def _usually(plausible: st.SearchStrategy[JsonValue]) -> st.SearchStrategy[JsonValue]:
    """`plausible` most of the time, else a value of the wrong type, else a missing key."""
    return st.integers(min_value=0, max_value=19).flatmap(
        lambda roll: plausible if roll < 16 else (wrong if roll < 19 else st.just(MISSING))
    )


def _present(mapping: dict[str, JsonValue]) -> JsonObject:
    return {key: value for key, value in mapping.items() if value != MISSING}


def _section(fields: dict[str, st.SearchStrategy[JsonValue]]) -> st.SearchStrategy[JsonValue]:
    """A fact section: usually well-formed, with fields that may be missing or of the wrong type."""
    mapping = st.fixed_dictionaries({name: _usually(plausible) for name, plausible in fields.items()})
    return _usually(mapping.map(_present))


facts_strategy: st.SearchStrategy[JsonObject] = st.fixed_dictionaries(
    {root: _section(fields) for root, fields in FIELDS.items()}
).map(_present)


def holds(source: str, facts: JsonObject) -> bool:
    """True only if CEL evaluates `source` on `facts` to exactly true."""
    try:
        return cel.compile(source).execute(dict(facts)) is True
    except Exception:
        return False


def hard_limit_sources(raw: dict[str, Any], action: str) -> list[str]:
    limits = [*raw.get("hard_limits", []), *raw["actions"][action].get("hard_limits", [])]
    return [limit["when"] for limit in limits]


def band_sources(raw: dict[str, Any], action: str) -> list[tuple[str, str]]:
    levels = raw["actions"][action]["autonomy"]["levels"]
    return [(level["name"], level.get("auto_when", "")) for level in levels]


cases = st.sampled_from(POLICIES).flatmap(
    lambda pair: st.tuples(st.just(pair), st.sampled_from(sorted(pair[0].actions)))
)


@settings(max_examples=200, deadline=None)
@given(case=cases, facts=facts_strategy)
def test_auto_only_when_a_band_at_or_below_the_level_holds(
    case: tuple[tuple[Policy, dict[str, Any]], str], facts: JsonObject
) -> None:
    (policy, raw), action = case
    bands = band_sources(raw, action)
    for index, level in enumerate(policy.levels(action)):
        decision = policy.gate(action, facts, level)
        if decision.outcome == "auto":
            allowed = {name for name, source in bands[2 : index + 1] if holds(source, facts)}
            assert decision.matched in allowed
            assert decision.source == "autonomy"
        assert decision.autonomy_level == level
        assert decision.policy_version == policy.version


@settings(max_examples=200, deadline=None)
@given(case=cases, facts=facts_strategy)
def test_hard_limits_are_never_automated(case: tuple[tuple[Policy, dict[str, Any]], str], facts: JsonObject) -> None:
    (policy, raw), action = case
    if not any(holds(source, facts) for source in hard_limit_sources(raw, action)):
        return
    for level in policy.levels(action):
        decision = policy.gate(action, facts, level)
        assert decision.outcome != "auto"
        assert decision.source == "hard_limit"

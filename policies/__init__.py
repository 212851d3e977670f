"""Policies: the pure gate between what an agent proposes and what happens.

A policy file (YAML, one per agent, checked by pydantic, conditions in CEL) says for each action which
hard limits and rules force a review or a denial, which autonomy bands may run without a person, and
who may decide what is reviewed. Conditions are held to size, nesting and cost limits
(`MAX_CONDITION_CHARS`, ...) when a file is read, so judging a case stays cheap. `Policy.gate` turns
facts into a `GateDecision` (auto, review or deny); `check_reviewer` enforces role limits, four eyes
and no self-approval; `AutonomyLadder` promotes an action slowly on Wilson-bounded KPIs and demotes it
at once on a breach; `Policy.review_clock` says how long a review may wait and whether it then expires
or escalates to a role. Given the agent's `FactSchema`, `check_conditions` (and `parse_policy(...,
facts=...)`) find conditions that read facts the agent does not provide or mix types CEL cannot
combine. Nothing here
touches a database, the network or a model, so every decision can be tested and replayed.

    policy = load_policy(default_policy_dir() / f"{agent}.yaml")
    decision = policy.gate(action, facts, level="band_1")
"""

from pathlib import Path

from policies._authority import check_reviewer
from policies._autonomy import AutonomyLadder, wilson_interval
from policies._cost import (
    FACT_SIZE,
    MAX_COMPREHENSION_DEPTH,
    MAX_CONDITION_CHARS,
    MAX_CONDITION_COST,
    MAX_NESTING,
    MAX_POLICY_COST,
)
from policies._engine import ActionPolicy, Policy
from policies._errors import (
    AuthorityError,
    ConditionError,
    FourEyesViolation,
    MissingAuthority,
    PolicyError,
    PolicyFactsError,
    PolicyFileError,
    SelfApproval,
    WhatIfBudgetExceeded,
)
from policies._facts import CelType, FactProblem, FactSchema, FactType
from policies._loader import check_conditions, load_policy, parse_policy
from policies._schema import MAX_REVIEW_SLA, MIN_REVIEW_SLA, DemotionCriteria, PromotionCriteria
from policies._source import FixedPolicy, PolicySource
from policies._types import (
    REVIEW_VERDICTS,
    DecisionSource,
    Facts,
    GateDecision,
    KpiSnapshot,
    LadderChange,
    Outcome,
    ReviewClock,
    Reviewer,
    ReviewRequirement,
    ReviewTimeout,
    ReviewVerdict,
)
from policies._whatif import (
    ChangedCase,
    HistoricCase,
    OutcomeCounts,
    TimeBudget,
    WhatIfLine,
    WhatIfReport,
    what_if,
)


def default_policy_dir() -> Path:
    """The folder of the policy files bundled with Steward (``<agent>.yaml``, one per bundled agent)."""
    return Path(__file__).resolve().parent


__all__ = [
    "FACT_SIZE",
    "MAX_COMPREHENSION_DEPTH",
    "MAX_CONDITION_CHARS",
    "MAX_CONDITION_COST",
    "MAX_NESTING",
    "MAX_POLICY_COST",
    "MAX_REVIEW_SLA",
    "MIN_REVIEW_SLA",
    "REVIEW_VERDICTS",
    "ActionPolicy",
    "AuthorityError",
    "AutonomyLadder",
    "CelType",
    "ChangedCase",
    "ConditionError",
    "DecisionSource",
    "DemotionCriteria",
    "FactProblem",
    "FactSchema",
    "FactType",
    "Facts",
    "FixedPolicy",
    "FourEyesViolation",
    "GateDecision",
    "HistoricCase",
    "KpiSnapshot",
    "LadderChange",
    "MissingAuthority",
    "Outcome",
    "OutcomeCounts",
    "Policy",
    "PolicyError",
    "PolicyFactsError",
    "PolicyFileError",
    "PolicySource",
    "PromotionCriteria",
    "ReviewClock",
    "ReviewRequirement",
    "ReviewTimeout",
    "ReviewVerdict",
    "Reviewer",
    "SelfApproval",
    "TimeBudget",
    "WhatIfBudgetExceeded",
    "WhatIfLine",
    "WhatIfReport",
    "check_conditions",
    "check_reviewer",
    "default_policy_dir",
    "load_policy",
    "parse_policy",
    "what_if",
    "wilson_interval",
]

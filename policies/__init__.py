"""Policies: the pure gate between what an agent proposes and what happens.

A policy file (YAML, one per agent, checked by pydantic, conditions in CEL) says for each action which
hard limits and rules force a review or a denial, which autonomy bands may run without a person, and
who may decide what is reviewed. Conditions are held to size, nesting and cost limits
(`MAX_CONDITION_CHARS`, ...) when a file is read, so judging a case stays cheap. `Policy.gate` turns
facts into a `GateDecision` (auto, review or deny); `check_reviewer` enforces role limits, four eyes
and no self-approval; `AutonomyLadder` promotes an action slowly on Wilson-bounded KPIs and demotes it
at once on a breach. Nothing here
touches a database, the network or a model, so every decision can be tested and replayed.

    policy = load_policy(default_policy_dir() / "credit_approval.yaml")
    decision = policy.gate("approve_credit", facts, level="band_1")
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
    PolicyFileError,
    SelfApproval,
    WhatIfBudgetExceeded,
)
from policies._loader import load_policy, parse_policy
from policies._schema import DemotionCriteria, PromotionCriteria
from policies._source import FixedPolicy, PolicySource
from policies._types import (
    DecisionSource,
    Facts,
    GateDecision,
    KpiSnapshot,
    LadderChange,
    Outcome,
    Reviewer,
    ReviewRequirement,
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
    """The folder of the policy files bundled with Steward (``credit_approval.yaml``, ...)."""
    return Path(__file__).resolve().parent


__all__ = [
    "FACT_SIZE",
    "MAX_COMPREHENSION_DEPTH",
    "MAX_CONDITION_CHARS",
    "MAX_CONDITION_COST",
    "MAX_NESTING",
    "MAX_POLICY_COST",
    "ActionPolicy",
    "AuthorityError",
    "AutonomyLadder",
    "ChangedCase",
    "ConditionError",
    "DecisionSource",
    "DemotionCriteria",
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
    "PolicyFileError",
    "PolicySource",
    "PromotionCriteria",
    "ReviewRequirement",
    "ReviewVerdict",
    "Reviewer",
    "SelfApproval",
    "TimeBudget",
    "WhatIfBudgetExceeded",
    "WhatIfLine",
    "WhatIfReport",
    "check_reviewer",
    "default_policy_dir",
    "load_policy",
    "parse_policy",
    "what_if",
    "wilson_interval",
]

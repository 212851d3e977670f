"""The shape of a policy file, as pydantic models (one YAML file per agent).

A file names its agent, the `default` outcome when no autonomy band lets an action run, hard limits
that apply to every action, the default reviewer `authority`, and per action its own hard limits,
ordered `rules`, `autonomy` ladder and optional `review` clock. Pydantic checks the shape field by field (unknown keys,
types, CEL that does not compile, ``auto`` where only ``review`` or ``deny`` may stand);
`find_problems` checks what spans fields (unique names, band conditions, the demotion target, the
cost of all conditions together, the role a review escalates to). Each condition is held to the size,
nesting and cost limits of `policies._cost` before it can ever run.
Every location is a path such as ``("actions", "<action>", "rules", 2, "when")`` so the loader
can point at the line of the file.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from policies._condition import compile_error
from policies._cost import MAX_POLICY_COST, ConditionTooCostly, check_condition, too_long
from policies._types import ReviewTimeout

Restriction = Literal["review", "deny"]
"""The outcomes a person-written rule may impose: only autonomy bands ever automate."""

Location = tuple[str | int, ...]


def _refuse_auto(value: object) -> object:
    if value == "auto":
        raise PydanticCustomError(
            "auto_not_allowed",
            "'auto' is not allowed here: only autonomy bands automate an action; use review or deny",
        )
    return value


def _must_compile(source: str) -> str:
    problem = too_long(source)  # before the library sees it: very long expressions crash it
    if problem is not None:
        raise PydanticCustomError("cel_limit", "{problem}", {"problem": problem})
    reason = compile_error(source)
    if reason is not None:
        raise PydanticCustomError("cel_syntax", "does not compile: {reason}", {"reason": reason})
    try:
        check_condition(source)
    except ConditionTooCostly as exc:
        raise PydanticCustomError("cel_limit", "{problem}", {"problem": str(exc)}) from None
    return source


MIN_REVIEW_SLA = timedelta(minutes=1)
MAX_REVIEW_SLA = timedelta(days=90)
"""The bounds of a review clock's durations: a shorter wait is no review, a longer one is forgotten."""

_DURATION = re.compile(r"([0-9]+)(m|h|d)")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _duration(value: object) -> object:
    """``30m``, ``4h`` or ``2d`` as a `timedelta`, within `MIN_REVIEW_SLA` .. `MAX_REVIEW_SLA`."""
    found = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise PydanticCustomError(
            "duration",
            "{value} is not a duration: write a whole number and a unit, m (minutes), h (hours) or d (days), "
            "e.g. 30m, 4h or 2d",
            {"value": shown},
        )
    number, unit = found.groups()
    # More than 7 digits is beyond the bound in any unit, and beyond what a timedelta holds in some.
    duration = timedelta(**{_DURATION_UNITS[unit]: int(number)}) if len(number) <= 7 else MAX_REVIEW_SLA * 2
    if not MIN_REVIEW_SLA <= duration <= MAX_REVIEW_SLA:
        raise PydanticCustomError(
            "duration_bounds",
            "{value} is outside the bounds of a review clock: from 1m to 90d",
            {"value": found.group(0) if len(found.group(0)) <= 20 else found.group(0)[:17] + "..."},
        )
    return duration


RestrictiveOutcome = Annotated[Restriction, BeforeValidator(_refuse_auto)]
CelSource = Annotated[str, Field(min_length=1), AfterValidator(_must_compile)]
Name = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class RuleSpec(_Spec):
    """A hard limit or a rule: when `when` holds, the action gets `outcome`, explained by `reason`."""

    name: Name
    when: CelSource
    outcome: RestrictiveOutcome
    reason: Annotated[str, Field(min_length=1)]


class AuthoritySpec(_Spec):
    """Who may decide a reviewed action: role limits on an amount, four eyes, no self-approval."""

    amount: CelSource | None = None
    """CEL giving the amount that role limits compare against; omitted: any listed role may decide."""
    requested_by: CelSource | None = None
    """CEL giving who requested the action (a string or null); that person may not approve it."""
    roles: Annotated[dict[str, Annotated[float, Field(ge=0.0)] | None], Field(min_length=1)]
    """Role name -> largest amount it may approve; null means no limit."""
    four_eyes_when: CelSource | None = None
    """When this holds, two different reviewers must approve."""


class LevelSpec(_Spec):
    """One rung of the autonomy ladder; band rungs say which cases run without a person."""

    name: Name
    auto_when: CelSource | None = None


class PromotionCriteria(_Spec):
    """Evidence needed to climb one rung: enough fresh reviews, agreement and outcomes bounded."""

    min_reviewed: Annotated[int, Field(ge=1)]
    min_agreement_lower_bound: Fraction
    confidence: Annotated[float, Field(gt=0.0, lt=1.0)]
    """Confidence of the Wilson intervals behind the KPI bounds."""
    min_outcomes: Annotated[int, Field(ge=0)]
    """Observed outcomes needed; 0 promotes on agreement alone."""
    max_bad_outcome_upper_bound: Fraction
    sign_off: bool = False
    """True: a promotion the KPIs call for waits for an ops manager's sign-off before it applies."""


class DemotionCriteria(_Spec):
    """A breach that drops the action at once to the level `to`."""

    min_cases: Annotated[int, Field(ge=1)]
    agreement_floor: Fraction
    max_bad_outcome_rate: Fraction
    to: Name


class AutonomySpec(_Spec):
    """The ladder: level 1 is shadow, level 2 reviews everything, later levels are auto bands."""

    levels: Annotated[list[LevelSpec], Field(min_length=2)]
    window: Annotated[int, Field(ge=1)]
    """How many recent reviewed cases the KPIs are measured over."""
    promotion: PromotionCriteria
    demotion: DemotionCriteria


class ReviewSpec(_Spec):
    """An action's review clock: how long a review may wait and what happens when it waited too long."""

    sla: Duration | None = None
    """Omitted: the installation's default (``STEWARD_REVIEW_SLA_HOURS``)."""
    on_timeout: ReviewTimeout = "expire"
    escalate_to: Name | None = None
    """With ``on_timeout: escalate``: the role (of the action's authority) whose people take the overdue review."""
    escalated_sla: Duration | None = None
    """How long the escalated review may wait before it expires; omitted: as long as `sla`."""


class ActionSpec(_Spec):
    """Policy for one action an agent may propose."""

    description: str = ""
    hard_limits: list[RuleSpec] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(default_factory=list)
    authority: AuthoritySpec | None = None
    """Overrides the file's authority as a whole when given."""
    autonomy: AutonomySpec
    review: ReviewSpec | None = None
    """The action's review clock; omitted: the installation's default wait, then the review expires."""


class PolicyFileSpec(_Spec):
    """A whole policy file."""

    agent: Name
    description: str = ""
    default: RestrictiveOutcome
    hard_limits: list[RuleSpec] = Field(default_factory=list)
    authority: AuthoritySpec
    actions: Annotated[dict[Name, ActionSpec], Field(min_length=1)]


@dataclass(frozen=True)
class Problem:
    """A rule of the schema that spans fields, broken at `location`."""

    location: Location
    message: str


def find_problems(spec: PolicyFileSpec) -> list[Problem]:
    """What pydantic cannot see field by field, in file order."""
    problems: list[Problem] = []
    for action_name, action in spec.actions.items():
        here: Location = ("actions", action_name)
        problems += _duplicate_names(spec, action, here)
        problems += _ladder_problems(action.autonomy, (*here, "autonomy"))
        if action.review is not None:
            roles = (action.authority or spec.authority).roles
            problems += _review_problems(action.review, roles, (*here, "review"))
    return problems + _cost_problems(spec)


def _cost_problems(spec: PolicyFileSpec) -> list[Problem]:
    """All conditions together must stay within `MAX_POLICY_COST`: together they are what judging one case costs."""
    total = 0
    for location, source in conditions_of(spec):
        total += check_condition(source)  # each alone passed its own limits already
        if total > MAX_POLICY_COST:
            message = (
                f"brings the estimated cost of the policy's conditions to {total:,} evaluation steps, more than "
                f"the limit of {MAX_POLICY_COST:,} for a whole policy; simplify conditions or remove rules"
            )
            return [Problem(location, message)]
    return []


def conditions_of(spec: PolicyFileSpec) -> list[tuple[Location, str]]:
    """Every CEL source of the file with its location, in file order."""
    found: list[tuple[Location, str]] = []
    found += [(("hard_limits", i, "when"), limit.when) for i, limit in enumerate(spec.hard_limits)]
    found += _authority_conditions(spec.authority, ("authority",))
    for name, action in spec.actions.items():
        here: Location = ("actions", name)
        for part in ("hard_limits", "rules"):
            rules: list[RuleSpec] = getattr(action, part)
            found += [((*here, part, i, "when"), rule.when) for i, rule in enumerate(rules)]
        if action.authority is not None:
            found += _authority_conditions(action.authority, (*here, "authority"))
        levels = action.autonomy.levels
        found += [
            ((*here, "autonomy", "levels", i, "auto_when"), level.auto_when)
            for i, level in enumerate(levels)
            if level.auto_when is not None
        ]
    return found


def _authority_conditions(authority: AuthoritySpec, here: Location) -> list[tuple[Location, str]]:
    named = (
        ("amount", authority.amount),
        ("requested_by", authority.requested_by),
        ("four_eyes_when", authority.four_eyes_when),
    )
    return [((*here, key), source) for key, source in named if source is not None]


def _duplicate_names(spec: PolicyFileSpec, action: ActionSpec, here: Location) -> list[Problem]:
    """Hard-limit and rule names identify what decided, so they are unique within an action."""
    seen = {limit.name for limit in spec.hard_limits}
    problems = []
    for part in ("hard_limits", "rules"):
        for index, item in enumerate(getattr(action, part)):
            if item.name in seen:
                problems.append(
                    Problem((*here, part, index, "name"), f"the name {item.name!r} is already used; rename it")
                )
            seen.add(item.name)
    return problems


def _ladder_problems(autonomy: AutonomySpec, here: Location) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for index, level in enumerate(autonomy.levels):
        at: Location = (*here, "levels", index)
        if level.name in seen:
            problems.append(Problem((*at, "name"), f"the level name {level.name!r} appears twice"))
        seen.add(level.name)
        if index < 2 and level.auto_when is not None:
            kind = "shadow" if index == 0 else "review-all"
            problems.append(
                Problem(
                    (*at, "auto_when"),
                    f"level {index + 1} is the {kind} level and cannot automate; remove auto_when",
                )
            )
        if index >= 2 and level.auto_when is None:
            problems.append(
                Problem(at, f"band level {level.name!r} needs auto_when: the cases it runs without a person")
            )
    if autonomy.demotion.to not in seen:
        problems.append(
            Problem(
                (*here, "demotion", "to"),
                f"demotion.to names {autonomy.demotion.to!r}, which is not a level of this ladder",
            )
        )
    return problems


def _review_problems(review: ReviewSpec, roles: Collection[str], here: Location) -> list[Problem]:
    """An escalation names a role the action's authority knows; an expiry names none."""
    if review.on_timeout == "expire":
        return [
            Problem((*here, key), f"{key} only goes with on_timeout: escalate; remove it, or escalate")
            for key in ("escalate_to", "escalated_sla")
            if getattr(review, key) is not None
        ]
    if review.escalate_to is None:
        return [Problem((*here, "on_timeout"), "on_timeout: escalate needs escalate_to, the role to escalate to")]
    if review.escalate_to not in roles:
        known = ", ".join(roles)
        message = f"escalate_to names {review.escalate_to!r}, which is not a role of this action's authority ({known})"
        return [Problem((*here, "escalate_to"), message)]
    return []

"""Delegated authority: who may decide a reviewed proposal, worked out from facts and then enforced.

The gate builds a `ReviewRequirement` from the policy's `authority` block; `check_reviewer` refuses a
verdict the requirement does not allow. Both fail closed: an amount that cannot be evaluated narrows
the roles to the most senior ones, and an unknown requester or four-eyes condition asks for two
approvals.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from policies._condition import Bindings, Expression
from policies._errors import ConditionError, FourEyesViolation, MissingAuthority, SelfApproval
from policies._schema import AuthoritySpec
from policies._types import Facts, Reviewer, ReviewRequirement, ReviewVerdict


@dataclass(frozen=True)
class Authority:
    """The compiled `authority` block of a policy file or action."""

    amount: Expression | None
    requested_by: Expression | None
    role_limits: dict[str, float | None]
    four_eyes_when: Expression | None

    @classmethod
    def from_spec(cls, spec: AuthoritySpec) -> "Authority":
        def compiled(source: str | None) -> Expression | None:
            return Expression.compile(source) if source is not None else None

        return cls(
            amount=compiled(spec.amount),
            requested_by=compiled(spec.requested_by),
            role_limits=dict(spec.roles),
            four_eyes_when=compiled(spec.four_eyes_when),
        )

    def requirement(self, facts: Facts | Bindings) -> tuple[ReviewRequirement, tuple[str, ...]]:
        """The review requirement for `facts`, and a note for each authority fact that failed.

        A non-empty second element means the requirement was tightened because something could not
        be evaluated; the gate then never lets the action run automatically.
        """
        if not isinstance(facts, Bindings):
            facts = Bindings.of(facts)
        notes: list[str] = []
        amount, roles = None, dict(self.role_limits)
        if self.amount is not None:
            try:
                amount = _as_amount(self.amount.value(facts), self.amount.source)
            except ConditionError as exc:
                roles = _most_senior(self.role_limits)
                notes.append(
                    f"The amount could not be evaluated ({exc.reason}); only {', '.join(sorted(roles))} may decide."
                )
        requested_by, requester_known = None, True
        if self.requested_by is not None:
            try:
                requested_by = _as_requester(self.requested_by.value(facts), self.requested_by.source)
            except ConditionError as exc:
                requester_known = False
                notes.append(f"The requester could not be evaluated ({exc.reason}); two approvals needed.")
        approvals = 1
        if self.four_eyes_when is not None:
            try:
                approvals = 2 if self.four_eyes_when.holds(facts) else 1
            except ConditionError as exc:
                approvals = 2
                notes.append(f"The four-eyes condition could not be evaluated ({exc.reason}); two approvals needed.")
        if not requester_known:
            approvals = 2
        requirement = ReviewRequirement(
            amount=amount, role_limits=roles, approvals_required=approvals, requested_by=requested_by
        )
        return requirement, tuple(notes)


def _as_amount(value: object, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionError(source, f"it gave {value!r}, not a number")
    return float(value)


def _as_requester(value: object, source: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConditionError(source, f"it gave {value!r}, not a string or null")
    return value


def _most_senior(role_limits: dict[str, float | None]) -> dict[str, float | None]:
    """The roles without a limit or, if every role has one, those with the highest."""
    unlimited = {role: None for role, limit in role_limits.items() if limit is None}
    if unlimited:
        return dict(unlimited)
    top = max(limit for limit in role_limits.values() if limit is not None)
    return {role: limit for role, limit in role_limits.items() if limit == top}


def check_reviewer(
    requirement: ReviewRequirement,
    reviewer: Reviewer,
    verdict: ReviewVerdict,
    prior_approvers: Sequence[str],
) -> None:
    """Raise an `AuthorityError` unless `reviewer` may give `verdict` on a proposal with `requirement`.

    Approving or editing needs a role whose limit covers the amount (no limit covers everything; an
    unknown amount is covered by any listed role) and may not come from the requester. Rejecting needs
    any listed role, and a requester may reject their own request. Nobody decides the same item twice.
    """
    if reviewer.id in prior_approvers:
        raise FourEyesViolation(reviewer.id)
    match verdict:
        case "approve" | "edit":
            if requirement.requested_by is not None and reviewer.id == requirement.requested_by:
                raise SelfApproval(reviewer.id)
            covering = {
                role
                for role, limit in requirement.role_limits.items()
                if limit is None or requirement.amount is None or requirement.amount <= limit
            }
        case "reject":
            covering = set(requirement.role_limits)
        case _:
            assert_never(verdict)
    if not covering & reviewer.roles:
        raise MissingAuthority(reviewer.id, requirement.amount, covering)

"""Reviewer authority: role limits, four eyes and no self-approval."""

import pytest

from policies import (
    AuthorityError,
    FourEyesViolation,
    MissingAuthority,
    Reviewer,
    ReviewRequirement,
    ReviewVerdict,
    SelfApproval,
    check_reviewer,
)

LIMITS: dict[str, float | None] = {"credit_officer": 5000.0, "senior_credit_officer": 15000.0, "head": None}
OFFICER = Reviewer(id="olga", roles=frozenset({"credit_officer"}))
SENIOR = Reviewer(id="sam", roles=frozenset({"senior_credit_officer", "auditor"}))
HEAD = Reviewer(id="hana", roles=frozenset({"head"}))
OUTSIDER = Reviewer(id="otto", roles=frozenset({"marketing"}))


def requirement(amount: float | None = 3000.0, requested_by: str | None = "rita") -> ReviewRequirement:
    return ReviewRequirement(amount=amount, role_limits=LIMITS, requested_by=requested_by)


@pytest.mark.parametrize("verdict", ["approve", "edit", "reject"])
def test_role_within_its_limit_may_decide(verdict: ReviewVerdict) -> None:
    check_reviewer(requirement(5000.0), OFFICER, verdict, [])


@pytest.mark.parametrize("verdict", ["approve", "edit"])
def test_amount_above_the_role_limit_is_refused(verdict: ReviewVerdict) -> None:
    with pytest.raises(MissingAuthority) as caught:
        check_reviewer(requirement(5000.01), OFFICER, verdict, [])

    assert caught.value.allowed_roles == ("head", "senior_credit_officer")
    assert caught.value.amount == 5000.01
    assert str(caught.value) == (
        "reviewer 'olga' has no role that may decide an amount of 5,000.01 "
        "(roles allowed: head, senior_credit_officer); hand it to a reviewer holding one of those roles"
    )


def test_a_role_without_limit_covers_any_amount() -> None:
    check_reviewer(requirement(1_000_000.0), HEAD, "approve", [])


def test_any_of_several_roles_may_cover_the_amount() -> None:
    check_reviewer(requirement(12000.0), SENIOR, "approve", [])


def test_unknown_amount_is_covered_by_any_listed_role() -> None:
    check_reviewer(requirement(None), OFFICER, "approve", [])
    with pytest.raises(MissingAuthority):
        check_reviewer(requirement(None), OUTSIDER, "approve", [])


def test_reject_needs_a_listed_role_but_no_limit() -> None:
    check_reviewer(requirement(1_000_000.0), OFFICER, "reject", [])
    with pytest.raises(MissingAuthority) as caught:
        check_reviewer(requirement(), OUTSIDER, "reject", [])

    assert caught.value.allowed_roles == ("credit_officer", "head", "senior_credit_officer")


@pytest.mark.parametrize("verdict", ["approve", "edit"])
def test_requester_may_not_approve_their_own_request(verdict: ReviewVerdict) -> None:
    with pytest.raises(SelfApproval, match="'hana' requested this action"):
        check_reviewer(requirement(requested_by="hana"), HEAD, verdict, [])


def test_requester_may_reject_their_own_request() -> None:
    check_reviewer(requirement(requested_by="hana"), HEAD, "reject", [])


@pytest.mark.parametrize("verdict", ["approve", "edit", "reject"])
def test_second_decision_by_the_same_reviewer_is_refused(verdict: ReviewVerdict) -> None:
    four_eyes = requirement().model_copy(update={"approvals_required": 2})

    with pytest.raises(FourEyesViolation, match="'sam' already approved"):
        check_reviewer(four_eyes, SENIOR, verdict, ["sam"])


def test_second_approval_by_another_reviewer_is_allowed() -> None:
    four_eyes = requirement(12000.0).model_copy(update={"approvals_required": 2})

    check_reviewer(four_eyes, HEAD, "approve", ["sam"])


def test_authority_errors_share_a_root() -> None:
    for error in (MissingAuthority, FourEyesViolation, SelfApproval):
        assert issubclass(error, AuthorityError)

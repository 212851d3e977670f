"""The gate: hard limits, rules, autonomy levels, the default, and failing closed, path by path."""

import pytest

from core import JsonObject
from policies import GateDecision, Policy, PolicyError, ReviewRequirement, parse_policy
from tests.policies.policy_samples import SAMPLE_POLICY, credit_facts, credit_policy, sample_facts, without

CREDIT = credit_policy()
SAMPLE = parse_policy(SAMPLE_POLICY)
DENY_BY_DEFAULT = parse_policy(SAMPLE_POLICY.replace("default: review", "default: deny"))
LEVELS = ["shadow", "review_all", "small", "medium"]


def gate(facts: JsonObject, level: str = "medium", policy: Policy = SAMPLE) -> GateDecision:
    return policy.gate("refund", facts, level)


def test_small_band_automates_a_case_inside_it() -> None:
    decision = gate(sample_facts(), "small")

    assert decision == GateDecision(
        outcome="auto",
        source="autonomy",
        matched="small",
        reasons=("Within autonomy band 'small': score.value > 0.9 && order.amount <= 50.0",),
        autonomy_level="small",
        review=ReviewRequirement(
            amount=20.0,
            role_limits={"clerk": 100.0, "manager": 1000.0, "director": None},
            approvals_required=1,
            requested_by="ann",
        ),
        policy_version=SAMPLE.version,
    )


def test_higher_band_also_covers_lower_bands() -> None:
    decision = gate(sample_facts(), "medium")

    assert (decision.outcome, decision.matched, decision.autonomy_level) == ("auto", "small", "medium")


def test_case_outside_every_band_up_to_the_level_gets_the_default() -> None:
    facts = sample_facts(amount=80.0)
    facts["score"] = {"value": 0.93}

    decision = gate(facts, "medium")

    assert (decision.outcome, decision.source, decision.matched) == ("review", "default", "default")
    assert decision.reasons == ("No autonomy band up to 'medium' covers this case; the policy default is review.",)
    assert gate(facts, "medium", DENY_BY_DEFAULT).outcome == "deny"


def test_case_of_a_higher_band_is_not_automated_at_a_lower_level() -> None:
    facts = sample_facts(amount=80.0)

    assert gate(facts, "medium").outcome == "auto"
    assert (gate(facts, "small").outcome, gate(facts, "small").source) == ("review", "default")


def test_shadow_level_reviews_in_shadow() -> None:
    decision = gate(sample_facts(), "shadow")

    assert (decision.outcome, decision.source, decision.matched) == ("review", "autonomy", "shadow")
    assert decision.review.shadow


def test_review_all_level_reviews_everything() -> None:
    decision = gate(sample_facts(), "review_all")

    assert (decision.outcome, decision.source, decision.matched) == ("review", "autonomy", "review_all")
    assert not decision.review.shadow


@pytest.mark.parametrize("level", LEVELS)
def test_hard_limit_forces_review_at_every_level(level: str) -> None:
    decision = gate(sample_facts(amount=2000.0, trusted=True), level)

    assert (decision.outcome, decision.source, decision.matched) == ("review", "hard_limit", "cap")
    assert decision.reasons == ("Above the cap.",)
    assert decision.review.shadow == (level == "shadow")


def test_deny_beats_review_and_every_matched_reason_is_kept() -> None:
    facts = sample_facts(amount=2000.0, fraud=True)

    decision = gate(facts)

    assert (decision.outcome, decision.source, decision.matched) == ("deny", "hard_limit", "fraud_flag")
    assert decision.reasons == ("Above the cap.", "Suspected fraud.")


def test_file_hard_limit_denies() -> None:
    facts = sample_facts()
    facts["customer"] = {"blocked": True}

    assert (gate(facts).outcome, gate(facts).matched) == ("deny", "blocked")


def test_rules_apply_in_order_and_the_first_match_decides() -> None:
    review = gate(sample_facts(kind="manual"))
    deny = gate(sample_facts(kind="void"))

    assert (review.outcome, review.source, review.matched, review.reasons) == (
        "review",
        "rule",
        "first_review",
        ("Manual order.",),
    )
    assert (deny.outcome, deny.source, deny.matched) == ("deny", "rule", "first_deny")


def test_rules_apply_before_autonomy_even_in_shadow() -> None:
    assert gate(sample_facts(kind="void"), "shadow").outcome == "deny"


@pytest.mark.parametrize("level", LEVELS)
def test_missing_fact_in_a_hard_limit_fails_closed(level: str) -> None:
    facts = sample_facts()
    del facts["customer"]

    decision = gate(facts, level)

    assert (decision.outcome, decision.source, decision.matched) == ("review", "hard_limit", "blocked")
    assert decision.reasons[0].startswith("The hard limit 'blocked' could not be evaluated (the fact is missing")
    assert gate(facts, level, DENY_BY_DEFAULT).outcome == "deny"


def test_missing_field_in_a_rule_fails_closed() -> None:
    facts = without(sample_facts(), "order", "kind")

    decision = gate(facts)

    assert (decision.outcome, decision.source, decision.matched) == ("review", "rule", "first_review")
    assert "the fact field 'kind' is missing" in decision.reasons[0]


def test_wrong_type_in_a_comparison_fails_closed() -> None:
    policy = parse_policy(SAMPLE_POLICY.replace("order.kind == 'manual'", "order.kind.startsWith('man')"))

    decision = gate(sample_facts(kind=3), "medium", policy)

    assert (decision.outcome, decision.source, decision.matched) == ("review", "rule", "first_review")


def test_equality_across_types_is_false_not_an_error() -> None:
    """CEL semantics: ``3 == 'manual'`` is false; rules that must catch bad types use ordering or has()."""
    decision = gate(sample_facts(kind=3))

    assert (decision.outcome, decision.matched) == ("auto", "small")


def test_missing_field_in_a_band_fails_closed() -> None:
    facts = sample_facts()
    facts["score"] = {}

    decision = gate(facts, "small")

    assert (decision.outcome, decision.source, decision.matched) == ("review", "autonomy", "small")
    assert decision.reasons == (
        "The autonomy band 'small' could not be evaluated (the fact field 'value' is missing), "
        "so the action cannot run automatically; outcome review.",
    )
    assert gate(facts, "small", DENY_BY_DEFAULT).outcome == "deny"


def test_error_in_a_lower_band_fails_closed_even_if_a_higher_band_holds() -> None:
    facts = sample_facts(trusted=True)
    facts["score"] = {"value": "high"}

    decision = gate(facts, "medium")

    assert (decision.outcome, decision.matched) == ("review", "small")


def test_condition_that_is_not_boolean_fails_closed() -> None:
    policy = parse_policy(SAMPLE_POLICY.replace('"order.fraud"', '"order.fraud_score"'))
    facts = sample_facts(fraud_score=1)

    decision = gate(facts, "small", policy)

    assert (decision.outcome, decision.matched) == ("review", "fraud_flag")
    assert "it gave 1 (int), not true or false" in decision.reasons[0]


def test_unknown_amount_blocks_automation_and_leaves_only_unlimited_roles() -> None:
    decision = gate(sample_facts(amount="twenty"), "medium")

    assert decision.outcome == "review"
    assert decision.review.amount is None
    assert decision.review.role_limits == {"director": None}


def test_unknown_authority_blocks_a_band_that_does_not_read_it() -> None:
    facts = without(sample_facts(amount=80.0, trusted=True), "order", "requested_by")

    decision = gate(facts, "medium")

    assert (decision.outcome, decision.source, decision.matched) == ("review", "autonomy", "medium")
    assert decision.review.approvals_required == 2
    assert decision.reasons[-1].startswith("The requester could not be evaluated")


def test_four_eyes_applies_above_its_threshold() -> None:
    assert gate(sample_facts(amount=600.0), "review_all").review.approvals_required == 2
    assert gate(sample_facts(amount=400.0), "review_all").review.approvals_required == 1


def test_unknown_level_and_unknown_action_raise() -> None:
    with pytest.raises(PolicyError, match="unknown autonomy level 'band_9'"):
        gate(sample_facts(), "band_9")
    with pytest.raises(PolicyError, match="has no action 'ship'"):
        SAMPLE.gate("ship", sample_facts(), "shadow")


# The bundled credit-approval policy.


def test_credit_small_safe_approval_is_automated_in_band_1() -> None:
    decision = CREDIT.gate("approve_credit", credit_facts(), "band_1")

    assert (decision.outcome, decision.source, decision.matched) == ("auto", "autonomy", "band_1")
    assert decision.review.role_limits == {
        "credit_officer": 5000.0,
        "senior_credit_officer": 15000.0,
        "head_of_credit": None,
    }
    assert decision.policy_version == CREDIT.version


def test_credit_integer_amounts_compare_with_float_limits() -> None:
    decision = CREDIT.gate("approve_credit", credit_facts(application__amount=4000), "band_1")

    assert decision.outcome == "auto"
    assert decision.review.amount == 4000.0


@pytest.mark.parametrize(
    ("changes", "outcome", "matched"),
    [
        ({"application__amount": 16000.0}, "review", "amount_cap"),
        ({"application__amount": 60000.0}, "deny", "amount_above_absolute_maximum"),
        ({"customer__objects_to_automated_decisions": True}, "review", "gdpr_art22_objection"),
        ({"customer__vulnerable": True}, "review", "vulnerable_customer"),
        ({"customer__age": 17}, "deny", "applicant_under_18"),
        ({"exposure__existing_credits": 4}, "review", "many_existing_credits"),
        ({"application__duration_months": 72}, "review", "long_duration"),
        ({"proposal__probability_of_default": 0.10}, "review", "default"),
    ],
)
def test_credit_approval_paths(changes: JsonObject, outcome: str, matched: str) -> None:
    decision = CREDIT.gate("approve_credit", credit_facts(**changes), "band_1")

    assert (decision.outcome, decision.matched) == (outcome, matched)


def test_credit_band_2_widens_approval() -> None:
    facts = credit_facts(application__amount=7000.0, proposal__probability_of_default=0.10)

    assert CREDIT.gate("approve_credit", facts, "band_2").outcome == "auto"
    assert CREDIT.gate("approve_credit", facts, "band_1").outcome == "review"
    assert CREDIT.gate("approve_credit", facts, "band_2").review.role_limits["credit_officer"] == 5000.0


def test_credit_decline_is_automated_only_for_clear_high_risk_cases() -> None:
    risky = credit_facts(proposal__probability_of_default=0.8)

    assert CREDIT.gate("decline_credit", risky, "band_1").outcome == "auto"
    assert CREDIT.gate("decline_credit", credit_facts(), "band_2").outcome == "review"
    foreign = credit_facts(proposal__probability_of_default=0.8, customer__foreign_worker=True)
    assert CREDIT.gate("decline_credit", foreign, "band_2").matched == "foreign_worker_decline"


def test_credit_four_eyes_and_requester() -> None:
    decision = CREDIT.gate("approve_credit", credit_facts(application__amount=12000.0), "review_all")

    assert decision.review.approvals_required == 2
    assert decision.review.requested_by == "agent:credit"
    assert decision.review.amount == 12000.0


def test_credit_request_information_has_no_amount_limit() -> None:
    decision = CREDIT.gate("request_information", credit_facts(application__amount=9000.0), "band_2")

    assert decision.outcome == "auto"
    assert decision.review.amount is None
    assert set(decision.review.role_limits) == {"credit_officer", "senior_credit_officer", "head_of_credit"}


def test_credit_missing_proposal_fails_closed() -> None:
    decision = CREDIT.gate("approve_credit", without(credit_facts(), "proposal"), "band_2")

    assert (decision.outcome, decision.source, decision.matched) == ("review", "autonomy", "band_1")


def test_review_requirement_without_gating() -> None:
    assert CREDIT.review_requirement("approve_credit", credit_facts()).amount == 3000.0


@pytest.mark.parametrize("level", LEVELS)
def test_facts_cel_cannot_represent_fail_closed_everywhere(level: str) -> None:
    facts = sample_facts(note="\ud800")  # a lone surrogate: valid Python, not a CEL string

    decision = gate(facts, level)

    assert (decision.outcome, decision.source, decision.matched) == ("review", "hard_limit", "cap")
    assert "the facts cannot be given to CEL" in decision.reasons[0]
    assert decision.review.approvals_required == 2

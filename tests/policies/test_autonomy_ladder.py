"""The autonomy ladder: Wilson bounds, slow promotion and immediate demotion."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import ConfigurationError
from policies import (
    AutonomyLadder,
    DemotionCriteria,
    KpiSnapshot,
    PolicyError,
    PromotionCriteria,
    wilson_interval,
)
from tests.policies.policy_samples import credit_policy

LADDER = AutonomyLadder(
    levels=("shadow", "review_all", "band_1", "band_2"),
    window=200,
    promotion=PromotionCriteria(
        min_reviewed=40,
        min_agreement_lower_bound=0.85,
        confidence=0.95,
        min_outcomes=20,
        max_bad_outcome_upper_bound=0.25,
    ),
    demotion=DemotionCriteria(min_cases=10, agreement_floor=0.75, max_bad_outcome_rate=0.30, to="review_all"),
)


def kpi(
    *,
    reviewed: int = 100,
    since_change: int = 100,
    agreed: int = 97,
    outcomes: int = 50,
    bad: int = 2,
) -> KpiSnapshot:
    """A snapshot whose rates and bounds are computed from the counts, as supervision would."""
    agreement_low, _ = wilson_interval(agreed, reviewed)
    _, bad_high = wilson_interval(bad, outcomes)
    return KpiSnapshot(
        agent="credit_approval",
        action="approve_credit",
        reviewed=reviewed,
        reviewed_since_change=since_change,
        agreed=agreed,
        agreement_rate=agreed / reviewed if reviewed else 0.0,
        agreement_lower_bound=agreement_low,
        outcomes_observed=outcomes,
        bad_outcomes=bad,
        bad_outcome_rate=bad / outcomes if outcomes else 0.0,
        bad_outcome_upper_bound=bad_high,
        taken_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson_interval(8, 10)

    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_is_uninformative_without_data() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_narrows_with_more_confidence_traded_away() -> None:
    wide, narrow = wilson_interval(90, 100, 0.99), wilson_interval(90, 100, 0.80)

    assert wide[0] < narrow[0] < 0.9 < narrow[1] < wide[1]


@pytest.mark.parametrize(("successes", "n", "confidence"), [(3, 2, 0.95), (-1, 2, 0.95), (1, 2, 1.0), (1, 2, 0.0)])
def test_wilson_interval_refuses_impossible_inputs(successes: int, n: int, confidence: float) -> None:
    with pytest.raises(ConfigurationError):
        wilson_interval(successes, n, confidence)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=100_000),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    confidence=st.floats(min_value=0.5, max_value=0.9999),
)
def test_wilson_bounds_lie_in_the_unit_interval_around_the_rate(n: int, fraction: float, confidence: float) -> None:
    successes = round(fraction * n)

    low, high = wilson_interval(successes, n, confidence)

    rate = successes / n if n else low
    assert 0.0 <= low <= rate <= high <= 1.0


def test_strong_evidence_promotes_one_level() -> None:
    change = LADDER.evaluate("band_1", kpi())

    assert change is not None
    assert (change.from_level, change.to_level, change.direction) == ("band_1", "band_2", "promote")
    assert (change.agent, change.action) == ("credit_approval", "approve_credit")
    assert change.kpi == kpi()
    assert change.reason.startswith("100 cases reviewed since the last change; agreement 97.0% with a 95% lower")


def test_shadow_promotes_to_review_all_only() -> None:
    change = LADDER.evaluate("shadow", kpi())

    assert change is not None
    assert change.to_level == "review_all"


def test_top_level_is_not_promoted() -> None:
    assert LADDER.evaluate("band_2", kpi()) is None


@pytest.mark.parametrize(
    "snapshot",
    [
        kpi(since_change=39),
        kpi(reviewed=40, since_change=40, agreed=36),
        kpi(outcomes=19, bad=0),
        kpi(outcomes=20, bad=3),
    ],
    ids=[
        "too_few_fresh_reviews",
        "agreement_bound_too_low",
        "too_few_outcomes",
        "bad_outcome_bound_too_high",
    ],
)
def test_weak_evidence_does_not_promote(snapshot: KpiSnapshot) -> None:
    assert LADDER.evaluate("band_1", snapshot) is None


def test_outcomes_are_not_needed_when_min_outcomes_is_zero() -> None:
    ladder = credit_policy().ladder("request_information")

    change = ladder.evaluate("review_all", kpi(outcomes=0, bad=0))

    assert change is not None
    assert change.reason.endswith("outcomes are not required.")


def test_low_agreement_demotes_at_once() -> None:
    change = LADDER.evaluate("band_2", kpi(reviewed=10, since_change=10, agreed=7))

    assert change is not None
    assert (change.from_level, change.to_level, change.direction) == ("band_2", "review_all", "demote")
    assert change.reason == ("Agreement with reviewers fell to 70.0% over 10 reviewed cases, below the floor of 75.0%.")


def test_bad_outcomes_demote_at_once() -> None:
    change = LADDER.evaluate("band_1", kpi(outcomes=10, bad=4))

    assert change is not None
    assert change.direction == "demote"
    assert change.reason == "Bad outcomes rose to 40.0% of 10 observed outcomes, above the limit of 30.0%."


def test_breach_below_min_cases_is_not_yet_judged() -> None:
    assert LADDER.evaluate("band_2", kpi(reviewed=9, since_change=9, agreed=5, outcomes=0, bad=0)) is None


@pytest.mark.parametrize("level", ["shadow", "review_all"])
def test_breach_at_or_below_the_target_neither_demotes_nor_promotes(level: str) -> None:
    assert LADDER.evaluate(level, kpi(agreed=60)) is None


def test_unknown_level_raises() -> None:
    with pytest.raises(PolicyError, match="unknown autonomy level 'band_3'"):
        LADDER.evaluate("band_3", kpi())


def test_bundled_ladders_use_their_policy_figures() -> None:
    policy = credit_policy()
    approve, decline = policy.ladder("approve_credit"), policy.ladder("decline_credit")

    assert approve.window == 200
    assert approve.demotion.to == "review_all"
    assert decline.promotion.min_agreement_lower_bound > approve.promotion.min_agreement_lower_bound

"""An action's review clock (its ``review:`` block): parsed into a `ReviewClock`, every mistake named at its line."""

from datetime import timedelta

import pytest

from policies import PolicyFileError, ReviewClock, parse_policy
from tests.policies.policy_samples import SAMPLE_POLICY, credit_policy

MARK = "# <-"


def with_review(block: str) -> str:
    """`SAMPLE_POLICY` whose `refund` action ends with `block` (lines indented under the action)."""
    return SAMPLE_POLICY + "".join(f"    {line}\n" for line in block.splitlines())


def error_for(text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, path="p.yaml")
    return caught.value


def marked_line(text: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if MARK in line)


def test_without_a_block_an_action_waits_the_default_and_expires() -> None:
    clock = parse_policy(SAMPLE_POLICY).review_clock("refund")

    assert clock == ReviewClock(sla=None, on_timeout="expire", escalate_to=None, escalated_sla=None)
    assert clock.deadline(timedelta(hours=48)) == timedelta(hours=48)
    assert clock.escalation_deadline(timedelta(hours=48)) is None


def test_an_escalating_block_is_read_into_the_clock() -> None:
    text = with_review("review:\n  sla: 24h\n  on_timeout: escalate\n  escalate_to: director\n  escalated_sla: 90m")

    clock = parse_policy(text).review_clock("refund")

    assert clock == ReviewClock(
        sla=timedelta(hours=24), on_timeout="escalate", escalate_to="director", escalated_sla=timedelta(minutes=90)
    )
    assert clock.deadline(timedelta(hours=48)) == timedelta(hours=24)
    assert clock.escalation_deadline(timedelta(hours=48)) == timedelta(minutes=90)


@pytest.mark.parametrize(
    ("block", "deadline", "escalated"),
    [
        ("review: {sla: 2d}", timedelta(days=2), None),
        ("review: {sla: 1m}", timedelta(minutes=1), None),
        ("review: {sla: 90d}", timedelta(days=90), None),
        ("review: {on_timeout: expire}", timedelta(hours=48), None),
        ("review:", timedelta(hours=48), None),
        # The escalated review waits as long as the first one unless told otherwise; without an sla, the default.
        ("review: {sla: 4h, on_timeout: escalate, escalate_to: manager}", timedelta(hours=4), timedelta(hours=4)),
        ("review: {on_timeout: escalate, escalate_to: clerk}", timedelta(hours=48), timedelta(hours=48)),
    ],
)
def test_durations_and_defaults(block: str, deadline: timedelta, escalated: timedelta | None) -> None:
    clock = parse_policy(with_review(block)).review_clock("refund")

    assert clock.deadline(timedelta(hours=48)) == deadline
    assert clock.escalation_deadline(timedelta(hours=48)) == escalated


def test_the_escalation_role_comes_from_the_actions_own_authority_when_it_has_one() -> None:
    text = with_review("authority:\n  roles: {auditor: null}\nreview: {on_timeout: escalate, escalate_to: auditor}")
    assert parse_policy(text).review_clock("refund").escalate_to == "auditor"

    refused = with_review(
        "authority:\n  roles: {auditor: null}\nreview: {on_timeout: escalate, escalate_to: director}  " + MARK
    )
    error = error_for(refused)
    assert error.line == marked_line(refused)
    assert "actions.refund.review.escalate_to" in str(error)
    assert "'director'" in str(error) and "(auditor)" in str(error)


@pytest.mark.parametrize(
    ("block", "says"),
    [
        ("review: {sla: 24x}  " + MARK, ["actions.refund.review.sla", "'24x' is not a duration", "30m, 4h or 2d"]),
        ("review: {sla: 30}  " + MARK, ["actions.refund.review.sla", "30 is not a duration"]),
        ("review: {sla: 1.5h}  " + MARK, ["actions.refund.review.sla", "is not a duration"]),
        ("review: {sla: -4h}  " + MARK, ["actions.refund.review.sla", "is not a duration"]),
        ("review: {sla: 91d}  " + MARK, ["actions.refund.review.sla", "91d is outside", "from 1m to 90d"]),
        ("review: {sla: 0m}  " + MARK, ["actions.refund.review.sla", "0m is outside"]),
        ("review: {sla: 99999999999999999999h}  " + MARK, ["actions.refund.review.sla", "is outside"]),
        (
            "review: {sla: 1h, on_timeout: escalate, escalate_to: manager, escalated_sla: 100d}  " + MARK,
            ["actions.refund.review.escalated_sla", "100d is outside"],
        ),
        ("review: {on_timeout: later}  " + MARK, ["actions.refund.review.on_timeout", "'expire' or 'escalate'"]),
        ("review: {on_timeout: escalate}  " + MARK, ["actions.refund.review.on_timeout", "needs escalate_to"]),
        (
            "review: {on_timeout: escalate, escalate_to: boss}  " + MARK,
            ["actions.refund.review.escalate_to", "'boss'", "clerk, manager, director"],
        ),
        (
            "review: {escalate_to: manager}  " + MARK,
            ["actions.refund.review.escalate_to", "only goes with on_timeout: escalate"],
        ),
        (
            "review: {sla: 4h, escalated_sla: 4h}  " + MARK,
            ["actions.refund.review.escalated_sla", "only goes with on_timeout: escalate"],
        ),
        ("review: {sla: 4h, colour: red}  " + MARK, ["actions.refund.review.colour is not a known key"]),
        ("review: 24h  " + MARK, ["actions.refund.review"]),
    ],
)
def test_bad_blocks_name_the_action_the_problem_and_the_line(block: str, says: list[str]) -> None:
    text = with_review(block)

    error = error_for(text)

    assert error.line == marked_line(text)
    for part in says:
        assert part in str(error)


def test_a_long_hostile_duration_is_not_echoed_whole() -> None:
    error = error_for(with_review("review: {sla: '" + "9" * 5000 + "x'}"))

    assert "is not a duration" in str(error)
    assert len(str(error)) < 300


def test_the_bundled_credit_policy_documents_the_block_and_stays_parseable() -> None:
    policy = credit_policy()
    for action in policy.actions:
        clock = policy.review_clock(action)
        assert clock.on_timeout in ("expire", "escalate")
        if clock.escalate_to is not None:
            assert clock.escalate_to in policy.action(action).authority.role_limits

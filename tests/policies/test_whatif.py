"""The what-if replays past cases under the current and a candidate policy and counts what would change."""

from __future__ import annotations

import pytest

from core import JsonObject
from policies import (
    ChangedCase,
    HistoricCase,
    OutcomeCounts,
    Policy,
    PolicyError,
    ReviewVerdict,
    TimeBudget,
    WhatIfBudgetExceeded,
    WhatIfLine,
    parse_policy,
    what_if,
)
from tests.policies.policy_samples import CREDIT_POLICY_PATH, credit_facts, credit_policy

BAND_1 = "proposal.probability_of_default < 0.08 && application.amount <= 4000.0"


def _credit_with_band_1(condition: str) -> Policy:
    text = CREDIT_POLICY_PATH.read_text(encoding="utf-8")
    assert text.count(BAND_1) == 1
    return parse_policy(text.replace(BAND_1, condition))


def _case(
    proposal_id: str,
    facts: JsonObject,
    *,
    action: str = "approve_credit",
    level: str = "band_1",
    verdict: ReviewVerdict | None = None,
) -> HistoricCase:
    status = {None: "pending", "approve": "executed", "reject": "rejected", "edit": "executed"}[verdict]
    return HistoricCase(
        proposal_id=proposal_id,
        action=action,
        facts=facts,
        level=level,
        status=status,
        gate_outcome="review",
        verdict=verdict,
    )


def _line(
    action: str | None,
    cases: int,
    now: tuple[int, int, int],
    then: tuple[int, int, int],
    *,
    changed: int = 0,
    newly_automated: int = 0,
    no_longer_automated: int = 0,
    automated_reviewed: int = 0,
    automated_overridden: int = 0,
    unjudged: int = 0,
) -> WhatIfLine:
    return WhatIfLine(
        action=action,
        cases=cases,
        current=OutcomeCounts(auto=now[0], review=now[1], deny=now[2]),
        candidate=OutcomeCounts(auto=then[0], review=then[1], deny=then[2]),
        changed=changed,
        newly_automated=newly_automated,
        no_longer_automated=no_longer_automated,
        automated_reviewed=automated_reviewed,
        automated_overridden=automated_overridden,
        unjudged=unjudged,
    )


def test_raising_the_band_1_amount_counts_newly_automated_cases_and_the_ones_reviewers_overrode() -> None:
    current = credit_policy()
    candidate = _credit_with_band_1("proposal.probability_of_default < 0.08 && application.amount <= 8000.0")
    cases = [
        _case("p-approved", credit_facts(application__amount=6000.0), verdict="approve"),
        _case("p-small", credit_facts(application__amount=3000.0)),  # automated under both
        _case("p-rejected", credit_facts(application__amount=7000.0), verdict="reject"),
        _case("p-risky", credit_facts(application__amount=6000.0, proposal__probability_of_default=0.3)),
        _case("p-huge", credit_facts(application__amount=60000.0)),  # a hard limit denies it under both
        _case("p-edited", credit_facts(application__amount=7500.0), verdict="edit"),
        _case("p-shadow", credit_facts(application__amount=5000.0), action="decline_credit", level="shadow"),
    ]

    report = what_if(current, candidate, cases, examples=2)

    assert (report.agent, report.current_version, report.candidate_version) == (
        "credit_approval",
        current.version,
        candidate.version,
    )
    approve = _line(
        "approve_credit",
        6,
        (1, 4, 1),
        (4, 1, 1),
        changed=3,
        newly_automated=3,
        automated_reviewed=3,
        automated_overridden=2,
    )
    decline = _line("decline_credit", 1, (0, 1, 0), (0, 1, 0))
    assert report.actions == (approve, decline)
    assert report.total == approve.model_copy(
        update={
            "action": None,
            "cases": 7,
            "current": OutcomeCounts(auto=1, review=5, deny=1),
            "candidate": OutcomeCounts(auto=4, review=2, deny=1),
        }
    )
    # The overridden newly automated cases come first, in the order given.
    assert report.examples == (
        ChangedCase(
            proposal_id="p-rejected",
            action="approve_credit",
            level="band_1",
            status="rejected",
            current="review",
            candidate="auto",
            candidate_matched="band_1",
            verdict="reject",
        ),
        ChangedCase(
            proposal_id="p-edited",
            action="approve_credit",
            level="band_1",
            status="executed",
            current="review",
            candidate="auto",
            candidate_matched="band_1",
            verdict="edit",
        ),
    )


def test_tightening_a_band_counts_cases_no_longer_automated() -> None:
    candidate = _credit_with_band_1("proposal.probability_of_default < 0.08 && application.amount <= 1000.0")
    cases = [
        _case(f"p-{n}", credit_facts(application__amount=amount)) for n, amount in enumerate((500.0, 2000.0, 3500.0))
    ]

    report = what_if(credit_policy(), candidate, cases)

    assert (report.total.current.auto, report.total.candidate.auto) == (3, 1)
    assert (report.total.no_longer_automated, report.total.newly_automated, report.total.changed) == (2, 0, 2)
    assert [(e.proposal_id, e.current, e.candidate, e.candidate_matched) for e in report.examples] == [
        ("p-1", "auto", "review", "default"),
        ("p-2", "auto", "review", "default"),
    ]


def test_cases_a_policy_cannot_judge_are_counted_apart_and_nothing_else() -> None:
    text = CREDIT_POLICY_PATH.read_text(encoding="utf-8")
    band_2 = (
        "        - name: band_2\n"
        '          auto_when: "proposal.probability_of_default < 0.12 && application.amount <= 8000.0"\n'
    )
    assert text.count(band_2) == 1
    without_band_2 = parse_policy(text.replace(band_2, ""))
    cases = [
        _case("p-at-band-2", credit_facts(), level="band_2"),  # only the current policy has the level
        _case("p-unknown-action", credit_facts(), action="wire_money"),  # neither policy has the action
        _case("p-fine", credit_facts()),
    ]

    report = what_if(credit_policy(), without_band_2, cases)

    assert report.total == _line(None, 3, (1, 0, 0), (1, 0, 0), unjudged=2)
    assert report.actions == (
        _line("approve_credit", 2, (1, 0, 0), (1, 0, 0), unjudged=1),
        _line("wire_money", 1, (0, 0, 0), (0, 0, 0), unjudged=1),
    )
    assert report.examples == ()


def test_an_unchanged_policy_changes_nothing_and_every_case_is_counted_once() -> None:
    policy = credit_policy()
    amounts = [100.0 * n for n in range(1, 120, 7)]
    verdicts: list[ReviewVerdict | None] = [None, "approve", "reject", "edit"]
    cases = [
        _case(f"p-{n}", credit_facts(application__amount=amount), verdict=verdicts[n % 4])
        for n, amount in enumerate(amounts)
    ]

    report = what_if(policy, policy, cases)

    total = report.total
    assert total.cases == len(cases)
    assert total.current == total.candidate
    assert total.current.auto + total.current.review + total.current.deny == len(cases)
    assert (total.changed, total.newly_automated, total.no_longer_automated) == (0, 0, 0)
    assert report.examples == ()


def test_a_replay_whose_budget_runs_out_stops_before_the_next_case_with_a_typed_error() -> None:
    policy = credit_policy()
    cases = [_case(f"p-{n}", credit_facts()) for n in range(3)]
    asked: list[bool] = []

    def exhausted() -> bool:
        """The time is up once the first case is replayed (asked before each case)."""
        asked.append(len(asked) >= 1)
        return asked[-1]

    with pytest.raises(WhatIfBudgetExceeded) as stopped:
        what_if(policy, policy, cases, budget=TimeBudget(seconds=5.0, exhausted=exhausted))

    assert isinstance(stopped.value, PolicyError)
    assert (stopped.value.seconds, stopped.value.replayed, asked) == (5.0, 1, [False, True])
    assert str(stopped.value).startswith(
        "the what-if ran out of its time budget of 5 seconds after replaying 1 case(s)"
    )
    with_time_left = what_if(policy, policy, cases, budget=TimeBudget(seconds=5.0, exhausted=lambda: False))
    assert with_time_left == what_if(policy, policy, cases)
